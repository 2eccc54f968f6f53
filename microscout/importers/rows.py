"""One row of an import file -> a checked profile or post (our column names), or RowError
saying which column is wrong and what it should be.

Column names are matched case-insensitively, with the aliases other tools use (followers_count,
username, caption, …). An empty cell is unknown (None), never 0: a rule without its data
says `unknown`.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from microscout.cli.common import UsageProblem
from microscout.cli.records import convert, rounded_count

# ours -> (kind, aliases)
PROFILE_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "platform_id": ("text", ("id", "user_id", "profile_id", "urn", "channel_id")),
    "handle": ("text", ("username", "user_name", "vanity_name", "public_identifier", "account", "screen_name",
                        "instagram_username", "tiktok_username", "youtube_handle", "channel_handle")),
    "display_name": ("text", ("name", "full_name", "fullname", "channel_name", "channel_title")),
    "bio": ("text", ("biography", "headline", "description", "about")),
    "followers": ("int", ("followers_count", "follower_count", "subscribers", "connections")),
    "following": ("int", ("following_count", "follows_count", "followees")),
    "posts_count": ("int", ("media_count", "post_count", "posts", "mediacount", "video_count", "videos")),
    "created_at": ("date", ("joined", "joined_at")),
    "last_post_at": ("date", ()),
    "url": ("text", ("profile_url", "link", "channel_url")),
    "website": ("text", ("external_url", "website_url", "homepage", "site")),
    "has_avatar": ("bool", ("avatar",)),
    "observed_at": ("date", ("scraped_at", "collected_at", "fetched_at")),
}
POST_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    # TikTok's Research API names a video's author "username" (a posts file's, not a profile's);
    # a tweet export names it by its id, "user_id" (X's API: "author_id"): a handle is taken first
    "profile": ("text", ("profile_id", "profile_handle", "author", "owner", "owner_username", "author_handle",
                         "username", "author_unique_id", "user_id", "author_id")),
    "id": ("text", ("post_id", "platform_id", "shortcode", "urn", "video_id")),
    "created_at": ("date", ("date", "published_at", "posted_at", "timestamp", "taken_at", "create_time")),
    "text": ("text", ("caption", "content", "body", "commentary", "video_description", "desc")),
    "likes": ("int", ("like_count", "likes_count", "reactions", "num_likes")),
    "replies": ("int", ("comments", "comment_count", "comments_count", "num_comments")),
    "reposts": ("int", ("shares", "share_count", "reshares", "num_shares", "reposts_count")),
    "views": ("int", ("view_count", "views_count", "impressions", "plays", "video_view_count")),
    "url": ("text", ("permalink", "link", "post_url")),
    "paid_flag": ("bool", ("paid", "sponsored", "is_paid_partnership", "paid_partnership")),
    "observed_at": ("date", ("scraped_at", "collected_at", "fetched_at")),
}
# a file is a posts file when it names a post's owner, or holds what only posts have (a TikTok
# video export names its author "username", as profile exports do)
POST_MARKERS = ("profile", "profile_id", "profile_handle", "author", "owner", "owner_username", "author_handle",
                "video_description", "create_time", "video_id", "post_id", "shortcode", "caption", "permalink",
                "taken_at", "post_url")
_NAMES = {kind: {n for ours, (_k, aliases) in columns.items() for n in (ours, *aliases)}
          for kind, columns in (("profiles", PROFILE_COLUMNS), ("posts", POST_COLUMNS))}
# the names one kind reads and the other does not (followers, bio; text, likes, date): what a
# header says of its file; id, username, user_id, created_at, url and the like are both kinds'
OWN_NAMES = {"profiles": _NAMES["profiles"] - _NAMES["posts"], "posts": _NAMES["posts"] - _NAMES["profiles"]}


# Of those, the ones that say the kind of a file by themselves: a post's words or its author
# (text, caption, profile…), an account's audience or bio (followers, bio…). Not a date or a
# count (a list of accounts may say when it was made, "date", or their total "likes" and
# "views"), nor a name, a description or an id (a posts export may name its author's, a
# YouTube video has a "description"): with only those, --kind decides and auto reads profiles.
DECISIVE_NAMES = {
    "profiles": {n for ours in ("followers", "following", "posts_count") for n in (ours, *PROFILE_COLUMNS[ours][1])}
    | {"handle", "bio", "biography", "headline", "about"},
    "posts": {n for n in ("text", *POST_COLUMNS["text"][1])} | (set(POST_MARKERS) - {"profile_id"}),
}


def own_columns(header: list[str], decisive: bool = False) -> dict[str, list[str]]:
    """{"profiles": the columns of ``header`` (as written) that only profiles have, "posts": those
    only posts have}, names read as columns_for reads them (any case, spaces as _); ``decisive``:
    only those that say the kind by themselves (DECISIVE_NAMES)."""
    return {kind: [h for h in header if (name := h.strip().lower().replace(" ", "_")) in names
                   and (not decisive or name in DECISIVE_NAMES[kind])]
            for kind, names in OWN_NAMES.items()}


def names_posts(columns: set[str]) -> bool:
    """Whether a file whose columns (lower case, spaces read as _) are ``columns`` holds posts:
    it has a column naming a post's author or only posts have (caption, shortcode…), or a post's
    text (text, content, body…) and no column only profiles have (a posts file whose author is
    'username', as profiles exports name the account; a date or a count alone says nothing: a
    list of accounts may have the "date" it was made or their total "likes"). 'profile_id' names a post's author,
    but also a profile's own id ('Profile ID' in a creator tool's export): alone, it makes a
    posts file only where no column says profiles (followers, bio…) without one saying posts
    (likes, caption…)."""
    markers = columns & set(POST_MARKERS)
    if markers - {"profile_id"}:
        return True
    profile_only, post_only = columns & OWN_NAMES["profiles"], columns & OWN_NAMES["posts"]
    if post_only & DECISIVE_NAMES["posts"] and not profile_only:
        return True
    return bool(markers) and not (profile_only and not post_only)


HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
MENTION = re.compile(r"(?<![\w.@/])@([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_]|[A-Za-z0-9_])")


class RowError(Exception):
    """A row that cannot be imported: the reason, in words."""


def columns_for(header: list[str], known: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[dict[str, str], list[str]]:
    """({ours: theirs}, the file's columns nobody reads)."""
    lowered = {h.strip().lower().replace(" ", "_"): h for h in header}
    found: dict[str, str] = {}
    for ours, (_kind, aliases) in known.items():
        for name in (ours, *aliases):
            if name in lowered:
                found[ours] = lowered[name]
                break
    used = set(found.values())
    return found, [h for h in header if h not in used and h.strip().lower() != "kind"]


def unknown_columns(header: list[str], known: dict[str, tuple[str, tuple[str, ...]]]) -> list[str]:
    """The columns no name or alias of ours matches (a JSONL file's keys vary by row)."""
    names = {n for ours, (_kind, aliases) in known.items() for n in (ours, *aliases)} | {"kind"}
    return [h for h in header if h.strip().lower().replace(" ", "_") not in names]


def _values(row: dict[str, Any], columns: dict[str, str], known: dict, where: str,
            thousands: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ours, theirs in columns.items():
        kind = known[ours][0]
        value = row.get(theirs)
        if isinstance(value, str):  # what convert makes of the commonest cells, without its checks
            if kind == "text":
                out[ours] = value if value.strip() else None
                continue
            if kind == "int" and len(digits := value.strip()) < 19 and digits.isascii() and digits.isdigit():
                out[ours] = int(digits)  # under 10**18: no SQLite overflow, never negative
                continue
        if kind == "date" and isinstance(value, (int, float)) or (kind == "date" and isinstance(value, str)
                                                                   and value.strip().isdigit()):
            out[ours] = _epoch(value, theirs)
            continue
        if kind == "int" and isinstance(value, bool):
            raise RowError(f"column {theirs!r} holds {value!r}; it should be a whole number")
        if kind == "int" and isinstance(value, str):
            # "12.5K" followers, as creator tools' exports round them (read as `check` reads them)
            try:
                rounded = rounded_count(value, thousands)
            except ValueError:
                raise RowError(f"column {theirs!r} holds {value!r}; write it 12.5K or 12500") from None
            if rounded is not None:
                out[ours] = rounded
                continue
        try:
            out[ours] = convert(value, kind, where, theirs, thousands=thousands)
        except UsageProblem as exc:
            raise RowError(exc.message.removeprefix(f"{where}: ")) from None
        if kind == "int" and out[ours] is not None and out[ours] < 0:
            raise RowError(f"column {theirs!r} holds {value!r}; a count cannot be negative")
    return out


def _epoch(value: Any, column: str) -> datetime:
    """Unix seconds (or milliseconds, past 1e11, as check reads them). A number below 1e8 (before
    1973) is a date without its dashes ("20240501", ISO 8601's basic form, read as check reads
    it), else a year ("2019") or a count: never a date stored as 1970."""
    try:
        number = float(value)
        if number < 1e8:
            text = str(value).strip()
            if len(text) == 8 and text.isdigit():
                try:
                    return datetime.fromisoformat(text)
                except ValueError:
                    pass
            raise RowError(f"column {column!r} holds {value!r}, which is no Unix time (before 1973: a year, a date "
                           "without its dashes, or a count); write the date as 2024-05-01, or Unix seconds")
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise RowError(f"column {column!r} holds {value!r}; it should be a date (ISO, or Unix seconds)") from None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def profile_row(row: dict[str, Any], columns: dict[str, str], platform: str, where: str,
                thousands: str | None = None) -> dict[str, Any]:
    """A profiles-table row (plus "observed_at" when the file gives one); ``thousands``: how
    the file's numbers group thousands (read.table)."""
    from microscout.cli.handles import normalize

    v = _values(row, columns, PROFILE_COLUMNS, where, thousands)
    handle = v.get("handle")
    if handle:
        normal = normalize(handle)
        if normal is None:
            raise RowError(f"handle {handle!r} is not a handle; write a user name or a profile URL")
        handle = normal
    ident = (v.get("platform_id") or "").strip() or None
    if not handle and not ident:
        raise RowError("no handle and no id; every profile needs one of them")
    url = v.get("url")
    if url and not re.match(r"(?i)https?://\S+$", url.strip()):
        raise RowError(f"url {url!r} is not an http(s) URL")
    out = {"platform": platform, "platform_id": ident or handle, "handle": handle or ident,
           "display_name": v.get("display_name"), "bio": v.get("bio"), "url": url.strip() if url else None,
           "website": _website(v.get("website")),
           "has_avatar": v.get("has_avatar"), "followers": v.get("followers"), "following": v.get("following"),
           "posts_count": v.get("posts_count"), "created_at": _iso(v.get("created_at"))}
    if v.get("last_post_at") is not None:
        out["last_post_at"] = _iso(v["last_post_at"])
    if v.get("observed_at") is not None:
        out["observed_at"] = _iso(v["observed_at"])
    return out


def _website(value: str | None) -> str | None:
    """A website cell as stored: an http(s) URL, a bare domain (``cook.example/shop``) read as
    https; any other scheme (javascript:, mailto:) is a bad row, as an empty cell is unknown."""
    from microscout.addresses import website_address

    if not value or not value.strip():
        return None
    value = value.strip()
    found = website_address(value)
    if found is None:
        raise RowError(f"website {value[:80]!r} is not an http(s) URL")
    return found


def post_row(row: dict[str, Any], columns: dict[str, str], platform: str, where: str,
             thousands: str | None = None) -> dict[str, Any]:
    """A posts-table row without profile_id, with "profile" (the owner's handle or id, also
    written as the profile's URL, as profiles files may), and "observed_at" when the file gives
    when its counts were taken."""
    from microscout.cli.handles import normalize

    v = _values(row, columns, POST_COLUMNS, where, thousands)
    owner = (v.get("profile") or "").strip().lstrip("@")
    if owner.lower().startswith(("http://", "https://")):
        owner = normalize(owner) or owner
    if not owner:
        raise RowError("no profile: name the post's author (its handle or id) in the profile column")
    created = v.get("created_at")
    if created is None:
        raise RowError("no created_at: every post needs its date")
    ident = (v.get("id") or "").strip() or (v.get("url") or "").strip()
    if not ident:
        raise RowError("no id and no url: every post needs one of them")
    out: dict[str, Any] = {"profile": owner, "platform": platform, "platform_id": ident, "created_at": _iso(created)}
    # An empty or absent cell says nothing: the row leaves that column out, so a stored post
    # keeps it (a newer metrics export without captions wrote '' over them, NULL over replies).
    text = v.get("text")
    if text:
        out.update(text=text, hashtags=sorted({t.lower() for t in HASHTAG.findall(text)}),
                   mentions=sorted({m.lower() for m in MENTION.findall(text)}))
    out.update(url=v.get("url"), likes=v.get("likes"), replies=v.get("replies"), reposts=v.get("reposts"),
               views=v.get("views"), paid_flag=v.get("paid_flag"))  # None: left out by Importer.add_posts
    if v.get("observed_at") is not None:
        out["observed_at"] = _iso(v["observed_at"])
    return out
