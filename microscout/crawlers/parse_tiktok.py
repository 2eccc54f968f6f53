"""TikTok Research API JSON -> items. Pure functions: no Scrapy, no network.

Every Research API answer is ``{"data": {...}, "error": {"code", "message", "log_id"}}``
with code "ok" on success. The token endpoint (``/v2/oauth/token/``) is OAuth-shaped
instead: ``{"access_token", "expires_in", "token_type"}``, or ``{"error": "invalid_client",
"error_description": ...}``.

Video ids are int64 (7.3e18 > 2**53): Python's json keeps them exact as ints and they are
stored as strings; an id that arrives as a float has already lost digits and is refused.
The Research API keys users by username, so a profile's platform_id is its username.
"""
from __future__ import annotations

from datetime import datetime, timezone

from microscout.crawlers.items import CommentItem, FollowerItem, PostItem, ProfileItem
from microscout.crawlers.parse_common import (
    Malformed,
    mention_pattern,
    optional,
    require,
    tag_name,
    text_links,
    text_mentions,
)

PLATFORM = "tiktok"
# An @username in a description: letters, digits, "_" and "." (TikTok's alphabet, 2-24
# characters), not inside an e-mail address or a word; a trailing "." ends the sentence. A
# name running on in letters TikTok's usernames never hold (@josé, or past 24) names no one,
# not the account its first letters would (@jos).
_MENTION = mention_pattern(r"[A-Za-z0-9_.]{2,24}")


def mentions(text: str) -> list[str]:
    """@usernames a description names, lower-cased (TikTok's usernames are), once each."""
    return text_mentions(text, _MENTION)


def links(text: str) -> list[str]:
    return text_links(text)


def api_error(body) -> tuple[str, str] | None:
    """(code, message) of an answer whose error.code is not "ok"; None for a success.
    Also reads the token endpoint's OAuth form ({"error": "invalid_client", ...})."""
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, str) and err:
        return err, str(body.get("error_description") or "")
    if isinstance(err, dict):
        code = err.get("code")
        if isinstance(code, str) and code and code != "ok":
            return code, str(err.get("message") or "")
    return None


# What user/info's words must say for a refusal to be about the account itself (TikTok
# answers invalid_params, its generic 400, for a private or unknown user as for a bad body).
USER_GONE = ("not found", "does not exist", "doesn't exist", "not exist", "no longer", "no such", "deleted",
             "banned", "suspended", "unknown user")
USER_CODES = ("user_not_found", "not_found")


def user_refusal(code: str, message: str) -> str | None:
    """"private" or "not_found" when user/info's error is about the account (private, not
    found, deleted…); None when it is not (a bad request: counted and missing, not a verdict
    on the user)."""
    text = message.lower()
    if code in USER_CODES:
        return "private" if "private" in text else "not_found"
    if code != "invalid_params":
        return None
    if "private" in text:
        return "private"
    if any(words in text for words in USER_GONE):
        return "not_found"
    return None


def daily_quota(code: str, message: str) -> bool:
    """True when a 429's own words say the daily quota is spent (not a short rate limit).
    TikTok's documented answer is rate_limit_exceeded for both, so most of the time only
    429s that persist after their retries tell (the spider's rule)."""
    text = message.lower()
    return code == "daily_quota_limit_exceeded" or "daily" in text or "quota" in text or "per day" in text


def cursor_refusal(message: str) -> bool:
    """invalid_params about a page's cursor or search_id: the API drops them mid-pagination
    now and then; asking again later may work."""
    text = message.lower()
    return "cursor" in text or "search_id" in text or "search id" in text


def _data(body, what: str) -> dict:
    require(body, dict, what)
    problem = api_error(body)
    if problem:
        raise Malformed("api_error", f"{what}: {problem[0]}: {problem[1][:200]}")
    return require(body.get("data"), dict, f"{what}.data")


def _int(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed("missing_fields", f"{what}: expected a count, got {value!r}")
    return value


def _id(value, what: str) -> str:
    """An int64 id as a string (exact), whether the JSON had a number or a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value
    raise Malformed("missing_fields", f"{what}: expected an integer id, got {value!r}")


def _time(value, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed("missing_fields", f"{what}: expected epoch seconds, got {value!r}")
    return datetime.fromtimestamp(value, timezone.utc).isoformat().replace("+00:00", "Z")


def parse_token(body) -> tuple[str, int]:
    """(access_token, expires_in seconds) from /v2/oauth/token/."""
    require(body, dict, "token")
    problem = api_error(body)
    if problem:
        raise Malformed("api_error", f"token: {problem[0]}")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise Malformed("missing_fields", "token answer without access_token")
    expires = optional(body.get("expires_in"), int, "expires_in", 7200)
    return token, expires


def video_url(username: str, video_id: str) -> str:
    return f"https://www.tiktok.com/@{username}/video/{video_id}"


def parse_video(video: dict, username: str | None = None) -> PostItem:
    require(video, dict, "video")
    vid = _id(video.get("id"), "video.id")
    author = video.get("username") or username
    if not isinstance(author, str) or not author:
        raise Malformed("missing_fields", f"video {vid} without username")
    tags = optional(video.get("hashtag_names"), list, "hashtag_names", [])
    text = optional(video.get("video_description"), str, "video_description", "")
    return PostItem(
        platform=PLATFORM, platform_id=vid, profile_platform_id=author,
        created_at=_time(video.get("create_time"), "video.create_time"),
        text=text, url=video_url(author, vid),
        hashtags=list(dict.fromkeys(t for t in (tag_name(x) for x in tags) if t)),
        mentions=mentions(text), links=links(text),
        likes=_int(video.get("like_count"), "like_count"), replies=_int(video.get("comment_count"), "comment_count"),
        reposts=_int(video.get("share_count"), "share_count"), views=_int(video.get("view_count"), "view_count"))


def parse_videos(body, username: str | None = None) -> tuple[list[PostItem], int | None, bool, str | None]:
    """A video/query page: (posts, cursor, has_more, search_id)."""
    data = _data(body, "video/query")
    videos = optional(data.get("videos"), list, "videos", [])
    posts = [parse_video(v, username) for v in videos]
    cursor = optional(data.get("cursor"), int, "cursor")
    search_id = data.get("search_id")
    return posts, cursor, data.get("has_more") is True, search_id if isinstance(search_id, str) and search_id else None


def video_authors(body) -> list[str]:
    """The usernames of a video/query page, in order, once each."""
    posts, _, _, _ = parse_videos(body)
    return list(dict.fromkeys(p.profile_platform_id for p in posts))


def parse_user(body, username: str) -> ProfileItem:
    """user/info: the data carries no username (the request named it)."""
    data = _data(body, "user/info")
    avatar = data.get("avatar_url")
    return ProfileItem(
        platform=PLATFORM, platform_id=username, handle=username,
        display_name=optional(data.get("display_name"), str, "display_name", ""),
        bio=optional(data.get("bio_description"), str, "bio_description", ""),
        url=f"https://www.tiktok.com/@{username}",
        has_avatar=bool(avatar) if "avatar_url" in data else None,
        followers=_int(data.get("follower_count"), "follower_count"),
        following=_int(data.get("following_count"), "following_count"),
        posts_count=_int(data.get("video_count"), "video_count"), api_id=username)


def parse_followers(body, owner: str) -> tuple[list[FollowerItem], int | None, bool]:
    """user/followers: display_name and username only, so every count is None (unknown)."""
    data = _data(body, "user/followers")
    out = []
    for row in optional(data.get("user_followers"), list, "user_followers", []):
        require(row, dict, "follower")
        name = row.get("username")
        if not isinstance(name, str) or not name:
            raise Malformed("missing_fields", "follower without username")
        out.append(FollowerItem(platform=PLATFORM, profile_platform_id=owner, platform_id=name, handle=name,
                                display_name=optional(row.get("display_name"), str, "display_name", "")))
    return out, optional(data.get("cursor"), int, "cursor"), data.get("has_more") is True


def parse_comments(body, owner: str, video_id: str) -> tuple[list[CommentItem], int | None, bool]:
    """video/comment/list: the Research API names no comment author."""
    data = _data(body, "video/comment/list")
    out = []
    for row in optional(data.get("comments"), list, "comments", []):
        require(row, dict, "comment")
        created = row.get("create_time")
        out.append(CommentItem(
            platform=PLATFORM, platform_id=_id(row.get("id"), "comment.id"), profile_platform_id=owner,
            post_platform_id=_id(row.get("video_id"), "comment.video_id") if row.get("video_id") is not None
            else video_id,
            text=optional(row.get("text"), str, "comment.text", ""),
            created_at=_time(created, "comment.create_time") if created is not None else None,
            likes=_int(row.get("like_count"), "comment.like_count")))
    return out, optional(data.get("cursor"), int, "cursor"), data.get("has_more") is True
