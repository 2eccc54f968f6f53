"""YouTube Data API v3 JSON -> items. Pure functions: no Scrapy, no network.

Counts are strings in this API ("viewCount": "7920") and absent when hidden
(hiddenSubscriberCount) or switched off (commentCount on a video with comments disabled,
likeCount when likes are hidden): absent is unknown (None), never 0.
"""
from __future__ import annotations

import re

from microscout.crawlers.items import CommentItem, PostItem, ProfileItem
from microscout.crawlers.parse_common import (
    LINK,
    Malformed,
    mention_pattern,
    optional,
    require,
    tag_name,
    text_links,
    text_mentions,
)

PLATFORM = "youtube"
WATCH = "https://www.youtube.com/watch?v="

# A hashtag as YouTube links it: '#' after a non-word character, then letters/digits/_ .
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
# An @handle in a description: YouTube's handles are 3 to 30 letters (of any script), digits,
# "_", "-" and ".", read case-insensitively (parse_common.mention_pattern: not inside an
# e-mail address, nor the first letters of a longer name).
_MENTION = mention_pattern(r"\w[\w.-]{1,28}\w")


def count(value, what: str) -> int | None:
    """A count as the API writes it (a string of digits, sometimes a number); None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Malformed("missing_fields", f"{what}: expected a count, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise Malformed("missing_fields", f"{what}: expected a count, got {value!r}")


def error_of(body) -> tuple[int | None, str, str]:
    """(code, reason, message) of a Google API error body; ("", "") when it is not one.

    Two wire forms: the older ``errors[].reason`` ("keyInvalid", "quotaExceeded") and the
    newer one that adds ``status`` and ``details[].reason`` ("API_KEY_INVALID")."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, "", ""
    entries = [e for key in ("errors", "details") if isinstance(error.get(key), list) for e in error[key]]
    reasons: list[str] = [e["reason"] for e in entries if isinstance(e, dict) and isinstance(e.get("reason"), str)]
    message = error.get("message")
    code = error.get("code")
    return (code if isinstance(code, int) else None), ",".join(reasons), (message if isinstance(message, str) else "")


def key_refused(code: int | None, reason: str, message: str) -> bool:
    return "keyInvalid" in reason or "API_KEY_INVALID" in reason or "API key not valid" in message \
        or "keyExpired" in reason or "API_KEY_EXPIRED" in reason


# Google's per-time rate limits (a limit per minute, per user, of the project), not the daily
# quota: "rateLimitExceeded errors can return either 403 or 429 error codes ... and should be
# responded to in the same way, by using exponential backoff" (Google's error reference, domain
# usageLimits); userRateLimitExceeded (403) is a per-user limit's; today's wire form adds
# details[].reason RATE_LIMIT_EXCEEDED (status RESOURCE_EXHAUSTED). quotaExceeded and
# dailyLimitExceeded are the day's quota, which waiting does not bring back.
RATE_LIMIT_REASONS = ("rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED")


def rate_limited(reason: str) -> str | None:
    """The rate-limit reason among an error's (error_of's comma-joined reasons), or None."""
    return next((r for r in reason.split(",") if r in RATE_LIMIT_REASONS), None)


# A key whose restrictions (set in the Google Cloud console) refuse the crawl's requests:
# today's details[].reason, and the older errors[].reason of a referrer restriction. The
# body is a 403 "forbidden", "Requests from referer <empty> are blocked." (a browser key).
KEY_BLOCKED = ("API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "API_KEY_ANDROID_APP_BLOCKED",
               "API_KEY_IOS_APP_BLOCKED", "API_KEY_SERVICE_BLOCKED", "ipRefererBlocked")


def key_blocked(reason: str, message: str) -> bool:
    """True when the API refuses the key for its restrictions (a referrer, an IP address, an
    app or an API it is limited to), which no retry or --resume can change."""
    return any(r in reason for r in KEY_BLOCKED) or message.startswith("Requests from referer") \
        or "did not specify any referer" in message


def next_token(body) -> str | None:
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


def _items(body, what: str) -> list:
    """The page's items; a page with none (a handle nobody has, the end of a list) has no key."""
    require(body, dict, what)
    return [require(i, dict, f"{what} item") for i in optional(body.get("items"), list, f"{what}.items", [])]


def search_page(body) -> tuple[list[str], list[str]]:
    """(channel ids, video ids) of a search.list page, in order, each once."""
    channels, videos = [], []
    for item in _items(body, "search"):
        ident = require(item.get("id"), dict, "search item id")
        if ident.get("kind") not in (None, "youtube#video"):
            continue  # a channel or playlist result (only asked type=video, but be sure)
        snippet = require(item.get("snippet"), dict, "search item snippet")
        channel = snippet.get("channelId")
        if not isinstance(channel, str) or not channel:
            raise Malformed("missing_fields", "search item without snippet.channelId")
        channels.append(channel)
        if isinstance(ident.get("videoId"), str):
            videos.append(ident["videoId"])
    return list(dict.fromkeys(channels)), list(dict.fromkeys(videos))


def channel_url(channel_id: str, custom: str | None) -> str:
    if custom and custom.startswith("@"):
        return f"https://www.youtube.com/{custom}"
    return f"https://www.youtube.com/channel/{channel_id}"


def parse_channel(item: dict) -> ProfileItem:
    """A channel resource (part=snippet,statistics,contentDetails)."""
    require(item, dict, "channel")
    channel_id = item.get("id")
    if not isinstance(channel_id, str) or not channel_id:
        raise Malformed("missing_fields", "channel without id")
    snippet = require(item.get("snippet"), dict, "channel.snippet")
    stats = optional(item.get("statistics"), dict, "channel.statistics", {})
    details = optional(item.get("contentDetails"), dict, "channel.contentDetails", {})
    playlists = optional(details.get("relatedPlaylists"), dict, "relatedPlaylists", {})
    uploads = playlists.get("uploads") if isinstance(playlists.get("uploads"), str) else None
    custom = snippet.get("customUrl") if isinstance(snippet.get("customUrl"), str) else None
    hidden = stats.get("hiddenSubscriberCount") is True
    return ProfileItem(
        platform=PLATFORM, platform_id=channel_id, handle=custom or channel_id,
        display_name=snippet.get("title") or "", bio=snippet.get("description") or "",
        url=channel_url(channel_id, custom),
        has_avatar=bool(snippet["thumbnails"]) if isinstance(snippet.get("thumbnails"), dict) else None,
        followers=None if hidden else count(stats.get("subscriberCount"), "subscriberCount"),
        following=None,  # YouTube has no "following" count
        posts_count=count(stats.get("videoCount"), "videoCount"),
        created_at=snippet.get("publishedAt"),
        # the uploads playlist: UU + the channel id's tail, when the API did not say
        api_id=uploads or ("UU" + channel_id[2:] if channel_id.startswith("UC") else None))


def parse_channels(body) -> list[ProfileItem]:
    return [parse_channel(item) for item in _items(body, "channels")]


def uploads_page(body) -> list[str]:
    """Video ids of a playlistItems.list page (part=contentDetails or snippet), in order."""
    ids = []
    for item in _items(body, "playlistItems"):
        details = optional(item.get("contentDetails"), dict, "playlistItem.contentDetails", {})
        snippet = optional(item.get("snippet"), dict, "playlistItem.snippet", {})
        resource = optional(snippet.get("resourceId"), dict, "playlistItem.resourceId", {})
        video = details.get("videoId") or resource.get("videoId")
        if not isinstance(video, str) or not video:
            raise Malformed("missing_fields", "playlistItem without a videoId")
        ids.append(video)
    return list(dict.fromkeys(ids))


def description_parts(text: str) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, @mentions and links written in a title or description."""
    links = text_links(text)
    # a #fragment inside a link is not a hashtag, nor an @ in a link's path
    bare = LINK.sub(" ", text)
    tags = [tag_name(t) for t in _HASHTAG.findall(bare)]
    mentions = text_mentions(text, _MENTION)
    unique = lambda xs: list(dict.fromkeys(x for x in xs if x))  # noqa: E731
    return unique(tags), unique(mentions), unique(links)


def parse_video(item: dict, channel_id: str | None = None) -> PostItem:
    """A video resource (part=snippet,statistics,paidProductPlacementDetails)."""
    require(item, dict, "video")
    video_id = item.get("id")
    if not isinstance(video_id, str) or not video_id:
        raise Malformed("missing_fields", "video without id")
    snippet = require(item.get("snippet"), dict, "video.snippet")
    owner = channel_id or snippet.get("channelId")
    if not isinstance(owner, str) or not owner or not snippet.get("publishedAt"):
        raise Malformed("missing_fields", "video without snippet.channelId/publishedAt")
    stats = optional(item.get("statistics"), dict, "video.statistics", {})
    paid = optional(item.get("paidProductPlacementDetails"), dict, "paidProductPlacementDetails", {})
    title = optional(snippet.get("title"), str, "video.title", "")
    description = optional(snippet.get("description"), str, "video.description", "")
    tags, mentions, links = description_parts(f"{title}\n{description}")
    flag = paid.get("hasPaidProductPlacement")
    language = snippet.get("defaultAudioLanguage") or snippet.get("defaultLanguage")
    return PostItem(
        platform=PLATFORM, platform_id=video_id, profile_platform_id=owner, created_at=snippet["publishedAt"],
        text=f"{title}\n{description}" if description else title, url=WATCH + video_id,
        hashtags=tags, mentions=mentions, links=links,
        likes=count(stats.get("likeCount"), "likeCount"), replies=count(stats.get("commentCount"), "commentCount"),
        views=count(stats.get("viewCount"), "viewCount"),
        paid_flag=flag if isinstance(flag, bool) else None,
        language=language.split("-")[0] if isinstance(language, str) and language else None)


def parse_videos(body, channel_id: str | None = None) -> list[PostItem]:
    """videos.list, in the order of the page (the order of the ids asked for)."""
    return [parse_video(item, channel_id) for item in _items(body, "videos")]


def parse_comment_threads(body, channel_id: str, video_id: str | None, limit: int) -> list[CommentItem]:
    """commentThreads.list: the top-level comment of each thread, at most ``limit``."""
    comments = []
    for thread in _items(body, "commentThreads")[:limit]:
        snippet = require(thread.get("snippet"), dict, "commentThread.snippet")
        top = require(snippet.get("topLevelComment"), dict, "topLevelComment")
        inner = require(top.get("snippet"), dict, "topLevelComment.snippet")
        comment_id = top.get("id") or thread.get("id")
        if not isinstance(comment_id, str) or not comment_id:
            raise Malformed("missing_fields", "comment without id")
        post = video_id or inner.get("videoId") or snippet.get("videoId")
        if not isinstance(post, str) or not post:
            raise Malformed("missing_fields", "comment without videoId")
        author = optional(inner.get("authorChannelId"), dict, "authorChannelId", {})
        text = inner.get("textOriginal")
        if not isinstance(text, str):
            text = optional(inner.get("textDisplay"), str, "textDisplay", "")
        comments.append(CommentItem(
            platform=PLATFORM, platform_id=comment_id, profile_platform_id=channel_id, post_platform_id=post,
            author_id=author.get("value") if isinstance(author.get("value"), str) else None,
            author_handle=inner.get("authorDisplayName") if isinstance(inner.get("authorDisplayName"), str) else None,
            text=text, created_at=inner.get("publishedAt"), likes=count(inner.get("likeCount"), "likeCount")))
    return comments
