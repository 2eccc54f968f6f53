"""A server that repeats the request in its error answers (its Authorization or
X-Goog-Api-Key header, a login's body: some proxies, gateways and debug builds do) must not
carry a secret into what the crawl reports of that answer: the console, --json, the log at
DEBUG, the run's record in the database or the job folder. Real crawls through the CLI
against an echoing server on 127.0.0.1, which gzips its answers as real APIs do."""
from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.crawlers.conftest import crawl_env, run_crawl

YT_KEY = "SECRET-yt-7f3a9"
IG_TOKEN = "IGQ-SECRET-123"
TT_KEY, TT_SECRET = "TTK-CLIENTKEY-55aa", "TTS-CLIENTSECRET-99zz"
TT_TOKEN = "clt.ECHOTOKEN0123456789abcdef0123"       # what the token endpoint hands out
BSKY_HANDLE, BSKY_PASSWORD = "scout.echo.test", "abcd-efgh-ijkl-mnop"
BSKY_ACCESS = "eyJ0eXAiOiJhdCtqd3QifQ.eyJlY2hvLWFjY2Vzcy03NzEifQ.c2ln"
SECRETS = (YT_KEY, IG_TOKEN, TT_KEY, TT_SECRET, TT_TOKEN, BSKY_PASSWORD, BSKY_ACCESS, BSKY_ACCESS + "R")


class Echo(BaseHTTPRequestHandler):
    refuse_login = False

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size).decode("utf-8", "replace") if size else ""
        echo = (f"auth={self.headers.get('Authorization')} key={self.headers.get('X-Goog-Api-Key')} "
                f"proxy={self.headers.get('atproto-proxy')} "
                f"body={body} {self.command} {self.path}")
        path = self.path
        if path.startswith("/robots.txt"):
            return self._send(404, {"error": "not found"})
        if path.startswith("/v2/oauth/token/"):
            return self._send(200, {"access_token": TT_TOKEN, "expires_in": 7200, "token_type": "Bearer"})
        if path.startswith("/xrpc/com.atproto.server.createSession"):
            if self.refuse_login:
                return self._send(401, {"error": "AuthenticationRequired", "message": echo})
            return self._send(200, {"accessJwt": BSKY_ACCESS, "refreshJwt": BSKY_ACCESS + "R",
                                    "handle": BSKY_HANDLE, "did": "did:plc:echo"})
        if "recently_searched_hashtags" in path:
            return self._send(200, {"data": []})
        if path.startswith("/youtube/v3"):
            return self._send(400, {"error": {"code": 400, "message": echo,
                                              "errors": [{"message": echo, "reason": "badRequest"}]}})
        if path.startswith("/v21.0"):
            return self._send(400, {"error": {"message": echo, "type": "OAuthException", "code": 100}})
        if path.startswith("/v2/"):
            return self._send(400, {"data": {}, "error": {"code": "invalid_params", "message": echo, "log_id": "1"}})
        return self._send(400, {"error": "InvalidRequest", "message": echo})

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        zipped = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if zipped:
            data = gzip.compress(data)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def echo_server():
    servers = []

    def start(refuse_login: bool = False) -> str:
        handler = type("EchoHandler", (Echo,), {"refuse_login": refuse_login})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def config_for(folder: Path, url: str) -> Path:
    config = folder / "config.toml"
    config.write_text(f"""
database = "echo.db"
plugins_dir = "none"
[platforms.bluesky]
base_url = "{url}"
pds = "{url}"
handle = {{"$env" = "ECHO_BSKY_HANDLE"}}
app_password = {{"$env" = "ECHO_BSKY_PASSWORD"}}
[platforms.youtube]
base_url = "{url}/youtube/v3"
api_key = {{"$env" = "ECHO_YT_KEY"}}
[platforms.instagram]
base_url = "{url}/v21.0"
ig_user_id = "17841400000000001"
[platforms.tiktok]
base_url = "{url}"
[crawl]
retry_times = 1
""")
    return config


def env() -> dict:
    return crawl_env(ECHO_YT_KEY=YT_KEY, MICROSCOUT_INSTAGRAM_TOKEN=IG_TOKEN, MICROSCOUT_TIKTOK_CLIENT_KEY=TT_KEY,
                     MICROSCOUT_TIKTOK_CLIENT_SECRET=TT_SECRET, ECHO_BSKY_HANDLE=BSKY_HANDLE,
                     ECHO_BSKY_PASSWORD=BSKY_PASSWORD, MICROSCOUT_LOG_LEVEL="DEBUG", MICROSCOUT_MAX_RATE_WAIT="0.1")


def leaks(result, folder: Path) -> list[str]:
    """Where a secret shows: the console, or any file the crawl left (database, WAL, job folder)."""
    found = [f"{where}: {s}" for where, text in (("stdout", result.stdout), ("stderr", result.stderr))
             for s in SECRETS if s in text]
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "config.toml":
            data = path.read_bytes()
            found += [f"{path.relative_to(folder)}: {s}" for s in SECRETS if s.encode() in data]
    return found


@pytest.mark.parametrize("platform, handle", [
    ("tiktok", "somebody"), ("bluesky", "somebody.bsky.social"), ("youtube", "@somebody"), ("instagram", "somebody"),
])
def test_an_api_repeating_the_request_in_its_errors_gets_no_secret_into_the_run(tmp_path, echo_server, platform,
                                                                                handle):
    # Before: TikTok's refusals (invalid_params, 429) and Bluesky's proxied-search refusals were
    # repeated with the server's words, which held "Bearer <token>": in the summary, --json,
    # crawl_runs (message, stats, missing), the log and the job folder's spider.state.
    config = config_for(tmp_path, echo_server())
    result = run_crawl(config, platform, "--hashtag", "veganrecipes", "--handle", handle, "--json", env=env())
    assert result.returncode in (1, 2), result.stderr[-2000:]
    assert "[redacted]" in result.stdout + result.stderr or platform in ("youtube", "instagram")
    assert leaks(result, tmp_path) == []


def test_a_refused_bluesky_login_does_not_repeat_the_app_password(tmp_path, echo_server):
    # Before: "Bluesky login at … was refused (401 AuthenticationRequired: … "password": "abcd-…")"
    config = config_for(tmp_path, echo_server(refuse_login=True))
    result = run_crawl(config, "bluesky", "--hashtag", "veganrecipes", env=env())
    assert result.returncode == 2 and "was refused" in result.stderr, result.stderr[-2000:]
    assert "[redacted]" in result.stderr
    assert leaks(result, tmp_path) == []


class Sink(BaseHTTPRequestHandler):
    """Another server: whatever reaches it is recorded in ``seen``."""

    seen: list = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._record()

    def do_POST(self) -> None:
        self._record()

    def _record(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size).decode("utf-8", "replace") if size else ""
        self.seen.append(f"{self.command} {self.path} auth={self.headers.get('Authorization')} body={body}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Redirect(BaseHTTPRequestHandler):
    """A configured server that sends every call (its robots.txt aside) on to ``target``."""

    target = ""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._send_on()

    def do_POST(self) -> None:
        self._send_on()

    def _send_on(self) -> None:
        self.send_response(404 if self.path.startswith("/robots.txt") else 302)
        self.send_header("Location", self.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def redirected():
    """(the configured server's URL, what reached the other server it redirects to)."""
    seen: list[str] = []
    sink = ThreadingHTTPServer(("127.0.0.1", 0), type("SinkHandler", (Sink,), {"seen": seen}))
    target = f"http://127.0.0.1:{sink.server_address[1]}"
    front = ThreadingHTTPServer(("127.0.0.1", 0), type("RedirectHandler", (Redirect,), {"target": target}))
    for server in (sink, front):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{front.server_address[1]}", seen
    for server in (sink, front):
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("platform", ["instagram", "tiktok", "bluesky"])
def test_a_login_or_preflight_redirected_to_another_server_is_not_followed(tmp_path, redirected, platform):
    # Before: the calls made before the crawl starts (Instagram's recently_searched_hashtags,
    # TikTok's token, Bluesky's createSession) went through urllib, which follows a redirect
    # anywhere and takes the request's headers along: the Instagram token reached the other server.
    url, seen = redirected
    result = run_crawl(config_for(tmp_path, url), platform, "--hashtag", "veganrecipes", "--handle", "somebody",
                       env=env())
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert seen == []
    assert leaks(result, tmp_path) == []
    assert "a redirect to another server (http://127.0.0.1:" in result.stderr, result.stderr
    if platform == "bluesky":  # it said "failed (302 HTTP 302); try again later", exit 1
        assert result.returncode == 2 and "if the PDS moved, set --pds" in result.stderr, result.stderr
        assert "try again later" not in result.stderr


def test_a_bluesky_session_call_redirected_to_another_server_keeps_its_token(redirected):
    # Before: getSession (a saved session's check) and refreshSession went to the other server
    # with "Authorization: Bearer <token>"; so did logout's deleteSession.
    from microscout.crawlers.bsky_session import XrpcError, xrpc_call

    url, seen = redirected
    for method in ("com.atproto.server.getSession", "com.atproto.server.refreshSession",
                   "com.atproto.server.deleteSession"):
        with pytest.raises(XrpcError) as refused:
            xrpc_call(url, method, token=BSKY_ACCESS, attempts=1)
        assert refused.value.status == 302
    assert seen == []
