"""`crawl --handles FILE`: the reader (CSV, .xlsx, text; URLs; errors as one line, exit 2) and the
per-handle report after a real crawl of a 127.0.0.1 server."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.cli.common import UsageProblem
from microscout.cli.handles import normalize, read_handles, report, report_lines
from tests.crawlers.conftest import rows, run_crawl, write_config
from tests.crawlers.fakeserver import FakeServer


@pytest.mark.parametrize("name, text, expected", [
    ("plain.csv", "handle\n@alice\nbob\n", ["alice", "bob"]),
    ("caps.csv", "Name,USERNAME,notes\nAlice,alice,x\nBob,@bob,\n", ["alice", "bob"]),
    ("account.csv", "account\nalice@mastodon.social\n", ["alice@mastodon.social"]),
    ("channel.csv", "channel,subs\nhttps://www.youtube.com/@cookwithme,10\n", ["cookwithme"]),
    ("at.csv", "@\nalice\n", ["alice"]),
    ("ig.csv", "Instagram Handle,Followers\nhttps://www.instagram.com/anna.cooks/,12000\n", ["anna.cooks"]),
    ("semicolon.csv", "name;handle\nAlice;alice\nBob;bob\n", ["alice", "bob"]),
    # European Excel's first line naming the separator, as check and import read it
    ("excel.csv", "sep=;\r\nname;handle\r\nAlice;alice\r\nBob;bob\r\n", ["alice", "bob"]),
    ("urls.csv", "url\nhttps://www.tiktok.com/@dancer_1\nhttps://mastodon.social/@user\n"
                 "https://bsky.app/profile/x.bsky.social\nhttps://www.youtube.com/channel/UCabc123\n"
                 "www.instagram.com/bare/\n",
     ["dancer_1", "user@mastodon.social", "x.bsky.social", "UCabc123", "bare"]),
    ("one-column.csv", "creators\nalice\nbob\n", ["alice", "bob"]),  # an unknown name: a header
    ("headerless.csv", "@alice\n@bob\n", ["alice", "bob"]),          # a handle: no header
    ("list.txt", "# our creators\nalice\n\n  @bob   # met at a fair\nhttps://mastodon.social/@carol\n",
     ["alice", "bob", "carol@mastodon.social"]),
    ("dids", "did:plc:abc123\n", ["did:plc:abc123"]),
    ("blank-rows.csv", "handle,x\n,1\nalice,2\n\n", ["alice"]),
])
def test_reader(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    assert read_handles(str(path)) == expected


def test_reader_xlsx(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Creator", "TikTok username", "Followers"])
    sheet.append(["Dana", "@dana", 12000])
    sheet.append([None, None, None])
    sheet.append(["Eve", "https://www.tiktok.com/@eve.makes", 8000])
    book.save(tmp_path / "sheet.xlsx")
    assert read_handles(str(tmp_path / "sheet.xlsx")) == ["dana", "eve.makes"]


@pytest.mark.parametrize("damage", ["chartsheet first", "sheet cut short"])
def test_a_workbook_openpyxl_cannot_read_is_one_line_exit_2(tmp_path, damage):
    # openpyxl raised AttributeError or ParseError for these: an unexpected error, exit 1
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    if damage == "chartsheet first":
        book.remove(book.active)
        book.create_chartsheet("chart")
        book.create_sheet("Data").append(["handle"])
    else:
        book.active.append(["handle"])
        book.active.append(["dana"])
    book.save(tmp_path / "good.xlsx")
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(path, "w") as damaged:
        for item in good.infolist():
            body = good.read(item.filename)
            if damage == "sheet cut short" and item.filename == "xl/worksheets/sheet1.xml":
                body = body[:len(body) // 2]
            damaged.writestr(item, body)
    result = CliRunner().invoke(cli, ["crawl", "mastodon", "--handles", str(path), "--db", str(tmp_path / "x.db"),
                                      "--config", str(write_config(tmp_path, "http://127.0.0.1:9"))])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {path}: not a readable .xlsx workbook (")
    assert result.stderr.endswith("); save it from the spreadsheet as .xlsx or CSV\n")
    assert not (tmp_path / "x.db").exists()


def test_duplicates_dropped_in_order_with_a_note(tmp_path, capsys):
    path = tmp_path / "dups.txt"
    path.write_text("alice\nbob\nALICE\n@bob\ncarol\n")
    assert read_handles(str(path)) == ["alice", "bob", "carol"]
    assert capsys.readouterr().err.strip() == (
        f"{path}: 2 duplicate handles dropped: ALICE (line 3, first on line 1), bob (line 4, first on line 2)")


def test_legacy_youtube_urls_kept_with_a_note_per_line(tmp_path, capsys):
    path = tmp_path / "yt.csv"
    path.write_text("channel\nhttps://www.youtube.com/c/CookWithMe\nyoutube.com/user/oldchef/videos\n"
                    "https://www.youtube.com/@exact\nhttps://www.youtube.com/channel/UCabc123\n"
                    "https://m.youtube.com/c/CookWithMe\n")
    assert read_handles(str(path)) == ["CookWithMe", "oldchef", "exact", "UCabc123"]
    err = capsys.readouterr().err.splitlines()
    hint = "may not be the channel's @handle; a /channel/UC… URL or the @handle is exact"
    assert err == [
        f"{path} line 2: 'https://www.youtube.com/c/CookWithMe' is a legacy YouTube URL (/c/ or /user/): "
        f"'CookWithMe' {hint}",
        f"{path} line 3: 'youtube.com/user/oldchef/videos' is a legacy YouTube URL (/c/ or /user/): 'oldchef' {hint}",
        f"{path} line 6: 'https://m.youtube.com/c/CookWithMe' is a legacy YouTube URL (/c/ or /user/): "
        f"'CookWithMe' {hint}",
        f"{path}: 1 duplicate handle dropped: CookWithMe (line 6, first on line 2)"]


@pytest.mark.parametrize("name, text, message", [
    ("missing.csv", None, "{path}: no such file; --handles takes a CSV, .xlsx or text file of handles"),
    ("empty.txt", "", "{path}: no handles in the file; write one per line (a handle such as @name, "
                      "name@instance.social or a profile URL), or a CSV with a column named handle"),
    ("comments.txt", "# nothing yet\n\n", "{path}: no handles in the file; write one per line (a handle such as "
                                          "@name, name@instance.social or a profile URL), or a CSV with a column "
                                          "named handle"),
    ("nocol.csv", "name,followers\nAlice,10\n", "{path} line 1: no handle column; the columns are 'name', "
                                                "'followers'; name one 'handle' (or username, account, channel, url)"),
    ("bad.csv", "handle\nalice\njohn doe\n", "{path} line 3: 'john doe' is not a handle; write a handle such as "
                                             "@name, name@instance.social or a profile URL"),
    ("bad.txt", "alice\n\nhttps://www.instagram.com/p/Cx1/\n",
     "{path} line 3: 'https://www.instagram.com/p/Cx1/' is not a handle; write a handle such as @name, "
     "name@instance.social or a profile URL"),
    # urllib raises on an unclosed "[": it was an unexpected error, exit 1
    ("bracket.txt", "alice\nhttp://[::1/@bob\n",
     "{path} line 2: 'http://[::1/@bob' is not a handle; write a handle such as @name, name@instance.social or a "
     "profile URL"),
    # lines as an editor numbers them: U+2028 inside a line split it, so the bad handle after was "line 3"
    ("sep.txt", "alice\u2028bob\n@carol\njohn doe\n",
     "{path} line 1: 'alice\\u2028bob' is not a handle; write a handle such as @name, name@instance.social or a "
     "profile URL"),
    ("sep2.txt", "alice\n@carol\x0c\njohn doe\n",
     "{path} line 3: 'john doe' is not a handle; write a handle such as @name, name@instance.social or a "
     "profile URL"),
])
def test_reader_errors(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(UsageProblem) as caught:
        read_handles(str(path))
    assert caught.value.message == message.format(path=path)


def test_bad_file_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("handle\nalice\nno way\n")
    result = CliRunner().invoke(cli, ["crawl", "mastodon", "--handles", str(path), "--db", str(tmp_path / "x.db"),
                                      "--config", str(write_config(tmp_path, "http://127.0.0.1:9"))])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path} line 3: 'no way' is not a handle; write a handle such as @name, " \
                            "name@instance.social or a profile URL\n"
    assert not (tmp_path / "x.db").exists()  # nothing was started


def test_the_help_names_every_kind_of_file_the_reader_takes():
    # --help said "CSV or text file", leaving out the .xlsx the reader takes (README, docs/IMPORT.md)
    said = " ".join(CliRunner().invoke(cli, ["crawl", "--help"]).output.split())
    assert "--handles FILE CSV, .xlsx or text file of accounts to crawl" in said

@pytest.mark.parametrize("text, handle", [
    ("https://m.youtube.com/@chef", "chef"), ("https://x.com/someone", "someone"),
    ("https://www.linkedin.com/in/jane-doe/", "jane-doe"), ("https://social.example/users/bob", "bob@social.example"),
    ("https://example.com/about", None), ("two words", None), ("a/b", None), ("https://[::1/@bob", None),
    ("https://mastodon.social/@alice/following", "alice@mastodon.social"),
    # a post's URL names its author, but a list of them is the wrong column (docs/IMPORT.md): refused,
    # as an Instagram /p/ URL is, not crawled as the author
    ("https://mastodon.social/@alice/111222333444555666", None),
    ("https://mastodon.social/@alice@other.social/111222333444555666", None),
    ("https://social.example/users/bob/statuses/111222333", None),
    ("https://bsky.app/profile/x.bsky.social/post/3kabcdefghi2x", None),
])
def test_normalize(text, handle):
    assert normalize(text) == handle


def test_report_names_every_handle_given():
    lines = report_lines(["alice", "Bob", "carol", "dan"], {"alice": "found", "bob": "not_found", "carol": "private"})
    assert lines == [
        "  handles: 4 given: 1 found (stored), 1 not found, 1 private/hidden, 1 no answer (the lookup failed or a "
        "bound was reached; see above)",
        "    found (stored): @alice",
        "    not found: @Bob",
        "    private/hidden: @carol",
        "    no answer (the lookup failed or a bound was reached; see above): @dan"]


def test_report_shows_a_did_or_a_channel_id_without_an_at():
    # "@UCsandbox000000000000006" and "@did:plc:…" named nothing anyone would look up
    lines = report_lines(["UCsandbox000000000000006", "did:plc:amy000", "@ann"],
                         {"UCsandbox000000000000006": "found", "did:plc:amy000": "found", "ann": "found"})
    assert lines[1] == "    found (stored): UCsandbox000000000000006, did:plc:amy000, @ann"


def test_a_stopped_crawl_says_which_handles_it_did_not_reach():
    # A review: after Ctrl-C the handles not asked yet read "no answer (the lookup failed or a
    # bound was reached)", neither of which happened.
    lines = report_lines(["alice", "bob"], {"alice": "found"}, stopped=True)
    assert lines[0] == "  handles: 2 given: 1 found (stored), 1 not reached (the crawl was stopped; --resume asks " \
                       "for them)"
    assert lines[-1] == "    not reached (the crawl was stopped; --resume asks for them): @bob"
    assert report(["alice", "bob"], {"alice": "found"}, stopped=True)["counts"] == {"found": 1, "not_reached": 1}


@pytest.fixture(scope="module")
def handles_crawl(tmp_path_factory):
    """One crawl of the fake Mastodon server with --handles: found, prefiltered, opted out,
    not found, bridged; and a second one with --json."""
    folder = tmp_path_factory.mktemp("handles")
    (folder / "creators.csv").write_text(
        "Name,Handle\nAlice,@alice\nBob,bob\nErin,erin\nNobody,https://mastodon.example/@nobody\n"
        "Dan,dan@bsky.brid.gy\nAlice again,ALICE\n")
    with FakeServer(faults=False) as server:
        config = write_config(folder, server.url)
        text = run_crawl(config, "mastodon", "--handles", "creators.csv", "--tier", "micro")
        as_json = run_crawl(config, "mastodon", "--handles", "creators.csv", "--tier", "micro", "--json")
    return folder, text, as_json


def test_crawl_prints_what_became_of_each_handle(handles_crawl):
    folder, result, _ = handles_crawl
    assert result.returncode == 0, result.stderr
    report = result.stdout.splitlines()[result.stdout.splitlines().index(
        next(line for line in result.stdout.splitlines() if line.startswith("  handles:"))):]
    assert report == [
        "  handles: 5 given: 1 found (stored), 1 not found, 1 opted out, "
        "1 skipped by the prefilter (out of tier), 1 bridged account (skipped)",
        "    found (stored): @alice",
        "    not found: @nobody@mastodon.example",
        "    opted out: @erin",
        "    skipped by the prefilter (out of tier): @bob",
        "    bridged account (skipped): @dan@bsky.brid.gy"]
    assert "creators.csv: 1 duplicate handle dropped: ALICE (line 7, first on line 2)" in result.stderr
    (run, _) = rows(folder / "scout.db", "SELECT * FROM crawl_runs ORDER BY id")
    assert json.loads(run["stats"])["handles"] == {
        "alice": "found", "bob": "prefiltered", "erin": "opted_out", "nobody@mastodon.example": "not_found",
        "dan@bsky.brid.gy": "bridged"}
    stored = {r["platform_id"].split("@")[0]: r for r in rows(folder / "scout.db", "SELECT * FROM profiles")}
    assert set(stored) == {"alice", "bob", "erin"}  # nobody and dan are not stored
    assert stored["erin"]["opted_out"] == 1 and stored["bob"]["prefilter_reason"]


def test_crawl_json_carries_the_report(handles_crawl):
    _, _, result = handles_crawl
    assert result.returncode == 0, result.stderr
    (record,) = json.loads(result.stdout)
    assert record["handle_report"] == {
        "counts": {"found": 1, "prefiltered": 1, "opted_out": 1, "not_found": 1, "bridged": 1},
        "handles": {"alice": "found", "bob": "prefiltered", "erin": "opted_out",
                    "nobody@mastodon.example": "not_found", "dan@bsky.brid.gy": "bridged"}}


def test_a_crawl_stopped_with_ctrl_c_reports_the_handles_it_did_not_reach(tmp_path):
    import signal
    import time

    from tests.crawlers.conftest import start_crawl

    (tmp_path / "creators.csv").write_text("handle\n" + "".join(f"nobody{i}\n" for i in range(40)))
    with FakeServer(faults=False, latency=0.3) as server:
        config = write_config(tmp_path, server.url)
        process = start_crawl(config, "mastodon", "--handles", "creators.csv", "--tier", "micro")
        deadline = time.time() + 60
        while not any("acct=nobody" in e["query"] for e in server.log) and time.time() < deadline \
                and process.poll() is None:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode != 0, out + err
    (line,) = [x for x in out.splitlines() if x.startswith("  handles:")] or [out + err]
    assert "not reached (the crawl was stopped; --resume asks for them)" in line and "no answer" not in line, out
