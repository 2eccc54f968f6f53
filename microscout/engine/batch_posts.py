"""The posts of a batch as the built-in post rules' batch forms read them: once per batch.

Six rules read the same posts (engagement, ad frequency, disclosure, sponsored engagement,
cadence, growth). Their simple forms each get Post objects and sort them; their batch forms
share one read of the batch's post rows (``BatchPosts``, kept in ``Batch.memo``), sorted
once, with the stored sponsored analyses (post_features) read once per settings version.
A row has the attributes of a Post that the rules read, with the values the store loads
into a Post, so the rules' judging code is the same for both forms.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Callable, NamedTuple

from microscout import jsontext
from microscout.heuristics import post_features
from microscout.heuristics.posts import _analyse_cached, _settings_key, missing_reason, newest_own
from microscout.store.queries import _json_list, parse_timestamp

if TYPE_CHECKING:
    from microscout.engine.rules import Batch, Verdict
    from microscout.heuristics.sponsored import PostAnalysis, SponsoredSettings
    from microscout.models import Profile

MEMO_KEY = "microscout:posts"


class PostRow(NamedTuple):
    """A post's columns the rules read for every post; its text is read only when needed
    (``text_of``, and to analyse a post whose analysis is not stored)."""
    id: int  # the store's row id
    platform_id: str
    created_at: datetime
    likes: int | None
    replies: int | None
    reposts: int | None
    quotes: int | None
    views: int | None
    is_reply: bool


class UnreadableTimestamp(ValueError):
    """A post date Python cannot read: the simple forms report it per candidate, so the
    batch form gives way to them (the engine falls back when a batch form raises)."""


class BatchPosts:
    """Every post of a batch's candidates, by store profile id, in the order candidates load
    them (created_at, then id, newest first), with own posts sorted as ``own_posts`` sorts."""

    def __init__(self, batch: Batch) -> None:
        marks, ids = batch.in_ids()
        self._batch = batch
        self._marks, self._ids = marks, ids
        self.all: dict[int, list[PostRow]] = {i: [] for i in ids}
        # The row made with tuple.__new__, not PostRow(...), a Python call more: this loop runs
        # for every post of every candidate (~300,000 at 10,000 profiles).
        make = tuple.__new__
        from_iso = datetime.fromisoformat
        # profile_id DESC too: SQLite then walks posts_profile backwards instead of sorting
        # each profile's posts (the candidates' order does not matter, their posts' does).
        rows = batch.conn.execute(
            "SELECT profile_id, id, platform_id, created_at, likes, replies, reposts, quotes, views, is_reply "
            f"FROM posts WHERE profile_id IN ({marks}) ORDER BY profile_id DESC, created_at DESC, id DESC", ids)
        for pid, of_profile in groupby(rows, itemgetter(0)):
            append = self.all[pid].append
            for _, post_id, platform_id, created_at, likes, replies, reposts, quotes, views, is_reply in of_profile:
                # parse_timestamp's work inline, a Python call less per post (~300,000 at
                # 10,000 profiles): the store writes dates with their zone, and parse_timestamp
                # is left what it does for the others (no zone: UTC; unreadable: None).
                try:
                    created = from_iso(created_at)
                except (TypeError, ValueError):
                    created = None
                if created is None or created.tzinfo is None:
                    created = parse_timestamp(created_at)
                if created is None:
                    # Named by its creator too: a Bluesky post's id names an account by its DID.
                    profile = batch.profiles.get(pid)
                    of = f" of {profile.handle} ({profile.platform})" if profile is not None else ""
                    raise UnreadableTimestamp(f"post {platform_id}{of} has an unreadable date {created_at!r}")
                append(make(PostRow, (post_id, platform_id, created, likes, replies, reposts, quotes,  # type: ignore[arg-type]
                                      views, bool(is_reply))))
        self.own: dict[int, list[PostRow]] = {i: newest_own(posts) for i, posts in self.all.items()}
        self._analysers: dict[str, Callable[[PostRow], PostAnalysis]] = {}
        self._texts: dict[int, dict[int, str]] = {}

    def text_of(self, profile_id: int) -> Callable[[PostRow], str]:
        """The text of a candidate's posts, as a Post holds it (read on the first call)."""
        texts = self._texts.get(profile_id)
        if texts is None:
            texts = self._texts[profile_id] = {i: text or "" for i, text in self._batch.conn.execute(
                "SELECT id, text FROM posts WHERE profile_id = ?", [profile_id])}
        return lambda row: texts[row.id]

    def missing(self, profile_id: int) -> str | None:
        """As ``posts_missing``: why the candidate's posts cannot be judged, or None."""
        return missing_reason(self.all[profile_id], self._batch.fetched[profile_id])

    def without(self, table: str, version: str, stored: int) -> list[tuple]:
        """(id, text, hashtags, paid_flag) of the batch's posts with no row of ``version`` in
        the feature table ``table`` (post_features, niche_features), read only when the
        batch has fewer than one such row per post (``stored`` of them)."""
        if stored >= sum(map(len, self.all.values())):
            return []
        return self._batch.conn.execute(
            f"SELECT p.id, p.text, p.hashtags, p.paid_flag FROM posts p WHERE p.profile_id IN ({self._marks}) "
            f"AND NOT EXISTS (SELECT 1 FROM {table} f WHERE f.post_id = p.id AND f.version = ?)",
            [*self._ids, version]).fetchall()

    def analyser(self, settings: SponsoredSettings) -> Callable[[PostRow], PostAnalysis]:
        """``analyse(post, settings)`` for this batch's rows: the stored analysis of each post
        for these settings' version, else the post analysed now (as the simple form does)."""
        key = _settings_key(settings)
        version = post_features.version_of_json(key)
        made = self._analysers.get(version)
        if made is not None:
            return made
        # CROSS JOIN keeps posts outermost: SQLite would otherwise walk the version index,
        # every post's row of this version in the store, for each batch. Most posts are not
        # sponsored (stored as NULL): they are counted, and only the sponsored ones come
        # back, as one JSON array (fetching a row of NULL per post cost more).
        stored, sponsored = self._batch.conn.execute(
            "SELECT count(*), json_group_array(json_array(f.post_id, CAST(f.analysis AS TEXT))) "
            "FILTER (WHERE f.analysis IS NOT NULL) FROM posts p CROSS JOIN post_features f ON f.post_id = p.id "
            f"AND f.version = ? WHERE p.profile_id IN ({self._marks})", [version, *self._ids]).fetchone()
        # The sponsored posts' stored analyses as JSON text, each replaced by its analysis
        # when a rule first reads it: one lookup for the posts that are not sponsored.
        known: dict[int, str | PostAnalysis] = dict(jsontext.loads(sponsored))
        # Posts written before these settings were in use: analysed now, from the values a
        # Post would hold, as the simple forms analyse them.
        for post_id, text, hashtags, paid in self.without("post_features", version, stored):
            paid_flag = None if paid is None else bool(paid)
            known[post_id] = _analyse_cached(text or "", tuple(_json_list(hashtags)), paid_flag, key)
        not_sponsored, decode = post_features.NOT_SPONSORED, post_features.decode
        # Each stored text decoded once: sponsored posts share a few analyses (4,971 texts for
        # 21,560 posts at 10,000 profiles), and the rules only read them, as they read the
        # analyses the simple forms share (_analyse_cached).
        decoded: dict[str, PostAnalysis] = {}

        def analyse(row: PostRow) -> PostAnalysis:
            found = known.get(row.id, not_sponsored)
            # Not isinstance: a call for every post would cost what the single lookup saves.
            if found.__class__ is str:
                # Decoded when a rule first reads the post: a stored value no rule reads (a
                # reply's, say) is never decoded, so it cannot fail the batch.
                analysis = decoded.get(found)
                if analysis is None:
                    analysis = decoded[found] = decode(found)
                found = known[row.id] = analysis
            return found  # type: ignore[return-value]

        self._analysers[version] = analyse
        return analyse


def batch_posts(batch: Batch) -> BatchPosts:
    """The batch's posts, read on the first call and shared by every later one."""
    found = batch.memo.get(MEMO_KEY)
    if found is None:
        try:
            found = BatchPosts(batch)
        except UnreadableTimestamp as exc:
            found = exc  # every rule gives way, without reading the posts again
        batch.memo[MEMO_KEY] = found
    if isinstance(found, UnreadableTimestamp):
        raise found
    return found


def judge_analysed(batch: Batch, settings: SponsoredSettings,
                   judge: Callable[[Profile, list[PostRow], Callable[[PostRow], PostAnalysis]], Verdict],
                   ) -> dict[int, Verdict]:
    """``judge(profile, own posts newest first, analyse_post)`` for every candidate whose
    posts were fetched, ``analyse_post`` giving each post's stored analysis for ``settings``."""
    analyse_row = batch_posts(batch).analyser(settings)
    return judge_each(batch, lambda i, posts: judge(batch.profiles[i], posts.own[i], analyse_row))


def judge_each(batch: Batch, judge: Callable[[int, BatchPosts], Verdict]) -> dict[int, Verdict]:
    """``judge(profile_id, posts)`` for every candidate whose posts were fetched; the others
    are unknown, as the simple forms say (``posts_missing``)."""
    from microscout.engine.rules import Verdict

    posts = batch_posts(batch)
    out = {}
    for i in batch.profiles:
        missing = posts.missing(i)
        out[i] = Verdict.unknown(missing) if missing else judge(i, posts)
    return out
