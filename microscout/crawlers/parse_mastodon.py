"""Mastodon REST JSON -> items. Pure functions: no Scrapy, no network."""
from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlparse

from microscout.addresses import website_address
from microscout.crawlers.items import CommentItem, FollowerItem, OptOutItem, PostItem, ProfileItem
from microscout.crawlers.parse_common import (
    Malformed,
    html_to_text,
    optional,
    require,
    shows_link,
    tag_name,
    with_hidden_links,
)

PLATFORM = "mastodon"
BRIDGE_DOMAINS = ("bsky.brid.gy", "brid.gy")


def instance_host(base_url: str) -> str:
    return urlparse(base_url).netloc or base_url


_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?", re.IGNORECASE)


def instance_domain(info: dict, fallback: str) -> str:
    """The domain an instance's local accounts are known by elsewhere (``user@domain``): the
    instance document's ``domain`` (v2; ``uri`` in v1), which need not be the host its web
    pages and API are served from (Mastodon's LOCAL_DOMAIN and WEB_DOMAIN). ``fallback``
    (the URL's host) when the document names none that reads as a domain."""
    for key in ("domain", "uri"):
        value = info.get(key)
        if isinstance(value, str):
            value = value.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
            if _DOMAIN.fullmatch(value):
                return value
    return fallback


def full_acct(acct: str, host: str) -> str:
    """user@domain; a local account (no domain) gets the crawled instance's host."""
    if not isinstance(acct, str) or not acct.lstrip("@"):
        raise Malformed("missing_fields", f"account without acct (got {type(acct).__name__})")
    acct = acct.lstrip("@")
    return acct if "@" in acct else f"{acct}@{host}"


def is_bridged(acct: str) -> bool:
    domain = acct.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in BRIDGE_DOMAINS)


def hashtag_feeds_access(instance: dict) -> dict[str, str]:
    """{'local': 'public'|'authenticated'|'disabled', 'remote': …} from /api/v2/instance.

    Servers before 4.5 do not say; their hashtag feeds are public."""
    require(instance, dict, "instance")
    configuration = optional(instance.get("configuration") or None, dict, "instance.configuration", {})
    timelines = optional(configuration.get("timelines_access") or None, dict, "configuration.timelines_access", {})
    access = timelines.get("hashtag_feeds")
    if not isinstance(access, dict):
        return {"local": "public", "remote": "public"}
    return {k: str(v) for k, v in access.items()}


def opt_out_reason(account: dict) -> str | None:
    require(account, dict, "account")
    if account.get("noindex") is True:
        return "noindex"
    if account.get("discoverable") is False:
        return "discoverable=false"
    if account.get("indexable") is False:
        return "indexable=false"
    # The fediverse's own convention for "no bots or scrapers here": #nobot (or #noindex) in
    # the bio or a profile field.
    return _no_bots(account)


def _no_bots(account: dict) -> str | None:
    """'#nobot in the bio' when the bio or a profile field asks bots and scrapers to stay away."""
    fields = account.get("fields")
    if not isinstance(fields, list):
        fields = []
    said = " ".join([str(account.get("note") or "")] + [f"{f.get('name', '')} {f.get('value', '')}"
                                                        for f in fields if isinstance(f, dict)])
    return no_bots_in(said)


def verified_website(account: dict) -> str | None:
    """The first profile field whose link the account's server verified (``verified_at`` set:
    the page links back to the profile with rel="me"): the creator's own website, an http(s)
    URL, else None. An unverified field is anyone's claim, not a contact given by the platform."""
    fields = account.get("fields")
    for f in fields if isinstance(fields, list) else []:
        if not isinstance(f, dict) or not isinstance(f.get("verified_at"), str) or not f["verified_at"]:
            continue
        text, anchors = html_to_text(f.get("value") if isinstance(f.get("value"), str) else None)
        for candidate in [a["href"] for a in anchors] + [text]:
            found = website_address(candidate)
            if found:
                return found
    return None


def no_bots_in(bio: str | None) -> str | None:
    """'#nobot in the bio' (or #noindex) when a bio, HTML or plain text, asks bots and scrapers
    to stay away; also how `microscout import` reads a Mastodon bio another tool exported."""
    tag = _NO_BOTS.search(bio) if isinstance(bio, str) else None
    return f"#{tag.group(1).lower()} in the bio" if tag else None


_NO_BOTS = re.compile(r"#(?:<span>)?(nobots?|noindex)\b", re.IGNORECASE)


def _int(value) -> int | None:
    """A count, or None when absent or hidden: forks that let users hide their follower count
    send -1 (their REST::AccountSerializer), which judged as a count is below every tier."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Malformed("missing_fields", f"expected a count, got {type(value).__name__}")
    try:
        count = int(value)
    except ValueError:
        raise Malformed("missing_fields", f"expected a count, got {str(value)[:40]!r}") from None
    return count if count >= 0 else None


def _avatar(account: dict) -> bool:
    avatar = optional(account.get("avatar") or None, str, "account.avatar", "")
    return bool(avatar) and "missing.png" not in avatar


def _html(value, what: str) -> str:
    return html_to_text(optional(value, str, what))[0]


class Inactive(NamedTuple):
    """An account that is no creator to judge any more: suspended by its server's moderators
    (``suspended: true``, its profile emptied) or moved to another account (``moved``: the
    Account it moved to, None when that is unavailable). Mastodon's Account entity:
    "moved: the profile is currently inactive and its user has moved to a new account"."""

    platform_id: str
    reason: str  # "suspended" or "moved"
    moved_to: str | None = None


def inactive(account: dict, host: str) -> Inactive | None:
    """Whether the Account entity says the account is suspended or has moved (see Inactive)."""
    acct = full_acct(account["acct"], host)
    if account.get("suspended") is True:
        return Inactive(acct, "suspended")
    moved = account.get("moved")
    if isinstance(moved, dict):
        target = moved.get("acct")
        return Inactive(acct, "moved", full_acct(target, host) if isinstance(target, str) and target else None)
    return None


def parse_account(account: dict, host: str) -> ProfileItem | OptOutItem | Inactive:
    """An Account entity, as seen on the instance at ``host``."""
    require(account, dict, "account")
    if "id" not in account or "acct" not in account:
        raise Malformed("missing_fields", "account without id/acct")
    acct = full_acct(account["acct"], host)
    gone = inactive(account, host)
    # A suspended account's flags are its moderators' doing (emptied): no opt-out. A moved
    # one's are still its owner's: an opt-out is honoured (its traces erased), moved or not.
    reason = opt_out_reason(account) if not gone or gone.reason == "moved" else None
    if reason:
        return OptOutItem(platform=PLATFORM, platform_id=acct, opt_out_reason=reason)
    if gone:
        return gone
    bio = _html(account.get("note"), "account.note")
    return ProfileItem(
        platform=PLATFORM, platform_id=acct, handle=acct,
        display_name=account.get("display_name") or "", bio=bio, url=account.get("url"),
        website=verified_website(account), has_avatar=_avatar(account),
        followers=_int(account.get("followers_count")), following=_int(account.get("following_count")),
        posts_count=_int(account.get("statuses_count")),
        created_at=account.get("created_at"), last_post_at=account.get("last_status_at"),
        bot=bool(account.get("bot")), instance=host, api_id=str(account["id"]),
        bridged=is_bridged(acct), collections_hidden=account.get("hide_collections") is True)


def _anchors(anchors: list[dict]) -> tuple[list[str], list[str], list[str]]:
    tags, mentions, links = [], [], []
    for a in anchors:
        if "hashtag" in a["class"] or "tag" in a["rel"]:
            tags.append(tag_name(a["text"]))
        elif "mention" in a["class"]:
            mentions.append(a["text"].strip().lstrip("@"))
        elif a["href"].startswith(("http://", "https://")):
            links.append(a["href"])
    return tags, mentions, links


def _links_whole(text: str, anchors: list[dict]) -> str:
    """The text with each link shown shortened ("shop.example/p", as servers other than
    Mastodon write one; Mastodon's own spans hold it whole) written out whole where its words
    occur once: the part cut off (an affiliate tag) is what the sponsored-post signals read."""
    for a in anchors:
        shown, href = a["text"].strip(), a["href"]
        if shown != href and href.startswith(("http://", "https://")) and shows_link(shown, href) \
                and text.count(shown) == 1:
            text = text.replace(shown, href)
    return text


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def parse_status(status: dict, profile_platform_id: str, host: str) -> PostItem | None:
    """A Status as a post of ``profile_platform_id``; None for a reblog."""
    require(status, dict, "status")
    if status.get("reblog"):
        return None
    if not status.get("id") or not status.get("created_at"):
        raise Malformed("missing_fields", "status without id/created_at")
    text, anchors = html_to_text(optional(status.get("content"), str, "status.content"))
    tags, html_mentions, links = _anchors(anchors)
    tags += [tag_name(t.get("name", "")) for t in optional(status.get("tags") or None, list, "status.tags", [])
             if isinstance(t, dict)]
    mentions = [full_acct(m["acct"], host)
                for m in optional(status.get("mentions") or None, list, "status.mentions", [])
                if isinstance(m, dict) and m.get("acct")] or html_mentions
    return PostItem(
        platform=PLATFORM, platform_id=str(status["id"]), profile_platform_id=profile_platform_id,
        created_at=status["created_at"], text=with_hidden_links(_links_whole(text, anchors), _unique(links)),
        url=status.get("url") or status.get("uri"),
        hashtags=_unique(tags), mentions=_unique(mentions), links=_unique(links),
        likes=_int(status.get("favourites_count")), replies=_int(status.get("replies_count")),
        reposts=_int(status.get("reblogs_count")), quotes=_int(status.get("quotes_count")),
        is_reply=status.get("in_reply_to_id") is not None, language=status.get("language"))


def parse_statuses(body, profile_platform_id: str, host: str) -> list[PostItem]:
    require(body, list, "statuses")
    posts = (parse_status(s, profile_platform_id, host) for s in body)
    return [p for p in posts if p is not None]


def tag_timeline_authors(body) -> list[str]:
    """The acct of each author on a hashtag timeline page, in order, reblogs skipped."""
    require(body, list, "hashtag timeline")
    accts = []
    for status in body:
        require(status, dict, "status")
        if status.get("reblog"):
            continue
        account = require(status.get("account"), dict, "status.account")
        if not account.get("acct") or not isinstance(account["acct"], str):
            raise Malformed("missing_fields", "status.account without acct")
        accts.append(account["acct"])
    return _unique(accts)


def parse_context(body, post_platform_id: str, profile_platform_id: str, host: str,
                  limit: int) -> list[CommentItem]:
    require(body, dict, "context")
    descendants = require(body.get("descendants", []), list, "context.descendants")
    comments = []
    for status in descendants[:limit]:
        require(status, dict, "status")
        if not status.get("id"):
            raise Malformed("missing_fields", "reply without id")
        account = optional(status.get("account") or None, dict, "reply.account", {})
        if account_opted_out(account):
            continue  # a replier who asked not to be indexed: neither handle nor words are kept
        # its shortened links written out, as a Bluesky reply's are; no hidden link added: the
        # comment classes read a link in a reply's words as a spammer's
        text = _links_whole(*html_to_text(optional(status.get("content"), str, "reply.content")))
        comments.append(CommentItem(
            platform=PLATFORM, platform_id=str(status["id"]), profile_platform_id=profile_platform_id,
            post_platform_id=post_platform_id,
            author_id=full_acct(account["acct"], host) if account.get("acct") else None,
            author_handle=full_acct(account["acct"], host) if account.get("acct") else None,
            text=text, created_at=status.get("created_at"), likes=_int(status.get("favourites_count")),
            author_followers=_int(account.get("followers_count"))))
    return comments


def account_opted_out(account: dict) -> bool:
    """An account that asked not to be indexed (a follower, a replier) is left out of what is
    stored. `discoverable` concerns being suggested in discovery features, which sampling a
    follower or reading a reply is not."""
    require(account, dict, "account")
    return account.get("noindex") is True or account.get("indexable") is False or _no_bots(account) is not None


def parse_followers(body, profile_platform_id: str, host: str) -> list[FollowerItem]:
    require(body, list, "followers")
    followers = []
    for account in body:
        require(account, dict, "follower")
        if not account.get("acct"):
            raise Malformed("missing_fields", "follower without acct")
        if account_opted_out(account):
            continue
        acct = full_acct(account["acct"], host)
        bio = _html(account.get("note"), "follower.note")
        followers.append(FollowerItem(
            platform=PLATFORM, profile_platform_id=profile_platform_id, platform_id=acct, handle=acct,
            display_name=account.get("display_name") or "", bio=bio,
            has_avatar=_avatar(account),
            followers=_int(account.get("followers_count")), following=_int(account.get("following_count")),
            posts_count=_int(account.get("statuses_count")), created_at=account.get("created_at"),
            last_post_at=account.get("last_status_at"),
            bot=account["bot"] if isinstance(account.get("bot"), bool) else None))
    return followers
