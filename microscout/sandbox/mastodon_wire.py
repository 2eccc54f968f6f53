"""Mastodon REST entities, shaped like the recordings of a real 4.6 server
(shared/fixtures/mastodon): Account, Status, the v2 Instance."""
from __future__ import annotations

from html import escape

from microscout.sandbox import ids
from microscout.sandbox.clock import DAY, Clock
from microscout.sandbox.population import Account, Person, Population, Post, Reply
from microscout.sandbox.text import BRANDS, Segment

APPROVAL = {"automatic": ["public"], "manual": [], "current_user": "denied"}


def instance(base: str, rate_limit: int) -> dict:
    return {
        "domain": ids.LOCAL_DOMAIN, "title": "microscout sandbox", "version": "4.6.4",
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A simulated instance: every account and post here is generated.",
        "usage": {"users": {"active_month": 0}},
        "thumbnail": {"url": f"{base}/packs/images/preview.png"}, "icon": [], "languages": ["en"],
        "configuration": {
            "urls": {"streaming": None, "status": None},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
            "statuses": {"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23},
            # Since 4.5: who may read which feeds. Everything is public in the sandbox.
            "timelines_access": {
                "live_feeds": {"local": "public", "remote": "public"},
                "hashtag_feeds": {"local": "public", "remote": "public"},
                "trending_link_feeds": {"local": "public", "remote": "public"},
            },
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "api_versions": {"mastodon": 7},
        "contact": {"email": "", "account": None},
        "rules": [{"id": "1", "text": f"Rate limit: {rate_limit} requests per window per IP", "hint": ""}],
    }


def _account(base: str, id_: int, username: str, acct: str, host: str, display_name: str, note: str,
             has_avatar: bool, created_at: str, followers: int, following: int, statuses: int,
             last_status_at: str | None, bot: bool = False, discoverable: bool = True,
             indexable: bool = True, noindex: bool = False, hide_collections: bool | None = None) -> dict:
    home = base if host == ids.LOCAL_DOMAIN else f"https://{host}"
    avatar = f"{base}/system/accounts/avatars/{id_}.png" if has_avatar else f"{base}/avatars/original/missing.png"
    out = {
        "id": str(id_), "username": username, "acct": acct, "display_name": display_name,
        "locked": False, "bot": bot, "discoverable": discoverable, "indexable": indexable, "group": False,
        "created_at": created_at, "note": f"<p>{escape(note)}</p>" if note else "",
        "url": f"{home}/@{username}", "uri": f"{home}/users/{username}",
        "avatar": avatar, "avatar_static": avatar, "avatar_description": "",
        "header": f"{base}/headers/original/missing.png", "header_static": f"{base}/headers/original/missing.png",
        "header_description": "",
        "followers_count": followers, "following_count": following, "statuses_count": statuses,
        "last_status_at": last_status_at, "hide_collections": hide_collections,
        "show_media": True, "show_media_replies": True, "show_featured": True,
        "feature_approval": dict(APPROVAL), "emojis": [], "roles": [], "fields": [],
    }
    if host == ids.LOCAL_DOMAIN:
        # REST::AccountSerializer: `attribute :noindex, if: :local?`. The search-engine
        # opt-out is a local user's setting that does not federate: a remote account has none.
        out["noindex"] = noindex
    return out


def account(pop: Population, p: Person, clock: Clock, base: str) -> dict:
    times = pop.visible_times(p, clock.day)
    last = clock.date(times[0][1]) if times else None
    # A remote account's numbers are as this instance last saw them (a day-old copy).
    day = max(clock.day - 1, 0) if p.remote else clock.day
    out = _account(base, ids.ACCOUNT_BASE + p.i, p.username, p.acct, p.host, p.display_name, p.bio,
                   p.has_avatar, clock.iso_day(-p.created_days * DAY), p.followers(day), p.following,
                   pop.statuses_count(p, clock.day), last, bot=p.bot,
                   discoverable=p.opt_out.get("discoverable", True), indexable=p.opt_out.get("indexable", True),
                   noindex=p.opt_out.get("noindex", False), hide_collections=p.hide_collections or None)
    if p.archetype in ("ad_heavy", "celebrity"):
        out["fields"] = [{"name": "Shop", "value": "<a href=\"https://shop.example\">shop.example</a>",
                          "verified_at": None}]
    site = website(p)
    if site:
        # as Mastodon serializes a field whose page links back with rel="me" (its URL linkified
        # into spans, verified_at the time the server checked it)
        host = site.removeprefix("https://").rstrip("/")
        out["fields"].append({"name": "Website", "value": f'<a href="{site}" target="_blank" rel="nofollow noopener '
                              f'noreferrer me" translate="no"><span class="invisible">https://</span><span class="">'
                              f'{host}</span><span class="invisible"></span></a>',
                              "verified_at": clock.iso(-30 * DAY)})
    return out


def website(p: Person) -> str | None:
    """The website a sandbox creator's profile links to and its server verified: celebrities'
    (what a crawl stores as the profile's website)."""
    return f"https://{p.username.lower().replace('_', '-')}.example/" if p.archetype == "celebrity" else None


def other_account(acc: Account, clock: Clock, base: str) -> dict:
    last = clock.date(-acc.last_post_days * DAY) if acc.last_post_days is not None else None
    return _account(base, acc.mastodon_id, acc.username, acc.acct, acc.host, acc.display_name, acc.bio,
                    acc.has_avatar, clock.iso_day(-acc.created_days * DAY), acc.followers,
                    acc.following, acc.posts, last, bot=acc.bot)


def _mention(pop: Population, who: str, base: str) -> dict:
    user, _, host = who.partition("@")
    if host == ids.BRAND_DOMAIN:
        n = next((b for b, name in enumerate(BRANDS) if name.lower() == user), 0)
        return {"id": str(ids.BRAND_BASE + n), "username": user, "url": f"https://{host}/@{user}", "acct": who}
    i = pop.index_of_username(who)
    home = f"https://{host}" if host else base
    return {"id": str(ids.ACCOUNT_BASE + (i or 0)), "username": user, "url": f"{home}/@{user}", "acct": who}


def content(segments: list[Segment], base: str) -> str:
    """Mastodon's HTML: hashtags and mentions as links, URLs shortened in spans."""
    out = []
    for kind, value in segments:
        if kind == "tag":
            out.append(f'<a href="{base}/tags/{value.lower()}" class="mention hashtag" rel="tag">'
                       f"#<span>{escape(value)}</span></a>")
        elif kind == "mention":
            user, _, host = value.partition("@")
            href = f"https://{host}/@{user}" if host else f"{base}/@{user}"
            out.append(f'<span class="h-card" translate="no"><a href="{href}" class="u-url mention">'
                       f"@<span>{escape(user)}</span></a></span>")
        elif kind == "link":
            scheme, _, rest = value.partition("://")
            out.append(f'<a href="{escape(value)}" target="_blank" rel="nofollow noopener" translate="no">'
                       f'<span class="invisible">{scheme}://</span><span class="ellipsis">{escape(rest[:30])}</span>'
                       f'<span class="invisible">{escape(rest[30:])}</span></a>')
        else:
            out.append(escape(value))
    return "<p>" + "".join(out) + "</p>"


def status(pop: Population, post: Post, clock: Clock, base: str, acct_json: dict | None = None) -> dict:
    p = pop.person(post.i)
    acct_json = acct_json or account(pop, p, clock, base)
    home = base if p.host == ids.LOCAL_DOMAIN else f"https://{p.host}"
    sid = str(post.id)
    tags = list(dict.fromkeys(v.lower() for k, v in post.segments if k == "tag"))
    return {
        "id": sid, "created_at": clock.iso(post.t), "in_reply_to_id": None, "in_reply_to_account_id": None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": post.language,
        "uri": f"{home}/users/{p.username}/statuses/{sid}", "url": f"{home}/@{p.username}/{sid}",
        "replies_count": post.replies, "reblogs_count": post.reblogs, "favourites_count": post.likes,
        "quotes_count": post.quotes, "edited_at": None,
        "content": content(post.segments, base), "reblog": None, "application": None,
        "account": acct_json, "media_attachments": [],
        "mentions": [_mention(pop, v, base) for k, v in post.segments if k == "mention"],
        "tags": [{"name": t, "url": f"{base}/tags/{t}"} for t in tags],
        "emojis": [], "tagged_collections": [], "quote": None, "card": None, "poll": None,
        "quote_approval": dict(APPROVAL),
    }


def reply_status(pop: Population, reply: Reply, post: Post, clock: Clock, base: str) -> dict:
    p = pop.person(post.i)
    author = other_account(reply.author, clock, base)
    rid = str(reply.id)
    home = base if reply.author.host == ids.LOCAL_DOMAIN else f"https://{reply.author.host}"
    return {
        "id": rid, "created_at": clock.iso(reply.t), "in_reply_to_id": str(post.id),
        "in_reply_to_account_id": str(ids.ACCOUNT_BASE + p.i), "sensitive": False, "spoiler_text": "",
        "visibility": "public", "language": "en",
        "uri": f"{home}/users/{reply.author.username}/statuses/{rid}",
        "url": f"{home}/@{reply.author.username}/{rid}",
        "replies_count": 0, "reblogs_count": 0, "favourites_count": reply.likes, "quotes_count": 0,
        "edited_at": None,
        "content": content([("mention", p.acct), ("text", " " + reply.text)], base),
        "reblog": None, "application": None, "account": author, "media_attachments": [],
        "mentions": [{"id": str(ids.ACCOUNT_BASE + p.i), "username": p.username,
                      "url": f"{base}/@{p.username}", "acct": p.acct}],
        "tags": [], "emojis": [], "tagged_collections": [], "quote": None, "card": None, "poll": None,
        "quote_approval": dict(APPROVAL),
    }


def error(message: str) -> dict:
    return {"error": message}
