"""The Bluesky crawler against a real AT Protocol network: a PDS, an AppView and a PLC
directory from @atproto/dev-env on 127.0.0.1, seeded by scripts/atproto/network.mjs.

The network is started outside the test suite (it takes 15-60 s, and 10 minutes to install
the first time): `.ci/run` starts it and sets MICROSCOUT_ATPROTO_NETWORK. Every stored row
is compared with what the seeding wrote (network.json), and no secret may reach the
database, its WAL, the logs at DEBUG, the job directory or an export.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.crawlers.conftest import MICROSCOUT, crawl_env, rows

ENV = "MICROSCOUT_ATPROTO_NETWORK"
HOW = (f"no real AT Protocol network: start one with `bash scripts/atproto/network.sh install && "
       f"bash scripts/atproto/network.sh start /tmp/atp` and set {ENV}=/tmp/atp/network.json")


@pytest.fixture(scope="module")
def network() -> dict:
    path = os.environ.get(ENV)
    if not path:
        pytest.skip(HOW)
    if not Path(path).is_file():
        pytest.fail(f"{ENV}={path}: no such file; {HOW}")
    return json.loads(Path(path).read_text())


def _write_config(network: dict, folder: Path, more: str = "") -> None:
    """A config in ``folder`` crawling Bluesky on the network (and ``more`` TOML after it)."""
    (folder / "config.toml").write_text(f"""
database = "scout.db"
plugins_dir = "none"

[platforms.bluesky]
base_url = "{network['appview']}"
pds = "{network['pds']}"
appview_did = "{network['appview_did']}"
""" + more)


def _crawler_env(network: dict, state: Path, **more: str) -> dict:
    """The crawl's environment: the network's crawler account, its own state folder."""
    return crawl_env(MICROSCOUT_BSKY_HANDLE=network["crawler"]["handle"],
                     MICROSCOUT_BSKY_APP_PASSWORD=network["crawler"]["app_password"],
                     MICROSCOUT_STATE_DIR=str(state), **more)


@pytest.fixture(scope="module")
def crawled(network, tmp_path_factory) -> dict:
    """One crawl of the seeded hashtag with the real CLI, a shortlist and an export."""
    folder = tmp_path_factory.mktemp("atproto")
    state = folder / "state"
    _write_config(network, folder, f"""
[campaigns.atp]
platforms = ["bluesky"]
hashtags = ["{network['hashtag']}"]
target_tier = ["nano", "micro", "mid", "macro", "mega"]
""")
    env = _crawler_env(network, state, MICROSCOUT_LOG_LEVEL="DEBUG")

    def cli(*args):
        return subprocess.run([MICROSCOUT, *args, "--config", str(folder / "config.toml")], capture_output=True,
                              text=True, cwd=folder, env=env, timeout=300)

    crawl = cli("crawl", "bluesky", "--hashtag", network["hashtag"], "--no-prefilter", "--posts", "100",
                "--replied-posts", "100", "--replies", "100", "--followers", "100")
    shortlist = cli("shortlist", "atp")
    export = cli("export", "atp", "--format", "csv", "--out", str(folder / "export.csv"))
    return {"folder": folder, "state": state, "db": folder / "scout.db", "crawl": crawl, "shortlist": shortlist,
            "export": export}


def _by_did(network) -> dict:
    return {c["did"]: c for c in network["creators"]}


def test_the_crawl_succeeds_through_the_pds(crawled):
    crawl = crawled["crawl"]
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    assert "Traceback" not in crawl.stderr
    assert crawled["shortlist"].returncode == 0, crawled["shortlist"].stdout + crawled["shortlist"].stderr
    assert crawled["export"].returncode == 0, crawled["export"].stdout + crawled["export"].stderr


def test_every_seeded_creator_is_stored_exactly(network, crawled):
    stored = {r["platform_id"]: r for r in rows(crawled["db"], "SELECT * FROM profiles")}
    creators = _by_did(network)
    assert set(creators) <= set(stored), f"missing creators: {set(creators) - set(stored)}"
    for did, seeded in creators.items():
        row = stored[did]
        if seeded["opted_out"]:
            # an id and the reason, nothing else
            assert row["opted_out"] == 1 and row["opt_out_reason"] == "label !no-unauthenticated", row
            assert row["handle"] == "" and row["bio"] is None and row["followers"] is None
            continue
        assert row["handle"] == seeded["handle"]
        assert (row["display_name"] or "") == seeded["displayName"]
        assert (row["bio"] or "") == seeded["description"]
        assert (row["followers"], row["following"], row["posts_count"]) == \
            (seeded["followersCount"], seeded["followsCount"], seeded["postsCount"]), did
        assert row["bot"] == int(seeded["bot"])
        assert row["first_seen"] <= row["last_seen"]
        newest = max(p["createdAt"] for p in seeded["posts"])
        assert row["last_post_at"] and row["last_post_at"][:19] == newest[:19], (row["last_post_at"], newest)


def test_every_seeded_post_is_stored_exactly(network, crawled):
    db = crawled["db"]
    for did, seeded in _by_did(network).items():
        posts = {r["platform_id"]: r for r in rows(
            db, "SELECT p.* FROM posts p JOIN profiles pr ON pr.id = p.profile_id WHERE pr.platform_id = ?", [did])}
        if seeded["opted_out"]:
            assert posts == {}
            continue
        assert set(posts) == {p["uri"] for p in seeded["posts"]}, did
        for post in seeded["posts"]:
            row = posts[post["uri"]]
            # a link the app shortened in the text is stored whole, from its facet
            assert row["text"] == post["full_text"], post["uri"]
            assert json.loads(row["links"]) == post["links"], post["uri"]
            assert row["created_at"][:19] == post["createdAt"][:19]
            assert sorted(json.loads(row["hashtags"])) == sorted(post["tags"]), post["uri"]
            assert (row["likes"], row["reposts"], row["replies"], row["quotes"]) == \
                (post["likeCount"], post["repostCount"], post["replyCount"], post["quoteCount"]), post["uri"]


def test_a_link_the_app_shortened_is_read_whole_as_the_affiliate_link_it_is(network, crawled):
    """The seeding writes one link as Bluesky's app does ("www.amazon.com/dp/B07Q4X6FZ...", the
    tag cut off) with the whole link in its facet, and one as a link card the text does not
    hold: through a real PDS and AppView, the stored text holds each link whole, and the post's
    stored analysis quotes it as an affiliate link."""
    from microscout.heuristics.post_features import decode

    linked = [p for c in network["creators"] for p in c["posts"] if p["links"]]
    assert any("..." in p["text"] for p in linked), "the seeding plants a post with a shortened link"
    assert any(p["links"][0] not in p["text"] and "..." not in p["text"] for p in linked), "and a link card"
    for post in linked:
        assert post["text"] != post["full_text"]
        stored = rows(crawled["db"], "SELECT p.text, f.analysis FROM posts p JOIN post_features f "
                                     "ON f.post_id = p.id WHERE p.platform_id = ?", [post["uri"]])
        assert stored, post["uri"]  # one analysis per settings the rules use
        for row in stored:
            assert row["text"] == post["full_text"]
            assert ("affiliate_link", post["links"][0]) in decode(row["analysis"]).signals, row["analysis"]


def test_every_seeded_reply_is_stored_exactly(network, crawled):
    db = crawled["db"]
    for did, seeded in _by_did(network).items():
        stored = {r["platform_id"]: r for r in rows(
            db, "SELECT c.* FROM comments c JOIN profiles pr ON pr.id = c.profile_id WHERE pr.platform_id = ?",
            [did])}
        if seeded["opted_out"]:
            assert stored == {}
            continue
        assert set(stored) == {r["uri"] for r in seeded["replies"]}, did
        for reply in seeded["replies"]:
            row = stored[reply["uri"]]
            assert row["post_platform_id"] == reply["root_uri"]
            assert (row["author_id"], row["author_handle"], row["text"]) == \
                (reply["author_did"], reply["author_handle"], reply["text"])


def test_every_follower_sample_is_stored_with_counts(network, crawled):
    db = crawled["db"]
    # followers who asked not to be shown to logged-out viewers are not sampled
    opted_out = {c["did"] for c in network["creators"] if c["opted_out"]}
    for did, seeded in _by_did(network).items():
        stored = {r["platform_id"]: r for r in rows(
            db, "SELECT f.* FROM follower_samples f JOIN profiles pr ON pr.id = f.profile_id "
                "WHERE pr.platform_id = ?", [did])}
        if seeded["opted_out"]:
            assert stored == {}
            continue
        expected = [f for f in seeded["followers"] if f["did"] not in opted_out]
        assert set(stored) == {f["did"] for f in expected}, did
        for follower in expected:
            row = stored[follower["did"]]
            assert row["handle"] == follower["handle"]
            assert (row["followers"], row["following"], row["posts_count"]) == \
                (follower["followersCount"], follower["followsCount"], follower["postsCount"]), follower["did"]


def test_the_automated_creator_is_excluded_with_its_flag(network, crawled):
    bots = [c for c in network["creators"] if c["bot"]]
    assert bots, "the seeding plants one automated creator"
    for bot in bots:
        excluded = rows(crawled["db"], "SELECT excluded_by FROM shortlist_entries WHERE handle = ?", [bot["handle"]])
        assert excluded and excluded[0]["excluded_by"] == "automated"


def test_no_secret_reaches_the_database_the_logs_the_job_directory_or_the_export(network, crawled):
    sessions = [p for p in crawled["state"].rglob("*") if p.is_file()]
    assert sessions, "the session is kept for the next run"
    secrets = {network["crawler"]["app_password"]}
    for path in sessions:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        session = json.loads(path.read_text())
        secrets |= {session["access_jwt"], session["refresh_jwt"]}
    assert len(secrets) == 3, "the app password, the access token and the refresh token"
    folder = crawled["folder"]
    places = [p for p in folder.rglob("*") if p.is_file() and crawled["state"] not in p.parents]
    assert any(p.name == "scout.db" for p in places) and any(p.name == "export.csv" for p in places)
    texts = {str(p): p.read_bytes() for p in places}
    for stream in ("crawl", "shortlist", "export"):
        texts[stream] = (crawled[stream].stdout + crawled[stream].stderr).encode()
    assert "DEBUG" in crawled["crawl"].stderr, "the crawl logged at DEBUG"
    for where, data in texts.items():
        for secret in secrets:
            assert secret.encode() not in data, f"a secret is in {where}"


# -- edge cases (network.json "edge": accounts of their own, crawled by --handle) ----------

@pytest.fixture(scope="module")
def edge_crawl(network, tmp_path_factory) -> dict:
    if "edge" not in network:
        pytest.skip("this network.json has no edge cases: restart the network with the current network.mjs")
    edge = network["edge"]
    folder = tmp_path_factory.mktemp("atproto-edge")
    _write_config(network, folder)
    env = _crawler_env(network, folder / "state")
    crawl = subprocess.run([MICROSCOUT, "crawl", "bluesky", "--handle", edge["extras"]["handle"],
                            "--handle", edge["invalid"]["did"], "--handle", edge["gone"]["did"],
                            "--no-prefilter", "--posts", "100", "--replied-posts", "100", "--replies", "100",
                            "--followers", "100", "--config", str(folder / "config.toml")],
                           capture_output=True, text=True, cwd=folder, env=env, timeout=300)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    return {"db": folder / "scout.db", "crawl": crawl, "edge": edge}


def _profile(db, did) -> dict:
    (row,) = rows(db, "SELECT * FROM profiles WHERE platform_id = ?", [did])
    return row


def test_a_profile_without_a_profile_record_and_its_unusual_posts(edge_crawl):
    db, extras = edge_crawl["db"], edge_crawl["edge"]["extras"]
    row = _profile(db, extras["did"])
    assert (row["handle"], row["display_name"] or "", row["bio"] or "") == (extras["handle"], "", "")
    assert json.loads(row["fetched"]) == ["profile", "posts", "comments", "followers"]
    posts = {r["platform_id"]: r for r in rows(db, "SELECT * FROM posts WHERE profile_id = ?", [row["id"]])}
    # its own posts once each: no deleted post, no repost (of its own post or another's)
    assert set(posts) == set(extras["posts"].values())
    image = posts[extras["posts"]["image_only"]]
    assert image["text"] == "" and json.loads(image["hashtags"]) == ["mendlab"]
    assert json.loads(posts[extras["posts"]["quote"]]["hashtags"]) == ["mendlab"]
    assert posts[extras["posts"]["text"]]["replies"] == extras["reply_count"]


def test_replies_deleted_blocked_or_opted_out_are_not_stored(edge_crawl):
    db, extras = edge_crawl["db"], edge_crawl["edge"]["extras"]
    stored = {r["platform_id"] for r in rows(db, "SELECT platform_id FROM comments")}
    assert stored == {extras["replies"]["shown"]}


def test_a_handle_that_no_longer_verifies_is_not_stored_as_handle_invalid(edge_crawl):
    """The AppView shows "handle.invalid" for an account whose handle does not point back to
    its DID: no handle of the account's, and bsky.app/profile/handle.invalid leads nowhere."""
    db, edge = edge_crawl["db"], edge_crawl["edge"]
    did = edge["invalid"]["did"]
    row = _profile(db, did)
    assert row["display_name"] == edge["invalid"]["displayName"]
    assert row["handle"] == did and row["url"] == f"https://bsky.app/profile/{did}"
    (reply,) = rows(db, "SELECT author_id, author_handle FROM comments")
    assert reply == {"author_id": did, "author_handle": None}
    sampled = {r["platform_id"]: r["handle"] for r in rows(
        db, "SELECT f.platform_id, f.handle FROM follower_samples f JOIN profiles p ON p.id = f.profile_id "
            "WHERE p.platform_id = ?", [edge["extras"]["did"]])}
    # the taken-down follower is no longer listed
    assert sampled == {did: None}
    handles = [r["handle"] for r in rows(db, "SELECT handle FROM profiles")] + \
        [r["handle"] for r in rows(db, "SELECT handle FROM follower_samples")]
    assert "handle.invalid" not in handles


def test_a_taken_down_account_is_reported_suspended(edge_crawl):
    db, gone = edge_crawl["db"], edge_crawl["edge"]["gone"]
    assert rows(db, "SELECT * FROM profiles WHERE platform_id = ?", [gone["did"]]) == []
    (run,) = rows(db, "SELECT stats FROM crawl_runs")
    assert json.loads(run["stats"])["handles"][gone["did"]] == "suspended"
