"""Reversible identifiers: every id the sandbox sends decodes back to (profile, post, ...).

Because ids carry their own origin, the server needs no lookup tables: a request for
any account, post or reply regenerates exactly that object from (seed, indexes).
"""
from __future__ import annotations

import base64

# The fictional instance domain used in Mastodon accts, independent of the port the
# server listens on (so the truth does not change between runs).
LOCAL_DOMAIN = "sandbox.example"
REMOTE_DOMAIN = "elsewhere.example"  # never reachable: remote accounts' home
BRIDGE_DOMAIN = "bsky.brid.gy"
BSKY_SUFFIX = ".bsky.sandbox"
BRAND_DOMAIN = "brands.example"  # brands' accounts, mentioned in sponsored posts

# Mastodon ids are 18-digit snowflakes; ranges keep each kind apart and time-ordered.
ACCOUNT_BASE = 109_000_000_000_000_000       # + i                   (population profiles)
FOLLOWER_BASE = 200_000_000_000_000_000      # + i * 10^7 + m        (m-th follower of i)
PODSTER_BASE = 190_000_000_000_000_000       # + pod * 100 + c       (pod commenters)
BRAND_BASE = 180_000_000_000_000_000        # + brand index (mentioned in sponsored posts, never served)
STATUS_BASE = 100_000_000_000_000_000        # + (t + T_OFF) * 10^8 + i * 100 + k
REPLY_BASE = 300_000_000_000_000_000         # + (t + T_OFF) * 2*10^9 + (i*100 + k) * 20 + r
T_OFF = 80_000_000                           # seconds (~925 days); t (relative to day 0) is > -T_OFF
MAX_FOLLOWER_INDEX = 10_000_000
MAX_REPLIES = 20

_CONS = "bdfgklmnprstvz"
_VOWS = "aeiou"
SYLLABLES = [c + v for c in _CONS for v in _VOWS]  # 70 pronounceable, digit-free digits
_SYL_INDEX = {s: n for n, s in enumerate(SYLLABLES)}


def syllables(n: int, width: int = 2) -> str:
    """n in base 70 as syllables: a digit-free, decodable name part."""
    out: list[str] = []
    while n or len(out) < width:
        n, r = divmod(n, len(SYLLABLES))
        out.append(SYLLABLES[r])
    return "".join(reversed(out))


def unsyllables(text: str) -> int | None:
    if not text or len(text) % 2:
        return None
    n = 0
    for pos in range(0, len(text), 2):
        s = _SYL_INDEX.get(text[pos:pos + 2])
        if s is None:
            return None
        n = n * len(SYLLABLES) + s
    return n


# did:plc identifiers are 24 characters of base32 (a-z, 2-7).
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_INDEX = {c: n for n, c in enumerate(_B32)}
DID_PROFILE, DID_FOLLOWER, DID_PODSTER, DID_BRAND = 1, 2, 3, 4


def _b32(n: int, width: int) -> str:
    # base64's RFC 4648 alphabet is ours in upper case; 5 bytes make 8 characters.
    nbytes = width * 5 // 8
    return base64.b32encode(n.to_bytes(nbytes, "big")).decode("ascii").lower()


def _unb32(text: str) -> int | None:
    n = 0
    for c in text:
        if c not in _B32_INDEX:
            return None
        n = n * 32 + _B32_INDEX[c]
    return n


def did(kind: int, a: int, b: int = 0) -> str:
    # kind in the top bits, then a (profile or pod index), then b (follower or member).
    return "did:plc:" + _b32((kind << 100) | (a << 40) | b, 24)


def parse_did(value: str) -> tuple[int, int, int] | None:
    if not value.startswith("did:plc:") or len(value) != 32:
        return None
    n = _unb32(value[8:])
    if n is None:
        return None
    return n >> 100, (n >> 40) & ((1 << 60) - 1), n & ((1 << 40) - 1)


# Bluesky record keys are TIDs: 13 characters, sortable base32.
_TID = "234567abcdefghijklmnopqrstuvwxyz"
_TID_INDEX = {c: n for n, c in enumerate(_TID)}


def tid(n: int) -> str:
    out = []
    for _ in range(13):
        n, r = divmod(n, 32)
        out.append(_TID[r])
    return "".join(reversed(out))


def parse_tid(text: str) -> int | None:
    if len(text) != 13:
        return None
    n = 0
    for c in text:
        if c not in _TID_INDEX:
            return None
        n = n * 32 + _TID_INDEX[c]
    return n


def status_id(t: int, i: int, k: int) -> int:
    return STATUS_BASE + (t + T_OFF) * 100_000_000 + i * 100 + k


def parse_status_id(n: int) -> tuple[int, int] | None:
    if not STATUS_BASE <= n < ACCOUNT_BASE:
        return None
    rest = (n - STATUS_BASE) % 100_000_000
    return rest // 100, rest % 100


def reply_id(t: int, i: int, k: int, r: int) -> int:
    return REPLY_BASE + (t + T_OFF) * 2_000_000_000 + (i * 100 + k) * MAX_REPLIES + r


def parse_reply_id(n: int) -> tuple[int, int, int] | None:
    if n < REPLY_BASE:
        return None
    rest = (n - REPLY_BASE) % 2_000_000_000
    ik, r = divmod(rest, MAX_REPLIES)
    return ik // 100, ik % 100, r


def follower_account_id(i: int, m: int) -> int:
    return FOLLOWER_BASE + i * MAX_FOLLOWER_INDEX + m


def podster_account_id(pod: int, c: int) -> int:
    return PODSTER_BASE + pod * 100 + c


def classify_account_id(n: int) -> tuple[str, int, int] | None:
    """('profile', i, 0) | ('follower', i, m) | ('podster', pod, c) | None."""
    if ACCOUNT_BASE <= n < ACCOUNT_BASE + 10_000_000:
        return "profile", n - ACCOUNT_BASE, 0
    if PODSTER_BASE <= n < FOLLOWER_BASE:
        pod, c = divmod(n - PODSTER_BASE, 100)
        return "podster", pod, c
    if FOLLOWER_BASE <= n < REPLY_BASE:
        i, m = divmod(n - FOLLOWER_BASE, MAX_FOLLOWER_INDEX)
        return "follower", i, m
    return None
