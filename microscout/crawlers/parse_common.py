"""Helpers the platform parsers share: bounded JSON, HTML to text, Link headers, malformed input.

Everything here takes what a server sent, so everything is bounded: JSON by size and depth,
HTML through libxml2's parser (linear in its input, unlike a backtracking tokenizer), and
every way a body can be wrong ends as a :class:`Malformed` the crawler counts.
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from array import array
from html import unescape
from itertools import accumulate
from typing import Any

from lxml import etree

MAX_JSON_DEPTH = 64
# The largest body parsed (config `crawl.max_body_bytes` overrides it for the crawl).
MAX_BODY_BYTES = 8 * 1024 * 1024


class Malformed(ValueError):
    """A response that is not what the API documents; ``kind`` names how."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def require(data, typ, what: str):
    if not isinstance(data, typ):
        raise Malformed("missing_fields", f"{what}: expected {typ.__name__}, got {type(data).__name__}")
    return data


def optional(data, typ, what: str, default=None):
    """``data`` when it is a ``typ``, ``default`` when it is missing (None), else Malformed."""
    return default if data is None else require(data, typ, what)


# --- JSON -------------------------------------------------------------------------------

# A JSON string, closed or running to the end of an unfinished body, matched in one pass
# without backtracking.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# Every byte but the quote, the backslash and the brackets.
_NOT_SYNTAX = bytes(b for b in range(256) if b not in b'"\\[]{}')
# '[' and '{' step one level in, ']' and '}' one level out (255 is -1 as a signed byte).
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
# Quotes are told apart this many bytes at a time: a split makes an object per piece, and a
# hostile body of short strings would make millions at once.
_CHUNK = 1 << 16


def json_depth(text: str) -> int:
    """How deep the arrays/objects of a JSON text nest, in linear passes done in C:
    strings dropped, brackets kept, the running sum of +1/-1 steps at its highest."""
    return utf8_depth(text.encode("utf-8", "surrogatepass"))


def utf8_depth(data: bytes) -> int:
    """json_depth of the text these UTF-8 bytes encode ('"', '\\' and the brackets never
    occur inside a multi-byte sequence: bytes split where the characters do).

    A regex over every string of a body cost more than json.loads itself, so the bytes that
    cannot matter go in one ``translate`` and strings are told apart among the few quotes
    and brackets left. That holds where every backslash is an escape inside a string (all
    valid JSON); where one is not, the regex scan answers."""
    kept = _unescaped(data) if b"\\" in data else data
    # Two quotes with nothing kept between them bound an empty string or an empty gap.
    kept = kept.translate(None, _NOT_SYNTAX).replace(b'""', b"")
    if b'"' in kept:
        kept = _outside_strings(kept)
    if b"\\" in kept:
        return _scanned_depth(data.decode("utf-8", "surrogatepass"))
    if not kept:
        return 0
    return max(accumulate(array("b", kept.translate(_STEPS))))


def _unescaped(data: bytes) -> bytes:
    """``data`` with no escaped quote left to end a string, and every backslash that is not
    an escape inside a string still there to be seen."""
    # Escapes made lone backslashes by a split at every backslash (twice as fast as two
    # replaces on bodies with thousands of escaped quotes), where they are few enough for
    # the pieces to take no more memory than the body
    if data.count(b"\\") <= len(data) // 32:
        pieces = data.split(b"\\")
        if b"" not in pieces:  # else two backslashes in a row, or one at an end
            pieces[1:] = [piece[1:] for piece in pieces[1:]]
            return b"\\".join(pieces)
    # Escaped backslashes dropped (in pairs from the left, as a string reads a run of them),
    # then escaped quotes made lone backslashes
    return data.replace(b"\\\\", b"").replace(b'\\"', b"\\")


def _outside_strings(kept: bytes) -> bytes:
    """What lies between the strings (an unfinished last one dropped), where every quote
    starts or ends a string."""
    parts, inside = [], 0
    for start in range(0, len(kept), _CHUNK):
        pieces = kept[start:start + _CHUNK].split(b'"')
        parts.append(b"".join(pieces[inside::2]))
        inside ^= (len(pieces) - 1) & 1
    return b"".join(parts)


def _scanned_depth(text: str) -> int:
    """json_depth by regex: strings removed, then everything but brackets."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(array("b", brackets.encode("ascii").translate(_STEPS))))


def load_json(body: bytes | str, *, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document, bounded: larger than ``max_bytes`` or nested deeper than
    ``max_depth`` is Malformed ("body_too_large", "too_deep"), and so is anything the JSON
    parser refuses ("bad_json") or that is not UTF-8 ("bad_encoding")."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
        if len(data) > max_bytes:
            raise Malformed("body_too_large", f"body of {len(data):,} bytes is over the limit of {max_bytes:,}")
        try:
            encoding = json.detect_encoding(data)
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise Malformed("bad_encoding", f"body is not UTF-8 text: {exc}") from None
        # UTF-8 as received (a byte order mark is no bracket): not encoded again to be measured
        utf8 = data if encoding in ("utf-8", "utf-8-sig") else None
    elif isinstance(body, str):
        if len(body) > max_bytes:
            raise Malformed("body_too_large", f"body of {len(body):,} characters is over the limit of {max_bytes:,}")
        text = body
        utf8 = None
    else:
        raise Malformed("bad_json", f"expected a body, got {type(body).__name__}")
    text = text.removeprefix("\ufeff")
    if (json_depth(text) if utf8 is None else utf8_depth(utf8)) > max_depth:
        raise Malformed("too_deep", f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:
        raise Malformed("too_deep", f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # JSONDecodeError, and an integer too long to convert
        raise Malformed("bad_json", f"not valid JSON: {exc}") from None


# --- HTML -------------------------------------------------------------------------------

_BLOCK = {"p", "div", "blockquote", "li", "h1", "h2", "h3", "h4", "pre"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# Tried only where a run of blanks begins, so a long run with no newline after it is passed
# over once (tried at each of its blanks, it was quadratic).
_SPACE_BEFORE_NEWLINE = re.compile(r"(?<![ \t])[ \t]+\n")


class _TextCollector:
    """lxml parser target: parser events in document order, no tree built."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.anchors: list[dict] = []
        self.anchor: dict | None = None

    def start(self, tag, attrib) -> None:
        if not isinstance(tag, str):
            return
        tag = tag.lower()
        parts = self.parts
        if tag == "br":
            parts.append("\n")
        elif tag in _BLOCK:
            if parts and not "".join(parts[-2:]).endswith("\n\n"):
                parts.append("\n\n")
        elif tag == "a":
            self.anchor = {"href": attrib.get("href") or "", "class": (attrib.get("class") or "").split(),
                           "rel": (attrib.get("rel") or "").split(), "text": []}

    def end(self, tag) -> None:
        if isinstance(tag, str) and tag.lower() == "a" and self.anchor is not None:
            self.anchor["text"] = "".join(self.anchor["text"])
            self.anchors.append(self.anchor)
            self.anchor = None

    def data(self, text: str) -> None:
        self.parts.append(text)
        if self.anchor is not None:
            self.anchor["text"].append(text)

    def comment(self, text) -> None:
        pass

    def pi(self, target, data=None) -> None:
        pass

    def doctype(self, *args) -> None:
        pass

    def close(self) -> None:
        return None


_local = threading.local()


def _parser() -> tuple[_TextCollector, etree.HTMLParser]:
    """This thread's collector and parser, reused: making a parser costs more than parsing a bio."""
    cached = getattr(_local, "parser", None)
    if cached is None:
        collector = _TextCollector()
        cached = _local.parser = (collector, etree.HTMLParser(
            target=collector, encoding="utf-8", recover=True, no_network=True, remove_comments=True,
            remove_pis=True, default_doctype=False))
    cached[0].reset()
    return cached


def html_to_text(html: str | None) -> tuple[str, list[dict]]:
    """Plain text and the anchors ({href, class, rel, text}) of a Mastodon HTML fragment.

    libxml2's HTML parser (through lxml) streams events to a collector: linear in the
    input whatever it holds, entities decoded, no tree kept. Never raises on a string."""
    if not html:
        return "", []
    if not isinstance(html, str):
        raise Malformed("missing_fields", f"expected HTML text, got {type(html).__name__}")
    if "<" not in html:
        return unescape(html).strip(), []
    collector, parser = _parser()
    try:
        parser.feed(_SURROGATE.sub("\ufffd", html).encode("utf-8"))
        parser.close()
    except (etree.LxmlError, ValueError):
        _local.__dict__.pop("parser", None)  # what was read is kept; the next call gets a new parser
    if collector.anchor is not None:  # the parser gave up inside an anchor
        collector.end("a")
    text = _SPACE_BEFORE_NEWLINE.sub("\n", "".join(collector.parts))
    return text.strip(), collector.anchors


_HOST_END = re.compile(r"[/?#]")


def shows_link(shown: str, uri: str) -> bool:
    """Whether a link's words are the link itself as an app shortened it for display: without
    its scheme ("amzn.to/3xYz9", "example.org"), cut after its host ("shop.example/p" for
    shop.example/p?id=3) or cut with an ellipsis (Bluesky's app: "www.amazon.com/dp/B0CX12345...").
    Words naming something else, or another link's start, are no display of this one."""
    bare = uri.split("://", 1)[1] if "://" in uri else uri
    for cut in ("...", "…"):
        if shown.endswith(cut):
            shown = shown[:-len(cut)]
            break
    if not shown or any(ch.isspace() for ch in shown):
        return False
    host = _HOST_END.split(shown, 1)[0]
    return "." in host and any(b.startswith(shown) and _HOST_END.split(b, 1)[0] == host
                               for b in (bare, bare.removeprefix("www.")))


def with_hidden_links(text: str, links: list[str]) -> str:
    """The text and, a line each after a blank line, the links the post shows that its words do
    not hold (behind other words, "my shop"; as a card): an affiliate link there is the post's
    as much as one in its words, and the sponsored-post signals read the text."""
    hidden = "\n".join(link for link in links if link not in text)
    # The blank line: a list's header is not read across one, so the post's last line ("Some
    # links worth reading") does not become the header of a list its card's link was never in.
    return "\n\n".join(part for part in (text, hidden) if part)


# --- headers and names --------------------------------------------------------------------

# `<` cannot occur inside the URI of a Link header, so a target stops at the next `<`:
# one scan, however many unclosed `<` a hostile header holds.
_LINK = re.compile(r'<([^<>]*)>\s*((?:;\s*[^;,<]*)*)')
_REL = re.compile(r'rel\s*=\s*"?([^";,]+)"?')


def link_next(header: str | bytes | None) -> str | None:
    """The URL of rel="next" in an RFC 8288 Link header, or None."""
    if not header:
        return None
    if isinstance(header, (bytes, bytearray)):
        header = bytes(header).decode("latin-1")
    if not isinstance(header, str):
        return None
    for match in _LINK.finditer(header):
        rels = _REL.findall(match.group(2))
        if any("next" in r.split() for r in rels):
            return match.group(1).strip()
    return None


# A link written in a description or caption: from its scheme to a blank, a quote or '<'.
LINK = re.compile(r"https?://[^\s<>\"']+")


def text_links(text: str) -> list[str]:
    """The links a description writes, in order, once each. A link ends before trailing
    punctuation (a sentence's '.', a closing ')') and before the first emoji, symbol, invisible
    character or non-ASCII punctuation glued to it (https://shop.example/x🔥, …/x。): an
    address holds letters of any script, never those written raw."""
    import unicodedata

    out = []
    for found in LINK.findall(text):
        for at, ch in enumerate(found):
            if ord(ch) > 127 and unicodedata.category(ch)[0] in "SPCZ":
                found = found[:at]
                break
        out.append(found.rstrip(".,;:!?)]}"))
    return list(dict.fromkeys(link for link in out if link))


def mention_pattern(name: str) -> re.Pattern[str]:
    """An @username in a description or caption, ``name`` the platform's username (one group,
    its alphabet and length): not inside an e-mail address or a word (hello@x, a@b), and not
    the first letters of a longer name. A name running on in letters the platform's usernames
    never hold (@josé_cooks, a letter past the longest name, @ana.béa) names no one, not the
    account its first letters would (@jos); a "." that ends a sentence (@ana.), an
    apostrophe (@user's, @user’s) or a bracket ((@name)) ends the name."""
    return re.compile(rf"(?<![\w.@])@({name})(?!\.*\w)")


def text_mentions(text: str | None, pattern: re.Pattern[str]) -> list[str]:
    """The @usernames (``pattern``: mention_pattern) a text names, lower-cased, without a
    sentence's trailing ".", in order, once each; an @ inside a link (https://x.example/@a)
    is no mention. An accent typed as a mark of its own (e + U+0301) is composed with its letter
    first: a mark is no word character, so @jose\u0301 would otherwise name @jose."""
    text = unicodedata.normalize("NFC", text or "")
    names = (found.rstrip(".").lower() for found in pattern.findall(LINK.sub(" ", text)))
    return list(dict.fromkeys(name for name in names if name))


def tag_name(text: str) -> str:
    return text.strip().lstrip("#").lower() if isinstance(text, str) else ""


def json_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text: ended by \n, \r\n or \r, but not by U+2028, U+0085
    and the like, which a JSON string may hold raw (pandas writes them so) and
    str.splitlines would break a record at."""
    return re.split(r"\r\n|\r|\n", text)
