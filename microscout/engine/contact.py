"""Where to reach a creator: the profile's address, and a contact: an email address in the
bio, else the website the platform gives for the profile (its ``website`` column), else a
website found in the bio.

Shared by the exports, the report, `microscout shortlist --json` and `explain`. The bio's
patterns are the ones of the worked example plugin (plugins/contact_in_bio.py): an email
address, else a website (a URL, or a bare domain with a common ending).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from microscout.addresses import website_address

# Parts bounded by what an address can hold (a local part of 64 characters, labels of 63, a
# domain of 255, at most 10 labels before the ending): each place a match is tried then costs
# a bounded amount, so a bio of thousands of "a-a-a-" or "a.a.a." stays linear, where
# unbounded runs were quadratic (0.2-0.6 s on 5,000 characters).
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{0,253}\w")
LINK = re.compile(r"https?://[^\s<>\"']+|\b[\w-]{1,63}(?:\.[\w-]{1,63}){0,10}\.(?:com|org|net|io|co|me|shop|store)\b"
                  r"(?:/[^\s<>\"']*)?")
_TRAILING = ".,;:!?)]}'\""


def contacts_in(bio: str | None, limit: int = 3) -> list[str]:
    """Emails first, then websites, in the order the bio gives them; no duplicates."""
    if not bio:
        return []
    emails = [e.rstrip(_TRAILING) for e in EMAIL.findall(bio)]
    # An email's domain is not a second contact: look for links in what is left.
    links = [u.rstrip(_TRAILING) for u in LINK.findall(EMAIL.sub(" ", bio))]
    found: list[str] = []
    for item in emails + links:
        if item and item not in found:
            found.append(item)
    return found[:limit]


def contacts_of(bio: str | None, website: str | None, limit: int = 3) -> list[str]:
    """The bio's emails, then the profile's own website (when it is an http(s) URL), then the
    bio's other websites; a bio link that is the profile's website (with or without its
    scheme, "www." or a closing "/") is not given twice."""
    found = contacts_in(bio, limit=max(limit, 3) + 3)
    site = website_address(website)
    if not site:
        return found[:limit]
    emails = [c for c in found if EMAIL.fullmatch(c)]
    links = [c for c in found if not EMAIL.fullmatch(c) and _same_site(c) != _same_site(site)]
    return (emails + [site] + links)[:limit]


def contact_for(bio: str | None, website: str | None) -> str | None:
    """The one contact the exports show: an email in the bio, else the profile's website, else
    a website in the bio; None when there is none."""
    found = contacts_of(bio, website, limit=1)
    return found[0] if found else None


def _same_site(link: str) -> str:
    """A link as compared with another: no scheme, no "www.", no closing "/", case-folded host."""
    rest = link.split("://", 1)[1] if "://" in link else link
    host, slash, path = rest.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + slash + path).rstrip("/")


def contact_in(bio: str | None) -> str | None:
    """The first contact in the bio (an email before a website), or None."""
    found = contacts_in(bio, limit=1)
    return found[0] if found else None


def contact_link(contact: str | None) -> str | None:
    """A link that opens ``contact``: mailto: for an email, https:// for a bare domain."""
    if not contact:
        return None
    if EMAIL.fullmatch(contact):
        return f"mailto:{contact}"
    return safe_link(contact if "://" in contact else f"https://{contact}")


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) or mailto link, else None: crawled text never becomes a
    javascript: or file: link in a report or a spreadsheet."""
    if not url or any(c in url for c in "\r\n\t\0 ") or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if parts.scheme == "mailto" and EMAIL.fullmatch(parts.path or ""):
        return url
    return None


def profile_url(platform: str, handle: str | None, url: str | None, instance: str | None = None,
                platform_id: str | None = None) -> str | None:
    """The profile's own address as crawled; else the usual one of its platform."""
    if safe_link(url):
        return url
    if not handle:
        return None
    if platform == "mastodon":
        acct = handle if "@" in handle.strip("@") else (platform_id or handle)
        user, _, host = acct.strip("@").partition("@")
        host = host or instance or ""
        return safe_link(f"https://{host}/@{user}") if host else None
    if platform == "bluesky":
        return f"https://bsky.app/profile/{handle}"
    return None
