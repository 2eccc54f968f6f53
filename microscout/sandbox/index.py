"""Search indexes built once at server start: hashtag → post ids, sorted by time.

Only the first draws of each post (its hashtags and keywords) are generated here, so
building stays cheap: ~0.2 s at 400 profiles, ~10 s at 20,000. Beyond ``cap`` profiles
the index covers the first ``cap`` only (profiles are still served on demand).
"""
from __future__ import annotations

import bisect
from collections import defaultdict

from microscout.sandbox import ids
from microscout.sandbox.population import DAY, Population

DEFAULT_CAP = 20_000


class PostIndex:
    def __init__(self, pop: Population, platform: str | None, keywords: bool, cap: int = DEFAULT_CAP):
        """``platform`` None indexes every person: the API platforms (YouTube, Instagram,
        TikTok) serve the whole population, whatever platform each person was drawn on."""
        terms: dict[str, list[int]] = defaultdict(list)
        for i in range(min(pop.size, cap)):
            p = pop.person(i)
            if platform is not None and p.platform != platform:
                continue
            for k, t in pop._times(p):
                _, _, tags, words = pop.post_head(p, k)
                sid = ids.status_id(t, i, k)
                for term in set(tags) | (set(words[:2]) if keywords else set()):
                    terms[term.lower()].append(sid)
        self.terms = {term: sorted(v) for term, v in terms.items()}
        self._sets: dict[str, set[int]] = {}

    @staticmethod
    def visible_below(day: int) -> int:
        """Every id below this was posted by sandbox day ``day``."""
        return ids.STATUS_BASE + (day * DAY + 1 + ids.T_OFF) * 100_000_000

    def page(self, terms: list[str], day: int, below: int | None, limit: int,
             keep=lambda sid: True) -> list[int]:
        """Up to ``limit`` ids carrying every term, newest first, all < ``below``."""
        if not terms:
            return []
        lists = sorted((self.terms.get(t.lower(), []) for t in terms), key=len)
        first, others = lists[0], [self._set(t) for t in terms if self.terms.get(t.lower()) is not lists[0]]
        top = self.visible_below(day)
        if below is not None:
            top = min(top, below)
        pos = bisect.bisect_left(first, top)
        out: list[int] = []
        while pos > 0 and len(out) < limit:
            pos -= 1
            sid = first[pos]
            if all(sid in s for s in others) and keep(sid):
                out.append(sid)
        return out

    def count(self, terms: list[str], day: int) -> int:
        if len(terms) != 1:
            return len(self.page(terms, day, None, 10**9))
        return bisect.bisect_left(self.terms.get(terms[0].lower(), []), self.visible_below(day))

    def _set(self, term: str) -> set[int]:
        term = term.lower()
        if term not in self._sets:
            self._sets[term] = set(self.terms.get(term, []))
        return self._sets[term]
