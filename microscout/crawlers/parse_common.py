"""Helpers the platform parsers share: HTML to text, Link headers, malformed input."""
from __future__ import annotations

import re
from html import unescape


class Malformed(ValueError):
    """A response that is not what the API documents; ``kind`` names how."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def require(data, typ, what: str):
    if not isinstance(data, typ):
        raise Malformed("missing_fields", f"{what}: expected {typ.__name__}, got {type(data).__name__}")
    return data


_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<!--.*?-->|([^<]+|<)", re.S)
_ATTR = re.compile(r"""([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_BLOCK = {"p", "div", "blockquote", "li", "h1", "h2", "h3", "h4", "pre"}


def html_to_text(html: str | None) -> tuple[str, list[dict]]:
    """Plain text and the anchors ({href, class, rel, text}) of a Mastodon HTML fragment.

    A small tokenizer rather than html.parser: Mastodon's HTML is a handful of tags, and
    bios of follower samples come by the thousand."""
    if not html:
        return "", []
    if "<" not in html:
        return unescape(html).strip(), []
    parts: list[str] = []
    anchors: list[dict] = []
    anchor: dict | None = None
    for m in _TOKEN.finditer(html):
        closing, tag, attrs, text = m.group(1), m.group(2), m.group(3), m.group(4)
        if text is not None:
            text = unescape(text)
            parts.append(text)
            if anchor is not None:
                anchor["text"].append(text)
            continue
        if tag is None:
            continue  # a comment
        tag = tag.lower()
        if closing:
            if tag == "a" and anchor is not None:
                anchor["text"] = "".join(anchor["text"])
                anchors.append(anchor)
                anchor = None
        elif tag == "br":
            parts.append("\n")
        elif tag in _BLOCK:
            if parts and not "".join(parts[-2:]).endswith("\n\n"):
                parts.append("\n\n")
        elif tag == "a":
            values = {k.lower(): unescape(a if a is not None else b if b is not None else c)
                      for k, a, b, c in _ATTR.findall(attrs or "")}
            anchor = {"href": values.get("href", ""), "class": values.get("class", "").split(),
                      "rel": values.get("rel", "").split(), "text": []}
    text = re.sub(r"[ \t]+\n", "\n", "".join(parts))
    return text.strip(), anchors


_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]*)*)')


def link_next(header: str | bytes | None) -> str | None:
    """The URL of rel="next" in an RFC 8288 Link header, or None."""
    if not header:
        return None
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    for match in _LINK.finditer(header):
        params = match.group(2)
        rels = re.findall(r'rel\s*=\s*"?([^";,]+)"?', params)
        if any("next" in r.split() for r in rels):
            return match.group(1).strip()
    return None


def tag_name(text: str) -> str:
    return text.strip().lstrip("#").lower()
