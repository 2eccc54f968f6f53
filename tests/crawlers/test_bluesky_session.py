"""Bluesky sessions end to end (issue #8): searchPosts through the PDS with atproto-proxy,
the session kept between runs in a 0600 file, refreshed when it expires (also mid-crawl),
one new login when a refresh is refused, `microscout logout bluesky`, and every refusal
said in one line with the right exit code, no traceback and no secret.

Real HTTP on 127.0.0.1: tests/crawlers/fakeserver.py (exact, logs every header) and the
project's sandbox (tokens that expire, createSession's rate limit, account states).
Crawls run through the CLI in a subprocess (a fresh reactor each).
"""
from __future__ import annotations

import json
import re
import sqlite3
import stat
import subprocess
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from microscout.config import parse_config
from microscout.crawlers import bsky_session
from microscout.crawlers.bsky_session import Login, Session, SessionFile, session_path
from microscout.sandbox import IDENTIFIER, PASSWORD, SandboxServer
from microscout.sandbox.routes_bluesky import APPVIEW_DID
from tests.crawlers.conftest import crawl_env, rows, run_crawl, run_microscout, write_config
from tests.crawlers.fakeserver import BSKY_IDENTIFIER, BSKY_PASSWORD, BSKY_REFRESH, BSKY_TOKEN

TAG = "plantbased"  # a sandbox hashtag with many posts


def fake_env(**extra):
    return crawl_env(MICROSCOUT_BSKY_HANDLE=BSKY_IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=BSKY_PASSWORD, **extra)


def sandbox_env(password: str = PASSWORD, **extra):
    return crawl_env(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=password, **extra)


def saved_sessions(state_dir: Path) -> list[Path]:
    return sorted((state_dir / "bluesky").glob("*.json"))


def the_session_file(state_dir: Path) -> Path:
    (path,) = saved_sessions(state_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, oct(path.stat().st_mode)
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    return path


def logout(config: Path) -> subprocess.CompletedProcess:
    # forked from the crawl zygote as the crawls are (a new Python cost ~1 CPU-s of start-up)
    return run_microscout("logout", "bluesky", "--config", str(config), cwd=config.parent, timeout=60)


def assert_no_secret(folder: Path, result: subprocess.CompletedProcess, secrets: list[str]) -> None:
    """Nowhere but the session file: not in the output, the database, its WAL, the job folder."""
    db = folder / "scout.db"
    stored = b""
    if db.exists():
        con = sqlite3.connect(db)
        stored = "\n".join(con.iterdump()).encode()
        con.close()
    for extra in (Path(f"{db}-wal"), *(p for p in (folder / ".microscout").rglob("*") if p.is_file())):
        if extra.exists():
            stored += extra.read_bytes()
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr
        assert secret.encode() not in stored


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


# -- through the PDS, with atproto-proxy -----------------------------------------------------

def test_crawl_goes_through_the_pds_proxy_to_the_configured_appview(tmp_path, _state_dir):
    did = "did:web:appview.sandbox.test"
    with SandboxServer(size=60, seed=3, appview_did=did, lifetime=120) as sb:
        config = write_config(tmp_path, sb.url).read_text().replace(
            "[crawl]", f'appview_did = "{did}"\n\n[crawl]')
        (tmp_path / "config.toml").write_text(config)
        args = ("bluesky", "--hashtag", TAG, "--pages", "1", "--max-profiles", "5", "--posts", "2",
                "--followers", "0")
        result = run_crawl(tmp_path / "config.toml", *args, env=sandbox_env())
        assert result.returncode == 0, result.stderr[-3000:]
        assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM profiles")[0]["n"] > 0
        assert sb.session_calls == {"createSession": 1}

        # --appview-did overrides the config: the PDS cannot resolve that DID, and says so
        wrong = run_crawl(tmp_path / "config.toml", *args, "--appview-did", "did:web:api.bsky.app", env=sandbox_env())
        line = one_error_line(wrong)
        assert wrong.returncode == 2
        assert "could not reach the AppView did:web:api.bsky.app#bsky_appview" in line
        assert "400 InvalidRequest: could not resolve proxy did" in line and "--appview-did" in line
        assert_no_secret(tmp_path, wrong, [PASSWORD, *sb.tokens])

    bad = run_crawl(tmp_path / "config.toml", "bluesky", "--hashtag", TAG, "--appview-did", "api.bsky.app",
                    env=sandbox_env())
    assert bad.returncode == 2 and "--appview-did" in one_error_line(bad)


def test_the_appview_refusing_the_pds_session_says_which_settings_to_check(tmp_path):
    with SandboxServer(size=60, seed=3, lifetime=120) as sb:
        sb.appview_trusts_pds = False
        config = write_config(tmp_path, sb.url)
        result = run_crawl(config, "bluesky", "--hashtag", TAG, env=sandbox_env())
        tokens = list(sb.tokens)
    line = one_error_line(result)
    assert result.returncode == 2
    assert "Bluesky refused searchPosts (401 InvalidToken: Malformed token)" in line
    assert "platforms.bluesky.appview_did" in line and "--pds" in line
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "failed" and json.loads(run["errors"]) == {"http_401": 1}
    assert_no_secret(tmp_path, result, [PASSWORD, *tokens])


# -- sessions: refreshed, reused, replaced ---------------------------------------------------

@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzipped"])
def test_session_expiring_mid_crawl_is_refreshed_and_the_crawl_completes(tmp_path, server, _state_dir, gzipped):
    server.fake.expire_on_pages = {3}  # the access token expires before the second searchPosts page
    # a proxy in front of the PDS may gzip the error: ExpiredToken is read from the decoded answer
    server.fake.gzip_errors = gzipped
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=fake_env(MICROSCOUT_LOG_LEVEL="DEBUG"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "refreshSession" in result.stderr  # DEBUG logging did run, and shows no token
    assert len(rows(tmp_path / "scout.db", "SELECT * FROM profiles")) == 4
    assert server.fake.session_calls == {"createSession": 1, "refreshSession": 1}
    page2 = [e for e in server.log if e["path"].endswith("searchPosts") and "cursor=3" in e["query"]]
    assert [e["auth"] for e in page2] == [f"Bearer {BSKY_TOKEN}", f"Bearer {server.fake.access}"]
    (refresh,) = [e for e in server.log if e["path"].endswith("refreshSession")]
    assert refresh["auth"] == f"Bearer {BSKY_REFRESH}" and refresh["method"] == "POST"
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and json.loads(run["stats"])["session_refreshes"] == 1
    # the refreshed session is the one kept for the next run
    saved = json.loads(the_session_file(_state_dir).read_text())
    assert (saved["access_jwt"], saved["refresh_jwt"]) == (server.fake.access, server.fake.refresh)
    assert_no_secret(tmp_path, result, server.fake.issued + [BSKY_PASSWORD])


def test_refused_refresh_mid_crawl_logs_in_once_more(tmp_path, server):
    server.fake.expire_on_pages = {3}
    server.fake.refuse_refresh = True
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=fake_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.fake.session_calls == {"createSession": 2, "refreshSession": 1}
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "finished" and stats["session_logins"] == 1 and stats["session_refreshes"] == 0
    assert_no_secret(tmp_path, result, server.fake.issued + [BSKY_PASSWORD])


def test_a_saved_session_the_pds_refuses_is_refreshed_or_else_replaced_by_one_login(tmp_path, server):
    config = write_config(tmp_path, server.url)
    args = ("bluesky", "--hashtag", "kaffee", "--pages", "1", "--posts", "0", "--followers", "0")
    assert run_crawl(config, *args, env=fake_env()).returncode == 0
    assert run_crawl(config, *args, env=fake_env()).returncode == 0  # reused: getSession, no login
    assert server.fake.session_calls == {"createSession": 1, "getSession": 1}

    server.fake.access = None  # the saved access token is no longer good: refreshed
    assert run_crawl(config, *args, env=fake_env()).returncode == 0
    assert server.fake.session_calls == {"createSession": 1, "getSession": 2, "refreshSession": 1}

    server.fake.access = None  # and this time the refresh token is refused too: one new login
    server.fake.refuse_refresh = True
    result = run_crawl(config, *args, env=fake_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.fake.session_calls == {"createSession": 2, "getSession": 3, "refreshSession": 2}


def test_consecutive_crawls_log_in_once_even_with_short_lived_tokens(tmp_path, _state_dir, monkeypatch):
    """createSession is rate-limited per account: consecutive crawls reuse the saved session
    (checked with getSession), refreshing it when the access token (here 70 seconds) is
    within a minute of its expiry. Three crawls end to end; then the start of twenty more,
    as each crawl makes it (Login.start on the same session file, before its reactor), on a
    clock moved on 4 seconds a time: refreshed once 10 seconds old, never a second login."""
    with SandboxServer(size=60, seed=3, access_lifetime=70.0, lifetime=300) as sb:
        config = write_config(tmp_path, sb.url)
        for n in range(3):
            result = run_crawl(config, "bluesky", "--hashtag", TAG, "--pages", "1", "--max-profiles", "1",
                               "--posts", "0", "--followers", "0", env=sandbox_env())
            assert result.returncode == 0, (n, result.stderr[-3000:])
            assert "stopped taking new authors at the profile bound (--max-profiles" in result.stdout
        crawled = dict(sb.session_calls)
        assert crawled["createSession"] == 1, crawled
        # crawls 2 and 3 took the saved session: checked, or refreshed when 10 s had gone by
        assert crawled.get("getSession", 0) + crawled.get("refreshSession", 0) == 2, crawled
        assert [r["status"] for r in rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")] == ["finished"] * 3

        # The token's age on the clock the crawls would see, 4 seconds on each start, 0 when a
        # start has just been given a new token (the sandbox dates it by the real clock).
        def issued() -> float:
            access = json.loads(the_session_file(_state_dir).read_text())["access_jwt"]
            return bsky_session.jwt_expiry(access) - 70.0

        age = [time.time() - issued()]
        monkeypatch.setattr(bsky_session, "time", SimpleNamespace(time=lambda: issued() + age[0], sleep=time.sleep))
        store = SessionFile(the_session_file(_state_dir))
        taken = []
        for _ in range(20):
            before = dict(sb.session_calls)
            Login(sb.url, IDENTIFIER, PASSWORD, user_agent="test", store=store).start()
            (call,) = [name for name, n in sb.session_calls.items() if n > before.get(name, 0)]
            taken.append((age[0], call))
            age[0] = 4.0 if call == "refreshSession" else age[0] + 4.0
        calls = dict(sb.session_calls)
        tokens = list(sb.tokens)
    assert calls["createSession"] == 1, calls
    # taken as it is while more than 60 s of its 70 are left, refreshed from then on
    assert all((call == "refreshSession") == (token_age >= 10) for token_age, call in taken), \
        [(round(token_age, 2), call) for token_age, call in taken]
    assert [call for _, call in taken].count("refreshSession") >= 6, taken
    the_session_file(_state_dir)
    assert_no_secret(tmp_path, result, [PASSWORD, *tokens])


def test_tokens_expiring_during_a_crawl_on_the_sandbox(tmp_path):
    """A 1-second access token and a crawl of several seconds: every expiry mid-crawl is
    refreshed through Scrapy, and nothing is lost. (More places than the first pages' authors
    fill: the crawl reads no hashtag page once every place is taken, and it must last.)"""
    with SandboxServer(size=150, seed=3, access_lifetime=1.0, lifetime=300) as sb:
        config = write_config(tmp_path, sb.url, extra="download_delay = 0.1\nautothrottle = false\n")
        result = run_crawl(config, "bluesky", "--hashtag", TAG, "--hashtag", "veganrecipes", "--pages", "3",
                           "--max-profiles", "60", "--posts", "1", "--replied-posts", "0", "--followers", "0",
                           "--no-prefilter", env=sandbox_env(), timeout=240)
        calls = dict(sb.session_calls)
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "finished" and json.loads(run["errors"]) == {}, run
    assert calls["createSession"] == 1 and calls.get("refreshSession", 0) == stats["session_refreshes"] >= 1, calls
    assert stats["hashtag_pages"] >= 3


def test_a_token_that_ran_out_while_its_request_waited_is_renewed_each_time(tmp_path, server):
    """A request that waits in the queue longer than its new token lives finds it expired
    again, as often as that happens: by this machine's clock each token had run out, a plain
    expiry, renewed each time (the crawl used to give up after two, blaming the clock; CI's
    loaded machine did so on the 1-second tokens above)."""
    server.fake.token_lifetime = -1.0
    server.fake.refuse_on_pages = {3: 3}
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=fake_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert server.fake.session_calls == {"createSession": 1, "refreshSession": 3}
    assert len(rows(tmp_path / "scout.db", "SELECT * FROM profiles")) == 4
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and json.loads(run["stats"])["session_refreshes"] == 3


def test_a_pds_refusing_tokens_this_clock_calls_live_is_reported_after_two_renewals(tmp_path, server):
    """ExpiredToken for tokens that by this machine's clock have an hour to live, again after
    each refresh: two renewals, then one line saying how long the token had, exit 1."""
    server.fake.token_lifetime = 3600.0
    server.fake.refuse_on_pages = {3: 10}
    config = write_config(tmp_path, server.url)
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=fake_env())
    assert result.returncode == 1, result.stderr[-3000:]
    assert re.search("kept answering ExpiredToken right after the session was refreshed, for a token that by "
                     "this machine's clock had 3[56][0-9][0-9] s to live; check the clock of this machine",
                     result.stderr), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert server.fake.session_calls == {"createSession": 1, "refreshSession": 2}
    assert server.fake.refuse_on_pages == {3: 7}


def test_tokens_that_expire_before_any_request_can_use_them_are_reported(tmp_path):
    """Tokens living 0.05 s and a request every 0.3 s: no renewal is ever of use. Three in a row,
    then one line saying so, exit 1, instead of renewing for ever."""
    with SandboxServer(size=60, seed=3, access_lifetime=0.05, lifetime=300) as sb:
        config = write_config(tmp_path, sb.url, extra="download_delay = 0.3\nautothrottle = false\n")
        result = run_crawl(config, "bluesky", "--hashtag", TAG, "--pages", "1", "--max-profiles", "3",
                           "--posts", "1", "--replied-posts", "0", "--followers", "0", "--no-prefilter",
                           env=sandbox_env(), timeout=120)
        calls = dict(sb.session_calls)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "access tokens expired before any request could use them, 3 renewals in a row" in result.stderr
    assert "Traceback" not in result.stderr
    assert calls.get("refreshSession", 0) == 3, calls


def test_a_saved_session_of_another_account_or_pds_is_ignored(tmp_path, server, _state_dir):
    path = session_path(server.url, BSKY_IDENTIFIER)
    store = SessionFile(path)
    store.save(Session(pds="https://elsewhere.example", handle=BSKY_IDENTIFIER, did="did:plc:x",
                       access_jwt="other-access", refresh_jwt="other-refresh"))
    assert store.load(server.url, BSKY_IDENTIFIER) is None
    store.save(Session(pds=server.url, handle="someone.else", did="did:plc:x", access_jwt="other-access",
                       refresh_jwt="other-refresh"))
    assert store.load(server.url, BSKY_IDENTIFIER) is None
    login = Login(server.url, BSKY_IDENTIFIER, BSKY_PASSWORD, user_agent="t", store=store)
    session = login.start()
    assert session.access_jwt == BSKY_TOKEN and server.fake.session_calls == {"createSession": 1}
    assert "other-access" not in path.read_text() and BSKY_TOKEN not in repr(login) + repr(session)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_session_file_from_config_and_never_inside_the_job_folder(tmp_path, server, _state_dir):
    config = write_config(tmp_path, server.url)
    text = config.read_text()
    config.write_text(text.replace("[crawl]", 'session_file = "private/bsky.json"\n\n[crawl]'))
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", "--pages", "1", env=fake_env())
    assert result.returncode == 0, result.stderr[-3000:]
    path = tmp_path / "private" / "bsky.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and json.loads(path.read_text())["access_jwt"] == BSKY_TOKEN
    assert saved_sessions(_state_dir) == []

    config.write_text(text.replace("[crawl]", 'session_file = ".microscout/crawls/s.json"\n\n[crawl]'))
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=fake_env())
    assert result.returncode == 2 and "inside the crawl job folder" in one_error_line(result)


def test_logout_deletes_the_saved_session_and_revokes_it(tmp_path, server, _state_dir):
    config = write_config(tmp_path, server.url)
    assert run_crawl(config, "bluesky", "--hashtag", "kaffee", "--pages", "1", env=fake_env()).returncode == 0
    path = the_session_file(_state_dir)
    out = logout(config)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (f"Deleted the saved Bluesky session of {BSKY_IDENTIFIER} at {server.url}: "
                                  f"{path}; revoked at the PDS")
    assert not path.exists() and server.fake.session_calls["deleteSession"] == 1
    assert BSKY_TOKEN not in out.stdout + out.stderr and BSKY_REFRESH not in out.stdout + out.stderr
    again = logout(config)
    assert again.returncode == 0 and "nothing to delete" in again.stdout
    # the next crawl logs in anew
    assert run_crawl(config, "bluesky", "--hashtag", "kaffee", "--pages", "1", env=fake_env()).returncode == 0
    assert server.fake.session_calls["createSession"] == 2


# -- refusals: one line, the right exit code, no traceback, no secret ----------------------------

def _login_directly(url: str) -> None:
    body = json.dumps({"identifier": IDENTIFIER, "password": PASSWORD}).encode()
    request = urllib.request.Request(f"{url}/xrpc/com.atproto.server.createSession", data=body,
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


@pytest.mark.parametrize("case, code, expected", [
    ("wrong_password", 2, ["was refused (401 AuthenticationRequired: Invalid identifier or password)",
                           "check the handle and app password", "MICROSCOUT_BSKY_APP_PASSWORD"]),
    ("takendown", 2, ["The Bluesky account scout.bsky.sandbox", "has been taken down",
                      "(401 AccountTakedown: Account has been taken down)", "crawl with another account"]),
    ("deactivated", 2, ["is not active (AccountDeactivated: the PDS says the account is deactivated)",
                        "reactivate it"]),
    ("rate_limited", 1, ["is rate limited for scout.bsky.sandbox (429 RateLimitExceeded: Rate Limit Exceeded)",
                         "try again after 20", "UTC (in about 5 min)"]),
])
def test_refused_logins_say_what_happened_and_what_to_do(tmp_path, case, code, expected):
    wrong = "wrong-app-pass-never-shown"
    with SandboxServer(size=50, seed=3, login_limits=((1, 300.0), (300, 86400.0)), lifetime=120) as sb:
        if case in ("takendown", "deactivated"):
            sb.account_status = case
        if case == "rate_limited":
            _login_directly(sb.url)  # the account's one login of these 5 minutes is spent
        config = write_config(tmp_path, sb.url)
        result = run_crawl(config, "bluesky", "--hashtag", TAG,
                           env=sandbox_env(wrong if case == "wrong_password" else PASSWORD))
        tokens = list(sb.tokens)
    line = one_error_line(result)
    assert result.returncode == code, result.stderr
    for words in expected:
        assert words in line, line
    assert_no_secret(tmp_path, result, [PASSWORD, wrong, *tokens])
    db = tmp_path / "scout.db"  # a crawl that cannot log in records nothing
    assert not db.exists() or rows(db, "SELECT * FROM crawl_runs") == []


def test_config_keys_have_documented_defaults():
    bsky = parse_config({}).platforms.bluesky
    assert (bsky.appview_did, bsky.session_file) == (APPVIEW_DID, "")
    with pytest.raises(Exception, match="appview_did"):
        parse_config({"platforms": {"bluesky": {"appview_did": "https://api.bsky.app"}}})


def _answers(*replies):
    """A PDS on 127.0.0.1 that answers each call with the next (status, headers, body)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    left = list(replies)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status, headers, body = left.pop(0) if left else (500, {}, {})
            raw = json.dumps(body).encode()
            self.send_response(status)
            for key, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, left


def test_a_brief_429_on_a_session_call_is_waited_out_a_long_one_named_by_its_method():
    # A review: one 429 with Retry-After: 1 on the saved session's check stopped the crawl,
    # blaming createSession, which was never called.
    import time

    from microscout.crawlers.bsky_session import XrpcError, explain_login, xrpc_call

    limited = (429, {"Retry-After": "1"}, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"})
    server, left = _answers(limited, (200, {}, {"did": "did:plc:scout", "active": True}))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.monotonic()
        assert xrpc_call(url, "com.atproto.server.getSession", token="t")["did"] == "did:plc:scout"
        assert time.monotonic() - started >= 0.9 and left == []
        # a limit longer than a crawl should sit out is said, naming the call that met it
        server_long, _ = _answers(*[(429, {"Retry-After": "600"}, limited[2])] * 3)
        try:
            with pytest.raises(XrpcError) as raised:
                xrpc_call(f"http://127.0.0.1:{server_long.server_address[1]}", "com.atproto.server.getSession",
                          token="t")
        finally:
            server_long.shutdown()
    finally:
        server.shutdown()
    said = str(explain_login(raised.value, url, "scout.test", ""))
    assert "getSession (checking the saved session)" in said and "createSession" not in said



def test_a_refused_login_names_where_the_credentials_came_from(tmp_path):
    # A review: with both set through {"$env"} references, the message said to set the keys.
    with SandboxServer(size=50, seed=3, lifetime=120) as sb:
        config = tmp_path / "config.toml"
        config.write_text(f'database = "scout.db"\nplugins_dir = "none"\n[platforms.bluesky]\nbase_url = "{sb.url}"\n'
                          f'pds = "{sb.url}"\nhandle = {{"$env" = "TEAM_BSKY_H"}}\n'
                          f'app_password = {{"$env" = "TEAM_BSKY_PW"}}\n')
        result = run_crawl(config, "bluesky", "--hashtag", TAG,
                           env=crawl_env(TEAM_BSKY_H=IDENTIFIER, TEAM_BSKY_PW="wrong-pass-never-shown"))
    line = one_error_line(result)
    assert result.returncode == 2, result.stderr
    assert "the handle comes from $TEAM_BSKY_H (which platforms.bluesky.handle in" in line
    assert "the app password from $TEAM_BSKY_PW (which platforms.bluesky.app_password in" in line
    assert "set platforms.bluesky.handle" not in line and "wrong-pass-never-shown" not in result.stderr


def test_a_refresh_the_pds_rate_limits_says_when_to_come_back(tmp_path, server):
    # Reviews: refreshSession answered 429 with Retry-After 3600 (no RateLimit-Reset); the crawl
    # said to "try again after a while (the server did not say when)", though the server did;
    # then it failed the run (no --resume) while telling to --resume after the time. What needed
    # the session is now missing until then, the run incomplete and resumable after it.
    server.fake.expire_on_pages = {3}
    server.fake.refresh_429 = True
    config = write_config(tmp_path, server.url)
    env = fake_env(MICROSCOUT_MAX_RATE_WAIT="5")
    result = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert server.fake.session_calls.get("refreshSession") == 1  # not asked again before its time
    (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert run["status"] == "incomplete", (run["status"], stats.get("message"))
    whys = [w for p in stats["missing"]["hashtag_pages"] for w in [p["why"]]] + [
        w for m in stats["missing"]["profiles"] for w in m["why"]]
    said = "rate limited: Bluesky session could not be renewed: the server asked to wait 3,600 s (until "
    assert any(w.startswith(said) for w in whys), whys
    assert "did not say when" not in result.stderr and "run the same command with --resume after " in result.stderr
    # a --resume before then is not begun: nothing sent, the run as it was
    asked = len(server.log)
    early = run_crawl(config, "bluesky", "--hashtag", "kaffee", "--resume", env=env)
    assert early.returncode == 1 and len(server.log) == asked, early.stderr
    assert "not to ask before" in early.stderr


def test_a_renewal_the_pds_may_not_be_asked_for_yet_leaves_the_request_missing_not_the_session_lost():
    # Two reviews: a token expiring after the PDS had asked (a 429) not to be asked for an hour
    # was reported as "session_lost: Bluesky session could not be renewed: RateLimitedOut", and
    # then failed the run (no --resume) rather than leaving that request missing.
    import asyncio

    from microscout.crawlers.middlewares import BearerAuthMiddleware, RateLimitedOut

    why = "the server asked to wait 3,600 s (until 14:05:00 UTC), longer than MICROSCOUT_MAX_RATE_WAIT allows"

    async def download_async(request):
        raise RateLimitedOut(why)

    crawler = SimpleNamespace(spider=SimpleNamespace(session=SimpleNamespace(pds="http://pds.test", handle="a.test")),
                              engine=SimpleNamespace(download_async=download_async), stats=None)
    middleware = BearerAuthMiddleware(crawler)
    assert asyncio.run(middleware._renew(0)) == ("host_closed", f"Bluesky session could not be renewed: {why}")
    assert middleware.generation == 0 and middleware.waiting is None
    # The request that found its token expired is then refused as the host's others are (missing,
    # the run incomplete and resumable), not the run failed for a lost session.
    from scrapy import Request
    from scrapy.http import Response

    request = Request("http://pds.test/xrpc/app.bsky.feed.searchPosts", meta={"auth": True})
    with pytest.raises(RateLimitedOut, match="could not be renewed: the server asked to wait 3,600 s"):
        asyncio.run(middleware._expired(request, Response(request.url, status=400, request=request)))
    assert "session_problem" not in request.meta


def test_a_resume_before_the_pds_time_sends_it_nothing_not_even_the_session_check(tmp_path):
    # A review: the PDS answered searchPosts 429 Retry-After 30; a --resume a moment later sent
    # it getSession (the saved session's check, made before the crawl starts) all the same.
    from tests.crawlers.fakeserver import FakeServer, FaultMix

    env = fake_env(MICROSCOUT_MAX_RATE_WAIT="0.2")
    with FakeServer(faults=False, mix=FaultMix(rate_429=1.0, retry_after="30")) as server:
        config = write_config(tmp_path, server.url)
        first = run_crawl(config, "bluesky", "--hashtag", "kaffee", env=env)
        (run,) = rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")
        host = server.url.removeprefix("http://")
        assert run["status"] == "incomplete" and host in json.loads(run["stats"])["closed_until"], first.stderr
        asked = len(server.fake.log)
        early = run_crawl(config, "bluesky", "--hashtag", "kaffee", "--resume", env=env)
        sent = [e["path"] for e in server.fake.log[asked:]]
    assert sent == []
    assert early.returncode == 1 and "Traceback" not in early.stderr
    assert f"bluesky: {host} asked crawl run {run['id']} not to ask before " in early.stderr, early.stderr
    assert rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs") == [{"status": "incomplete"}]
