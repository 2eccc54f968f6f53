"""Instagram Graph API answers -> items: pure functions, body in, items out.

What the API gives (and what it does not): hashtag media carry no owner, and captions come
without the "@" of their mentions (the IG Media reference: unless the app user administers
the Page of the account that wrote the caption; none of the recorded hashtag captions holds
one). So hashtag pages give media, and authors only from a caption that does hold @mentions:
creators come from seed handles. business_discovery gives a
professional account's profile and media, but no follower list and no comments (the API
gives comments only on the caller's own media). Missing counts stay None (unknown):
``like_count`` is left out when the owner hides likes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from microscout.crawlers.items import PostItem, ProfileItem
from microscout.crawlers.parse_common import Malformed, mention_pattern, optional, require, text_mentions

PLATFORM = "instagram"
# Instagram usernames: letters, digits, "_" and ".", at most 30 characters, not ending in ".".
USERNAME = re.compile(r"^[a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?$")
# An @username in a caption, in that alphabet (any case) and length: a name running on in
# letters no Instagram username holds (@josé_cooks), or past 30 characters, names no one, not
# the account its first letters would (@jos); see parse_common.mention_pattern.
_MENTION = mention_pattern(r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w+)")
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002}
TOKEN_CODES = {102, 104, 190}
HASHTAG_LIMIT_SUBCODE = 2207024
NOT_FOUND_SUBCODES = {2207013, 2207006}


# --- captions -----------------------------------------------------------------------------

def mentions(caption: str | None) -> list[str]:
    """@usernames in a caption, lower-cased, in order, once each."""
    return text_mentions(caption, _MENTION)


def hashtags(caption: str | None) -> list[str]:
    out: list[str] = []
    for tag in _HASHTAG.findall(caption or ""):
        tag = tag.lower()
        if tag not in out:
            out.append(tag)
    return out


def iso(stamp: str | None) -> str | None:
    """Graph API time (2021-08-17T19:00:42+0000) as ISO-8601 UTC, or None."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise Malformed("bad_value", f"timestamp {stamp[:40]!r} is not a time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


def _ident(value, what: str) -> str:
    """A Graph API id (a string of digits, sometimes a number) as a string; Malformed otherwise."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value):
        raise Malformed("missing_fields", f"{what}: expected an id, got {type(value).__name__}")
    return str(value)


def _count(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed("bad_value", f"count {value!r} is not an integer")
    return value


# --- errors -------------------------------------------------------------------------------

@dataclass
class GraphError:
    code: int | None
    subcode: int | None
    message: str
    type: str = ""
    transient: bool = False
    user_msg: str = ""

    @property
    def kind(self) -> str:
        """rate_limit | token | permission | not_found | hashtag_limit | other."""
        text = f"{self.message} {self.user_msg}".lower()
        if self.code in RATE_LIMIT_CODES:
            return "rate_limit"
        if self.code in TOKEN_CODES:
            return "token"
        if self.subcode == HASHTAG_LIMIT_SUBCODE or "hashtag limit" in text or "unique hashtags" in text:
            return "hashtag_limit"
        if self.code == 110 or self.subcode in NOT_FOUND_SUBCODES or (
                self.code == 100 and ("cannot be found" in text or "invalid user id" in text)):
            return "not_found"
        if self.code == 10 or (self.code is not None and 200 <= self.code <= 299) or (
                self.code == 100 and ("permission" in text or "requires" in text)):
            return "permission"
        return "other"

    def permission(self) -> str | None:
        """The permission or feature the message names, if it names one."""
        quoted = re.search(r"'([A-Za-z_ ]+)' (?:permission|feature)", self.message)
        if quoted:
            return quoted.group(1)
        feature = re.search(r"\(#\d+\)\s*(.+?) requires", self.message)
        return feature.group(1).strip() if feature else None


def graph_error(body) -> GraphError | None:
    """The Graph API's {"error": {...}} as a GraphError; None for any other body."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return None
    err = body["error"]
    code, sub = err.get("code"), err.get("error_subcode")
    return GraphError(code=code if isinstance(code, int) else None, subcode=sub if isinstance(sub, int) else None,
                      message=str(err.get("message") or "")[:500], type=str(err.get("type") or ""),
                      transient=err.get("is_transient") is True, user_msg=str(err.get("error_user_msg") or "")[:300])


# --- usage headers ------------------------------------------------------------------------

def usage(buc: str | None, app: str | None = None) -> tuple[float, float]:
    """(highest percentage used, seconds until access is regained) from the
    X-Business-Use-Case-Usage ({business id: [{type, call_count, total_cputime, total_time,
    estimated_time_to_regain_access (minutes)}]}) and X-App-Usage ({call_count, total_time,
    total_cputime}) headers. Unreadable headers count as (0, 0): they only ever slow us down."""
    pct, regain = 0.0, 0.0
    for text in (buc, app):
        try:
            data = json.loads(text) if text else None
        except ValueError:
            continue
        entries: list = []
        if isinstance(data, dict) and any(isinstance(v, list) for v in data.values()):
            entries = [e for v in data.values() if isinstance(v, list) for e in v if isinstance(e, dict)]
        elif isinstance(data, dict):
            entries = [data]
        for entry in entries:
            for key in ("call_count", "total_cputime", "total_time"):
                value = entry.get(key)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    pct = max(pct, float(value))
            minutes = entry.get("estimated_time_to_regain_access")
            if isinstance(minutes, (int, float)) and not isinstance(minutes, bool):
                regain = max(regain, float(minutes) * 60)
    return pct, regain


# --- hashtags -----------------------------------------------------------------------------

def hashtag_id(body) -> str | None:
    """ig_hashtag_search: the hashtag's id, None when Instagram knows no such hashtag."""
    data = require(require(body, dict, "ig_hashtag_search").get("data"), list, "ig_hashtag_search.data")
    for entry in data:
        ident = require(entry, dict, "hashtag").get("id")
        if isinstance(ident, (str, int)) and str(ident):
            return str(ident)
    return None


def strip_token(url: str | None) -> str | None:
    """A paging URL without access_token (the API writes the caller's token into ``next``;
    the crawler sends it in a header and never in a URL)."""
    if not url:
        return None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class HashtagPage:
    media: int                # media on the page
    authors: list[str]        # @mentioned usernames, in order, once each
    next_url: str | None      # paging.next without its access_token


def hashtag_media(body) -> HashtagPage:
    """top_media / recent_media: the page's @mentions (hashtag media carry no owner; against
    the real API the list is empty: captions come without the "@")."""
    body = require(body, dict, "hashtag media")
    data = require(body.get("data"), list, "hashtag media.data")
    authors: list[str] = []
    for media in data:
        media = require(media, dict, "media")
        _ident(media.get("id"), "media.id")
        for name in mentions(optional(media.get("caption"), str, "media.caption")):
            if name not in authors:
                authors.append(name)
    paging = optional(body.get("paging"), dict, "paging", {})
    next_url = optional(paging.get("next"), str, "paging.next")
    return HashtagPage(len(data), authors, strip_token(next_url) if data else None)


@dataclass
class SearchedPage:
    hashtags: list[tuple[str, str | None]]  # (id, name lower-cased or None when the answer has none)
    next_url: str | None                    # paging.next without its access_token


def recently_searched(body) -> SearchedPage:
    """GET /{ig-user-id}/recently_searched_hashtags: {"data": [{"id", "name"?}], "paging"?}."""
    body = require(body, dict, "recently_searched_hashtags")
    data = require(body.get("data"), list, "recently_searched_hashtags.data")
    out: list[tuple[str, str | None]] = []
    for entry in data:
        entry = require(entry, dict, "hashtag")
        ident = _ident(entry.get("id"), "hashtag.id")
        name = optional(entry.get("name"), str, "hashtag.name")
        out.append((ident, name.lstrip("#").lower() if name else None))
    paging = optional(body.get("paging"), dict, "paging", {})
    next_url = optional(paging.get("next"), str, "paging.next")
    return SearchedPage(out, strip_token(next_url) if data else None)


# --- business_discovery ---------------------------------------------------------------------

def discovery(body) -> dict:
    return require(require(body, dict, "business_discovery answer").get("business_discovery"), dict,
                   "business_discovery")


def profile(body) -> ProfileItem:
    """business_discovery -> ProfileItem (counts absent from the answer stay None). ``url`` is
    the profile's own page on Instagram, never the ``website`` the account links to: the
    exports and the report give it as the creator's profile link. The website is stored as
    ``website`` (a contact), when it is an http(s) URL; the field is absent when the account
    gives none."""
    bd = discovery(body)
    ident = require(bd.get("id"), str, "business_discovery.id")
    username = require(bd.get("username"), str, "business_discovery.username")
    picture = optional(bd.get("profile_picture_url"), str, "profile_picture_url")
    return ProfileItem(
        platform=PLATFORM, platform_id=ident, handle=username,
        display_name=optional(bd.get("name"), str, "name"), bio=optional(bd.get("biography"), str, "biography"),
        url=f"https://www.instagram.com/{username}/",
        website=optional(bd.get("website"), str, "website"),  # ProfileItem keeps only http(s)
        has_avatar=bool(picture),  # the crawl always asks for it: absent means no picture
        followers=_count(bd.get("followers_count")), following=_count(bd.get("follows_count")),
        posts_count=_count(bd.get("media_count")))


def post(media: dict, owner_id: str) -> PostItem:
    media = require(media, dict, "media")
    ident = media.get("id")
    if not isinstance(ident, (str, int)) or not str(ident):
        raise Malformed("missing_fields", "media without id")
    created = iso(media.get("timestamp"))
    if not created:
        raise Malformed("missing_fields", f"media {ident} without timestamp")
    caption = optional(media.get("caption"), str, "caption") or ""
    return PostItem(platform=PLATFORM, platform_id=str(ident), profile_platform_id=owner_id, created_at=created,
                    text=caption, url=optional(media.get("permalink"), str, "permalink"),
                    hashtags=hashtags(caption), mentions=mentions(caption),
                    likes=_count(media.get("like_count")), replies=_count(media.get("comments_count")))


def media_page(body, owner_id: str | None = None) -> tuple[list[PostItem], str | None]:
    """business_discovery media: the posts and the cursor the page gave (None at the end)."""
    bd = discovery(body)
    owner = owner_id or require(bd.get("id"), str, "business_discovery.id")
    media = optional(bd.get("media"), dict, "business_discovery.media", {})
    data = optional(media.get("data"), list, "media.data", [])
    posts = [post(m, owner) for m in data]
    cursors = optional(optional(media.get("paging"), dict, "media.paging", {}).get("cursors"), dict, "cursors", {})
    after = optional(cursors.get("after"), str, "cursors.after")
    # Meta's paging docs: a page may hold fewer media than the limit, none at all, and still
    # lead on (privacy filtering); the cursor says whether more follow, not the page's size
    return posts, after or None
