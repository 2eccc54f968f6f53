"""`microscout crawl youtube` against the sandbox's YouTube Data API: rows checked against
the sandbox's own population, the unit budget (stop, --resume, equal rows), the server's
quotaExceeded, a refused key, the key never written anywhere, and the shortlist; every
request the server answered (retries of faulted ones too) charged in api_usage exactly as
the sandbox charged the key, and nothing charged for a server never reached."""
from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from microscout.sandbox import SandboxServer
from microscout.sandbox import youtube_wire as wire
from microscout.sandbox.faults import Faults
from microscout.sandbox.routes_youtube import API_KEY, COST
from tests.crawlers.conftest import content, crawl_env, rows, run_crawl, run_microscout, withholding

HIDDEN = "ravi_bavi"  # a sandbox channel (seed 7) that hides its subscriber count
ARGS = ("youtube", "--hashtag", "plantbased", "--handle", f"@{HIDDEN}", "--pages", "2", "--posts", "8",
        "--replied-posts", "5", "--replies", "10", "--max-profiles", "10", "--tier", "nano", "--tier", "micro")
OUTPUTS: list[str] = []  # every stdout/stderr of the module's crawls, grepped for the key at the end


def config(folder: Path, url: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f"""
database = "scout.db"
plugins_dir = "none"

[platforms.youtube]
base_url = "{url}/youtube/v3"
{extra}

[platforms.youtube.rules.engagement]
formula = ["likes", "replies"]

[crawl]
concurrency_per_host = 4
retry_times = 1

[campaigns.yt]
platforms = ["youtube"]
hashtags = ["plantbased"]
keywords = ["vegan", "recipe", "plant-based"]
target_tier = ["nano", "micro"]
""")
    return path


def crawl(cfg: Path, *args: str, key: str | None = API_KEY, **extra: str) -> subprocess.CompletedProcess:
    env = crawl_env(**({"MICROSCOUT_YOUTUBE_API_KEY": key} if key else {}), **extra)
    result = run_crawl(cfg, *args, env=env, timeout=120)
    OUTPUTS.extend([result.stdout, result.stderr])
    return result


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(size=120, seed=7, lifetime=600) as server:
        yield server


@pytest.fixture(scope="module")
def full(sandbox, tmp_path_factory):
    folder = tmp_path_factory.mktemp("yt-full")
    cfg = config(folder, sandbox.url)
    result = crawl(cfg, *ARGS)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder, result, content(folder / "scout.db", sandbox.url.removeprefix("http://"))


def test_rows_are_the_sandbox_channels_videos_and_comments(sandbox, full):
    folder, result, _ = full
    db = folder / "scout.db"
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "finished"
    profiles = rows(db, "SELECT * FROM profiles")
    assert 2 <= len(profiles) <= 10 and all(p["platform"] == "youtube" for p in profiles)
    pop, day = sandbox.pop, sandbox.day
    for profile in profiles:
        i = wire.channel_index(profile["platform_id"])
        person = pop.person(i)
        hidden = wire.hides_subscribers(person)
        assert profile["followers"] == (None if hidden else wire.three_figures(wire.followers(person, day)))
        assert profile["following"] is None and profile["posts_count"] == pop.statuses_count(person, day)
        assert profile["handle"] == wire.custom_url(person) and profile["api_id"] == wire.uploads_id(i)
        assert profile["display_name"] == person.display_name and profile["bio"] == person.bio
        fetched = json.loads(profile["fetched"])
        assert "followers" not in fetched  # YouTube has no follower list: nothing is claimed
        if profile["prefilter_reason"] is None:
            assert fetched[:2] == ["profile", "posts"]
            posts = rows(db, "SELECT * FROM posts WHERE profile_id = ? ORDER BY created_at DESC", [profile["id"]])
            truth = pop.visible_posts(i, day)[:8]
            assert [p["platform_id"] for p in posts] == [wire.video_id(x.i, x.k) for x in truth]
            for row, post in zip(posts, truth):
                assert row["likes"] == wire.likes(post) and row["views"] == wire.views(post)
                assert row["replies"] == (None if wire.comments_disabled(post) else wire.comments(post))
                assert row["paid_flag"] == (post.kind == "ad")
                assert row["url"] == f"https://www.youtube.com/watch?v={row['platform_id']}"
                assert set(json.loads(row["hashtags"])) == {t.lower() for t in post.tags} | {
                    v.lower() for k, v in post.segments if k == "tag"}
            for post in truth[:5]:
                stored = rows(db, "SELECT c.* FROM comments c JOIN posts p ON p.platform_id = c.post_platform_id "
                                  "WHERE p.platform_id = ?", [wire.video_id(post.i, post.k)])
                expected = 0 if wire.comments_disabled(post) else min(len(pop.replies(post, day)), 10)
                assert len(stored) == expected
    hidden_row = [p for p in profiles if p["handle"] == f"@{HIDDEN}"]
    assert hidden_row and hidden_row[0]["followers"] is None
    assert rows(db, "SELECT count(*) AS n FROM follower_samples")[0]["n"] == 0
    assert rows(db, "SELECT count(*) AS n FROM comments")[0]["n"] > 0
    # the units spent are recorded for the quota day, as the summary says
    usage = rows(db, "SELECT usage, key, sum(units) AS units FROM api_usage GROUP BY usage, key")
    assert [u["usage"] for u in usage] == ["quota_units"]
    assert f"spent {usage[0]['units']:,} units" in result.stdout
    assert sandbox.platform_state["youtube"]["calls"]["search"] >= 1


def test_unit_budget_stops_cleanly_and_resume_finishes(sandbox, full, tmp_path):
    cfg = config(tmp_path, sandbox.url)
    stopped = crawl(cfg, *ARGS, "--max-units", "150")
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "Traceback" not in stopped.stderr and "is incomplete" in stopped.stderr
    assert "stopped before the quota" in stopped.stdout and "--resume" in stopped.stdout
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "incomplete"
    spent = rows(tmp_path / "scout.db", "SELECT sum(units) AS n FROM api_usage")[0]["n"]
    assert 100 < spent <= 150 and f"spent {spent:,} units" in stopped.stdout
    missing = json.loads(run["stats"])["missing"]
    whys = [w for p in missing["profiles"] for w in p["why"]]
    assert whys and all(w.startswith("not sent: 1 unit needed") for w in whys)
    assert "could not be fetched (not sent: the API quota ran out)" in stopped.stderr
    assert {part for p in missing["profiles"] for part in p["parts"]} <= {"posts", "replies"}

    resumed = crawl(cfg, *ARGS, "--resume")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert rows(tmp_path / "scout.db", "SELECT id, status FROM crawl_runs") == [{"id": 1, "status": "finished"}]
    # the run fetched what it stopped without: the first session's advice to resume is not repeated
    assert "stopped before the quota" not in resumed.stdout and "--resume" not in resumed.stdout
    assert "stopped before the quota" not in rows(tmp_path / "scout.db", "SELECT stats FROM crawl_runs")[0]["stats"]
    assert content(tmp_path / "scout.db", sandbox.url.removeprefix("http://")) == full[2]
    # the quota note is the run's, once: it said the last session's units only, beside the first's note
    total = rows(tmp_path / "scout.db", "SELECT sum(units) AS n FROM api_usage")[0]["n"]
    assert resumed.stdout.count("YouTube quota:") == 1, resumed.stdout
    assert f"this crawl spent {total:,} units" in resumed.stdout
    assert f"{spent:,} of them before it was resumed" in resumed.stdout, resumed.stdout


def test_daily_quota_recorded_in_api_usage_limits_the_next_crawl(sandbox, tmp_path):
    cfg = config(tmp_path, sandbox.url, extra="daily_quota = 90")
    first = crawl(cfg, *ARGS)
    # 90 units cannot pay for a 100-unit search: the handle is crawled, the search is missing
    assert first.returncode == 1 and "hashtag #plantbased: page 1" in first.stderr, first.stdout + first.stderr
    spent = rows(tmp_path / "scout.db", "SELECT sum(units) AS n FROM api_usage")[0]["n"]
    assert 0 < spent <= 90
    cfg.write_text(cfg.read_text().replace("daily_quota = 90", f"daily_quota = {spent}"))
    again = crawl(cfg, *ARGS, "--resume")
    assert again.returncode == 1 and "today's YouTube quota is spent" in again.stderr, again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr


def test_server_quota_exceeded_stops_and_resume_continues(sandbox, full, tmp_path):
    state = sandbox.platform_state["youtube"]
    other = "AIzaSyB-second-sandbox-key-for-quota"
    state["keys"] = {API_KEY, other}
    state["spent"][other] = 0
    state["quota"] = 140
    cfg = config(tmp_path, sandbox.url)
    try:
        stopped = crawl(cfg, *ARGS, key=other)
    finally:
        state["quota"] = 10**9
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "is incomplete" in stopped.stderr and "quotaExceeded" in stopped.stderr
    # whether any call was still unsent when the refusal came depends on what was in flight: the
    # stop is said either way
    said = " ".join(stopped.stdout.split())
    assert "stopped at the server's daily quota:" in said, stopped.stdout
    # calls held back after the refusal are said held back for the server's quota, not a budget
    assert "not sent because the unit budget ran out" not in said
    if "not sent because" in said:
        assert "not sent because the server's daily quota is exceeded" in said
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "incomplete" and json.loads(run["errors"]).get("quota_exceeded", 0) >= 1
    # the calls the server refused were sent: the note counts them apart from those never sent
    refused = json.loads(run["errors"])["quota_exceeded"]
    assert f"{refused} request{'s' if refused != 1 else ''} refused by the server (quotaExceeded" in said
    # the refused calls cost nothing (their 403 bodies came gzipped: they must be read decoded)
    charged = rows(tmp_path / "scout.db", "SELECT COALESCE(SUM(units), 0) AS n FROM api_usage")[0]["n"]
    assert charged == state["spent"][other]
    resumed = crawl(cfg, *ARGS, "--resume", key=other)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert content(tmp_path / "scout.db", sandbox.url.removeprefix("http://")) == full[2]


def test_a_quota_exceeded_on_the_first_call_is_said_refused_by_the_server_not_a_budget_to_raise(sandbox, tmp_path):
    """A review of b1aa233: with the project's quota spent elsewhere, the very first calls are
    answered quotaExceeded. The summary said today's quota 'has about 10,000 left', 'stopped
    before the quota', that a larger --max-units would fetch them (it cannot: the quota is the
    project's), and the report called the refused calls 'not sent: the API quota ran out'."""
    state = sandbox.platform_state["youtube"]
    other = "AIzaSyB-third-sandbox-key-spent-elsewhere"
    state["keys"] = {API_KEY, other}
    state.setdefault("spent", {})[other] = 0
    state["quota"] = 0
    cfg = config(tmp_path, sandbox.url)
    try:
        stopped = crawl(cfg, *ARGS, key=other)
    finally:
        state["quota"] = 10**9
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT status, errors FROM crawl_runs")
    refused = json.loads(run["errors"])["quota_exceeded"]
    assert run["status"] == "incomplete" and refused >= 1
    out = " ".join(stopped.stdout.split())
    assert f"stopped at the server's daily quota: {refused} request{'s' if refused != 1 else ''} refused by the " \
           "server (quotaExceeded" in out, out
    assert "is spent, the server says" in out and "has about" not in out
    assert "--max-units" not in out and "stopped before the quota" not in out
    assert "could not be fetched (refused by the server: the API's daily quota is spent):" in stopped.stderr
    assert rows(tmp_path / "scout.db", "SELECT COALESCE(SUM(units), 0) AS n FROM api_usage")[0]["n"] == 0


def test_a_key_restricted_to_referrers_is_one_line_exit_2_not_an_incomplete_run(sandbox, tmp_path):
    """A browser key (restricted to HTTP referrers) called from a server: every call answers
    403 API_KEY_HTTP_REFERRER_BLOCKED. The crawl called the run incomplete, charged the units
    and said --resume would fetch what was missing: it never could."""
    state = sandbox.platform_state["youtube"]
    browser = "AIzaSyD-browser-key-referrer-only-0000"
    state["keys"], state["referrer_keys"] = {API_KEY, browser}, {browser}
    cfg = config(tmp_path, sandbox.url)
    try:
        result = crawl(cfg, *ARGS, key=browser)
    finally:
        state["keys"], state["referrer_keys"] = {API_KEY}, set()
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "restrictions" in result.stderr and "MICROSCOUT_YOUTUBE_API_KEY" in result.stderr
    assert "--resume" not in result.stderr and browser not in result.stdout + result.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")
    assert run["status"] == "failed"
    assert rows(tmp_path / "scout.db", "SELECT COALESCE(SUM(units), 0) AS n FROM api_usage")[0]["n"] == 0


def test_refused_or_missing_key_is_one_line_exit_2(sandbox, tmp_path):
    cfg = config(tmp_path, sandbox.url)
    wrong = "AIzaSyC-wrong-key-never-valid-000000"
    refused = crawl(cfg, *ARGS, key=wrong)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "MICROSCOUT_YOUTUBE_API_KEY" in refused.stderr and "Traceback" not in refused.stderr
    assert wrong not in refused.stdout + refused.stderr
    (run,) = rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")
    assert run["status"] == "failed"
    # Google does not charge a refused key: the (gzipped) 400 body is read as one
    assert rows(tmp_path / "scout.db", "SELECT COALESCE(SUM(units), 0) AS n FROM api_usage")[0]["n"] == 0
    missing = crawl(cfg, *ARGS, key=None)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "MICROSCOUT_YOUTUBE_API_KEY" in missing.stderr
    OUTPUTS.append(wrong)  # the marker below: the wrong key must not be anywhere either


def test_shortlist_gives_unknown_for_what_youtube_lacks(full):
    folder = full[0]
    result = run_microscout("shortlist", "yt", "--config", str(folder / "config.toml"), cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = rows(folder / "scout.db", "SELECT v.rule, v.outcome, p.followers FROM verdicts v "
                                         "JOIN profiles p ON p.id = v.profile_id")
    by_rule: dict[str, set] = {}
    for v in verdicts:
        by_rule.setdefault(v["rule"], set()).add(v["outcome"])
    assert by_rule["audience_authenticity"] == {"unknown"}  # no follower list on YouTube
    assert {v["outcome"] for v in verdicts if v["rule"] == "tier_bounds" and v["followers"] is None} <= {"unknown"}
    assert by_rule["engagement"] - {"unknown"}  # likes + comments judged against the tier
    assert "pass" not in {v["outcome"] for v in verdicts if v["rule"] == "audience_authenticity"}


def spent_recorded(db: Path) -> int:
    return rows(db, "SELECT coalesce(sum(units), 0) AS n FROM api_usage")[0]["n"]


def crawled_ids(db: Path) -> dict[str, list]:
    """The ids of what a crawl stored (two sandboxes' clocks differ by the seconds between
    their starts, so the rows' times do not compare)."""
    return {table: [r["platform_id"] for r in rows(db, f"SELECT platform_id FROM {table} ORDER BY platform_id")]
            for table in ("profiles", "posts", "comments")}


def sandbox_spent(server: SandboxServer) -> int:
    """What the sandbox charged the key, checked against its calls (search 100, the rest 1)."""
    state = server.platform_state["youtube"]
    spent = state["spent"].get(API_KEY, 0)
    assert spent == sum(COST[endpoint] * n for endpoint, n in state["calls"].items())
    return spent


def test_retries_of_faulted_calls_are_charged_like_google_does(full, tmp_path):
    """A 5xx on search and on playlistItems (retried by the retry middleware), a 429 on
    videos (Google's rateLimitExceeded, waited out and retried by the spider) and a garbled
    commentThreads answer (the spider's own retry): every request the server answered is
    charged, and api_usage records exactly what the sandbox charged the key."""
    faults = Faults(fail_first={"/youtube/v3/search": 1, "/youtube/v3/playlistItems": 1,
                                "/youtube/v3/videos": (1, "429"), "/youtube/v3/commentThreads": (1, "malformed")},
                    retry_after=1)
    with SandboxServer(size=120, seed=7, faults=faults, lifetime=300) as server:
        cfg = config(tmp_path, server.url)
        result = crawl(cfg, *ARGS)
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.faults.injected == {"5xx": 2, "429": 1, "malformed": 1}
        spent = sandbox_spent(server)
        calls = server.platform_state["youtube"]["calls"]
    db = tmp_path / "scout.db"
    assert crawled_ids(db) == crawled_ids(full[0] / "scout.db")  # what a crawl without faults stores
    clean = rows(full[0] / "scout.db", "SELECT sum(units) AS n FROM api_usage")[0]["n"]
    assert calls["search"] == 2  # page 1, tried twice (its channels fill --max-profiles)
    assert spent == clean + 100 + 3  # the clean crawl's units, plus each faulted request
    assert spent_recorded(db) == spent and f"spent {spent:,} units" in result.stdout


def test_a_retry_the_budget_cannot_pay_for_is_not_sent(tmp_path):
    """--max-units 150: the first search (100 units) fails with a 5xx and is charged; its
    retry would cost 100 more: it is not sent, and the page is missing for --resume."""
    with SandboxServer(size=120, seed=7, faults=Faults(fail_first={"/youtube/v3/search": 1}),
                       lifetime=300) as server:
        cfg = config(tmp_path, server.url)
        stopped = crawl(cfg, *ARGS, "--max-units", "150")
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        assert "Traceback" not in stopped.stderr and "stopped before the quota" in stopped.stdout
        assert server.platform_state["youtube"]["calls"]["search"] == 1  # the retry never left
        db = tmp_path / "scout.db"
        spent = sandbox_spent(server)
        assert 100 < spent <= 150 and spent_recorded(db) == spent
        (run,) = rows(db, "SELECT * FROM crawl_runs")
        pages = json.loads(run["stats"])["missing"]["hashtag_pages"]
        assert [(p["hashtag"], p["page"]) for p in pages] == [("plantbased", 1)]
        assert pages[0]["why"].startswith("not sent: 100 units needed")
        resumed = crawl(cfg, *ARGS, "--resume", "--max-units", "2000")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert server.platform_state["youtube"]["calls"]["search"] >= 2
        assert spent_recorded(db) == sandbox_spent(server)


def test_a_rate_limited_crawl_waits_asks_again_and_completes(full, tmp_path):
    """Google answers its per-time limits 403 userRateLimitExceeded or 429 rateLimitExceeded
    (the sandbox's "throttle" and "429" faults): each is waited out and asked again, the crawl
    ends finished with what a crawl without them stores, its summary counts the waits, and
    every refused call is charged its unit (api_usage says exactly what the sandbox charged).
    Before, the 403 was a plain failure: the videos were missing ("http_403"), nothing waited."""
    faults = Faults(fail_first={"/youtube/v3/videos": (2, "throttle"), "/youtube/v3/channels": (1, "429")})
    with SandboxServer(size=120, seed=7, faults=faults, lifetime=300) as server:
        cfg = config(tmp_path, server.url)
        result = crawl(cfg, *ARGS, MICROSCOUT_MAX_RATE_WAIT="0.3")
        assert result.returncode == 0, result.stdout + result.stderr
        assert server.faults.injected == {"throttle": 2, "429": 1}
        spent = sandbox_spent(server)
    db = tmp_path / "scout.db"
    assert crawled_ids(db) == crawled_ids(full[0] / "scout.db")
    clean = rows(full[0] / "scout.db", "SELECT sum(units) AS n FROM api_usage")[0]["n"]
    assert spent == clean + 3 and spent_recorded(db) == spent  # each refused call: 1 unit
    (run,) = rows(db, "SELECT status, rate_limit_waits, errors, stats FROM crawl_runs")
    assert run["status"] == "finished" and run["rate_limit_waits"] == 3, run
    assert "rate_limited" not in json.loads(run["errors"] or "{}")
    assert "rate-limit waits 3," in result.stdout and "rate limit was reached (rateLimitExceeded" in result.stdout
    assert json.loads(run["stats"])["rate_limit_wait_seconds"] > 0


@pytest.mark.parametrize("kind, said, waits", [("throttle", "userRateLimitExceeded, HTTP 403", 5),
                                               ("429", "rateLimitExceeded, HTTP 429", 6)])
def test_a_rate_limit_outlasting_the_retries_leaves_the_call_missing_and_resume_fetches_it(tmp_path, kind, said,
                                                                                          waits):
    """The one videos.list call of a channel is refused for the rate limit on its first try and
    its 5 retries: the channel's posts are missing, the report says why, the run ends incomplete
    (exit 1), the 6 refused calls were charged; --resume asks again and completes. (Each 429
    pauses the host, the last one too: 6 waits; a 403's wait is its retry's: 5.)"""
    args = ("youtube", "--handle", f"@{HIDDEN}", "--posts", "8", "--replied-posts", "0", "--no-prefilter")
    with SandboxServer(size=120, seed=7, faults=Faults(fail_first={"/youtube/v3/videos": (6, kind)}),
                       lifetime=300) as server:
        cfg = config(tmp_path, server.url)
        stopped = crawl(cfg, *args, MICROSCOUT_MAX_RATE_WAIT="0.2")
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        assert server.faults.injected == {kind: 6}
        assert server.platform_state["youtube"]["calls"] == {"channels": 1, "playlistItems": 1, "videos": 6}
        db = tmp_path / "scout.db"
        assert spent_recorded(db) == sandbox_spent(server) == 8
        assert "Traceback" not in stopped.stderr and "is incomplete" in stopped.stderr
        assert "1 profile could not be fetched (they failed after every retry)" in stopped.stderr, stopped.stderr
        assert f"posts (rate limited ({said}): still refused after 6 tries)" in stopped.stderr, stopped.stderr
        (run,) = rows(db, "SELECT status, rate_limit_waits, errors, stats FROM crawl_runs")
        assert run["status"] == "incomplete" and json.loads(run["errors"]) == {"rate_limited": 1}, run
        assert run["rate_limit_waits"] == waits and f"rate-limit waits {waits}," in stopped.stdout
        (lost,) = json.loads(run["stats"])["missing"]["profiles"]
        assert lost["parts"] == ["posts"] and lost["why"][0].startswith("rate limited")
        assert rows(db, "SELECT count(*) AS n FROM posts")[0]["n"] == 0
        resumed = crawl(cfg, *args, "--resume", MICROSCOUT_MAX_RATE_WAIT="0.2")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert rows(db, "SELECT count(*) AS n FROM posts")[0]["n"] == 8
        assert spent_recorded(db) == sandbox_spent(server) == 9


def test_the_retry_of_a_rate_limited_search_goes_through_the_unit_budget(tmp_path):
    """--max-units 150: the first search (100 units) is refused for the rate limit, and
    charged; its retry would cost 100 more: it is not sent, and the page is missing."""
    with SandboxServer(size=120, seed=7, faults=Faults(fail_first={"/youtube/v3/search": (1, "throttle")}),
                       lifetime=300) as server:
        cfg = config(tmp_path, server.url)
        stopped = crawl(cfg, *ARGS, "--max-units", "150", MICROSCOUT_MAX_RATE_WAIT="0.2")
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        assert server.platform_state["youtube"]["calls"]["search"] == 1  # the retry never left
        db = tmp_path / "scout.db"
        spent = sandbox_spent(server)
        assert 100 <= spent <= 150 and spent_recorded(db) == spent
    (run,) = rows(db, "SELECT stats FROM crawl_runs")
    pages = json.loads(run["stats"])["missing"]["hashtag_pages"]
    assert [(p["hashtag"], p["page"]) for p in pages] == [("plantbased", 1)]
    assert pages[0]["why"].startswith("not sent: 100 units needed")


def test_unreachable_api_records_no_units(tmp_path):
    """Nothing reached Google: no units in api_usage, no item stored."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = config(tmp_path, f"http://127.0.0.1:{port}")
    result = crawl(cfg, *ARGS)
    assert result.returncode == 1 and "cannot reach" in result.stderr, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    db = tmp_path / "scout.db"
    assert rows(db, "SELECT count(*) AS n FROM api_usage")[0]["n"] == 0
    (run,) = rows(db, "SELECT stats FROM crawl_runs")
    assert not json.loads(run["stats"]).get("items")


def test_the_key_is_nowhere(full, tmp_path_factory):
    """Runs last: stdout/stderr of every crawl, the databases, job folders, logs."""
    secrets = [API_KEY, "AIzaSyB-second-sandbox-key-for-quota"] + [o for o in OUTPUTS if o.startswith("AIzaSyC")]
    texts = [o for o in OUTPUTS if not o.startswith("AIzaSyC")]
    assert len(texts) >= 10
    for secret in secrets:
        assert not any(secret in text for text in texts)
    root = tmp_path_factory.getbasetemp()
    checked = 0
    for path in root.rglob("*"):
        if path.is_file() and "yt" in str(path) or path.is_file() and "test_" in str(path):
            data = path.read_bytes()
            checked += 1
            for secret in secrets:
                assert secret.encode() not in data, path
    assert checked >= 5


@pytest.mark.parametrize("budget", [16, 24])
def test_replies_the_request_budget_left_unasked_are_not_called_fetched(sandbox, full, tmp_path, budget):
    # Whatever the budget cut, a channel whose fetched column says "comments" has every reply
    # the full crawl stored for it: "0 replies" is a fact only where replies were asked for.
    cfg = config(tmp_path, sandbox.url)
    result = crawl(cfg, *ARGS, "--max-requests", str(budget))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stopped at the request budget" in result.stdout

    def replies(db: Path) -> dict[str, tuple[list[str], int]]:
        return {r["platform_id"]: (json.loads(r["fetched"]), r["n"]) for r in rows(
            db, "SELECT p.platform_id, p.fetched, (SELECT count(*) FROM comments c WHERE c.profile_id = p.id) AS n "
                "FROM profiles p WHERE p.opted_out = 0")}

    cut, whole = replies(tmp_path / "scout.db"), replies(full[0] / "scout.db")
    claimed = {pid: n for pid, (fetched, n) in cut.items() if "comments" in fetched}
    assert {pid: whole[pid][1] for pid in claimed} == claimed
    # The cut left replies unasked: a channel with replies in the full crawl whose fetched
    # column does not claim them (which channels depends on the order answers arrive in).
    assert any("comments" not in cut[pid][0] and whole[pid][1] > 0 for pid in cut)


def test_a_channel_given_by_its_handle_and_by_its_id_is_found_under_both(sandbox, tmp_path):
    # A team's list has the same channel twice: an @handle from one sheet, a /channel/UC… URL
    # from another. Before: the id was reported "no answer (the lookup failed or a bound was
    # reached; see above)", though nothing failed and the channel was stored.
    person = next(iter(sandbox.pop))
    handles = tmp_path / "channels.txt"
    handles.write_text(f"{wire.custom_url(person)}\nhttps://www.youtube.com/channel/{wire.channel_id(person.i)}\n")
    result = crawl(config(tmp_path, sandbox.url), "youtube", "--handles", str(handles), "--posts", "0",
                   "--no-prefilter", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    (record,) = json.loads(result.stdout)
    assert record["handle_report"]["handles"] == {wire.custom_url(person).lstrip("@"): "found",
                                                  wire.channel_id(person.i): "found"}


def test_replies_past_one_page_are_read_page_by_page(sandbox, tmp_path):
    """commentThreads gives at most 100 a page (here 4: the sandbox's cap lowered) and a
    nextPageToken: a crawl asking for more replies than a page holds reads the next pages
    instead of stopping at the first and calling the replies fetched."""
    state = sandbox.platform_state["youtube"]
    state["comment_page_cap"] = 4
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--handle", f"@{HIDDEN}", "--posts", "8",
                       "--replied-posts", "5", "--replies", "10")
    finally:
        del state["comment_page_cap"]
    assert result.returncode == 0, result.stdout + result.stderr
    db = tmp_path / "scout.db"
    (profile,) = rows(db, "SELECT * FROM profiles")
    assert "comments" in json.loads(profile["fetched"])
    pop, day = sandbox.pop, sandbox.day
    truth = pop.visible_posts(wire.channel_index(profile["platform_id"]), day)[:5]
    counts = [rows(db, "SELECT count(*) AS n FROM comments WHERE post_platform_id = ?",
                   [wire.video_id(p.i, p.k)])[0]["n"] for p in truth]
    expected = [0 if wire.comments_disabled(p) else min(len(pop.replies(p, day)), 10) for p in truth]
    assert counts == expected and max(expected) > 4


def _paged(sandbox, **faults):
    """The sandbox's playlistItems paged 5 at a time (its real cap is 50, more than any sandbox
    channel has), with the faults given, for the block."""
    state = sandbox.platform_state["youtube"]
    state.update(playlist_page_cap=5, **faults)
    return state


def test_a_repeated_uploads_page_token_ends_the_list_as_incomplete(sandbox, tmp_path):
    """A playlistItems page whose nextPageToken is the token it was asked with (a stuck cursor):
    the uploads are read up to that page once, then the list is recorded as incomplete (a
    pagination loop, named as missing; exit 1), not asked again. The loop check compared only
    the videos.list pages, so the repeated playlistItems page was asked again (Scrapy's duplicate
    filter dropped it without a word, and the profile's chain never ended)."""
    person = next(p for p in sandbox.pop if not p.opt_out and len(sandbox.pop.visible_posts(p.i, sandbox.day)) >= 20)
    state = _paged(sandbox, stuck_token=100)
    calls = dict(state.get("calls", {}))
    args = ("youtube", "--handle", wire.channel_id(person.i), "--posts", "30", "--replied-posts", "0",
            "--no-prefilter", "--json")
    try:
        result = crawl(config(tmp_path, sandbox.url), *args)
        # --resume asks for the page once more; the server still repeats it: the same is missing
        again = crawl(config(tmp_path, sandbox.url), *args, "--resume")
    finally:
        for key in ("playlist_page_cap", "stuck_token"):
            state.pop(key, None)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "the server's pages looped" in result.stderr
    assert again.returncode == 1, again.stdout[-2000:] + again.stderr[-2000:]
    # page 1 and page 2 once, then page 2 once more by --resume
    assert state["calls"]["playlistItems"] - calls.get("playlistItems", 0) == 3
    db = tmp_path / "scout.db"
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "incomplete" and stats["pagination_loops"] == 2
    (missing,) = stats["missing"]["profiles"]
    assert missing["profile"] == wire.channel_id(person.i) and missing["parts"] == ["posts"]
    assert any("pagination loop" in why for why in missing["why"])
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile"]
    stored = [r["platform_id"] for r in rows(db, "SELECT platform_id FROM posts")]
    first_two_pages = sandbox.pop.visible_posts(person.i, sandbox.day)[:10]
    assert sorted(stored) == sorted(wire.video_id(p.i, p.k) for p in first_two_pages)


def _search_results(sandbox, tag: str) -> list:
    """The sandbox's search.list results for #tag, newest first (what its pages of 50 hold)."""
    from microscout.sandbox import ids
    from microscout.sandbox.routes_youtube import _index

    return [sandbox.pop.post_by_id(*ids.parse_status_id(sid)) for sid in
            _index(sandbox).page([tag], sandbox.day, None, 10**9)]


def test_an_empty_search_page_with_a_next_page_token_is_read_on(sandbox, tmp_path):
    """search.list filters its results after paging, so a page can come back empty with a
    nextPageToken: the next page is read (within --pages). An empty page used to end the
    hashtag: no channel at all, in a run that said finished."""
    results = _search_results(sandbox, "plantbased")
    assert len(results) > 100
    calls = dict(sandbox.platform_state["youtube"].get("calls", {}))
    with withholding(sandbox, "youtube", {wire.video_id(p.i, p.k) for p in results[:50]}):  # page 1 empty
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--hashtag", "plantbased", "--pages", "2",
                       "--posts", "0", "--no-prefilter", "--max-profiles", "500")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert sandbox.platform_state["youtube"]["calls"]["search"] - calls.get("search", 0) == 2
    stored = {r["platform_id"] for r in rows(tmp_path / "scout.db", "SELECT platform_id FROM profiles")}
    assert stored == {wire.channel_id(p.i) for p in results[50:100]}


def test_empty_search_pages_are_read_a_few_in_a_row_at_most(sandbox, tmp_path):
    """A server whose search pages stay empty with a nextPageToken (every result filtered out)
    costs BARE_PAGES + 1 pages of 100 units, not --pages of them, and the run says so."""
    from microscout.crawlers.spiders.base import CrawlSpider

    results = _search_results(sandbox, "plantbased")
    assert len(results) > 50 * (CrawlSpider.BARE_PAGES + 2)
    calls = dict(sandbox.platform_state["youtube"].get("calls", {}))
    with withholding(sandbox, "youtube", {wire.video_id(p.i, p.k) for p in results}):
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--hashtag", "plantbased", "--pages", "10",
                       "--posts", "0", "--no-prefilter")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert sandbox.platform_state["youtube"]["calls"]["search"] - calls.get("search", 0) == CrawlSpider.BARE_PAGES + 1
    (run,) = rows(tmp_path / "scout.db", "SELECT status, stats FROM crawl_runs")
    notes = json.loads(run["stats"])["notes"]
    assert any(n.startswith(f"#plantbased: {CrawlSpider.BARE_PAGES + 1} search pages in a row held no video")
               for n in notes), notes


def test_a_repeated_search_page_token_is_a_loop_said_not_a_silent_end(sandbox, tmp_path):
    """A search page whose nextPageToken is the one it was asked with: Scrapy's duplicate filter
    dropped the repeated page without a word and the run said finished. It is a pagination
    loop: the hashtag's next page is missing, the run incomplete (exit 1)."""
    state = sandbox.platform_state["youtube"]
    calls = dict(state.get("calls", {}))
    state["stuck_token"] = 100
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--hashtag", "plantbased", "--pages", "5",
                       "--posts", "0", "--no-prefilter", "--max-profiles", "500")
    finally:
        state.pop("stuck_token", None)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert state["calls"]["search"] - calls.get("search", 0) == 2
    (run,) = rows(tmp_path / "scout.db", "SELECT status, stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "incomplete" and stats["pagination_loops"] == 1
    (page,) = stats["missing"]["hashtag_pages"]
    assert page["hashtag"] == "plantbased" and page["why"].startswith("pagination loop")


def _first_upload_with_few_comments(sandbox, most: int):
    """A channel whose newest upload has comments on (1 to ``most`` threads served)."""
    pop, day = sandbox.pop, sandbox.day
    for person in pop:
        uploads = pop.visible_posts(person.i, day)
        if not person.opt_out and uploads and not wire.comments_disabled(uploads[0]) \
                and 0 < len(pop.replies(uploads[0], day)) <= most:
            return person, uploads[0]
    raise AssertionError("no such channel in the sandbox")


def test_empty_comment_pages_with_a_next_page_token_are_read_a_few_in_a_row_then_missing(sandbox, tmp_path):
    """commentThreads pages that stay empty while a nextPageToken says more follow (the
    sandbox's "endless_comments" fault): they were read while fewer than --replies were in,
    so such a server cost the whole request budget. Now BARE_PAGES + 1 empty pages are read,
    then the rest of the video's comments is missing (exit 1, named; "comments" not called
    fetched), as the token promised a next page; --resume reads on from there."""
    from microscout.crawlers.spiders.base import CrawlSpider

    person, video = _first_upload_with_few_comments(sandbox, 9)
    state = sandbox.platform_state["youtube"]
    calls = dict(state.get("calls", {}))
    cfg = config(tmp_path, sandbox.url)
    args = ("youtube", "--handle", wire.channel_id(person.i), "--posts", "1", "--replied-posts", "1",
            "--replies", "10", "--max-requests", "40", "--no-prefilter", "--json")
    state["endless_comments"] = True
    try:
        result = crawl(cfg, *args)
    finally:
        state.pop("endless_comments", None)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    # the page with the comments, then the empty ones
    assert state["calls"]["commentThreads"] - calls.get("commentThreads", 0) == 1 + CrawlSpider.BARE_PAGES + 1
    db = tmp_path / "scout.db"
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "incomplete"
    (missing,) = stats["missing"]["profiles"]
    assert missing["profile"] == wire.channel_id(person.i) and missing["parts"] == ["replies"]
    assert missing["replies_of"] == [wire.video_id(video.i, video.k)]
    assert missing["why"] == [f"empty pages: {CrawlSpider.BARE_PAGES + 1} pages in a row held no comment thread, "
                              "though a nextPageToken said more follow; the rest of its replies was not read"]
    assert any(n.startswith("YouTube: a video's comment threads came back as empty pages") for n in stats["notes"])
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile", "posts"]
    assert len(rows(db, "SELECT platform_id FROM comments")) == len(sandbox.pop.replies(video, sandbox.day))
    # the server mended: --resume asks the page after the empty ones, which ends the list
    again = crawl(cfg, *args, "--resume")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    (run,) = rows(db, "SELECT status FROM crawl_runs")
    assert run["status"] == "finished"
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile", "posts", "comments"]


def test_a_repeated_search_token_after_the_profile_bound_is_no_missing_page(sandbox, tmp_path):
    """The places of --max-profiles are all taken once page 2 is in: page 3 would never be
    asked for (100 units for no author), so a page 2 that names itself as its next page is no
    loop to record. It was: the run ended incomplete (exit 1) naming a missing hashtag page,
    and every --resume asked for the page again and ended the same way."""
    results = _search_results(sandbox, "plantbased")
    first = {wire.channel_id(p.i) for p in results[:50]}
    assert {wire.channel_id(p.i) for p in results[50:100]} - first  # page 2 holds a new channel
    state = sandbox.platform_state["youtube"]
    calls = dict(state.get("calls", {}))
    state["stuck_token"] = 1  # page 2's nextPageToken is its own
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--hashtag", "plantbased", "--pages", "3",
                       "--posts", "0", "--no-prefilter", "--max-profiles", str(len(first) + 1))
    finally:
        state.pop("stuck_token", None)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert state["calls"]["search"] - calls.get("search", 0) == 2
    (run,) = rows(tmp_path / "scout.db", "SELECT status, stats FROM crawl_runs")
    assert run["status"] == "finished" and not json.loads(run["stats"]).get("missing")
    assert len(rows(tmp_path / "scout.db", "SELECT id FROM profiles")) == len(first) + 1


def _one_missing(db) -> dict:
    """The one missing profile of the run in ``db``, which ended incomplete."""
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    assert run["status"] == "incomplete"
    (missing,) = json.loads(run["stats"])["missing"]["profiles"]
    return missing


def _finished_whole(db, posts: int) -> None:
    """The run in ``db`` finished, its one profile's posts fetched: ``posts`` of them."""
    assert rows(db, "SELECT id, status FROM crawl_runs") == [{"id": 1, "status": "finished"}]
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile", "posts"]
    assert len(rows(db, "SELECT platform_id FROM posts")) == posts


def test_a_resumed_session_whose_first_answer_is_an_html_page_leaves_the_run_resumable(sandbox, tmp_path):
    """Under retry_times = 0, a --resume whose first answer was a 200 HTML page (a proxy's, for
    once) stopped the crawl as "does not look like the YouTube Data API v3": the API had answered
    the run's first session, but the origins that gave an API answer were counted per session.
    The run was marked failed, and every later --resume refused it (exit 2), its progress
    stranded. Origins that answered the run before count: the page is a lost request, missing
    for the next --resume, which finishes the run."""
    from microscout.sandbox.faults import FaultInjector

    person = next(p for p in sandbox.pop if not p.opt_out and len(sandbox.pop.visible_posts(p.i, sandbox.day)) >= 4)
    cfg = config(tmp_path, sandbox.url)
    cfg.write_text(cfg.read_text().replace("retry_times = 1", "retry_times = 0"))
    args = ("youtube", "--handle", wire.channel_id(person.i), "--posts", "4", "--replied-posts", "0",
            "--no-prefilter")
    db = tmp_path / "scout.db"
    before = sandbox.faults
    try:
        sandbox.faults = FaultInjector(Faults(fail_first={"/youtube/v3/playlistItems": (1, "5xx")}))
        first = crawl(cfg, *args)
        assert first.returncode == 1 and "is incomplete" in first.stderr, first.stdout + first.stderr
        sandbox.faults = FaultInjector(Faults(fail_first={"/youtube/v3/playlistItems": (1, "html")}))
        second = crawl(cfg, *args, "--resume")
    finally:
        sandbox.faults = before
    assert "does not look like" not in second.stderr, second.stderr
    assert second.returncode == 1 and "is incomplete" in second.stderr, second.stdout + second.stderr
    missing = _one_missing(db)
    assert missing["profile"] == wire.channel_id(person.i) and missing["parts"] == ["posts"]
    assert missing["why"] == ["html_error_page"]
    third = crawl(cfg, *args, "--resume")
    assert third.returncode == 0, third.stdout + third.stderr
    _finished_whole(db, posts=4)


def test_a_resumed_session_that_finds_the_server_down_leaves_the_run_resumable(tmp_path):
    """The same for a --resume whose first request met the server down (connection refused):
    "cannot reach" is for a server that never answered the run; this one had, so the request is
    missing (exit 1) and a --resume once the server is up again finishes the run."""
    args = ("youtube", "--handle", f"@{HIDDEN}", "--posts", "4", "--replied-posts", "0", "--no-prefilter")
    db = tmp_path / "scout.db"
    with SandboxServer(size=120, seed=7, faults=Faults(fail_first={"/youtube/v3/playlistItems": 1}),
                       lifetime=300) as server:
        port = server.port
        cfg = config(tmp_path, server.url)
        cfg.write_text(cfg.read_text().replace("retry_times = 1", "retry_times = 0"))
        first = crawl(cfg, *args)
    assert first.returncode == 1 and "is incomplete" in first.stderr, first.stdout + first.stderr
    down = crawl(cfg, *args, "--resume")  # nothing listens on the port now
    assert "cannot reach" not in down.stderr, down.stderr
    assert down.returncode == 1 and "is incomplete" in down.stderr, down.stdout + down.stderr
    missing = _one_missing(db)
    assert missing["parts"] == ["posts"] and missing["why"] == ["network: connection refused"]
    with SandboxServer(size=120, seed=7, port=port, lifetime=300):
        up = crawl(cfg, *args, "--resume")
    assert up.returncode == 0, up.stdout + up.stderr
    _finished_whole(db, posts=4)


def test_a_search_loop_names_the_page_it_could_not_read(sandbox, tmp_path):
    """Page 2's nextPageToken is its own: page 2 was read, page 3 is what is missing, and the
    run's missing list said "page 2". It names page 3 now, and a --resume that meets the same
    loop names page 3 again (the request keeps page 2's ctx: no page number that grows with
    every resume)."""
    state = sandbox.platform_state["youtube"]
    calls = dict(state.get("calls", {}))
    cfg = config(tmp_path, sandbox.url)
    args = ("youtube", "--hashtag", "plantbased", "--pages", "5", "--posts", "0", "--no-prefilter",
            "--max-profiles", "500")
    db = tmp_path / "scout.db"
    state["stuck_token"] = 100
    try:
        result = crawl(cfg, *args)
        first = json.loads(rows(db, "SELECT stats FROM crawl_runs")[0]["stats"])["missing"]["hashtag_pages"]
        again = crawl(cfg, *args, "--resume")
    finally:
        state.pop("stuck_token", None)
    assert result.returncode == 1 and again.returncode == 1, result.stderr + again.stderr
    assert state["calls"]["search"] - calls.get("search", 0) == 3  # pages 1 and 2, then page 2 once more
    for said in (result.stderr, again.stderr):
        assert "hashtag #plantbased: page 3 (pagination loop" in said and "page 2 (" not in said, said
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "incomplete" and stats["pagination_loops"] == 2
    assert [(p["hashtag"], p["page"]) for p in first] == [("plantbased", 3)]
    assert [(p["hashtag"], p["page"]) for p in stats["missing"]["hashtag_pages"]] == [("plantbased", 3)]


def _uploads_hidden(sandbox, ids):
    state = sandbox.platform_state["youtube"]
    state["unavailable"] = set(ids)
    return state


def test_an_uploads_page_of_private_or_deleted_videos_is_read_past(sandbox, tmp_path):
    """playlistItems lists a private or deleted video; videos.list leaves it out. An uploads
    page whose videos were all such came back from videos.list empty, and the channel's
    uploads ended there, "posts" called fetched with none stored, though more uploads followed.
    The page held entries: the next uploads page is read."""
    person = next(p for p in sandbox.pop if not p.opt_out and len(sandbox.pop.visible_posts(p.i, sandbox.day)) >= 8)
    uploads = sandbox.pop.visible_posts(person.i, sandbox.day)
    calls = dict(sandbox.platform_state["youtube"].get("calls", {}))
    state = _uploads_hidden(sandbox, {wire.video_id(p.i, p.k) for p in uploads[:4]})  # page 1 of 4
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--handle", wire.channel_id(person.i), "--posts",
                       "4", "--replied-posts", "0", "--no-prefilter")
    finally:
        state.pop("unavailable", None)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert state["calls"]["playlistItems"] - calls.get("playlistItems", 0) == 2
    db = tmp_path / "scout.db"
    stored = sorted(r["platform_id"] for r in rows(db, "SELECT platform_id FROM posts"))
    assert stored == sorted(wire.video_id(p.i, p.k) for p in uploads[4:8])
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile", "posts"]


def test_uploads_pages_of_private_videos_are_read_a_few_in_a_row_at_most(sandbox, tmp_path):
    """A channel whose uploads are all private or deleted (as the API shows them) costs
    BARE_PAGES + 1 uploads pages, as other pages without a post of the profile's do, not all of
    its pages."""
    from microscout.crawlers.spiders.base import CrawlSpider

    person = next(p for p in sandbox.pop if not p.opt_out
                  and len(sandbox.pop.visible_posts(p.i, sandbox.day)) >= 2 * (CrawlSpider.BARE_PAGES + 2))
    uploads = sandbox.pop.visible_posts(person.i, sandbox.day)
    calls = dict(sandbox.platform_state["youtube"].get("calls", {}))
    state = _uploads_hidden(sandbox, {wire.video_id(p.i, p.k) for p in uploads})
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--handle", wire.channel_id(person.i), "--posts",
                       "2", "--replied-posts", "0", "--no-prefilter")
    finally:
        state.pop("unavailable", None)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert state["calls"]["playlistItems"] - calls.get("playlistItems", 0) == CrawlSpider.BARE_PAGES + 1
    assert state["calls"]["videos"] - calls.get("videos", 0) == CrawlSpider.BARE_PAGES + 1
    assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM posts")[0]["n"] == 0


@pytest.mark.parametrize("budget, cut", [(4, "videos"), (5, "playlistItems")])
def test_uploads_the_request_budget_cut_are_not_called_fetched(sandbox, tmp_path, budget, cut):
    """Uploads paged 5 at a time, 12 asked for: channels.list, then playlistItems and videos.list
    for each page. A budget of 4 leaves page 2's videos.list unasked, one of 5 page 3's
    playlistItems. The videos read are stored, but 5 (or 10) of 12 are not the channel's last
    uploads: "posts" is not in its fetched column (it was, once page 1 came back). Nothing is
    missing (the bound chose it, as for a part never begun): the run finishes, exit 0."""
    person = next(p for p in sandbox.pop if not p.opt_out and len(sandbox.pop.visible_posts(p.i, sandbox.day)) >= 15)
    state = _paged(sandbox)
    calls = dict(state.get("calls", {}))
    try:
        result = crawl(config(tmp_path, sandbox.url), "youtube", "--handle", wire.channel_id(person.i), "--posts",
                       "12", "--replied-posts", "0", "--no-prefilter", "--max-requests", str(budget))
    finally:
        state.pop("playlist_page_cap", None)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "stopped at the request budget" in result.stdout
    sent = {k: state["calls"].get(k, 0) - calls.get(k, 0) for k in ("playlistItems", "videos")}
    assert sent == ({"playlistItems": 2, "videos": 1} if cut == "videos" else {"playlistItems": 2, "videos": 2})
    db = tmp_path / "scout.db"
    assert len(rows(db, "SELECT platform_id FROM posts")) == 5 * sent["videos"]
    (prof,) = rows(db, "SELECT fetched FROM profiles")
    assert json.loads(prof["fetched"]) == ["profile"]
    (run,) = rows(db, "SELECT status, stats FROM crawl_runs")
    assert run["status"] == "finished" and not json.loads(run["stats"]).get("missing")
