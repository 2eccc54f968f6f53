"""Bluesky AppView views, per the app.bsky lexicons and the recordings in
shared/fixtures/bluesky: profile views, post views with facets, thread views."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

# the text a post holds is what Bluesky's app writes: its links shortened for display
from microscout.crawlers.parse_bluesky import app_short_url
from microscout.sandbox import ids
from microscout.sandbox.clock import DAY, Clock
from microscout.sandbox.population import Account, Card, Person, Population, Post, Reply
from microscout.sandbox.text import BRANDS, Segment, without_link

VIEWER = {"muted": False, "blockedBy": False}


def cid(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


def _label(did: str, val: str, cts: str) -> dict:
    """The account's own label ("!no-unauthenticated", "bot"), as the AppView hydrates a
    self-label from the profile record (getSelfLabels): the record's uri and cid, its author
    the source. (A labeler's label on an account has the DID as its uri.)"""
    return {"src": did, "uri": f"at://{did}/app.bsky.actor.profile/self", "cid": cid(f"{did}/profile"),
            "val": val, "cts": cts}


def _avatar(did: str, has: bool, base: str) -> str | None:
    return f"{base}/img/avatar/plain/{did}/{cid(did)}@jpeg" if has else None


def _basic(did: str, handle: str, display_name: str, has_avatar: bool, created: str, labels: list,
           base: str) -> dict:
    out = {"did": did, "handle": handle, "displayName": display_name,
           "associated": {"chat": {"allowIncoming": "following"}}, "viewer": dict(VIEWER),
           "labels": labels, "createdAt": created}
    avatar = _avatar(did, has_avatar, base)
    if avatar:  # absent, not null, when there is none (lexicon: optional)
        out["avatar"] = avatar
    return out


def _labels(p: Person, clock: Clock) -> list:
    created = clock.iso(-p.created_days * DAY)
    out = []
    if "label" in p.opt_out:  # the author's self-label: "don't show me to logged-out users"
        out.append(_label(p.did, p.opt_out["label"], created))
    if p.bot:
        out.append(_label(p.did, "bot", created))
    return out


def profile_basic(p: Person, clock: Clock, base: str) -> dict:
    return _basic(p.did, p.handle, p.display_name, p.has_avatar, clock.iso(-p.created_days * DAY),
                  _labels(p, clock), base)


def profile_detailed(pop: Population, p: Person, clock: Clock, base: str) -> dict:
    out = profile_basic(p, clock, base)
    out.update({"description": p.bio, "indexedAt": clock.iso(0),
                "followersCount": p.followers(clock.day), "followsCount": p.following,
                "postsCount": pop.statuses_count(p, clock.day)})
    return out


def account_view(acc: Account, clock: Clock, base: str, detailed: bool = False) -> dict:
    created = clock.iso(-acc.created_days * DAY)
    labels = [_label(acc.did, "bot", created)] if acc.bot else []  # the account's own "bot" self-label
    out = _basic(acc.did, acc.handle, acc.display_name, acc.has_avatar, created, labels, base)
    out.update({"description": acc.bio, "indexedAt": created})
    if detailed:
        out.update({"followersCount": acc.followers, "followsCount": acc.following, "postsCount": acc.posts})
    return out


def _mention_did(pop: Population, handle: str) -> str:
    user, _, rest = handle.partition(".")
    if rest == ids.BRAND_DOMAIN:
        return ids.did(ids.DID_BRAND, next((b for b, n in enumerate(BRANDS) if n.lower() == user), 0))
    i = pop.index_of_username(handle)
    return ids.did(ids.DID_PROFILE, i or 0)


def text_and_facets(pop: Population, segments: list[Segment]) -> tuple[str, list[dict]]:
    """Plain text, and facets whose indexes are UTF-8 *byte* offsets (lexicon); links shown
    as the app shows them."""
    parts, facets, offset = [], [], 0
    for kind, value in segments:
        shown = app_short_url(value) if kind == "link" else {"tag": "#", "mention": "@"}.get(kind, "") + value
        size = len(shown.encode("utf-8"))
        index = {"byteStart": offset, "byteEnd": offset + size}
        if kind == "tag":
            facets.append({"$type": "app.bsky.richtext.facet", "index": index,
                           "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": value}]})
        elif kind == "mention":
            facets.append({"$type": "app.bsky.richtext.facet", "index": index,
                           "features": [{"$type": "app.bsky.richtext.facet#mention",
                                         "did": _mention_did(pop, value)}]})
        elif kind == "link":
            facets.append({"$type": "app.bsky.richtext.facet", "index": index,
                           "features": [{"$type": "app.bsky.richtext.facet#link", "uri": value}]})
        parts.append(shown)
        offset += size
    return "".join(parts), facets


def post_uri(did: str, n: int) -> str:
    return f"at://{did}/app.bsky.feed.post/{ids.tid(n)}"


def words(post: Post) -> list[Segment]:
    """The post's words on Bluesky: its caption, less a link its author left in the card alone."""
    if post.card is not None and post.card.only:
        return without_link(post.segments, post.card.uri)
    return list(post.segments)


def _thumb_cid(card: Card) -> str:
    return "bafkrei" + cid(f"thumb:{card.uri}")[7:]


def card_record(card: Card) -> dict:
    """The record's embed (lexicon app.bsky.embed.external#main, in app.bsky.feed.post's embed
    union): uri, title and description required; thumb an image blob, when the page had one."""
    external: dict[str, Any] = {"uri": card.uri, "title": card.title, "description": card.description}
    if card.thumb:
        size = 40_000 + int.from_bytes(hashlib.sha256(card.uri.encode()).digest()[:2], "big")
        external["thumb"] = {"$type": "blob", "ref": {"$link": _thumb_cid(card)}, "mimeType": "image/jpeg",
                             "size": size}
    return {"$type": "app.bsky.embed.external", "external": external}


def card_view(card: Card, did: str, base: str) -> dict:
    """The post view's embed (app.bsky.embed.external#view, in app.bsky.feed.defs#postView's
    embed union): the same fields, thumb now the CDN's URL of the blob (viewExternal)."""
    external: dict[str, Any] = {"uri": card.uri, "title": card.title, "description": card.description}
    if card.thumb:
        external["thumb"] = f"{base}/img/feed_thumbnail/plain/{did}/{_thumb_cid(card)}@jpeg"
    return {"$type": "app.bsky.embed.external#view", "external": external}


def post_view(pop: Population, post: Post, clock: Clock, base: str) -> dict:
    p = pop.person(post.i)
    segments, outline = words(post), []
    if post.k % 4 == 0 and segments and segments[-1][0] == "tag":
        # Some clients put hashtags in record.tags ("outline tags") instead of the text.
        outline.append(segments.pop()[1])
        while segments and segments[-1] == ("text", " "):
            segments.pop()
    body, facets = text_and_facets(pop, segments)
    uri = post_uri(p.did, post.id)
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": clock.iso(post.t),
                              "langs": [post.language], "text": body}
    if facets:
        record["facets"] = facets
    if outline:
        record["tags"] = outline
    if post.card is not None:
        record["embed"] = card_record(post.card)
    view = {"uri": uri, "cid": cid(uri), "author": profile_basic(p, clock, base), "record": record}
    if post.card is not None:  # the AppView's hydrated embed sits beside the record
        view["embed"] = card_view(post.card, p.did, base)
    return {**view, "replyCount": post.replies, "repostCount": post.reblogs, "likeCount": post.likes,
            "quoteCount": post.quotes, "indexedAt": clock.iso(post.t + 2), "viewer": {}, "labels": []}


def reply_view(pop: Population, reply: Reply, post: Post, clock: Clock, base: str) -> dict:
    p = pop.person(post.i)
    root = post_uri(p.did, post.id)
    uri = post_uri(reply.author.did, reply.id)
    ref = {"uri": root, "cid": cid(root)}
    record = {"$type": "app.bsky.feed.post", "createdAt": clock.iso(reply.t), "langs": ["en"],
              "text": reply.text, "reply": {"root": ref, "parent": ref}}
    author = account_view(reply.author, clock, base)
    author.pop("description"), author.pop("indexedAt")
    return {"uri": uri, "cid": cid(uri), "author": author, "record": record,
            "replyCount": 0, "repostCount": 0, "likeCount": reply.likes, "quoteCount": 0,
            "indexedAt": clock.iso(reply.t + 2), "viewer": {}, "labels": []}


def thread(pop: Population, post: Post, clock: Clock, base: str) -> dict:
    replies = [{"$type": "app.bsky.feed.defs#threadViewPost",
                "post": reply_view(pop, r, post, clock, base), "replies": []}
               for r in reversed(pop.replies(post, clock.day))]
    return {"thread": {"$type": "app.bsky.feed.defs#threadViewPost",
                       "post": post_view(pop, post, clock, base), "replies": replies}}


def error(name: str, message: str) -> dict:
    return {"error": name, "message": message}
