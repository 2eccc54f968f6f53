"""Instaloader's JSON (``{"node": …, "instaloader": {"node_type": "Profile"|"Post", …}}``)
-> rows in our import columns, checked by importers.rows like any other row.

From instaloader's structures.py: a Profile node is Instagram's user object without
``edge_owner_to_timeline_media`` (Profile._asdict drops it), so the post count is usually
unknown; a Post node has ``shortcode``, ``taken_at_timestamp`` (or ``date``), the caption in
``edge_media_to_caption.edges[0].node.text`` (or ``caption``), likes in
``edge_media_preview_like`` / ``edge_liked_by``, comments in ``edge_media_to_comment`` /
``edge_media_to_parent_comment``, ``video_view_count`` for videos and ``owner`` ({id,
username…}). A count missing from the node stays unknown. A post instaloader built from
the iPhone API (``Post.from_iphone_struct``) has ``date``, ``caption`` and the raw media in
``iphone_struct`` (its ``comment_count`` stands in for the comment edge).

Comments (``--comments``): instaloader.py ``update_comments`` writes ``<post
filename>_comments.json`` beside the post, a plain JSON list (never .xz) of ``{id,
created_at (Unix seconds, UTC), text, owner (Profile._asdict: id, username…), likes_count,
answers: [the same without answers]}``. It names no shortcode: the post is the one whose
JSON has the same file name without ``_comments``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

from microscout.addresses import website_address
from microscout.importers.rows import RowError


def _count(node: dict, *edges: str) -> int | None:
    for edge in edges:
        value = node.get(edge)
        if isinstance(value, dict) and isinstance(value.get("count"), int) and not isinstance(value["count"], bool):
            return value["count"]
    return None


def profile(node: dict[str, Any]) -> dict[str, Any]:
    username = node.get("username")
    if not isinstance(username, str) or not username:
        raise RowError("instaloader Profile without a username")
    picture = node.get("profile_pic_url_hd") or node.get("profile_pic_url")
    has_avatar = bool(picture) if ("profile_pic_url_hd" in node or "profile_pic_url" in node) else None
    media = _count(node, "edge_owner_to_timeline_media")
    return {"platform_id": str(node["id"]) if node.get("id") is not None else "", "handle": username,
            "display_name": node.get("full_name") or None, "bio": node.get("biography") or None,
            "followers": _count(node, "edge_followed_by"), "following": _count(node, "edge_follow"),
            "posts_count": media, "url": f"https://www.instagram.com/{username}/",
            # the account's website (the Graph API's `website`): a contact, http(s) only
            "website": website_address(node.get("external_url")), "has_avatar": has_avatar}


def is_private(node: dict[str, Any]) -> bool:
    return node.get("is_private") is True


def post(node: dict[str, Any], owner_hint: str | None = None) -> dict[str, Any]:
    shortcode = node.get("shortcode") or node.get("code")
    if not isinstance(shortcode, str) or not shortcode:
        raise RowError("instaloader Post without a shortcode")
    given = node.get("owner")
    owner: dict[str, Any] = given if isinstance(given, dict) else {}
    # the owner by name, else by id, else the folder instaloader wrote the post into (its
    # default layout: one folder per profile, named after it)
    who = owner.get("username") or (str(owner["id"]) if owner.get("id") is not None else None) or owner_hint
    if not who:
        raise RowError(f"instaloader Post {shortcode} names no owner")
    caption = None
    wrapper = node.get("edge_media_to_caption")
    edges = wrapper.get("edges") if isinstance(wrapper, dict) else None
    first = edges[0] if isinstance(edges, list) and edges else None
    if isinstance(first, dict) and isinstance(first.get("node"), dict):
        caption = first["node"].get("text")
    elif isinstance(node.get("caption"), str):
        caption = node["caption"]
    paid = None
    if isinstance(node.get("is_paid_partnership"), bool):
        paid = node["is_paid_partnership"]
    elif isinstance(node.get("edge_media_to_sponsor_user"), dict):
        paid = bool(node["edge_media_to_sponsor_user"].get("edges"))
    views = node.get("video_view_count") if node.get("is_video") else None
    replies = _count(node, "edge_media_to_comment", "edge_media_to_parent_comment")
    return {"profile": who, "profile_alt": owner_hint, "id": shortcode,
            "created_at": node.get("taken_at_timestamp") or node.get("date"),
            "text": caption or "", "likes": _count(node, "edge_media_preview_like", "edge_liked_by"),
            "replies": replies if replies is not None else _iphone_comments(node),
            "views": views if isinstance(views, int) else None,
            "url": f"https://www.instagram.com/p/{shortcode}/", "paid_flag": paid}


def _iphone_comments(node: dict[str, Any]) -> int | None:
    raw = node.get("iphone_struct")
    value = raw.get("comment_count") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def comments(items: list[Any]) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(position in the file, counting replies, 1-based; the comment's row or RowError) of each
    comment and reply of a ``_comments.json`` list, as comments-table columns."""
    position = 0
    for item in items:
        position += 1
        yield position, _comment(item)
        answers = item.get("answers") if isinstance(item, dict) else None
        for answer in answers if isinstance(answers, list) else []:
            position += 1
            yield position, _comment(answer)


def _comment(item: Any) -> dict[str, Any] | RowError:
    if not isinstance(item, dict):
        return RowError(f"a JSON {type(item).__name__}, not a comment object")
    ident = item.get("id")
    if ident is None or isinstance(ident, bool) or str(ident).strip() == "":
        return RowError("comment without an id")
    stamp = item.get("created_at")
    created = None
    if stamp is not None:
        try:
            if isinstance(stamp, bool):
                raise ValueError
            created = datetime.fromtimestamp(float(stamp), tz=timezone.utc).isoformat()
        except (TypeError, ValueError, OverflowError, OSError):
            return RowError(f"comment {ident}: created_at {stamp!r} is not Unix seconds")
    given = item.get("owner")
    owner: dict[str, Any] = given if isinstance(given, dict) else {}
    likes = item.get("likes_count")
    text = item.get("text")
    return {"platform_id": str(ident), "created_at": created, "text": text if isinstance(text, str) else "",
            "author_id": str(owner["id"]) if owner.get("id") is not None else None,
            "author_handle": owner.get("username") if isinstance(owner.get("username"), str) else None,
            "likes": likes if isinstance(likes, int) and not isinstance(likes, bool) and likes >= 0 else None}
