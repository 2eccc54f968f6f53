"""YouTube Data API v3 resources, shaped like the recordings in shared/fixtures/youtube:
search results, channels, playlist items, videos, comment threads and the error bodies.

Every person of the population is projected onto YouTube (whatever platform it was drawn
on), with reversible ids: channel ``UCsandbox<15 digits of i>``, its uploads playlist
``UU…`` (the same tail), video ``v<10 base-64 digits of i*100+k>``, so that a request for
any of them regenerates it from (seed, indexes). Subscribers and per-video engagement are
served at YouTube's scale (scale.py).
"""
from __future__ import annotations

import base64
import hashlib

from microscout.sandbox.clock import DAY, Clock
from microscout.sandbox.population import Account, Person, Population, Post, Reply
from microscout.sandbox.scale import AUDIENCE_SCALE, Scaled

CHANNEL_PREFIX = "UCsandbox"
SCALE = AUDIENCE_SCALE["youtube"]
_scaled = Scaled("youtube")
followers, likes, comments, shares = _scaled.followers, _scaled.likes, _scaled.comments, _scaled.shares
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def channel_id(i: int) -> str:
    return f"{CHANNEL_PREFIX}{i:015d}"


def channel_index(value: str) -> int | None:
    tail = value[len(CHANNEL_PREFIX):] if value.startswith(CHANNEL_PREFIX) else ""
    return int(tail) if len(tail) == 15 and tail.isdigit() else None


def platform_id(p: Person) -> str:
    """What a crawler stores as the channel's platform_id."""
    return channel_id(p.i)


def index_of(pop: Population, value: str) -> int | None:
    """The person behind a stored platform_id, or None."""
    i = channel_index(value)
    return i if i is not None and 0 <= i < pop.size else None


def uploads_id(i: int) -> str:
    return "UU" + channel_id(i)[2:]


def uploads_index(value: str) -> int | None:
    return channel_index("UC" + value[2:]) if value.startswith("UU") else None


def _b64(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 64)
        out.append(_B64[r])
    return "".join(reversed(out))


def _unb64(text: str) -> int | None:
    n = 0
    for c in text:
        d = _B64.find(c)
        if d < 0:
            return None
        n = n * 64 + d
    return n


def video_id(i: int, k: int) -> str:
    return "v" + _b64(i * 100 + k, 10)


def video_index(value: str) -> tuple[int, int] | None:
    n = _unb64(value[1:]) if len(value) == 11 and value.startswith("v") else None
    return divmod(n, 100) if n is not None else None


def comment_id(post: Post, r: int) -> str:
    return "Ugsbx" + _b64((post.i * 100 + post.k) * 32 + r, 12) + "AaABAg"


def author_channel(acc: Account) -> str:
    """A commenter's channel id (followers and pod members are not channels of the population)."""
    return "UC" + ("f" if acc.kind == "follower" else "p") + f"{acc.a:010d}{acc.b:011d}"


def etag(*parts) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1(repr(parts).encode()).digest()).decode().rstrip("=")[:27]


def _iso(clock: Clock, t: float) -> str:
    """Seconds and Z, as the API writes publishedAt today (2019 answers had .000Z)."""
    return clock.dt(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def _thumbs(url: str, sizes=(("default", 88), ("medium", 240), ("high", 800))) -> dict:
    return {name: {"url": f"{url}=s{size}", "width": size, "height": size} for name, size in sizes}


def _video_thumbs(vid: str) -> dict:
    return {"default": {"url": f"https://i.ytimg.com/vi/{vid}/default.jpg", "width": 120, "height": 90},
            "medium": {"url": f"https://i.ytimg.com/vi/{vid}/mqdefault.jpg", "width": 320, "height": 180},
            "high": {"url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg", "width": 480, "height": 360}}


def hides_subscribers(p: Person) -> bool:
    """Channels that hide their subscriber count: those that hide their collections elsewhere."""
    return p.hide_collections


def comments_disabled(post: Post) -> bool:
    return (post.i * 7 + post.k) % 11 == 3


def three_figures(n: int) -> int:
    """A subscriber count as the API serves it: rounded down to three significant figures
    (the channels reference: statistics.subscriberCount "is rounded down to three
    significant figures"; 10,700,000 in channels_info_multiple.json)."""
    step = 10 ** max(len(str(n)) - 3, 0)
    return n // step * step


def custom_url(p: Person) -> str:
    return "@" + p.username.lower()


def channel(pop: Population, p: Person, clock: Clock) -> dict:
    cid = channel_id(p.i)
    stats: dict = {"viewCount": str(sum(views(x) for x in pop.visible_posts(p.i, clock.day))
                                      + p.statuses_before * 50 * SCALE),
                   "hiddenSubscriberCount": hides_subscribers(p),
                   "videoCount": str(pop.statuses_count(p, clock.day))}
    if not hides_subscribers(p):
        stats["subscriberCount"] = str(three_figures(followers(p, clock.day)))
    avatar = f"https://yt3.ggpht.com/sandbox/{cid}" if p.has_avatar else "https://yt3.ggpht.com/ytc/default"
    snippet = {"title": p.display_name, "description": p.bio, "customUrl": custom_url(p),
               "publishedAt": _iso(clock, -p.created_days * DAY),
               "thumbnails": _thumbs(avatar), "localized": {"title": p.display_name, "description": p.bio}}
    return {"kind": "youtube#channel", "etag": etag("channel", p.i, clock.day), "id": cid, "snippet": snippet,
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": uploads_id(p.i)}},
            "statistics": stats}


def _plain(post: Post) -> str:
    out = []
    for kind, value in post.segments:
        out.append(f"#{value}" if kind == "tag" else f"@{value}" if kind == "mention" else value)
    return "".join(out).strip()


def title_of(post: Post) -> str:
    words = " ".join(v for k, v in post.segments if k == "text").split()
    title = " ".join(words[:8]).rstrip(".,!:;") or f"Video {post.k + 1}"
    return title[:100]


def views(post: Post) -> int:
    engaged = likes(post) + comments(post) + post.reblogs * SCALE
    return engaged * 14 + post.quotes * SCALE * 50 + (post.i * 37 + post.k * 11) % 97


def video(pop: Population, post: Post, clock: Clock, p: Person) -> dict:
    vid = video_id(post.i, post.k)
    stats = {"viewCount": str(views(post)), "likeCount": str(likes(post)), "favoriteCount": "0"}
    if not comments_disabled(post):  # the API leaves commentCount out when comments are off
        stats["commentCount"] = str(comments(post))
    snippet = {"publishedAt": _iso(clock, post.t), "channelId": channel_id(p.i),
               "title": title_of(post), "description": _plain(post), "thumbnails": _video_thumbs(vid),
               "channelTitle": p.display_name, "tags": [t for t in post.tags][:5], "categoryId": "26",
               "liveBroadcastContent": "none", "defaultAudioLanguage": post.language,
               "localized": {"title": title_of(post), "description": _plain(post)}}
    return {"kind": "youtube#video", "etag": etag("video", vid, clock.day), "id": vid, "snippet": snippet,
            "statistics": stats,
            "paidProductPlacementDetails": {"hasPaidProductPlacement": post.kind == "ad"}}


def search_result(post: Post, clock: Clock, p: Person) -> dict:
    vid = video_id(post.i, post.k)
    published = _iso(clock, post.t)
    return {"kind": "youtube#searchResult", "etag": etag("search", vid),
            "id": {"kind": "youtube#video", "videoId": vid},
            "snippet": {"publishedAt": published, "channelId": channel_id(p.i), "title": title_of(post),
                        "description": _plain(post)[:160], "thumbnails": _video_thumbs(vid),
                        "channelTitle": p.display_name, "liveBroadcastContent": "none", "publishTime": published}}


def playlist_item(post: Post, clock: Clock, p: Person) -> dict:
    vid = video_id(post.i, post.k)
    return {"kind": "youtube#playlistItem", "etag": etag("item", vid), "id": etag("playlistItem", vid),
            "contentDetails": {"videoId": vid, "videoPublishedAt": _iso(clock, post.t)}}


def comment_thread(reply: Reply, post: Post, clock: Clock, p: Person) -> dict:
    cid = comment_id(post, reply.r)
    vid = video_id(post.i, post.k)
    author = author_channel(reply.author)
    published = _iso(clock, reply.t)
    inner = {"channelId": channel_id(p.i), "videoId": vid, "textDisplay": reply.text, "textOriginal": reply.text,
             "authorDisplayName": "@" + reply.author.username.lower(),
             "authorProfileImageUrl": f"https://yt3.ggpht.com/sandbox/{author}=s48",
             "authorChannelUrl": f"http://www.youtube.com/channel/{author}", "authorChannelId": {"value": author},
             "canRate": True, "viewerRating": "none", "likeCount": reply.likes,
             "publishedAt": published, "updatedAt": published}
    return {"kind": "youtube#commentThread", "etag": etag("thread", cid), "id": cid,
            "snippet": {"channelId": channel_id(p.i), "videoId": vid,
                        "topLevelComment": {"kind": "youtube#comment", "etag": etag("comment", cid), "id": cid,
                                            "snippet": inner},
                        "canReply": True, "totalReplyCount": 0, "isPublic": True}}


def listing(kind: str, items: list, per_page: int, total: int | None = None, next_token: str | None = None,
            prev_token: str | None = None, **extra) -> dict:
    out: dict = {"kind": f"youtube#{kind}ListResponse", "etag": etag(kind, [i.get("id") for i in items])}
    if next_token:
        out["nextPageToken"] = next_token
    if prev_token:
        out["prevPageToken"] = prev_token
    out.update(extra)
    out["pageInfo"] = {"totalResults": len(items) if total is None else total, "resultsPerPage": per_page}
    out["items"] = items
    return out


def error(code: int, reason: str, message: str, domain: str) -> dict:
    """Google's error body: the shape of error_key_invalid.json / error_quota_exceeded.json."""
    return {"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                      "code": code, "message": message}}


KEY_INVALID = (400, error(400, "keyInvalid", "Bad Request", "usageLimits"))
QUOTA_EXCEEDED = (403, error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                                  "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "youtube.quota"))
KEY_MISSING = (403, error(403, "forbidden", "The request is missing a valid API key.", "global"))
# A key restricted to HTTP referrers (a browser key) called from a server: the real body
# (a 403 quoted in github.com/YouCount/youcount.github.io/issues/14), today's wire form.
KEY_REFERRER_BLOCKED = (403, {"error": {
    "code": 403, "message": "Requests from referer <empty> are blocked.",
    "errors": [{"message": "Requests from referer <empty> are blocked.", "domain": "global", "reason": "forbidden"}],
    "status": "PERMISSION_DENIED",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_HTTP_REFERRER_BLOCKED",
                 "domain": "googleapis.com", "metadata": {"service": "youtube.googleapis.com",
                                                          "consumer": "projects/000000000000"}}]}})
COMMENTS_DISABLED = (403, error(403, "commentsDisabled", "The video identified by the <code><a href=\"/youtube/v3/"
                                     "docs/commentThreads/list#videoId\">videoId</a></code> parameter has disabled "
                                     "comments.", "youtube.commentThread"))
PLAYLIST_NOT_FOUND = (404, error(404, "playlistNotFound", "The playlist identified with the request's <code>"
                                      "playlistId</code> parameter cannot be found.", "youtube.playlistItem"))
VIDEO_NOT_FOUND = (404, error(404, "videoNotFound", "The video identified by the <code><a href=\"/youtube/v3/docs/"
                                   "commentThreads/list#videoId\">videoId</a></code> parameter could not be found.",
                                   "youtube.commentThread"))

# Google's per-time rate limits (not the daily quota): the bodies of Google's own error reference
# (developers.google.com/workspace/calendar/api/guides/errors: "403: User Rate Limit Exceeded",
# "403: Rate Limit Exceeded", "429: Too many requests"; the YouTube Data API answers in the same
# Google error format, domain "usageLimits"). rateLimitExceeded "can return either 403 or 429
# error codes", to be answered alike, with exponential backoff: no Retry-After, no X-RateLimit-*.
RATE_LIMITED = (429, error(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"))
RATE_LIMITED_403 = (403, error(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"))
USER_RATE_LIMITED = (403, error(403, "userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits"))


def backend_error(code: int) -> dict:
    """A 5xx in Google's error format (the same reference's "500: Backend Error"; 502 and 503
    are given the same body with their own code)."""
    return error(code, "backendError", "Backend Error", "global")
