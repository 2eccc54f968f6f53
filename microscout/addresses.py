"""Which addresses crawled or imported text may leave as a creator's website: kept apart from
microscout.models and the engine so the crawlers' items and the contact finder share it
without loading either."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# A domain written without its scheme, as people type a website into a profile form or a
# spreadsheet ("cook.example/shop", "linktr.ee/anna"): read as https.
_BARE_DOMAIN = re.compile(r"(?i)[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z]{2,63}(?:[/?#]\S*)?$")


def website_address(value: Any) -> str | None:
    """``value`` as a profile's stored ``website``: an http(s) URL with a host, stripped, or a
    bare domain read as https, else None. A javascript:, data: or mailto: link, a bare word or
    an overlong text is no website."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 2000 or any(c.isspace() or c == "\0" for c in value):
        return None
    if "://" not in value and _BARE_DOMAIN.match(value):
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None
