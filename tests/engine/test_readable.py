"""Posts named by their addresses and pod regulars by their handles, where people read verdicts."""
import csv
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import parse_config
from microscout.engine.export import export_shortlist
from microscout.engine.exporters import Exporter, column_label, write_csv, write_html
from microscout.engine.plugins import collect_rules, make_plugin_manager
from microscout.engine.readable import Readable
from microscout.engine.shortlist import run_shortlist
from microscout.store import open_store
from microscout.store.writes import upsert_comments, upsert_posts
from tests.engine.helpers import NOW, add_profile

AD_ID = "110000000000000042"
AD_URL = "https://vegan.example/@cook/110000000000000042"
AD = "Use code COOK15 for 15% off at @oatbrand, my new favourite milk #sp"


@pytest.mark.parametrize("reason, expected", [
    (f"1 of 1 sponsored posts undisclosed; post {AD_ID}: undisclosed ad",
     f"1 of 1 sponsored posts undisclosed; post {AD_URL}: undisclosed ad"),
    (f"a jump around a giveaway (post {AD_ID}): worth a look",
     f"a jump around a giveaway (post {AD_URL}): worth a look"),
    # the id inside a longer number, a path or a word is another id
    (f"post {AD_ID}7", f"post {AD_ID}7"),
    (f"post 9{AD_ID}", f"post 9{AD_ID}"),
    (f"https://x.example/{AD_ID}", f"https://x.example/{AD_ID}"),
    (f"post {AD_ID}x", f"post {AD_ID}x"),
    ("", ""),
    (None, None),
])
def test_a_reason_names_a_post_by_its_address_where_the_id_stands_whole(reason, expected):
    names = Readable(posts={AD_ID: AD_URL, "at://did:plc:abc/app.bsky.feed.post/3k": "https://bsky.app/x/post/3k"})
    assert names.reason(reason) == expected


def test_an_at_uri_is_replaced_whole_and_unknown_ids_stay():
    names = Readable(posts={"at://did:plc:abc/app.bsky.feed.post/3k": "https://bsky.app/profile/a.b/post/3k"})
    assert names.reason("post at://did:plc:abc/app.bsky.feed.post/3k: undisclosed; post at://did:plc:zz/p/1") == \
        "post https://bsky.app/profile/a.b/post/3k: undisclosed; post at://did:plc:zz/p/1"
    assert Readable().reason("post at://did:plc:abc/app.bsky.feed.post/3k") == \
        "post at://did:plc:abc/app.bsky.feed.post/3k"


def test_pod_regulars_are_named_by_handle_and_other_evidence_is_left_as_it_is():
    names = Readable(people={"did:plc:pod": "@pal.example"})
    evidence = {"pod_regulars": ["did:plc:pod", "did:plc:other"], "examples": [{"id": "did:plc:pod"}], "comments": 3}
    assert names.evidence(evidence) == {"pod_regulars": ["@pal.example", "did:plc:other"],
                                        "examples": [{"id": "did:plc:pod"}], "comments": 3}
    assert evidence["pod_regulars"] == ["did:plc:pod", "did:plc:other"]  # the stored evidence is not changed


def _store(path):
    """A creator with one ad labelled only "#sp" (a weak label) and pod regulars among its commenters."""
    db = open_store(path)
    pid = add_profile(db, "cook", 5_000, posts=12, likes=200)
    with db.conn:
        upsert_posts(db, [{"platform": "mastodon", "platform_id": AD_ID, "profile_id": pid, "url": AD_URL,
                           "created_at": (NOW - timedelta(hours=5)).isoformat(), "text": AD, "likes": 200,
                           "replies": 1, "reposts": 0}])
        comments = []
        for post in range(6):
            for n, (author, handle) in enumerate([("did:plc:pod", "podpal.example"), (f"did:plc:fan{post}", None),
                                                  (f"did:plc:reader{post}", f"reader{post}.example")]):
                comments.append({"platform": "mastodon", "platform_id": f"c{post}-{n}", "profile_id": pid,
                                 "post_platform_id": f"cook-{post}", "author_id": author, "author_handle": handle,
                                 "text": f"I made this on day {post} and my kids asked for it again, thank you",
                                 "created_at": (NOW - timedelta(days=post, hours=-1)).isoformat()})
        upsert_comments(db, comments)
    return db


# Weak labels warn (the creator stays ranked, so exports show the reason); pods are looked for
# among few comments.
CONFIG = ('plugins_dir = "none"\n[campaigns.c]\nplatforms = ["mastodon"]\nkeywords = ["vegan"]\n'
          '[rules.disclosure]\nweak_outcome = "warn"\n[rules.comment_quality]\nmin_comments = 10\n')


@pytest.fixture
def judged(tmp_path):
    """(store, config, folder): the store judged once; the folder's c.toml holds CONFIG."""
    import tomllib

    db = _store(tmp_path / "t.db")
    (tmp_path / "c.toml").write_text(CONFIG)
    config = parse_config(tomllib.loads(CONFIG))
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    run_shortlist(db, config, rules, "c", now=NOW)
    return db, config, tmp_path


def test_exports_name_the_post_by_its_address_and_link_it_in_the_report(judged):
    db, config, tmp = judged
    stored = db.execute("SELECT reason FROM run_verdicts WHERE rule = 'disclosure'").fetchone()[0]
    assert f"post {AD_ID}:" in stored  # the verdict keeps the id: stable, and what --json shows

    export_shortlist(db, "c", 10, Exporter("csv", "csv", "", write_csv), tmp / "out.csv", config=config)
    with open(tmp / "out.csv", encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    assert f"post {AD_URL}:" in row["Disclosure: reason"]
    assert f"post {AD_URL}:" in row[column_label("reasons")]  # the reasons beside the rank, too

    export_shortlist(db, "c", 10, Exporter("html", "html", "", write_html, context=True), tmp / "out.html",
                     config=config)
    html = (tmp / "out.html").read_text()
    assert f'<a href="{AD_URL}">{AD_URL}</a>' in html


def test_explain_names_the_post_and_the_pod_regular(judged):
    db, config, tmp = judged
    args = ["--db", str(tmp / "t.db"), "--config", str(tmp / "c.toml"), "explain", "cook"]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0, text.output
    flat = " ".join(text.output.split())
    assert f"post {AD_URL}:" in flat
    assert "@podpal.example" in flat and "did:plc:pod" not in flat

    raw = CliRunner().invoke(cli, [*args, "--json"])
    assert raw.exit_code == 0, raw.output
    (profile,) = json.loads(raw.output)
    assert profile["post_links"] == {AD_ID: AD_URL}
    assert profile["commenters"] == {"did:plc:pod": "@podpal.example"}
    disclosure = next(v for v in profile["verdicts"] if v["rule"] == "disclosure")
    assert f"post {AD_ID}:" in disclosure["reason"]  # --json keeps the stored verdict as it is


def test_the_shortlist_table_and_json_name_the_post_by_its_address(judged):
    db, config, tmp = judged
    args = ["--db", str(tmp / "t.db"), "--config", str(tmp / "c.toml"), "shortlist", "c"]
    shown = CliRunner().invoke(cli, [*args, "--json"])
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.stdout)["shortlist"]
    assert any(f"post {AD_URL}:" in r for r in row["reasons"]), row["reasons"]
    table = CliRunner(env={"COLUMNS": "400"}).invoke(cli, args)
    assert f"post {AD_URL}:" in table.stdout and f"post {AD_ID}" not in table.stdout
