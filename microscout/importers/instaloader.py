"""Instaloader's JSON (``{"node": …, "instaloader": {"node_type": "Profile"|"Post", …}}``)
-> rows in our import columns, checked by importers.rows like any other row.

From instaloader's structures.py: a Profile node is Instagram's user object without
``edge_owner_to_timeline_media`` (Profile._asdict drops it), so the post count is usually
unknown; a Post node has ``shortcode``, ``taken_at_timestamp`` (or ``date``), the caption in
``edge_media_to_caption.edges[0].node.text`` (or ``caption``), likes in
``edge_media_preview_like`` / ``edge_liked_by``, comments in ``edge_media_to_comment`` /
``edge_media_to_parent_comment``, ``video_view_count`` for videos and ``owner`` ({id,
username…}). A count missing from the node stays unknown.
"""
from __future__ import annotations

from typing import Any

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
            "has_avatar": has_avatar}


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
    return {"profile": who, "profile_alt": owner_hint, "id": shortcode,
            "created_at": node.get("taken_at_timestamp") or node.get("date"),
            "text": caption or "", "likes": _count(node, "edge_media_preview_like", "edge_liked_by"),
            "replies": _count(node, "edge_media_to_comment", "edge_media_to_parent_comment"),
            "views": views if isinstance(views, int) else None,
            "url": f"https://www.instagram.com/p/{shortcode}/", "paid_flag": paid}
