"""Property-based fuzzing of every crawl parser: whatever a server sends, the parsers answer
with items or a Malformed (or a pydantic ValidationError from the item models), never
another exception; the text helpers never raise at all, and stay linear in their input."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from microscout.crawlers import parse_bluesky as pb
from microscout.crawlers import parse_mastodon as pm
from microscout.crawlers.parse_common import Malformed, html_to_text, json_depth, link_next, load_json, tag_name
from tests.cost import cpu_cost

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# The names the parsers look up, so that generated objects reach past the first check.
KEYS = sorted({
    "id", "acct", "note", "avatar", "display_name", "url", "uri", "followers_count", "following_count",
    "statuses_count", "created_at", "last_status_at", "bot", "noindex", "discoverable", "indexable",
    "content", "tags", "name", "mentions", "reblog", "favourites_count", "replies_count", "reblogs_count",
    "quotes_count", "in_reply_to_id", "language", "account", "descendants", "configuration",
    "timelines_access", "hashtag_feeds", "local", "remote",
    "did", "handle", "displayName", "description", "followersCount", "followsCount", "postsCount",
    "createdAt", "labels", "val", "profiles", "record", "text", "facets", "features", "$type", "tag",
    "index", "byteStart", "byteEnd", "langs", "reply", "author", "likeCount", "replyCount", "repostCount",
    "quoteCount", "posts", "feed", "post", "reason", "thread", "replies", "followers", "follows", "cursor",
})
TYPES = ["app.bsky.richtext.facet#tag", "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#mention"]

scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True) | st.text(max_size=30) | st.sampled_from(TYPES + ["!no-unauthenticated", "bot"]))
keys = st.sampled_from(KEYS) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=30)
objects = st.dictionaries(keys, json_values, max_size=10)
bodies = json_values | objects | st.lists(objects, max_size=4)

OK = (Malformed, ValidationError)


def call(func, *args):
    try:
        func(*args)
    except OK:
        pass


@FUZZ
@given(bodies, st.text(max_size=20))
def test_mastodon_parsers_answer_items_or_malformed(body, host):
    call(pm.hashtag_feeds_access, body)
    call(pm.parse_account, body, host or "x.example")
    call(pm.parse_status, body, "me@x.example", "x.example")
    call(pm.parse_statuses, body, "me@x.example", "x.example")
    call(pm.tag_timeline_authors, body)
    call(pm.parse_context, body, "1", "me@x.example", "x.example", 5)
    call(pm.parse_followers, body, "me@x.example", "x.example")
    call(pm.opt_out_reason, body)
    call(pm.account_opted_out, body)
    call(pm.full_acct, body, host)


@FUZZ
@given(bodies)
def test_mastodon_lists_of_shaped_objects(body):
    # lists of objects whose fields are what the parsers expect, one level down
    wrapped = [body] if isinstance(body, dict) else body
    call(pm.parse_statuses, wrapped, "me@x.example", "x.example")
    call(pm.tag_timeline_authors, [{"account": body}, {"reblog": None, "account": {"acct": body}}])
    call(pm.parse_context, {"descendants": wrapped}, "1", "me@x.example", "x.example", 5)
    call(pm.parse_followers, wrapped, "me@x.example", "x.example")


@FUZZ
@given(bodies, st.text(max_size=20))
def test_bluesky_parsers_answer_items_or_malformed(body, text):
    call(pb.parse_profile, body)
    call(pb.parse_profiles, body)
    call(pb.parse_profiles, {"profiles": [body]})
    call(pb.facets, body)
    call(pb.parse_post, body, "did:plc:me")
    call(pb.parse_post, {"uri": "at://x/y/z", "record": body, "author": body}, "did:plc:me")
    call(pb.search_authors, body)
    call(pb.search_authors, {"posts": [body, {"author": body}]})
    call(pb.parse_author_feed, body, "did:plc:me")
    call(pb.parse_author_feed, {"feed": [body, {"post": body}]}, "did:plc:me")
    call(pb.parse_thread, body, "at://x/y/z", "did:plc:me", 5)
    call(pb.parse_thread, {"thread": {"replies": [body, {"post": body, "replies": [body]}]}}, "at://p", "did:plc:me", 5)
    call(pb.parse_followers, body, "did:plc:me")
    call(pb.parse_followers, {"followers": [body]}, "did:plc:me")
    call(pb.hydrate_followers, body, [{"platform": "bluesky", "profile_platform_id": "did:plc:me",
                                       "platform_id": "did:plc:f"}])
    call(pb.post_url, body, text)


@FUZZ
@given(st.text(max_size=40), st.lists(st.fixed_dictionaries({
    "index": st.fixed_dictionaries({"byteStart": st.integers(-3, 60), "byteEnd": st.integers(-3, 60)}),
    "features": st.lists(st.fixed_dictionaries({"$type": st.sampled_from(TYPES), "tag": json_values,
                                                "uri": json_values, "did": json_values}), max_size=2)}),
    max_size=3))
def test_bluesky_facets_at_any_byte_offsets(text, facets):
    call(pb.facets, {"text": text, "facets": facets})
    call(pb.parse_post, {"uri": "at://x/y/z", "record": {"text": text, "facets": facets, "createdAt": "2026"}},
         "did:plc:me")


HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<br>", "<br/>", "<a href='https://x/tags/t' class='mention hashtag' rel='tag'>", "</a>",
    "<span>", "</span>", "<a", "<", ">", "&amp;", "&", "&#", "&#x1F600;", "<!--", "-->", "<div>", "</html>",
    "<script>", "<![CDATA[", "\x00", "\ud800", "\t", "\n", " ", "#tag", "@who", "é", "<a href=\"", "'",
])
html_text = st.text(max_size=60) | st.lists(HTML_PIECES | st.text(max_size=5), max_size=40).map("".join)


@FUZZ
@given(html_text)
def test_text_helpers_never_raise(html):
    text, anchors = html_to_text(html)
    assert isinstance(text, str)
    for a in anchors:
        assert isinstance(a["href"], str) and isinstance(a["text"], str)
        assert all(isinstance(c, str) for c in a["class"] + a["rel"])
    assert isinstance(tag_name(html), str)
    assert link_next(html) is None or isinstance(link_next(html), str)
    assert link_next(html.encode("utf-8", "surrogatepass")) is None or True


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()) | html_text)
def test_load_json_answers_a_value_or_malformed(body):
    try:
        load_json(body, max_bytes=150)
    except Malformed as exc:
        assert exc.kind in ("bad_json", "bad_encoding", "too_deep", "body_too_large")


def test_load_json_bounds_depth_and_size():
    assert load_json(b"[" * 64 + b"]" * 64) is not None
    for body in (b"[" * 65 + b"]" * 65, b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[" * 200_000):
        with pytest.raises(Malformed) as info:
            load_json(body)
        assert info.value.kind == "too_deep"
    # brackets inside strings do not count; escaped quotes do not end a string
    assert load_json(json.dumps({"t": "[[[[" * 100, "u": '\\"{{{{' * 50}).encode())["t"].startswith("[[[[")
    assert json_depth('{"a": [1, {"b": "]]]]"}]}') == 3
    with pytest.raises(Malformed) as info:
        load_json(b"[1]" + b" " * 100, max_bytes=50)
    assert info.value.kind == "body_too_large"
    with pytest.raises(Malformed) as info:
        load_json(b"1" * 5000)  # an integer too long for Python to convert
    assert info.value.kind == "bad_json"


# "<b> \t": blanks with no newline after them, which are kept (only blanks before a newline go)
@pytest.mark.parametrize("piece", ["<a", "<a ", "<a x='", "<p>", '<a href="x">', "&#", "<!--", "<b>x", "<b> \t"])
def test_html_to_text_is_linear_in_hostile_input(piece):
    assert cpu_cost(html_to_text, piece * 20_000) < 1.0
    small, large = cpu_cost(html_to_text, piece * 5_000, 5), cpu_cost(html_to_text, piece * 40_000, 5)
    # eight times the input costs about eight times as much; quadratic would be sixty-four
    assert large < 24 * small + 0.02


def test_hostile_bio_in_an_account_costs_under_a_second():
    account = {"id": "1", "acct": "a", "note": "<a" * 20_000, "followers_count": 1}
    assert cpu_cost(lambda a: pm.parse_account(a, "x.example"), account) < 1.0
    assert cpu_cost(link_next, "<" * 100_000) < 1.0


def test_ordinary_html_text_is_unchanged():
    html = ('<p>New <a href="https://x/tags/Spring" class="mention hashtag" rel="tag">#<span>Spring</span></a> '
            'with <span class="h-card"><a href="https://x/@brand" class="u-url mention">@<span>brand</span></a>'
            '</span> &amp; friends<br>#ad</p><p>second &lt;para&gt;</p>')
    text, anchors = html_to_text(html)
    assert text == "New #Spring with @brand & friends\n#ad\n\nsecond <para>"
    assert [(a["href"], a["class"], a["rel"], a["text"]) for a in anchors] == [
        ("https://x/tags/Spring", ["mention", "hashtag"], ["tag"], "#Spring"),
        ("https://x/@brand", ["u-url", "mention"], [], "@brand")]
    assert html_to_text("plain &amp; simple ") == ("plain & simple", [])
    assert html_to_text("a < b")[0] == "a < b"
    assert html_to_text(None) == ("", [])
