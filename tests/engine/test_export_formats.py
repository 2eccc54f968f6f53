"""Exports a marketer opens as they are (issue #11): csv with a byte-order mark and human
headers, xlsx opened with openpyxl, a self-contained HTML report, every row with its profile
link, display name, contact and rank change against the previous export."""
import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.export import export_shortlist, write_atomically
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from tests.engine.helpers import NOW, add_profile, exporting_plugins

CONFIG = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers"],
                                           "description": "Spring – recipes × vegan ≤ 10k",
                                           "target_tier": "micro"}}})
FOLLOWERS = [5000 + 100 * i for i in range(20)]  # rank r is FOLLOWERS[20 - r]: more followers score higher


@pytest.fixture
def setup(tmp_path):
    rules, exporters = exporting_plugins()
    db = open_store(tmp_path / "t.db")
    for i, followers in enumerate(FOLLOWERS):
        bio = {0: "Vegan cook – recipes × 3 a week. Mail: hi@cook.org", 1: "Shop at https://cook.shop/x"}.get(i, "")
        name = {0: "Zoë “Cook” Ñandú", 2: '=HYPERLINK("http://evil.example","click")',
                3: "Bell\x07 Creator"}.get(i, f"Creator {i}")  # a control character a workbook cannot hold
        website = {0: "https://zoe.example/", 1: "https://cook.shop/x", 4: "https://four.example/",
                   5: "javascript:alert(1)"}.get(i)  # a row an older build, or another tool, wrote
        add_profile(db, f"c{i:02d}", followers, posts=2, likes=50, bio=bio, display_name=name, website=website)
    run_shortlist(db, CONFIG, rules, "c", now=NOW)
    return db, rules, exporters


def judge(db, rules):
    run_shortlist(db, CONFIG, rules, "c", now=NOW)


def export(db, exporters, fmt, path, size=20, **kw):
    return export_shortlist(db, "c", size, exporters[fmt], path, config=CONFIG, **kw)


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# -- csv ------------------------------------------------------------------------------------

def test_csv_starts_with_a_byte_order_mark_and_no_bom_leaves_it_out(setup, tmp_path):
    db, _, exporters = setup
    export(db, exporters, "csv", tmp_path / "bom.csv")
    export(db, exporters, "csv", tmp_path / "plain.csv", bom=False)
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbfRank,Change,")
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"Rank,Change,")
    # the same header beyond the mark, and "–", "×", "ë" survive as UTF-8
    header = (tmp_path / "plain.csv").read_bytes().split(b"\r\n")[0]
    assert (tmp_path / "bom.csv").read_bytes()[3:].split(b"\r\n")[0] == header
    assert "Zoë “Cook” Ñandú" in (tmp_path / "plain.csv").read_text(encoding="utf-8")


def test_csv_has_human_headers_links_contacts_and_engagement_in_percent(setup, tmp_path):
    db, _, exporters = setup
    export(db, exporters, "csv", tmp_path / "c.csv")
    rows = read_csv(tmp_path / "c.csv")
    header = list(rows[0])
    assert header[:14] == ["Rank", "Change", "Previous rank", "Name", "Handle", "Platform", "Profile URL", "Contact",
                           "Tier", "Followers", "Engagement rate (%)", "Score", "Excluded by", "Why (top reasons)"]
    assert "Engagement: outcome" in header and "Min followers: reason" in header
    assert not [h for h in header if "." in h or "_" in h]  # no machine names left
    top = rows[0]
    assert top["Handle"] == "c19" and top["Profile URL"] == "https://example.social/@c19"
    assert float(top["Engagement rate (%)"]) == pytest.approx(round(100 * 50 / FOLLOWERS[19], 2))
    by_handle = {r["Handle"]: r for r in rows}
    assert by_handle["c00"]["Contact"] == "hi@cook.org" and by_handle["c01"]["Contact"] == "https://cook.shop/x"
    # the profile's own website when the bio has no email; never a javascript: link
    assert by_handle["c04"]["Contact"] == "https://four.example/"
    assert by_handle["c05"]["Contact"] == ""
    # a display name a spreadsheet would run as a formula stays text
    assert by_handle["c02"]["Name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"


def test_json_rows_keep_machine_keys_and_carry_link_name_and_contact(setup, tmp_path):
    db, _, exporters = setup
    export(db, exporters, "jsonl", tmp_path / "c.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    c00 = next(r for r in rows if r["handle"] == "c00")
    assert c00["display_name"] == "Zoë “Cook” Ñandú" and c00["contact"] == "hi@cook.org"
    assert c00["profile_url"] == "https://example.social/@c00" and c00["change"] == "new"
    c04 = next(r for r in rows if r["handle"] == "c04")
    assert c04["contact"] == "https://four.example/"
    assert 0 < c00["engagement_rate"] < 1  # a fraction for scripts; the human formats show percent



def test_the_reasons_a_marketer_reads_name_rules_in_words_in_csv_and_xlsx(setup, tmp_path):
    # The HTML report said "Min followers: …", the CSV and the workbook "min_followers: …" and
    # "gates not checked: min_followers (unknown)": machine names in the column a marketer reads.
    openpyxl = pytest.importorskip("openpyxl")
    db, rules, exporters = setup
    add_profile(db, "quiet", 9_000, posts=0)  # no posts: its engagement gate cannot judge it
    add_profile(db, "tiny", 500, posts=2, likes=50)  # excluded: a hollow dot in the report's chart
    config = parse_config({"campaigns": {"c": {"platforms": ["mastodon"], "gates": ["min_followers", "engagement"],
                                               "target_tier": "micro"}}})
    run_shortlist(db, config, rules, "c", now=NOW)
    for fmt in ("csv", "xlsx", "json"):
        export_shortlist(db, "c", 25, exporters[fmt], tmp_path / f"c.{fmt}", config=config)
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx")["Shortlist"]
    header = [c.value for c in ws[1]]
    why = header.index("Why (top reasons)") + 1
    for text in [r["Why (top reasons)"] for r in read_csv(tmp_path / "c.csv")] + \
            [ws.cell(row=r, column=why).value for r in range(2, ws.max_row + 1)]:
        assert text and not re.search(r"\b(min_followers|engagement|fragile)\b", text), text
    said = " ".join(r["Why (top reasons)"] for r in read_csv(tmp_path / "c.csv"))
    assert "Engagement: " in said and "gates not checked: Engagement (unknown)" in said, said
    export_shortlist(db, "c", 25, exporters["html"], tmp_path / "c.html", config=config)
    page = (tmp_path / "c.html").read_text()
    assert "(excluded by Min followers)" in page and "gates not checked: engagement" not in page
    # scripts keep the names they select rules by
    machine = " ".join(r["reasons"] for r in json.loads((tmp_path / "c.json").read_text()))
    assert "engagement: " in machine and "gates not checked: engagement (unknown)" in machine


# -- rank change against the previous export -----------------------------------------------

def test_a_creator_moving_from_16_to_7_is_up_9(setup, tmp_path):
    db, rules, exporters = setup
    first = export(db, exporters, "csv", tmp_path / "one.csv")
    assert first["new"] == 20 and first["compared_with"] is None
    mover = read_csv(tmp_path / "one.csv")[15]
    assert mover["Rank"] == "16" and mover["Handle"] == "c04"

    # c04 gains followers: between rank 7 (6,300) and rank 8, so it is 7 now and 7..15 move down one
    db.execute("UPDATE profiles SET followers = 6350 WHERE handle = 'c04'")
    db.conn.commit()
    judge(db, rules)
    second = export(db, exporters, "csv", tmp_path / "two.csv")
    rows = {r["Handle"]: r for r in read_csv(tmp_path / "two.csv")}
    assert (rows["c04"]["Rank"], rows["c04"]["Change"], rows["c04"]["Previous rank"]) == ("7", "up 9", "16")
    assert (rows["c13"]["Rank"], rows["c13"]["Change"]) == ("8", "down 1")
    assert rows["c19"]["Change"] == "unchanged" and rows["c00"]["Change"] == "unchanged"
    assert (second["up"], second["down"], second["unchanged"], second["new"], second["dropped"]) == (1, 9, 10, 0, 0)
    assert second["compared_with"] == first["export_id"]
    stored = db.execute("SELECT rank, change FROM export_entries WHERE export_id = ? AND platform_id = ?",
                        [second["export_id"], "c04@example.social"]).fetchone()
    assert stored == (7, "up 9")


def test_new_and_dropped_against_a_shorter_previous_export(setup, tmp_path):
    db, rules, exporters = setup
    export(db, exporters, "json", tmp_path / "top5.json", size=5)
    add_profile(db, "star", 9900, posts=2, likes=50)  # the new number one pushes c15 out of the top five
    judge(db, rules)
    export(db, exporters, "json", tmp_path / "again.json", size=5)
    rows = json.loads((tmp_path / "again.json").read_text())
    change = {r["handle"]: (r["rank"], r["change"]) for r in rows}
    assert change == {"star": (1, "new"), "c19": (2, "down 1"), "c18": (3, "down 1"), "c17": (4, "down 1"),
                      "c16": (5, "down 1"), "c15": (6, "dropped")}  # still ranked, below the cut
    # which the row says, as a row the rules turned down says which rule did
    assert [r["excluded_by"] for r in rows if r["change"] == "dropped"] == ["ranked 6, below this export's top 5"]
    assert all(r["excluded_by"] is None for r in rows if r["change"] != "dropped")


def test_a_schedule_compares_with_its_own_previous_export(setup, tmp_path):
    db, rules, exporters = setup
    export(db, exporters, "csv", tmp_path / "weekly.csv", size=3, schedule="weekly")
    export(db, exporters, "csv", tmp_path / "by-hand.csv", size=1)
    result = export(db, exporters, "csv", tmp_path / "weekly2.csv", size=3, schedule="weekly")
    assert (result["unchanged"], result["new"]) == (3, 0)  # against weekly, not the by-hand export of one row


def test_exports_written_before_ranks_were_stored_still_compare_by_position(setup, tmp_path):
    db, rules, exporters = setup
    first = export(db, exporters, "csv", tmp_path / "one.csv", size=3)
    db.execute("DELETE FROM export_entries WHERE export_id = ?", [first["export_id"]])  # as an old export
    db.conn.commit()
    db.execute("UPDATE profiles SET followers = 9950 WHERE handle = 'c17'")
    db.conn.commit()
    judge(db, rules)
    second = export(db, exporters, "csv", tmp_path / "two.csv", size=3)
    assert {r["Handle"]: r["Change"] for r in read_csv(tmp_path / "two.csv")} == {
        "c17": "up 2", "c19": "down 1", "c18": "down 1"}
    assert second["compared_with"] == first["export_id"]


# -- xlsx ------------------------------------------------------------------------------------

def test_xlsx_opens_with_sheets_human_headers_formats_links_and_frozen_headers(setup, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    db, _, exporters = setup
    export(db, exporters, "xlsx", tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert wb.sheetnames == ["Shortlist", "Verdicts"]
    ws = wb["Shortlist"]
    header = [c.value for c in ws[1]]
    assert header[:14] == ["Rank", "Change", "Previous rank", "Name", "Handle", "Platform", "Profile URL", "Contact",
                           "Tier", "Followers", "Engagement rate", "Score", "Excluded by", "Why (top reasons)"]
    assert {"Engagement: outcome", "Min followers: outcome", "Fragile: outcome"} <= set(header)
    col = {name: i + 1 for i, name in enumerate(header)}
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.max_row == 21
    top = {name: ws.cell(row=2, column=i) for name, i in col.items()}
    assert top["Handle"].value == "c19" and top["Rank"].value == 1
    rate = top["Engagement rate"]
    assert rate.value == pytest.approx(50 / FOLLOWERS[19], abs=1e-6) and rate.number_format == "0.00%"
    assert top["Followers"].value == FOLLOWERS[19] and top["Followers"].number_format == "#,##0"
    assert top["Profile URL"].hyperlink.target == "https://example.social/@c19"
    rows = {ws.cell(row=r, column=col["Handle"]).value: r for r in range(2, ws.max_row + 1)}
    contact = ws.cell(row=rows["c00"], column=col["Contact"])
    assert contact.value == "hi@cook.org" and contact.hyperlink.target == "mailto:hi@cook.org"
    website = ws.cell(row=rows["c04"], column=col["Contact"])
    assert website.value == "https://four.example/" and website.hyperlink.target == "https://four.example/"
    formula_like = ws.cell(row=rows["c02"], column=col["Name"])
    assert formula_like.data_type == "s" and formula_like.value.startswith("=HYPERLINK")  # text, never run
    assert ws.cell(row=rows["c03"], column=col["Name"]).value == "Bell Creator"
    widths = {name: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for name, i in col.items()}
    assert 6 <= widths["Rank"] <= 12 and 20 <= widths["Why (top reasons)"] <= 80 and widths["Profile URL"] >= 25

    verdicts = wb["Verdicts"]
    assert [c.value for c in verdicts[1]] == ["Rank", "Handle", "Name", "Rule", "Outcome", "Score", "Reason", "Evidence"]
    assert verdicts.freeze_panes == "A2" and verdicts.max_row == 1 + 20 * 3
    first = [c.value for c in verdicts[2]]
    assert first[:5] == [1, "c19", "Creator 19", "Engagement", "pass"]
    assert f"engagement rate: {50 / FOLLOWERS[19]:.2%}" in first[7]  # the evidence in words, the rate as a percentage


def test_a_failed_binary_export_leaves_the_previous_file(setup, tmp_path):
    db, _, exporters = setup
    target = tmp_path / "c.xlsx"
    target.write_bytes(b"the previous workbook")

    def half(rows, columns, out, context):
        out.write(b"PK\x03\x04 half a zip")
        raise RuntimeError("disk trouble")

    broken = exporters["xlsx"].__class__("xlsx", "xlsx", "breaks", half, binary=True, context=True)
    with pytest.raises(RuntimeError):
        write_atomically(target, broken, [], [], None)
    assert target.read_bytes() == b"the previous workbook"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


# -- html ------------------------------------------------------------------------------------

def test_the_html_report_is_one_file_with_chart_table_and_verdicts(setup, tmp_path):
    db, _, exporters = setup
    db.execute("UPDATE profiles SET url = 'javascript:alert(1)', display_name = '<script>x</script>' "
               "WHERE handle = 'c18'")
    db.conn.commit()
    export(db, exporters, "html", tmp_path / "c.html")
    page = (tmp_path / "c.html").read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page
    # nothing fetched from elsewhere: no scripts, style sheets, images or fonts by address
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(|\bsrc=", page, re.I)
    assert page.count('class="mark"') == 20 and page.count('class="band target"') == 1
    assert "Spring – recipes × vegan ≤ 10k" in page
    assert '<a href="mailto:hi@cook.org">hi@cook.org</a>' in page
    assert '<a href="https://four.example/">https://four.example/</a>' in page
    assert "javascript:" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert page.count("<ul class=verdicts>") == 20 and page.count('<span class="badge pass">') >= 20


def test_the_html_report_leaves_a_dropped_creators_figures_empty_and_says_when_none_is_listed(setup, tmp_path):
    # A review: creators dropped since the last export and not in the latest run (opted out,
    # gone) showed "hidden" followers, as if the platform hid them, and a run with none ranked
    # said "the top 0 below".
    db, rules, exporters = setup
    export(db, exporters, "html", tmp_path / "one.html", size=3)
    db.execute("UPDATE profiles SET opted_out = 1")
    db.conn.commit()
    judge(db, rules)
    export(db, exporters, "html", tmp_path / "two.html", size=3)
    page = (tmp_path / "two.html").read_text()
    rows = re.findall(r'<tr class="dropped">(.*?)</tr>', page)
    assert len(rows) == 3
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[4] == "" and cells[5] == "", cells  # followers, engagement
    assert "hidden" not in "".join(rows) and "the top 0 below" not in page
    assert "0 ranked; none below." in page


# -- the command ------------------------------------------------------------------------------

def test_export_command_json_and_no_bom(setup, tmp_path):
    db, _, _ = setup
    config = tmp_path / "config.toml"
    config.write_text('[campaigns.c]\nplatforms = ["mastodon"]\ngates = ["min_followers"]\n')
    db_path = tmp_path / "t.db"
    out = tmp_path / "out.csv"
    # the test rules are registered in this process only: judge here, export through the CLI
    result = CliRunner().invoke(cli, ["export", "c", "--out", str(out), "--no-bom", "--json", "--limit", "4",
                                      "--db", str(db_path), "--config", str(config)])
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)
    assert written["path"] == str(out) and written["rows"] == 4 and written["new"] == 4
    assert written["format"] == "csv" and written["compared_with"] is None
    assert out.read_bytes().startswith(b"Rank,")
    again = CliRunner().invoke(cli, ["export", "c", "--out", str(tmp_path / "x.html"), "--format", "html", "--limit", "4",
                                     "--db", str(db_path), "--config", str(config)])
    assert again.exit_code == 0, again.output
    # the same shortlist in another format shows the same changes as the CSV: all new (it was
    # "4 unchanged" against the CSV written a second before, a review found)
    assert again.output == f"Wrote 4 rows to {tmp_path / 'x.html'} (4 new).\n"
    weekly = CliRunner().invoke(cli, ["export", "c", "--out", str(tmp_path / "y.csv"), "--limit", "4",
                                      "--db", str(db_path), "--config", str(config)])
    # the same format written again compares with its last file
    assert weekly.output.startswith(f"Wrote 4 rows to {tmp_path / 'y.csv'} (4 unchanged against export ")


def test_the_chart_marks_candidates_above_its_range_instead_of_pinning_them_to_the_top():
    # A review: eight creators at 12.5-15.6% were drawn exactly on the top line of a chart
    # capped at 12.5%, as if that were their rate.
    from microscout.engine.export import ExportContext
    from microscout.engine.export_html import chart_svg

    points = [{"handle": f"c{i}", "followers": 1000 + 100 * i, "engagement_rate": 0.02 + 0.001 * i,
               "rank": None, "excluded_by": None, "exported": False} for i in range(40)]
    points += [{"handle": "wild", "followers": 5000, "engagement_rate": 0.30, "rank": None, "excluded_by": None,
                "exported": False},
               {"handle": "top", "followers": 3000, "engagement_rate": 0.05, "rank": 1, "excluded_by": None,
                "exported": True}]
    svg = chart_svg(ExportContext(campaign="c", description="", run_id=1, generated_at="", size=1, points=points))
    assert svg.count('class="above"') == 1 and "<title>wild: 5,000 followers, 30.00%</title></path>" in svg
    assert re.search(r"▲ 1 not exported above \d+(\.\d)?% \(at the top edge\)", svg)
    assert "<title>c39: 4,900 followers, 5.90%</title></circle>" in svg  # in range: a dot


def test_the_chart_shows_an_open_ended_target_tier_beyond_every_point():
    # A review: a campaign targeting mega creators (100,000 and up) over a crawl of smaller
    # ones got an axis ending at 100k, and no band of the tier it targets.
    from microscout.engine.export import ExportContext
    from microscout.engine.export_html import chart_svg

    points = [{"handle": f"c{i}", "followers": 1000 + 200 * i, "engagement_rate": 0.02 + 0.001 * i,
               "rank": None, "excluded_by": "tier_bounds", "exported": False} for i in range(40)]
    bands = [{"tier": "micro", "min": 1000, "max": 10000, "platforms": ["mastodon"], "target": False},
             {"tier": "mega", "min": 100000, "max": None, "platforms": ["mastodon"], "target": True}]
    svg = chart_svg(ExportContext(campaign="c", description="", run_id=1, generated_at="", size=1, points=points,
                                  bands=bands))
    assert svg.count('class="band target"') == 1 and ">mega</text>" in svg


def test_the_chart_says_which_shortlisted_creators_it_cannot_show():
    # A review: a shortlist of big creators whose posts were not fetched (engagement n/a) got
    # a chart with none of its marks, under a legend promising them, and no word why.
    from microscout.engine.export import ExportContext
    from microscout.engine.export_html import render_report

    points = [{"handle": f"c{i}", "followers": 1000 + 200 * i, "engagement_rate": 0.02 + 0.001 * i,
               "rank": None, "excluded_by": "tier_bounds", "exported": False} for i in range(40)]
    points.append({"handle": "shown", "followers": 3000, "engagement_rate": 0.05, "rank": 1, "excluded_by": None,
                   "exported": True})
    rows = [{"status": "new", "change": "new", "rank": 1, "handle": "shown", "platform": "mastodon",
             "platform_id": "shown", "followers": 3000, "engagement_rate": 0.05},
            {"status": "new", "change": "new", "rank": 2, "handle": "big", "platform": "mastodon",
             "platform_id": "big", "followers": 900_000, "engagement_rate": None},
            {"status": "dropped", "change": "dropped", "rank": None, "handle": "gone", "platform": "mastodon",
             "platform_id": "gone", "followers": None, "engagement_rate": None}]
    context = ExportContext(campaign="c", description="", run_id=1, generated_at="", size=2, points=points)
    page = render_report(rows, [], context)
    assert page.count('class="mark"') == 1
    assert "shortlisted (numbered by rank) (1 not in the chart: followers or engagement rate not known)" in page
