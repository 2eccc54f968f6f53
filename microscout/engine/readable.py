"""Ids in verdicts made readable where people read them (explain, the exports).

Rules name posts and commenters by their platform ids (an AT URI or a status id, a DID or an
account id): stable, which is why the stored verdicts keep them, but nothing a marketer can
open. Where a verdict is shown to people, a post id is replaced by the post's address as it
was crawled (``posts.url``) and a pod regular's account id by the handle their comments
carry. An id the store holds no address or handle for stays as it is.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from microscout.engine.contact import safe_link

# Evidence keys whose string values name posts: an entry's own id (a sponsored post), the
# post a comment answers, and lists such as growth_spikes' giveaway_posts.
_POST_KEYS = {"id", "post", "post_id"}
_PEOPLE_KEYS = {"pod_regulars"}


def _strings(evidence: Any, keys: set[str], list_suffix: str | None = None) -> Iterable[str]:
    """Every string under one of ``keys`` (or in a list under a key ending in ``list_suffix``)."""
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            if isinstance(value, str) and key in keys:
                yield value
            elif isinstance(value, list) and (key in keys or (list_suffix and str(key).endswith(list_suffix))):
                yield from (v for v in value if isinstance(v, str))
                yield from _strings(value, keys, list_suffix)
            else:
                yield from _strings(value, keys, list_suffix)
    elif isinstance(evidence, list):
        for value in evidence:
            yield from _strings(value, keys, list_suffix)


@dataclass
class Readable:
    """A candidate's post addresses and commenters' handles, by the ids its verdicts use."""

    posts: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern | None = None

    def reason(self, text: str | None) -> str | None:
        """``text`` with every post id it names replaced by the post's address."""
        if not text or not self.posts:
            return text
        if self._pattern is None:
            ids = sorted(self.posts, key=len, reverse=True)
            # Whole ids only: a status id must not be replaced inside a longer number or path.
            self._pattern = re.compile(r"(?<![\w/])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w/])")
        return self._pattern.sub(lambda m: self.posts[m.group(0)], text)

    def evidence(self, evidence: Any) -> Any:
        """A copy of ``evidence`` in which pod regulars are named by their handles."""
        if not self.people:
            return evidence
        if isinstance(evidence, dict):
            return {k: ([self.people.get(v, v) if isinstance(v, str) else v for v in value]
                        if k in _PEOPLE_KEYS and isinstance(value, list) else self.evidence(value))
                    for k, value in evidence.items()}
        if isinstance(evidence, list):
            return [self.evidence(v) for v in evidence]
        return evidence


def loaded(evidence: Any) -> Any:
    """A verdict's evidence as stored (JSON text, or None) parsed; {} when it is not JSON."""
    if not isinstance(evidence, str) and evidence is not None:
        return evidence
    try:
        return json.loads(evidence or "{}")
    except ValueError:
        return {}


def readable(conn, profile_id: int | None, evidences: Iterable[Any]) -> Readable:
    """The addresses of the candidate's posts and the handles of its commenters that these
    verdicts' evidence (parsed, or as stored) names, read from the store."""
    if profile_id is None:
        return Readable()
    evidences = [loaded(e) for e in evidences]
    post_ids = sorted({s for e in evidences for s in _strings(e, _POST_KEYS, "_posts")})
    people_ids = sorted({s for e in evidences for s in _strings(e, _PEOPLE_KEYS)})
    posts: dict[str, str] = {}
    if post_ids:
        for platform_id, url in conn.execute(
                "SELECT platform_id, url FROM posts WHERE profile_id = ? AND platform_id IN "
                "(SELECT value FROM json_each(?))", [profile_id, json.dumps(post_ids)]):
            if safe_link(url):
                posts[platform_id] = url
    people: dict[str, str] = {}
    if people_ids:
        for author_id, handle in conn.execute(
                "SELECT author_id, max(author_handle) FROM comments WHERE profile_id = ? AND author_id IN "
                "(SELECT value FROM json_each(?)) AND author_handle IS NOT NULL AND author_handle != '' "
                "GROUP BY author_id", [profile_id, json.dumps(people_ids)]):
            if handle != author_id:
                people[author_id] = "@" + handle.lstrip("@")
    return Readable(posts, people)
