"""Parsers on the real recordings (shared/fixtures) and on fixtures written from the docs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from microscout.crawlers import parse_bluesky as pb
from microscout.crawlers import parse_mastodon as pm
from microscout.crawlers.items import OptOutItem, ProfileItem
from microscout.crawlers.parse_common import Malformed, html_to_text, link_next

HERE = Path(__file__).parent / "fixtures"
HOST = "localhost:3000"


def cassette(shared_dir: Path, name: str) -> list[dict]:
    return yaml.safe_load((shared_dir / "fixtures" / "mastodon" / name).read_text())["interactions"]


def response(shared_dir: Path, name: str, method: str, uri_part: str) -> tuple[dict | list, dict]:
    for it in cassette(shared_dir, name):
        if it["request"]["method"] == method and uri_part in it["request"]["uri"]:
            r = it["response"]
            return json.loads(r["body"]["string"]), r["headers"]
    raise AssertionError(f"{name}: no {method} {uri_part}")


def local(name: str):
    return json.loads((HERE / name).read_text())


# -- Mastodon, real recordings -----------------------------------------------------------
def test_hashtag_timeline_recording(shared_dir):
    body, headers = response(shared_dir, "test_hashtag_tl.yaml", "GET", "/timelines/tag/hoot")
    assert pm.tag_timeline_authors(body) == ["mastodonpy_test_2"]
    assert link_next(headers["link"][0]) == "http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701"
    post = pm.parse_statuses(body, "mastodonpy_test_2@localhost:3000", HOST)[0]
    assert post.platform_id == "117020593741189701"
    assert post.text == "#hoot (hashtag toot)"
    assert post.hashtags == ["hoot"]
    assert post.links == [] and post.mentions == []
    assert (post.likes, post.reposts, post.replies, post.quotes) == (0, 0, 0, 0)
    assert post.language == "ja" and post.is_reply is False


def test_instance_recording_says_hashtag_feeds_are_public(shared_dir):
    body, _ = response(shared_dir, "test_hashtag_tl.yaml", "GET", "/api/v2/instance")
    assert pm.hashtag_feeds_access(body) == {"local": "public", "remote": "public"}
    assert pm.hashtag_feeds_access({"domain": "old.example"}) == {"local": "public", "remote": "public"}
    limited = {"configuration": {"timelines_access": {"hashtag_feeds": {"local": "authenticated", "remote": "disabled"}}}}
    assert pm.hashtag_feeds_access(limited) == {"local": "authenticated", "remote": "disabled"}


def test_account_lookup_recording(shared_dir):
    body, headers = response(shared_dir, "test_account_lookup.yaml", "GET", "acct=mastodonpy_test")
    item = pm.parse_account(body, HOST)
    assert isinstance(item, ProfileItem)
    assert item.platform_id == "mastodonpy_test@localhost:3000" == item.handle  # local acct gets the host
    assert item.api_id == "117020565966271181" and item.instance == HOST
    assert item.bio == "I walk funny"
    assert item.followers == 0 and item.created_at.startswith("2026-08-01")
    assert item.last_post_at == "2026-08-01" and item.has_avatar is True
    missing, _ = response(shared_dir, "test_account_lookup.yaml", "GET", "kljadklajsd")
    with pytest.raises(Malformed):
        pm.parse_account(missing, HOST)  # the 404 body {"error": …} is no account
    assert item.website is None  # its fields ("bread": "toasty.") are unverified text, no website


def test_a_verified_profile_fields_link_is_the_accounts_website(shared_dir):
    body, _ = response(shared_dir, "test_account_lookup.yaml", "GET", "acct=mastodonpy_test")
    link = ('<a href="https://toast.example/" target="_blank" rel="nofollow noopener noreferrer me" translate="no">'
            '<span class="invisible">https://</span><span class="">toast.example/</span>'
            '<span class="invisible"></span></a>')
    # the recording's first field, as Mastodon serializes a link its server verified
    body["fields"][0].update(value=link, verified_at="2026-08-01T12:00:00.000+00:00")
    assert pm.parse_account(body, HOST).website == "https://toast.example/"
    body["fields"][0]["verified_at"] = None  # the same link unverified: anyone's claim
    assert pm.parse_account(body, HOST).website is None
    body["fields"][0].update(value='<a href="javascript:alert(1)">click</a>', verified_at="2026-08-01T12:00:00Z")
    assert pm.parse_account(body, HOST).website is None


def test_account_recording_and_followers(shared_dir):
    body, _ = response(shared_dir, "test_account.yaml", "GET", "/accounts/117020457910412882")
    item = pm.parse_account(body, HOST)
    assert item.platform_id.endswith("@localhost:3000")
    followers, headers = response(shared_dir, "test_account_followers.yaml", "GET", "/followers")
    assert pm.parse_followers(followers, item.platform_id, HOST) == []
    assert "x-ratelimit-remaining" in headers


def test_statuses_pages_follow_link_recording(shared_dir):
    interactions = [it for it in cassette(shared_dir, "test_fetch_next_previous.yaml")
                    if "/statuses?limit=5" in it["request"]["uri"]]
    first = interactions[0]["response"]
    body = json.loads(first["body"]["string"])
    posts = pm.parse_statuses(body, "mastodonpy_test@localhost:3000", HOST)
    assert len(posts) == 5 and all(p.platform_id.isdigit() for p in posts)
    nxt = link_next(first["headers"]["link"][0])
    assert nxt == interactions[1]["request"]["uri"]  # the crawler follows the server's link, never builds max_id


def test_context_and_public_timeline_recordings(shared_dir):
    context, _ = response(shared_dir, "test_status_context.yaml", "GET", "/context")
    assert pm.parse_context(context, "117020585487094447", "a@b", HOST, 20) == []
    timeline, _ = response(shared_dir, "test_public_tl_anonymous.yaml", "GET", "/timelines/public")
    posts = pm.parse_statuses(timeline, "x@y", HOST)
    assert len(posts) == 8
    assert posts[1].text == "you can't say that on television"  # entities decoded
    mention_post = posts[4]
    assert mention_post.mentions and all("@" in m for m in mention_post.mentions)
    assert pm.tag_timeline_authors(timeline) == ["mastodonpy_test_2", "admin"]


# -- Mastodon, fixtures from the docs ------------------------------------------------------
def test_opt_outs_keep_only_id_and_reason():
    accounts = local("mastodon_accounts.json")
    quiet = pm.parse_account(accounts["noindex"], "example.social")
    assert isinstance(quiet, OptOutItem)
    row = quiet.row()
    assert row["platform_id"] == "quiet@example.social" and row["handle"] == ""
    assert row["opted_out"] == 1 and row["opt_out_reason"] == "noindex"
    assert all(row[k] is None for k in ("bio", "display_name", "followers", "following", "posts_count", "url"))
    shy = pm.parse_account(accounts["undiscoverable"], "example.social")
    assert isinstance(shy, OptOutItem) and shy.opt_out_reason == "discoverable=false"
    indexable = {**accounts["remote"], "indexable": False}
    assert pm.parse_account(indexable, "example.social").opt_out_reason == "indexable=false"
    # The fediverse's "no bots here": #nobot in the bio (as Mastodon renders a tag) or a field.
    nobot = {**accounts["remote"], "note": '<p>Baker. <a href="https://x/tags/nobot" class="mention hashtag" '
                                           'rel="tag">#<span>NoBot</span></a></p>'}
    assert pm.parse_account(nobot, "example.social").opt_out_reason == "#nobot in the bio"
    field = {**accounts["remote"], "fields": [{"name": "bots", "value": "#noindex please"}]}
    assert pm.parse_account(field, "example.social").opt_out_reason == "#noindex in the bio"
    # ...never a word that merely begins so, nor a tag about bots
    for note in ("#nobotherdays", "I love #bots", "no bot can bake"):
        assert isinstance(pm.parse_account({**accounts["remote"], "note": note}, "example.social"), ProfileItem)


def test_suspended_and_moved_accounts_are_no_creators():
    # Mastodon's REST::AccountSerializer: `suspended: true` (profile emptied, discoverable false)
    # is no opt-out of the person's; `moved` is the Account it moved to (entities/Account.md:
    # "the profile is currently inactive and its user has moved to a new account").
    remote = local("mastodon_accounts.json")["remote"]
    suspended = {**remote, "suspended": True, "note": "", "discoverable": False, "indexable": False, "fields": []}
    assert pm.parse_account(suspended, "mastodon.social") == pm.Inactive("baker@bread.example", "suspended")
    moved = {**remote, "moved": {**remote, "id": "1", "username": "baker", "acct": "baker@new.example"}}
    assert pm.parse_account(moved, "mastodon.social") == pm.Inactive("baker@bread.example", "moved",
                                                                     "baker@new.example")
    local_move = {**remote, "moved": {**remote, "acct": "baker2"}}
    assert pm.parse_account(local_move, "mastodon.social").moved_to == "baker2@mastodon.social"
    assert isinstance(pm.parse_account({**remote, "moved": None, "limited": False}, "x"), ProfileItem)


def test_remote_account_keeps_the_crawled_instance():
    item = pm.parse_account(local("mastodon_accounts.json")["remote"], "mastodon.social")
    assert item.platform_id == "baker@bread.example" == item.handle
    assert item.instance == "mastodon.social" and item.api_id == "109876543210"
    assert item.followers == 4321 and item.bridged is False
    assert item.bio == "Sourdough & rye. #sourdough @Gargron\nShop: https://bakery.example/"


def test_a_hidden_count_is_unknown_not_negative():
    # Mastodon forks that let users hide their follower count serialize it as -1
    # (REST::AccountSerializer#followers_count: `hide_followers_count ? -1 : followers_count`).
    # A -1 judged as a count put a creator "below every tier" and made a sampled follower
    # "not followed back" (following >= 10 x -1): unknown, as a hidden count is.
    remote = local("mastodon_accounts.json")["remote"]
    hidden = {**remote, "followers_count": -1, "following_count": -1, "statuses_count": -1}
    item = pm.parse_account(hidden, "mastodon.social")
    assert (item.followers, item.following, item.posts_count) == (None, None, None)
    (follower,) = pm.parse_followers([hidden], "creator@mastodon.social", "mastodon.social")
    assert (follower.followers, follower.following, follower.posts_count) == (None, None, None)
    assert pm.parse_account({**remote, "followers_count": 0}, "mastodon.social").followers == 0


def test_bridged_account_is_marked():
    accounts = local("mastodon_accounts.json")
    assert pm.is_bridged("someone.bsky.social@bsky.brid.gy")
    assert pm.parse_account(accounts["bridged"], "mastodon.social").bridged is True
    assert not pm.is_bridged("baker@bread.example")


def test_status_html_hashtags_mentions_links():
    status = {
        "id": "1", "created_at": "2026-10-01T10:00:00.000Z", "in_reply_to_id": "0", "language": "en",
        "content": '<p>New <a href="https://x/tags/SpringCollection" class="mention hashtag" rel="tag">#<span>SpringCollection</span></a> '
                   'with <span class="h-card"><a href="https://x/@brand" class="u-url mention">@<span>brand</span></a></span>'
                   ' <a href="https://shop.example/p?id=3" rel="nofollow noopener" target="_blank">shop.example/p</a><br>#ad</p>',
        "tags": [{"name": "springcollection"}, {"name": "ad"}],
        "mentions": [{"acct": "brand@brands.example"}], "reblog": None,
        "favourites_count": 3, "reblogs_count": 1, "replies_count": 2,
    }
    post = pm.parse_status(status, "me@x", "x")
    # a link its server showed shortened is stored whole, where the signals read its id
    assert post.text == "New #SpringCollection with @brand https://shop.example/p?id=3\n#ad"
    assert post.hashtags == ["springcollection", "ad"]
    assert post.mentions == ["brand@brands.example"]
    assert post.links == ["https://shop.example/p?id=3"]
    assert post.is_reply is True and post.quotes is None
    assert pm.parse_status({**status, "reblog": {"id": "9"}}, "me@x", "x") is None
    # a link behind other words (as Misskey or Akkoma write one) follows the text after a blank line
    hidden = pm.parse_status({**status, "content": '<p>My serum <a href="https://amzn.to/3xYz9">here</a></p>'},
                             "me@x", "x")
    assert hidden.text == "My serum here\n\nhttps://amzn.to/3xYz9" and hidden.links == ["https://amzn.to/3xYz9"]
    # a reply's shortened link is written out too, its hidden one not added
    context = {"ancestors": [], "descendants": [
        {**status, "id": "2", "in_reply_to_id": "1", "account": {"id": "7", "acct": "fan@y", "username": "fan"},
         "content": '<p>same <a href="https://shop.example/p?id=3">shop.example/p</a> '
                    '<a href="https://amzn.to/3xYz9">here</a></p>'}]}
    (reply,) = pm.parse_context(context, "1", "me@x", "x", 10)
    assert reply.text == "same https://shop.example/p?id=3 here"


def test_malformed_mastodon_bodies():
    with pytest.raises(Malformed):
        pm.tag_timeline_authors({"error": "This method requires an authenticated user"})
    with pytest.raises(Malformed):
        pm.parse_statuses([{"content": "<p>no id</p>"}], "a@b", "b")
    with pytest.raises(Malformed, match="expected a count, got dict"):
        pm.parse_account({"id": "1", "acct": "a", "followers_count": {"n": 1}}, "b")


def test_link_header_variants():
    assert link_next('<https://a/x?max_id=5>; rel="next"') == "https://a/x?max_id=5"
    assert link_next('<https://a/p>; rel="prev", <https://a/n>; rel="next"') == "https://a/n"
    assert link_next('<https://a/p>; rel="prev"') is None
    assert link_next(None) is None
    assert html_to_text("<p>a</p><p>b &amp; c</p>")[0] == "a\n\nb & c"


# -- Bluesky, real recordings --------------------------------------------------------------
def test_follows_recording(shared_dir):
    body = json.loads((shared_dir / "fixtures/bluesky/get_follows.json").read_text())
    followers = pb.parse_followers(body, "did:plc:kvwvcn5iqfooopmyzvb4qzba")
    assert len(followers) == 6
    first = followers[0]
    assert first.platform_id == "did:plc:vpkhqolt662uhesyj6nxm7ys" and first.handle == "why.bsky.team"
    assert first.has_avatar is True and first.followers is None  # profileView has no counts: missing, not 0
    assert first.created_at == "2022-11-17T01:04:43.624Z"


def test_thread_recording(shared_dir):
    body = json.loads((shared_dir / "fixtures/bluesky/thread_view_post_with_embed_media.json").read_text())
    uri = body["thread"]["post"]["uri"]
    assert pb.parse_thread(body, uri, "did:plc:kvwvcn5iqfooopmyzvb4qzba", 20) == []
    post = pb.parse_post(body["thread"]["post"], "did:plc:kvwvcn5iqfooopmyzvb4qzba")
    assert post.platform_id == uri and post.language == "en" and post.text == ""
    assert post.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"


def test_post_record_recording(shared_dir):
    record = json.loads((shared_dir / "fixtures/bluesky/post_record.json").read_text())
    assert pb.facets(record["value"]) == ([], [], [])
    post = pb.parse_post({"uri": record["uri"], "record": record["value"]}, "did:plc:kvwvcn5iqfooopmyzvb4qzba")
    assert post.text == "new text114" and post.likes is None


def _link_facet(text: str, shown: str, uri: str) -> dict:
    start = len(text[:text.index(shown)].encode("utf-8"))
    return {"index": {"byteStart": start, "byteEnd": start + len(shown.encode("utf-8"))},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}]}


def test_a_link_the_app_shortened_is_stored_whole_and_read_as_the_affiliate_link_it_is():
    """Bluesky's app shows a link without its scheme, a long one as its host and the start of
    its path cut with "..." (social-app's toShortUrl); the link facet holds the URI. The part
    cut off is what says affiliate (?tag=): the stored text has each link whole where an app
    shortened it, and other words for a link as they were written."""
    from microscout.heuristics.sponsored import analyse_post

    amazon = "https://www.amazon.com/dp/B0CX123456?tag=glow-20"
    text = ("Mon sérum préféré 🧴✨ www.amazon.com/dp/B0CX12345...\n"
            "my shop\namzn.to/3xYz9\nnews: example.org/a-very-lon…")
    record = {"text": text, "createdAt": "2026-11-30T10:00:00Z", "facets": [
        _link_facet(text, "www.amazon.com/dp/B0CX12345...", amazon),
        _link_facet(text, "my shop", "https://shop.example/glow"),           # other words: as written
        _link_facet(text, "amzn.to/3xYz9", "https://amzn.to/3xYz9"),        # shown without its scheme
        _link_facet(text, "example.org/a-very-lon…", "https://example.org/a-very-long-article-name"),
        {"index": {"byteStart": 5, "byteEnd": 999}, "features": [{"$type": "app.bsky.richtext.facet#link",
                                                                  "uri": "https://out.of/range"}]},
    ]}
    post = pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/1", "record": record}, "did:plc:a")
    # links behind other words keep the words, and follow the text a line each, after a blank line
    assert post.text == ("Mon sérum préféré 🧴✨ " + amazon + "\nmy shop\nhttps://amzn.to/3xYz9\n"
                         "news: https://example.org/a-very-long-article-name\n\n"
                         "https://shop.example/glow\nhttps://out.of/range")
    assert ("affiliate_link", amazon) in analyse_post(post.text).signals
    # the words shown stay the record's: a "..." the app did not write, on a URI it does not start
    other = {"text": "www.amazon.com/dp/B0CX12345...", "createdAt": "2026-11-30T10:00:00Z",
             "facets": [_link_facet("www.amazon.com/dp/B0CX12345...", "www.amazon.com/dp/B0CX12345...",
                                    "https://evil.example/")]}
    assert pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/2", "record": other}, "did:plc:a").text \
        == "www.amazon.com/dp/B0CX12345...\n\nhttps://evil.example/"
    # the app's own form, for the URIs it writes shorter: the root path dropped, 16 characters cut
    for uri in ("https://example.org/", "http://a.b/1234567890123456", "https://www.x.com/?q=1"):
        shown = pb.app_short_url(uri)
        short = {"text": f"see {shown}", "createdAt": "2026-11-30T10:00:00Z",
                 "facets": [_link_facet(f"see {shown}", shown, uri)]}
        assert pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/3", "record": short}, "did:plc:a").text \
            == f"see {uri}", shown
    assert [pb.app_short_url(u) for u in ("https://example.org/", "http://a.b/1234567890123456", "mailto:x@y.z")] \
        == ["example.org", "a.b/123456789012...", "mailto:x@y.z"]
    # a link card's link is kept with the post's links (once) and, where the text does not hold
    # it, on a line of its own at the end of the text, where the signals read it
    card = {"text": "new jars", "createdAt": "2026-11-30T10:00:00Z", "embed": {
        "$type": "app.bsky.embed.external", "external": {"uri": "https://amzn.to/3xYz9", "title": "Jars"}}}
    carded = pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/4", "record": card}, "did:plc:a")
    assert (carded.text, carded.links) == ("new jars\n\nhttps://amzn.to/3xYz9", ["https://amzn.to/3xYz9"])
    assert ("affiliate_link", "https://amzn.to/3xYz9") in analyse_post(carded.text).signals
    # but no list: the post's last line is no header of a "links" list its card's link sits in
    # (written in the text beside those words, the same shortened link is no signal either)
    listed = {**card, "text": "Some links worth reading this week", "embed": {
        "$type": "app.bsky.embed.external", "external": {"uri": "https://bit.ly/3abcD"}}}
    assert analyse_post(pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/8", "record": listed},
                                      "did:plc:a").text).signals == []
    alone = pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/7", "record": {**card, "text": ""}}, "did:plc:a")
    assert alone.text == "https://amzn.to/3xYz9"
    quoting = {**card, "facets": [_link_facet("new jars", "jars", "https://amzn.to/3xYz9")], "embed": {
        "$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": "at://x", "cid": "y"}},
        "media": {"$type": "app.bsky.embed.external", "external": {"uri": "https://amzn.to/3xYz9"}}}}
    assert pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/5", "record": quoting}, "did:plc:a").links \
        == ["https://amzn.to/3xYz9"]
    images = {**card, "embed": {"$type": "app.bsky.embed.images", "images": []}}
    assert pb.parse_post({"uri": "at://did:plc:a/app.bsky.feed.post/6", "record": images}, "did:plc:a").links == []
    # a reply's shortened links are written out too; its hidden ones are not added: the comment
    # classes read a link in a reply's words as a spammer's, and a card is no such thing
    thread = {"thread": {"post": {"uri": "at://did:plc:a/app.bsky.feed.post/1"}, "replies": [
        {"post": {"uri": "at://did:plc:b/app.bsky.feed.post/9", "author": {"did": "did:plc:b", "handle": "b.test"},
                  "record": record}}]}}
    (reply,) = pb.parse_thread(thread, "at://did:plc:a/app.bsky.feed.post/1", "did:plc:a", 10)
    assert reply.text == pb.full_text(record) and post.text.startswith(reply.text + "\n\n")
    assert amazon in reply.text and "https://shop.example/glow" not in reply.text


# -- Bluesky, fixtures from the docs --------------------------------------------------------
def test_search_page_facets_at_utf8_byte_offsets():
    page = local("bluesky_search_page.json")
    assert pb.search_authors(page) == ["did:plc:z72i7hdynmk6r22z27h6tvur", "did:plc:ewvi7nxzyoun6zhxrhs64oiz"]
    post = pb.parse_post(page["posts"][0], "did:plc:z72i7hdynmk6r22z27h6tvur")
    assert post.hashtags == ["pâtisserie", "dessert", "foodphotography"]
    assert post.mentions == ["léa.bsky.social"]
    assert post.links == ["https://recettes.example/creme"]
    assert (post.likes, post.replies, post.reposts, post.quotes) == (42, 3, 1, 0)
    assert post.language == "fr" and post.is_reply is False
    reply = pb.parse_post(page["posts"][1], "did:plc:ewvi7nxzyoun6zhxrhs64oiz")
    assert reply.is_reply is True and reply.hashtags == ["dessert"]


def test_profiles_opt_out_and_bot_label():
    zoe, hidden, bot = pb.parse_profiles(local("bluesky_profiles.json"))
    assert isinstance(zoe, ProfileItem)
    assert (zoe.platform_id, zoe.handle, zoe.followers, zoe.following, zoe.posts_count) == (
        "did:plc:z72i7hdynmk6r22z27h6tvur", "zoë.bsky.social", 4210, 311, 1200)
    assert zoe.bio.startswith("Pâtissière") and zoe.has_avatar is True and zoe.bot is False
    assert isinstance(hidden, OptOutItem)
    assert hidden.row()["handle"] == "" and hidden.row()["bio"] is None
    assert hidden.opt_out_reason == "label !no-unauthenticated"
    assert bot.bot is True and bot.has_avatar is False and bot.following is None


def test_a_handle_that_does_not_verify_is_no_handle():
    """The AppView's "handle.invalid" (the account's handle does not point back to its DID):
    the profile goes by its DID, its posts' links too, and a reply's or follower's handle is
    unknown. (The real network shows it: test_atproto_network, edge-invalid.test.)"""
    actor = {"did": "did:plc:lost", "handle": "handle.invalid", "displayName": "Lost", "followersCount": 3}
    profile = pb.parse_profile(actor)
    assert (profile.handle, profile.url) == ("did:plc:lost", "https://bsky.app/profile/did:plc:lost")
    post = pb.parse_post({"uri": "at://did:plc:lost/app.bsky.feed.post/3k", "author": actor,
                          "record": {"text": "", "createdAt": "2026-10-01T00:00:00Z"}}, "did:plc:lost")
    assert post.url == "https://bsky.app/profile/did:plc:lost/post/3k"
    thread = {"thread": {"post": {}, "replies": [{"post": {"uri": "at://did:plc:lost/app.bsky.feed.post/4k",
                                                           "author": actor, "record": {"text": "hi"}}}]}}
    (reply,) = pb.parse_thread(thread, "at://x/app.bsky.feed.post/1", "did:plc:x", 10)
    assert (reply.author_id, reply.author_handle) == ("did:plc:lost", None)
    (follower,) = pb.parse_followers({"followers": [actor]}, "did:plc:x")
    assert follower.handle is None
    (hydrated,) = pb.hydrate_followers({"profiles": [actor]}, [follower.model_dump(exclude={"kind"})])
    assert hydrated.handle is None and hydrated.followers == 3


def test_author_feed_skips_reposts_and_others():
    me = {"did": "did:plc:me", "handle": "me.test"}
    other = {"did": "did:plc:other", "handle": "other.test"}
    def post(author, n):
        return {"uri": f"at://{author['did']}/app.bsky.feed.post/{n}", "author": author,
                "record": {"text": "hi", "createdAt": "2026-10-01T00:00:00Z"}}
    body = {"feed": [{"post": post(me, 1)},
                     {"post": post(other, 2), "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": me}},
                     {"post": post(other, 3)}, {"post": post(me, 4)}], "cursor": "c"}
    assert [p.platform_id.rpartition("/")[2] for p in pb.parse_author_feed(body, "did:plc:me")] == ["1", "4"]


def test_malformed_bluesky_bodies():
    with pytest.raises(Malformed):
        pb.search_authors({"posts": [{"uri": "at://x"}]})
    with pytest.raises(Malformed):
        pb.parse_profiles({"error": "InternalServerError"})
    with pytest.raises(Malformed, match="expected a count, got '12'"):
        pb.parse_profile({"did": "did:plc:x", "handle": "x", "followersCount": "12"})


def test_followers_who_opted_out_are_not_sampled():
    base = {"id": "1", "username": "x", "display_name": "", "note": "", "avatar": "", "followers_count": 3,
            "following_count": 4, "statuses_count": 5, "created_at": "2024-01-01T00:00:00.000Z"}
    accounts = [{**base, "acct": "keep"}, {**base, "acct": "noidx", "noindex": True},
                {**base, "acct": "unindexed", "indexable": False}, {**base, "acct": "quiet", "discoverable": False},
                {**base, "acct": "nobot", "note": "<p>#nobot</p>"}]
    kept = [f.platform_id for f in pm.parse_followers(accounts, "c@h.example", "h.example")]
    assert kept == ["keep@h.example", "quiet@h.example"]

    actors = [{"did": "did:plc:a", "handle": "a.test", "labels": []},
              {"did": "did:plc:b", "handle": "b.test", "labels": [{"val": "!no-unauthenticated", "src": "did:plc:b"}]}]
    assert [f.platform_id for f in pb.parse_followers({"followers": actors}, "did:plc:c")] == ["did:plc:a"]
    hydrated = pb.hydrate_followers({"profiles": [{**actors[0], "labels": [{"val": "!no-unauthenticated"}],
                                                   "followersCount": 9}]},
                                    [{"platform": "bluesky", "profile_platform_id": "did:plc:c",
                                      "platform_id": "did:plc:a", "handle": "a.test"}])
    assert hydrated == []  # the detailed view says it opted out: dropped too


@pytest.mark.parametrize("flags, kept", [({}, True), ({"noindex": True}, False), ({"indexable": False}, False),
                                         ({"noindex": False, "indexable": True}, True),
                                         ({"discoverable": False}, True)])
def test_replies_of_accounts_that_opted_out_are_not_kept_mastodon(flags, kept):
    context = {"ancestors": [], "descendants": [
        {"id": "1", "content": "<p>lovely</p>", "created_at": "2026-11-01T00:00:00Z",
         "account": {"acct": "fan", **flags}},
        {"id": "2", "content": "<p>so good</p>", "created_at": "2026-11-01T00:00:00Z", "account": {"acct": "other"}}]}
    got = pm.parse_context(context, "9", "cook@example.social", HOST, 20)
    assert [c.author_handle for c in got] == ([f"fan@{HOST}"] if kept else []) + [f"other@{HOST}"]


def test_replies_of_accounts_that_opted_out_are_not_kept_bluesky():
    def node(uri, handle, labels=(), replies=()):
        return {"post": {"uri": uri, "author": {"did": f"did:plc:{handle}", "handle": handle,
                                                "labels": [{"val": v} for v in labels]},
                         "record": {"text": f"by {handle}", "createdAt": "2026-11-01T00:00:00Z"}},
                "replies": list(replies)}
    thread = {"thread": {"post": {"uri": "at://p"}, "replies": [
        node("at://1", "private.bsky", ["!no-unauthenticated"], [node("at://3", "under.bsky")]),
        node("at://2", "public.bsky")]}}
    got = pb.parse_thread(thread, "at://p", "did:plc:cook", 20)
    # the opted-out reply is left out, the answers below it are still read
    assert [c.author_handle for c in got] == ["public.bsky", "under.bsky"]


@pytest.mark.parametrize("info, domain", [
    ({"domain": "localhost:3000"}, "localhost:3000"),  # a real v2 answer (shared/fixtures, Mastodon.py's tests)
    ({"domain": "Social.Example"}, "social.example"),
    ({"uri": "mastodon.social"}, "mastodon.social"),  # v1 names it uri
    ({"uri": "https://old.example/"}, "old.example"),
    ({"domain": ""}, "web.example"), ({"domain": "a b"}, "web.example"), ({"domain": 7}, "web.example"),
    ({}, "web.example"),
])
def test_an_instance_names_the_domain_of_its_local_accounts(info, domain):
    from microscout.crawlers.parse_mastodon import instance_domain

    assert instance_domain(info, "web.example") == domain


def test_the_recorded_instance_names_its_accounts_domain(shared_dir):
    # A real /api/v2/instance answer (Mastodon.py's recording): the domain local accounts are
    # qualified with, whatever host --instance spells.
    body, _ = response(shared_dir, "test_hashtag_tl.yaml", "GET", "/api/v2/instance")
    assert pm.instance_domain(body, "127.0.0.1:3000") == HOST


# A labeler's labels (com.atproto.label.defs#label): the newest of a source's labels of a
# value decides, a negation withdraws it, and one past its exp no longer applies.
_OPT = "!no-unauthenticated"


def _label(val, cts="2026-11-01T00:00:00.000Z", src="did:plc:mod", **more):
    return {"src": src, "uri": "did:plc:x", "val": val, "cts": cts, **more}


@pytest.mark.parametrize("labels, opted_out, bot", [
    ([_label(_OPT)], True, None),
    ([_label(_OPT), _label(_OPT, cts="2026-11-02T00:00:00.000Z", neg=True)], False, False),
    # a negation older than the label it would withdraw withdraws nothing
    ([_label(_OPT, cts="2026-11-02T00:00:00.000Z"), _label(_OPT, neg=True)], True, None),
    # equal times: the later in the list wins, as a stream of labels is read
    ([_label(_OPT), _label(_OPT, neg=True)], False, False),
    ([_label(_OPT, neg=True)], False, False),
    # another source's negation does not withdraw this source's label
    ([_label(_OPT, src="did:plc:x"), _label(_OPT, cts="2026-11-02T00:00:00.000Z", neg=True)], True, None),
    ([_label("bot"), _label("bot", cts="2026-11-02T00:00:00Z", neg=True)], False, False),
    ([_label("bot", exp="2020-01-01T00:00:00Z")], False, False),
    ([_label("bot", exp="2999-01-01T00:00:00Z")], False, True),
    ([_label(_OPT, exp="2020-01-01T00:00:00.000Z")], False, False),
    # an unreadable expiry never expires: the opt-out is kept
    ([_label(_OPT, exp="someday")], True, None),
    ([_label(_OPT, neg=False)], True, None),
    ([{"val": "bot"}], False, True),  # a self-label as some views give it: no src, no cts
    # a time unknown on either side: the later in the list wins (a review: a plain opt-out
    # after a dated negation was read as withdrawn)
    ([_label(_OPT, neg=True), {"src": "did:plc:mod", "uri": "did:plc:x", "val": _OPT}], True, None),
    ([{"src": "did:plc:mod", "uri": "did:plc:x", "val": _OPT}, _label(_OPT, neg=True)], False, False),
    ([_label(_OPT, cts="yesterday"), _label(_OPT, neg=True)], False, False),
    # a source or subject that is not a string does not lose the page (a review: TypeError)
    ([_label("bot", src=["did:plc:mod"])], False, True),
    ([_label(_OPT, uri={"$link": "x"})], True, None),
])
def test_labeler_labels_negated_or_expired_no_longer_apply(labels, opted_out, bot):
    got = pb.parse_profile({"did": "did:plc:x", "handle": "x.test", "labels": labels})
    assert isinstance(got, OptOutItem) is opted_out
    if not opted_out:
        assert got.bot is bot
