"""Bluesky (AT Protocol AppView XRPC) JSON -> items. Pure functions: no Scrapy, no network."""
from __future__ import annotations

from collections import deque
from datetime import datetime, timezone
from urllib.parse import urlsplit

from microscout.crawlers.items import CommentItem, FollowerItem, OptOutItem, PostItem, ProfileItem
from microscout.crawlers.parse_common import Malformed, optional, require, shows_link, tag_name, with_hidden_links
from microscout.store.queries import parse_timestamp

PLATFORM = "bluesky"
OPT_OUT_LABEL = "!no-unauthenticated"
# What an AppView shows for an account whose handle does not verify (its DID document names
# a handle that does not point back to it): no handle of the account's. bsky.app/profile/
# handle.invalid leads nowhere, and several accounts would share it; the DID does not.
INVALID_HANDLE = "handle.invalid"


def handle_of(actor: dict) -> str | None:
    """The actor's handle; None when the AppView has none (absent, or ``handle.invalid``)."""
    handle = actor.get("handle")
    return handle if isinstance(handle, str) and handle and handle != INVALID_HANDLE else None


def _labels(actor: dict) -> set[str]:
    """The label values that apply to an actor now (com.atproto.label.defs#label): of one
    source's labels of a value on one subject the newest (``cts``) decides, and a negation
    (``neg``) withdraws it; a label past its ``exp`` no longer applies. So a withdrawn
    ``!no-unauthenticated`` or ``bot`` is not read as an opt-out or an automated account."""
    labels = optional(actor.get("labels") or None, list, "labels", [])
    newest: dict[tuple, tuple[datetime | None, bool, object]] = {}
    for label in labels:
        if not isinstance(label, dict) or not isinstance(label.get("val"), str):
            continue
        # (a source or subject that is not a string is none: it must not lose the page)
        key = tuple(v if isinstance(v, str) else None for v in (label.get("src"), label.get("uri"), label["val"]))
        created = parse_timestamp(label["cts"]) if isinstance(label.get("cts"), str) else None
        # On equal or unknown times the later in the list wins, as a stream of labels is read.
        before = newest.get(key)
        if before is None or before[0] is None or created is None or created >= before[0]:
            newest[key] = (created, label.get("neg") is True, label.get("exp"))
    now = datetime.now(timezone.utc)
    return {val for (_, _, val), (_, negated, expires) in newest.items()
            if not negated and not _expired(expires, now)}


def _expired(expires, now: datetime) -> bool:
    """Whether a label's ``exp`` has passed; an absent or unreadable one never expires
    (erring towards the label: an opt-out kept is a person left alone)."""
    when = parse_timestamp(expires) if isinstance(expires, str) else None
    return when is not None and when <= now


def _int(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed("missing_fields", f"expected a count, got {value!r}")
    return value


def parse_profile(actor: dict) -> ProfileItem | OptOutItem:
    """A profileViewDetailed."""
    require(actor, dict, "profile")
    if not actor.get("did") or "handle" not in actor:
        raise Malformed("missing_fields", "profile without did/handle")
    labels = _labels(actor)
    if OPT_OUT_LABEL in labels:
        return OptOutItem(platform=PLATFORM, platform_id=actor["did"], opt_out_reason=f"label {OPT_OUT_LABEL}")
    # an account whose handle does not verify goes by its DID (bsky.app/profile/<did> works)
    handle = handle_of(actor) or actor["did"]
    return ProfileItem(
        platform=PLATFORM, platform_id=actor["did"], handle=handle,
        display_name=actor.get("displayName") or "", bio=actor.get("description") or "",
        url=f"https://bsky.app/profile/{handle}", has_avatar=bool(actor.get("avatar")),
        followers=_int(actor.get("followersCount")), following=_int(actor.get("followsCount")),
        posts_count=_int(actor.get("postsCount")), created_at=actor.get("createdAt"),
        bot="bot" in labels, instance=None, api_id=actor["did"])


def parse_profiles(body) -> list[ProfileItem | OptOutItem]:
    require(body, dict, "getProfiles")
    return [parse_profile(p) for p in require(body.get("profiles"), list, "profiles")]


def _slice(text: str, index: dict) -> str:
    data = text.encode("utf-8")
    start, end = index.get("byteStart"), index.get("byteEnd")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(data):
        return ""
    return data[start:end].decode("utf-8", errors="replace")


def facets(record: dict) -> tuple[list[str], list[str], list[str]]:
    """Hashtags (facet tags + record.tags), mentions (handles as written) and links."""
    require(record, dict, "record")
    text = optional(record.get("text") or None, str, "record.text", "")
    tags, mentions, links = [], [], []
    for facet in optional(record.get("facets") or None, list, "record.facets", []):
        if not isinstance(facet, dict):
            continue
        raw_index = facet.get("index")
        index = raw_index if isinstance(raw_index, dict) else {}
        for feature in optional(facet.get("features") or None, list, "facet.features", []):
            kind = feature.get("$type") if isinstance(feature, dict) else None
            if not isinstance(kind, str):
                continue
            if kind.endswith("#tag") and isinstance(feature.get("tag"), str):
                tags.append(tag_name(feature["tag"]))
            elif kind.endswith("#link") and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
            elif kind.endswith("#mention"):
                written = _slice(text, index).lstrip("@")
                did = feature.get("did")
                mentions.append(written or (did if isinstance(did, str) else ""))
    tags += [tag_name(t) for t in optional(record.get("tags") or None, list, "record.tags", []) if isinstance(t, str)]
    unique = lambda xs: list(dict.fromkeys(x for x in xs if x))  # noqa: E731
    return unique(tags), unique(mentions), unique(links)


def app_short_url(uri: str) -> str:
    """A link as Bluesky's app writes it into a post's text (social-app's toShortUrl): no
    scheme, and a path, query and fragment over 15 characters cut to 13 and "...", so
    "https://www.amazon.com/dp/B0CX123456?tag=abc-20" reads "www.amazon.com/dp/B0CX12345...";
    the link facet keeps the URI."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return uri
    path = ("" if parts.path == "/" else parts.path) + (f"?{parts.query}" if parts.query else "") \
        + (f"#{parts.fragment}" if parts.fragment else "")
    return parts.netloc + (path[:13] + "..." if len(path) > 15 else path)


def full_text(record: dict) -> str:
    """The record's text with each link an app shortened for display written out whole, as
    the author gave it: the part cut off (an affiliate tag, a tracking code) is what the
    sponsored-post signals read. A link shown by other words ("my shop") keeps its words
    (stored_text adds the link after them)."""
    text = optional(record.get("text") or None, str, "record.text", "")
    data = text.encode("utf-8")
    cuts = []
    for facet in optional(record.get("facets") or None, list, "record.facets", []):
        index = facet.get("index") if isinstance(facet, dict) else None
        start, end = (index.get("byteStart"), index.get("byteEnd")) if isinstance(index, dict) else (None, None)
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(data):
            continue
        for feature in optional(facet.get("features") or None, list, "facet.features", []):
            uri = feature.get("uri") if isinstance(feature, dict) else None
            if not (isinstance(feature, dict) and str(feature.get("$type", "")).endswith("#link")
                    and isinstance(uri, str)):
                continue
            shown = data[start:end].decode("utf-8", errors="replace")
            if shown == app_short_url(uri) or shows_link(shown, uri):
                cuts.append((start, end, uri))
                break
    if not cuts:
        return text
    out, at = [], 0
    for start, end, uri in sorted(cuts):
        if start < at:  # overlapping facets: the first one's link is kept
            continue
        out += [data[at:start], uri.encode("utf-8")]
        at = end
    out.append(data[at:])
    return b"".join(out).decode("utf-8", errors="replace")


def post_url(uri: str, handle: str) -> str:
    require(uri, str, "post.uri")
    rkey = uri.rstrip("/").rpartition("/")[2]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def stored_text(record: dict, links: list[str]) -> str:
    """The text a post is stored with: full_text, then each of its links (``links``: facets'
    and cards') that it does not hold."""
    return with_hidden_links(full_text(record), links)


def _card_links(record: dict) -> list[str]:
    """The link of the post's link card (app.bsky.embed.external, alone or beside a quoted
    post), kept with the post's links: a card's link need not be in its text."""
    embed = record.get("embed")
    cards = [embed, embed.get("media")] if isinstance(embed, dict) else []
    return [card["external"]["uri"] for card in cards
            if isinstance(card, dict) and str(card.get("$type", "")).startswith("app.bsky.embed.external")
            and isinstance(card.get("external"), dict) and isinstance(card["external"].get("uri"), str)
            and card["external"]["uri"]]


def parse_post(post: dict, profile_platform_id: str) -> PostItem:
    """A postView."""
    require(post, dict, "post")
    record = require(post.get("record"), dict, "post.record")
    if not post.get("uri") or not record.get("createdAt"):
        raise Malformed("missing_fields", "post without uri/record.createdAt")
    tags, mentions, links = facets(record)
    links = list(dict.fromkeys([*links, *_card_links(record)]))
    author = optional(post.get("author") or None, dict, "post.author", {})
    langs = optional(record.get("langs") or None, list, "record.langs", [])
    return PostItem(
        platform=PLATFORM, platform_id=post["uri"], profile_platform_id=profile_platform_id,
        created_at=record["createdAt"], text=stored_text(record, links),
        url=post_url(post["uri"], handle_of(author) or profile_platform_id),
        hashtags=tags, mentions=mentions, links=links,
        likes=_int(post.get("likeCount")), replies=_int(post.get("replyCount")),
        reposts=_int(post.get("repostCount")), quotes=_int(post.get("quoteCount")),
        is_reply=record.get("reply") is not None, language=langs[0] if langs else None)


def search_authors(body) -> list[str]:
    """DIDs of the authors of a searchPosts page, in order."""
    require(body, dict, "searchPosts")
    dids = []
    for post in require(body.get("posts"), list, "posts"):
        author = require(require(post, dict, "post").get("author"), dict, "post.author")
        if not author.get("did") or not isinstance(author["did"], str):
            raise Malformed("missing_fields", "post.author without did")
        dids.append(author["did"])
    return list(dict.fromkeys(dids))


def parse_author_feed(body, did: str) -> list[PostItem]:
    """getAuthorFeed: the actor's own posts, reposts and others' posts skipped."""
    require(body, dict, "getAuthorFeed")
    posts = []
    for entry in require(body.get("feed"), list, "feed"):
        require(entry, dict, "feed entry")
        if entry.get("reason"):  # a repost
            continue
        post = require(entry.get("post"), dict, "feed.post")
        if optional(post.get("author") or None, dict, "post.author", {}).get("did") not in (None, did):
            continue
        posts.append(parse_post(post, did))
    return posts


def parse_thread(body, post_uri: str, profile_platform_id: str, limit: int) -> list[CommentItem]:
    """getPostThread: the replies below the post, breadth first, at most ``limit``."""
    require(body, dict, "getPostThread")
    thread = require(body.get("thread"), dict, "thread")
    queue = deque(optional(thread.get("replies") or None, list, "thread.replies", []))
    comments: list[CommentItem] = []
    while queue and len(comments) < limit:
        node = queue.popleft()
        if not isinstance(node, dict) or "post" not in node:  # notFoundPost, blockedPost
            continue
        post = require(node["post"], dict, "reply.post")
        record = optional(post.get("record") or None, dict, "reply.record", {})
        author = optional(post.get("author") or None, dict, "reply.author", {})
        if not post.get("uri"):
            raise Malformed("missing_fields", "reply without uri")
        queue.extend(optional(node.get("replies") or None, list, "reply.replies", []))
        if OPT_OUT_LABEL in _labels(author):
            continue  # asked not to be shown to logged-out viewers: its reply is not kept
        comments.append(CommentItem(
            platform=PLATFORM, platform_id=post["uri"], profile_platform_id=profile_platform_id,
            post_platform_id=post_uri, author_id=author.get("did"), author_handle=handle_of(author),
            # its shortened links written out, but no card's or hidden link added: the comment
            # classes were measured on replies' words, where a link is a spammer's
            text=full_text(record), created_at=record.get("createdAt"),
            likes=_int(post.get("likeCount")), author_followers=_int(author.get("followersCount"))))
    return comments


def parse_followers(body, profile_platform_id: str) -> list[FollowerItem]:
    """getFollowers (or getFollows: same shape): profileViews, which carry no counts."""
    require(body, dict, "getFollowers")
    actors = body.get("followers", body.get("follows"))
    followers = []
    for actor in require(actors, list, "followers"):
        require(actor, dict, "follower")
        if not actor.get("did"):
            raise Malformed("missing_fields", "follower without did")
        if OPT_OUT_LABEL in _labels(actor):
            continue  # asked not to be shown to logged-out viewers: not sampled
        followers.append(FollowerItem(
            platform=PLATFORM, profile_platform_id=profile_platform_id, platform_id=actor["did"],
            handle=handle_of(actor), display_name=actor.get("displayName") or "",
            bio=actor.get("description") or "", has_avatar=bool(actor.get("avatar")),
            followers=_int(actor.get("followersCount")), following=_int(actor.get("followsCount")),
            posts_count=_int(actor.get("postsCount")), created_at=actor.get("createdAt"),
            bot="bot" in _labels(actor) if "labels" in actor else None))
    return followers


def hydrate_followers(body, followers: list[dict]) -> list[FollowerItem]:
    """getProfiles for a page of the follower sample (``followers``: FollowerItem fields):
    each follower with its profileViewDetailed's counts; one the AppView leaves out
    (deleted, suspended, taken down) keeps what getFollowers said, counts unknown."""
    require(body, dict, "getProfiles")
    details = {}
    for actor in require(body.get("profiles"), list, "profiles"):
        require(actor, dict, "profile")
        if actor.get("did") and isinstance(actor["did"], str):
            details[actor["did"]] = actor
    out = []
    for row in followers:
        actor = details.get(row["platform_id"])
        if actor is not None and OPT_OUT_LABEL in _labels(actor):
            continue
        if actor is not None:
            row = {**row, "handle": handle_of(actor) or row.get("handle"),
                   "display_name": actor.get("displayName") or row.get("display_name") or "",
                   "bio": actor.get("description") or row.get("bio") or "",
                   "has_avatar": bool(actor.get("avatar")) if "avatar" in actor else row.get("has_avatar"),
                   "followers": _int(actor.get("followersCount")), "following": _int(actor.get("followsCount")),
                   "posts_count": _int(actor.get("postsCount")),
                   "created_at": actor.get("createdAt") or row.get("created_at"),
                   "bot": "bot" in _labels(actor) if "labels" in actor else row.get("bot")}
        out.append(FollowerItem(**row))
    return out
