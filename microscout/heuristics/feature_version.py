"""The version a stored per-item feature is kept under: a hash of its stored form's format,
of the code that computes it and of the settings that shape it, so a change of any of
them makes stored values stale instead of wrong."""
from __future__ import annotations

import hashlib
from pathlib import Path


def code_hash(*files: str | None) -> str:
    """The SHA-256 of these source files' bytes, one after the other."""
    h = hashlib.sha256()
    for file in files:
        h.update(Path(file or "").read_bytes())
    return h.hexdigest()


def version(fmt: str, code: str, settings_json: str) -> str:
    return hashlib.sha256(f"{fmt}\0{code}\0{settings_json}".encode()).hexdigest()[:16]
