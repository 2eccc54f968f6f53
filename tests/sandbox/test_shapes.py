"""The sandbox's JSON has the keys real servers send (shared/fixtures recordings)."""
import json
import os
from pathlib import Path

import pytest

from microscout.sandbox import SandboxServer, mastodon_wire, bluesky_wire

FIXTURES = Path(os.environ.get("MICROSCOUT_SHARED_FIXTURES", Path(__file__).parents[2].parent / "shared" / "fixtures"))
yaml = pytest.importorskip("yaml")

# Keys only an authenticated viewer gets; anonymous crawlers never see them.
VIEWER_ONLY = {"favourited", "reblogged", "muted", "bookmarked", "pinned", "filtered", "text", "source", "role"}


def _cassette(name):
    path = FIXTURES / "mastodon" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return yaml.safe_load(path.read_text())["interactions"]


def _bodies(name, needle):
    for it in _cassette(name):
        if it["request"]["method"] == "GET" and needle in it["request"]["uri"]:
            yield it["response"], json.loads(it["response"]["body"]["string"])


@pytest.fixture(scope="module")
def sample():
    sb = SandboxServer(size=100, seed=7)
    post = next(p for i in range(100) if sb.pop.person(i).platform == "mastodon"
                for p in sb.pop.visible_posts(i, 0) if p.replies)
    person = sb.pop.person(post.i)
    yield sb, post, person
    sb.stop()


def test_status_and_account_keys_match_the_recording(sample):
    sb, post, person = sample
    (_, real), = _bodies("test_public_tl_anonymous.yaml", "/timelines/public")
    ours = mastodon_wire.status(sb.pop, post, sb.clock, "http://h")
    assert set(real[0]) - VIEWER_ONLY <= set(ours)
    assert set(real[0]["account"]) - VIEWER_ONLY <= set(ours["account"])
    reply = mastodon_wire.reply_status(sb.pop, sb.pop.replies(post, 0)[0], post, sb.clock, "http://h")
    assert set(real[0]) - VIEWER_ONLY <= set(reply)


def test_account_lookup_and_instance_keys(sample):
    sb, _, person = sample
    found = [body for resp, body in _bodies("test_account_lookup.yaml", "lookup") if resp["status"]["code"] == 200]
    ours = mastodon_wire.account(sb.pop, person, sb.clock, "http://h")
    assert set(found[0]) - VIEWER_ONLY <= set(ours)
    missing = [body for resp, body in _bodies("test_account_lookup.yaml", "lookup") if resp["status"]["code"] == 404]
    assert set(missing[0]) == {"error"}
    (_, instance), = _bodies("test_hashtag_tl.yaml", "/api/v2/instance")
    mine = mastodon_wire.instance("http://h", 300)
    assert {"domain", "configuration", "version"} <= set(mine) <= set(instance)
    assert set(mine["configuration"]["timelines_access"]) == set(instance["configuration"]["timelines_access"])


def test_rate_limit_header_format_matches(sample):
    (resp, _), = _bodies("test_hashtag_tl.yaml", "/timelines/tag/")
    real_reset = resp["headers"]["x-ratelimit-reset"][0]
    sb = sample[0]
    sb.start()
    import urllib.request
    with urllib.request.urlopen(sb.url + "/api/v1/timelines/tag/plantbased?limit=1") as r:
        ours = r.headers["X-RateLimit-Reset"]
        link = r.headers["Link"]
    assert len(ours) == len(real_reset) - 3  # same ISO-8601 shape, milliseconds instead of microseconds
    assert ours.endswith("Z") and real_reset.endswith("Z")
    assert 'rel="next"' in link and 'rel="prev"' in link and 'rel="next"' in resp["headers"]["link"][0]


def _bsky(name):
    path = FIXTURES / "bluesky" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return json.loads(path.read_text())


def test_bluesky_thread_and_follower_keys(sample):
    sb, _, _ = sample
    post = next(p for i in range(100) if sb.pop.person(i).platform == "bluesky"
                for p in sb.pop.visible_posts(i, 0) if p.replies)
    real = _bsky("thread_view_post_with_embed_media.json")["thread"]
    ours = bluesky_wire.thread(sb.pop, post, sb.clock, "http://h")["thread"]
    assert set(real) == set(ours)
    assert set(real["post"]) - {"embed"} <= set(ours["post"]) | {"quoteCount"}
    assert set(real["post"]["author"]) <= set(ours["post"]["author"])
    assert set(real["post"]["record"]) - {"embed"} <= set(ours["post"]["record"])
    follows = _bsky("get_follows.json")
    person = sb.pop.person(post.i)
    follower = bluesky_wire.account_view(sb.pop.follower(person, 0), sb.clock, "http://h")
    real_keys = set(follows["follows"][0])
    assert real_keys - {"avatar"} <= set(follower) | ({"avatar"} if not follower.get("avatar") else set())
    assert set(follows["subject"]) - {"description", "indexedAt", "avatar"} <= set(bluesky_wire.profile_basic(person, sb.clock, "http://h"))


def test_bluesky_link_cards_are_the_lexicons_external_embeds(sample):
    """app.bsky.embed.external (bluesky-social/atproto lexicons/app/bsky/embed/external.json): the
    record's embed holds #external (uri, title, description; thumb a blob), the post view's
    #view (the same; thumb a URL). A card's link is the post's first link, in its words or not."""
    sb, _, _ = sample
    posts = [x for i in range(100) if sb.pop.person(i).platform == "bluesky" for x in sb.pop.visible_posts(i, 0)]
    carded = [x for x in posts if x.card]
    assert carded and any(x.card.only for x in carded) and any(not x.card.only for x in carded)
    assert all(x.card is None for i in range(100) if sb.pop.person(i).platform == "mastodon"
               for x in sb.pop.visible_posts(i, 0))
    for post in carded:
        view = bluesky_wire.post_view(sb.pop, post, sb.clock, "http://h")
        record, embed = view["record"]["embed"], view["embed"]
        assert record["$type"] == "app.bsky.embed.external" and embed["$type"] == "app.bsky.embed.external#view"
        assert {"uri", "title", "description"} <= set(record["external"]) <= {"uri", "title", "description", "thumb"}
        assert set(embed["external"]) == set(record["external"])
        assert record["external"]["uri"] == embed["external"]["uri"] == post.card.uri
        if "thumb" in record["external"]:
            blob = record["external"]["thumb"]
            assert blob["$type"] == "blob" and blob["mimeType"] == "image/jpeg" and blob["size"] < 1_000_000
            assert embed["external"]["thumb"].endswith(f"/{blob['ref']['$link']}@jpeg")
        links = [f["features"][0]["uri"] for f in view["record"].get("facets", [])
                 if f["features"][0]["$type"] == "app.bsky.richtext.facet#link"]
        assert (post.card.uri not in links) == post.card.only
