"""parse_tiktok on every file of shared/fixtures/tiktok (real recordings and doc examples)."""
import json
from pathlib import Path

import pytest

from microscout.crawlers import parse_tiktok as pt
from microscout.crawlers.parse_common import Malformed, load_json

FILES = ["error_invalid_params.json", "oauth_token.doc-example.json", "user_followers.doc-example.json",
         "user_info.doc-example.json", "video_query_page1.json"]


def fixture(shared_dir: Path, name: str):
    path = shared_dir / "fixtures" / "tiktok" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return load_json(path.read_bytes())


def test_every_fixture_is_covered_here(shared_dir):
    assert sorted(p.name for p in (shared_dir / "fixtures" / "tiktok").iterdir()) == sorted(FILES)


def test_video_query_page(shared_dir):
    body = fixture(shared_dir, "video_query_page1.json")
    posts, cursor, has_more, search_id = pt.parse_videos(body)
    assert (len(posts), cursor, has_more, search_id) == (27, 100, True, "7354367454467855403")
    first = posts[0]
    # int64 ids stay exact (7320768196569599275 is not representable as a float)
    assert first.platform_id == "7320768196569599275"
    assert (first.platform, first.profile_platform_id) == ("tiktok", "s.clovis")
    assert first.text == "#duet with @MarvelKitties2022 #cats "
    assert first.created_at == "2024-01-05T23:59:56Z"
    assert (first.likes, first.replies, first.reposts, first.views) == (6, 0, 0, 4)
    assert first.hashtags == ["cats", "duet"]
    # the account a description names is stored as a mention, as on the other platforms
    assert first.mentions == ["marvelkitties2022"] and first.links == []
    # "@😻cute cats" names no username
    assert next(p for p in posts if "@😻" in p.text).mentions == []
    assert pt.mentions("ask me@mail.example or @a.b_c. see https://x.example/@nope") == ["a.b_c"]
    assert pt.links("shop: https://shop.example/x). #ad") == ["https://shop.example/x"]
    assert pt.links("link in bio👉https://shop.example/x🔥 #ad") == ["https://shop.example/x"]
    # a name in letters no TikTok username holds, or longer than one, is no mention of the
    # account its first letters would name (@josé is not @jos)
    assert pt.mentions("cooking with @josé_cooks and @müller, thanks @" + "a" * 30 + " and @ana.") == ["ana"]
    # nor is a name whose "." runs on into such letters (@ana.béa is not @ana)
    assert pt.mentions("with @ana.béa and @bo.") == ["bo"]
    assert first.url == "https://www.tiktok.com/@s.clovis/video/7320768196569599275"
    # a video the API sent without like_count: unknown, not 0
    no_likes = next(p for p in posts if p.profile_platform_id == "illyonz")
    assert no_likes.likes is None and no_likes.views == 0
    # hashtags with emoji are kept as written, lower-cased
    assert "cubanosporelmundo🇨🇺" in next(p for p in posts if p.profile_platform_id == "reynitorres122").hashtags
    assert pt.video_authors(body)[:3] == ["s.clovis", "rokxz", "meowmeowmamma"]
    assert pt.api_error(body) is None


def test_error_body(shared_dir):
    body = fixture(shared_dir, "error_invalid_params.json")
    assert pt.api_error(body) == ("invalid_params", "Invalid count or cursor")
    with pytest.raises(Malformed) as info:
        pt.parse_videos(body)
    assert info.value.kind == "api_error" and "invalid_params" in str(info.value)


def test_token(shared_dir):
    body = fixture(shared_dir, "oauth_token.doc-example.json")
    assert pt.parse_token(body) == ("clt.example12345Example12345Example", 7200)
    refused = {"error": "invalid_client", "error_description": "Client key or secret is incorrect.", "log_id": "x"}
    assert pt.api_error(refused) == ("invalid_client", "Client key or secret is incorrect.")
    with pytest.raises(Malformed):
        pt.parse_token(refused)


def test_user_info(shared_dir):
    item = pt.parse_user(fixture(shared_dir, "user_info.doc-example.json"), "someone")
    assert (item.platform, item.platform_id, item.handle) == ("tiktok", "someone", "someone")
    assert (item.display_name, item.bio, item.has_avatar) == ("my nick name", "my_bio", True)
    assert (item.followers, item.following, item.posts_count) == (232, 45, 44)
    assert item.url == "https://www.tiktok.com/@someone"


def test_user_info_without_avatar_field_is_unknown():
    body = {"data": {"display_name": "x", "follower_count": 3}, "error": {"code": "ok", "message": ""}}
    item = pt.parse_user(body, "x")
    assert item.has_avatar is None and item.following is None and item.posts_count is None


def test_followers(shared_dir):
    followers, cursor, has_more = pt.parse_followers(fixture(shared_dir, "user_followers.doc-example.json"), "owner")
    assert (cursor, has_more) == (1706837834, True)
    assert [(f.platform_id, f.display_name) for f in followers] == [
        ("test_username", "test user"), ("test user 2", "test_username2")]
    # the endpoint gives names only: every count is unknown
    assert all(f.followers is None and f.following is None and f.posts_count is None for f in followers)
    assert {f.profile_platform_id for f in followers} == {"owner"}


def test_comments():
    body = {"data": {"comments": [
        {"id": 7333333333333333333, "video_id": 7320768196569599275, "text": "so cute", "like_count": 2,
         "reply_count": 0, "create_time": 1704499300}], "cursor": 1, "has_more": False},
        "error": {"code": "ok", "message": "", "log_id": "x"}}
    comments, cursor, has_more = pt.parse_comments(body, "owner", "7320768196569599275")
    assert (cursor, has_more) == (1, False)
    (c,) = comments
    assert (c.platform_id, c.post_platform_id, c.text, c.likes) == (
        "7333333333333333333", "7320768196569599275", "so cute", 2)
    assert c.author_id is None and c.created_at == "2024-01-06T00:01:40Z"


@pytest.mark.parametrize("video, why", [
    ({"id": 7.320768196569599e18, "username": "a", "create_time": 1}, "float id (digits lost)"),
    ({"id": 1, "create_time": 1}, "no username"),
    ({"id": 1, "username": "a"}, "no create_time"),
    ({"id": 1, "username": "a", "create_time": 1, "like_count": "5"}, "count as a string"),
])
def test_malformed_videos_are_refused(video, why):
    body = {"data": {"videos": [video]}, "error": {"code": "ok"}}
    with pytest.raises((Malformed, ValueError)):
        pt.parse_videos(body)


def test_string_ids_are_accepted():
    body = json.loads('{"data": {"videos": [{"id": "7320768196569599275", "username": "a", "create_time": 1}]},'
                      '"error": {"code": "ok"}}')
    (post,), _, has_more, _ = pt.parse_videos(body)
    assert post.platform_id == "7320768196569599275" and has_more is False


@pytest.mark.parametrize("code, message, outcome", [
    ("invalid_params", "The user 'x' is private; the Research API serves public accounts only.", "private"),
    ("invalid_params", "The user 'x' does not exist.", "not_found"),
    ("invalid_params", "User not found", "not_found"),
    ("user_not_found", "", "not_found"),
    ("invalid_params", "Invalid parameter: fields", None),
    ("invalid_params", "The request body must be a JSON object.", None),
    ("internal_error", "user does not exist", None),
])
def test_user_refusal_is_about_the_user_only_when_it_says_so(code, message, outcome):
    assert pt.user_refusal(code, message) == outcome


def test_daily_quota_and_cursor_words():
    assert pt.daily_quota("daily_quota_limit_exceeded", "")
    assert pt.daily_quota("rate_limit_exceeded", "Daily quota limit exceeded")
    assert not pt.daily_quota("rate_limit_exceeded", "API rate limit was exceeded, please try again later.")
    assert pt.cursor_refusal("Invalid count or cursor") and pt.cursor_refusal("Invalid search_id")
    assert not pt.cursor_refusal("Invalid query")


def test_a_token_endpoint_that_fails_once_is_asked_again_and_refused_credentials_are_not(monkeypatch):
    """A real HTTP server on 127.0.0.1: a 502 (or a page that is no token) passes; a 401 does not."""
    import http.server
    import threading

    from microscout.crawlers.credentials import CrawlProblem
    from microscout.crawlers.spiders.tiktok import Token

    answers: list[tuple[int, bytes]] = []
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = answers.pop(0)
            asked.append(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(Token, "RENEW_WAIT", 0.01)
    url = f"http://127.0.0.1:{server.server_address[1]}/v2/oauth/token/"
    try:
        answers[:] = [(502, b"<html>Bad Gateway</html>"), (200, b"<html>cached page</html>"),
                      (200, b'{"access_token": "act.x", "expires_in": 7200, "token_type": "Bearer"}')]
        token = Token(url, "key", "secret")
        token.renew()
        assert token.value == "act.x" and len(asked) == 3
        answers[:] = [(401, b'{"error": "invalid_client", "error_description": "bad"}')]
        asked.clear()
        with pytest.raises(CrawlProblem, match="TikTok refused the client credentials"):
            Token(url, "key", "secret").renew()
        assert len(asked) == 1  # refused credentials are not asked again
    finally:
        server.shutdown()
        server.server_close()
