"""Rule comment_quality: generic and spam comments, engagement pods, and whether the creator replies.

The creator's own replies are counted apart: they are a good sign (a creator who talks
with the audience) and must not dilute or inflate the audience's generic share.
"""
from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from operator import itemgetter
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microscout import Need, Rule, Verdict, hookimpl
from microscout.heuristics.comments import CommentThresholds, classify_comment
from microscout.heuristics.measure import wilson_interval
from microscout.words import counted


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fail_generic_share: float = Field(0.50, ge=0, le=1, description="Default 0.5: fail when at least this share of the "
                                      "audience's comments is generic or spam (HypeAuditor: 50%+ is an alarm).")
    warn_generic_share: float = Field(0.35, ge=0, le=1, description="Default 0.35: warn from this share (our choice: "
                                      "a margin below HypeAuditor's alarm).")
    min_comments: int = Field(20, ge=1, description="Default 20: fewer audience comments than this gives 'unknown' "
                              "(below it one comment moves the share by 5+ points).")
    pod_post_share: float = Field(0.6, gt=0, le=1, description="Default 0.6: a commenter on at least this share of the "
                                  "posts is a pod regular (DOMAIN.md: the same commenters across posts).")
    pod_min_posts: int = Field(4, ge=2, description="Default 4: pods are looked for only across at least this many "
                               "commented posts (on fewer, loyal fans look the same).")
    warn_pod_share: float = Field(0.30, ge=0, le=1, description="Default 0.3: warn when pod regulars write at least "
                                  "this share of the audience's comments (our choice).")
    examples: int = Field(5, ge=0, description="Default 5: how many example comments to list in the evidence.")
    comments: CommentThresholds = Field(default_factory=CommentThresholds,
                                        description="Default: the table below. Shape limits of a "
                                        "generic comment (docs/HEURISTICS.md).")

    @model_validator(mode="after")
    def _ordered(self) -> "Options":
        if self.warn_generic_share > self.fail_generic_share:
            raise ValueError(f"warn_generic_share ({self.warn_generic_share}) must not exceed "
                             f"fail_generic_share ({self.fail_generic_share})")
        return self


def _by_creator(comment, profile, handle: str | None = None) -> bool:
    """``handle``: profile.handle.lstrip("@").lower(), when the caller has it already."""
    if comment.author_id and comment.author_id == profile.platform_id:
        return True
    if handle is None:
        handle = profile.handle.lstrip("@").lower()
    return bool(comment.author_handle) and comment.author_handle.lstrip("@").lower() == handle


def evaluate(candidate, options: Options, context) -> Verdict:
    return judge_comments(candidate.comments, candidate.profile, candidate.fetched, options)


class _CommentRow(NamedTuple):
    """What the rule reads of a comments row, with the values a Comment would hold."""
    platform_id: str
    post_id: str
    author_id: str
    author_handle: str
    text: str
    label: str | None  # its stored class (comment_features) for these thresholds, if stored


def evaluate_batch(batch, options: Options, context) -> dict[int, Verdict]:
    """evaluate's verdicts for a whole batch, tallied from the comment rows as small tuples in
    the order candidates load them (their stored classes beside them, the text only of a
    comment whose class is not stored); the comments shown as examples are read by id. A
    candidate whose stored class of an example is not what the classifier says now is
    judged from its rows, as judge_comments would count it."""
    from microscout.heuristics.comment_features import settings_version

    version = settings_version(options.comments)
    marks, ids = batch.in_ids()
    tallies = {i: _Tally(p) for i, p in batch.profiles.items()}
    thresholds = options.comments
    # By profile first: each candidate's comments in order is all a tally needs, and sorting
    # them within a profile is cheaper than sorting the whole batch's.
    cursor = batch.conn.execute(
        "SELECT c.profile_id, c.post_platform_id, c.author_id, c.author_handle, c.id, f.label, "
        "CASE WHEN f.label IS NULL THEN c.text END FROM comments c LEFT JOIN comment_features f "
        f"ON f.comment_id = c.id AND f.version = ? WHERE c.profile_id IN ({marks}) "
        "ORDER BY c.profile_id, c.created_at, c.id",
        [version, *ids])
    for pid, rows in groupby(cursor, itemgetter(0)):
        tallies[pid].add_rows(rows, thresholds)
    examples = _examples(batch.conn, version, {i: t.example_ids(options) for i, t in tallies.items()
                                               if t.audience >= options.min_comments}, options)
    verdicts: dict[int, Verdict] = {}
    by_rows = []
    for i, profile in batch.profiles.items():
        tally = tallies[i]
        if not tally.posts:
            verdicts[i] = judge_comments({}, profile, batch.fetched[i], options)
        elif tally.audience < options.min_comments:
            verdicts[i] = _too_few(tally.audience, tally.creator_replies, options)
        elif (shown := examples[i]) is None:
            by_rows.append(i)
        else:
            pod = _pod_evidence(len(tally.posts), len(tally.keys), tally.regulars(options), tally.audience, options)
            verdicts[i] = _verdict(tally.audience, tally.counts, tally.creator_replies, shown, pod, options)
    verdicts.update(_judge_rows(batch, by_rows, version, options))
    return {i: verdicts[i] for i in batch.profiles}


class _Tally:
    """One candidate's comments as judge_comments counts them, without keeping the comments."""

    __slots__ = ("platform_id", "handle", "creator_replies", "audience", "counts", "posts", "keys", "key_posts")

    def __init__(self, profile) -> None:
        self.platform_id = profile.platform_id
        self.handle = profile.handle.lstrip("@").lower()
        self.creator_replies = self.audience = 0
        self.counts: dict[str, int] = {}
        # Every commented post, in the order of its first comment (as judge_comments meets
        # them), with the ids of its audience's comments that are not genuine.
        self.posts: dict[str, list[int]] = {}
        self.keys: list[str] = []  # the author of each authored audience comment...
        self.key_posts: list[str] = []  # ...and the post it answers

    def add_rows(self, rows: Iterable[tuple], thresholds: CommentThresholds) -> None:
        """Count the candidate's comment rows, in order: (profile_id, post, author_id,
        author_handle, comment id, stored class or None, text where no class is stored)."""
        # One loop with locals, not a call per comment: ~450,000 comments at 10,000 profiles.
        platform_id, handle, posts, counts = self.platform_id, self.handle, self.posts, self.counts
        keys, key_posts = self.keys, self.key_posts
        creator_replies = audience = 0
        for _, post, author_id, author_handle, comment_id, label, text in rows:
            not_genuine = posts.get(post)
            if not_genuine is None:
                not_genuine = posts[post] = []
            # _by_creator, on the columns as stored (None for an absent author).
            if (author_id and author_id == platform_id) or \
                    (author_handle and author_handle.lstrip("@").lower() == handle):
                creator_replies += 1
                continue
            audience += 1
            if label is None:
                label = classify_comment(text or "", thresholds).label
            counts[label] = counts.get(label, 0) + 1
            if label != "genuine":
                not_genuine.append(comment_id)
            key = author_id or author_handle
            if key:
                keys.append(key)
                key_posts.append(post)
        self.creator_replies += creator_replies
        self.audience += audience

    def example_ids(self, options: Options) -> list[int]:
        """The ids of the comments judge_comments shows as examples: the first not genuine,
        post by post."""
        shown: list[int] = []
        for not_genuine in self.posts.values():
            if len(shown) >= options.examples:
                break
            shown += not_genuine[:options.examples - len(shown)]
        return shown

    def regulars(self, options: Options) -> dict[str, int]:
        """_pods' regulars, with how many comments each wrote."""
        if len(self.posts) < options.pod_min_posts or not self.keys:
            return {}
        needed = options.pod_post_share * len(self.posts)
        written = Counter(self.keys)
        # On as many posts as needed means at least as many comments: most authors write
        # fewer, and their posts need not be counted.
        maybe = {key for key, n in written.items() if n >= needed}
        if not maybe:
            return {}
        on_posts = Counter(key for key, _ in set(zip(self.keys, self.key_posts)) if key in maybe)
        return {key: written[key] for key, n in on_posts.items() if n >= needed}


def _examples(conn, version: str, wanted: Mapping[int, list[int]], options: Options) -> dict[int, list[dict] | None]:
    """The evidence's examples by candidate, with the matched text and reasons stored beside
    their class (a comment without them is classified again); None where a stored class is
    not what its detail, or the classifier now, says."""
    from microscout.heuristics.comment_features import example

    ids = [comment_id for shown in wanted.values() for comment_id in shown]
    rows = {row[0]: row[1:] for row in conn.execute(
        "SELECT c.id, c.platform_id, c.post_platform_id, f.label, f.detail, CASE WHEN f.detail IS NULL THEN c.text END "
        "FROM comments c LEFT JOIN comment_features f ON f.comment_id = c.id AND f.version = ? "
        "WHERE c.id IN (SELECT value FROM json_each(?))", [version, json.dumps(ids)])} if ids else {}
    out: dict[int, list[dict] | None] = {}
    for i, shown in wanted.items():
        examples: list[dict] = []
        for comment_id in shown:
            platform_id, post, stored, detail, text = rows[comment_id]
            label: str
            if detail is None:
                verdict = classify_comment(text or "", options.comments)
                label, matched, reasons = verdict.label, verdict.matched, verdict.reasons
            else:
                label, matched, reasons = example(detail)
            if stored is not None and stored != label:
                break
            examples.append({"id": platform_id, "post": post, "class": label, "matched": matched, "reasons": reasons})
        out[i] = examples if len(examples) == len(shown) else None
    return out


def _judge_rows(batch, ids: list[int], version: str, options: Options) -> dict[int, Verdict]:
    """judge_comments on these profiles' comment rows, read as tuples with their stored
    classes, in the order the candidates' comments are loaded (by created_at)."""
    if not ids:
        return {}
    by_profile: dict[int, dict[str, list[_CommentRow]]] = {i: {} for i in ids}
    cursor = batch.conn.execute(
        "SELECT c.profile_id, c.platform_id, c.post_platform_id, c.author_id, c.author_handle, c.text, f.label "
        "FROM comments c LEFT JOIN comment_features f ON f.comment_id = c.id AND f.version = ? "
        f"WHERE c.profile_id IN ({', '.join('?' * len(ids))}) ORDER BY c.profile_id, c.created_at, c.id",
        [version, *ids])
    for profile_id, platform_id, post_id, author_id, author_handle, text, label in cursor:
        by_profile[profile_id].setdefault(post_id, []).append(
            _CommentRow(platform_id, post_id, author_id or "", author_handle or "", text or "", label))
    return {i: judge_comments(by_profile[i], batch.profiles[i], batch.fetched[i], options, _stored_label)
            for i in ids}


def _stored_label(row: _CommentRow) -> str | None:
    return row.label


# Platforms whose API gives no comments on other accounts' posts: none can ever be fetched
# there, and "not fetched" would read as if another crawl could (docs/crawl-instagram.md).
NO_COMMENTS = {"instagram": "Instagram's Graph API gives no comments on other accounts' media, so the "
                            "audience's comments cannot be read"}


def judge_comments(by_post: Mapping[str, Sequence[Any]], profile, fetched: frozenset[str], options: Options,
                   stored_label: Callable[[Any], str | None] | None = None) -> Verdict:
    """The verdict on one candidate's comments, by post (Comment objects or rows alike).
    ``stored_label``: a comment's class as stored, when it is (the classifier runs for the
    rest, and for the examples shown, whose matched text and reasons are not stored)."""
    if not by_post and "comments" not in fetched and profile.platform in NO_COMMENTS:
        return Verdict.not_on_platform(NO_COMMENTS[profile.platform], comments=0, reason_code="no_comments_api")
    if not by_post and "comments" not in fetched:
        return Verdict.unknown("no comments were fetched for this account", comments=0, reason_code="not_fetched")
    audience = []
    creator_replies = 0
    handle = profile.handle.lstrip("@").lower()
    for post_id, comments in by_post.items():
        for comment in comments:
            if _by_creator(comment, profile, handle):
                creator_replies += 1
            else:
                audience.append(comment)
    n = len(audience)
    if n < options.min_comments:
        return _too_few(n, creator_replies, options)
    counts: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for comment in audience:
        label = stored_label(comment) if stored_label else None
        if label is None or (label != "genuine" and len(examples) < options.examples):
            verdict = classify_comment(comment.text, options.comments)
            label = verdict.label
            if label != "genuine" and len(examples) < options.examples:
                examples.append({"id": comment.platform_id, "post": comment.post_id, "class": label,
                                 "matched": verdict.matched, "reasons": verdict.reasons})
        counts[label] += 1
    return _verdict(n, counts, creator_replies, examples, _pods(by_post, audience, options), options)


def _too_few(n: int, creator_replies: int, options: Options) -> Verdict:
    said = counted(n, "audience comment", zero="no audience comments")
    return Verdict.unknown(f"{'only ' if n else ''}{said} (at least {options.min_comments} needed)",
                           comments=n, creator_replies=creator_replies)


def _verdict(n: int, counts: Mapping[str, int], creator_replies: int, examples: list[dict[str, Any]], pod: dict,
             options: Options) -> Verdict:
    """The verdict on ``n`` audience comments of these classes (n >= options.min_comments)."""
    low_quality = counts.get("generic", 0) + counts.get("spam", 0)
    share = low_quality / n
    low, high = wilson_interval(low_quality, n)
    evidence = {"comments": n, "counts": {c: counts.get(c, 0) for c in ("genuine", "generic", "spam")},
                "generic_or_spam_share": round(share, 4), "generic_or_spam_ci95": [round(low, 4), round(high, 4)],
                "creator_replies": creator_replies, "examples": examples, **pod}
    replies = f"the creator replied {creator_replies} times" if creator_replies else "the creator never replies"
    said = (f"{share:.0%} of {n} audience comments are generic or spam (95% CI {low:.0%}–{high:.0%}); "
            f"{replies}")
    if pod["pod_comment_share"]:
        who = "1 commenter" if pod["pod_regulars_count"] == 1 else f"{pod['pod_regulars_count']} commenters"
        said += (f"; {pod['pod_comment_share']:.0%} come from {who} "
                 f"found on {options.pod_post_share:.0%}+ of {pod['commented_posts']} posts")
    score = round(max(0.0, 1.0 - share), 4)
    if share >= options.fail_generic_share:
        return Verdict(outcome="fail", score=score, evidence=evidence,
                       reason=f"{said}: at or above {options.fail_generic_share:.0%}, "
                              "a sign of bought or pod engagement")
    pod_heavy = pod["pod_comment_share"] is not None and pod["pod_comment_share"] >= options.warn_pod_share
    if share >= options.warn_generic_share or pod_heavy:
        return Verdict(outcome="warn", score=score, evidence=evidence, reason=f"{said}: worth a look")
    return Verdict(outcome="pass", score=score, evidence=evidence, reason=f"{said}: mostly real conversation")


def _pods(by_post: Mapping[str, Sequence[Any]], audience: list, options: Options) -> dict:
    """Who comments on at least pod_post_share of the commented posts, and their share of comments."""
    posts = [p for p, comments in by_post.items() if comments]
    # Comments without an author (TikTok's Research API does not say who wrote one) are no
    # evidence of the same people coming back: pods are looked for among the others only.
    authored = [c for c in audience if c.author_id or c.author_handle]
    if len(posts) < options.pod_min_posts or not authored:
        return _pod_evidence(len(posts), len(authored), {}, len(audience), options)
    seen_on: dict[str, set[str]] = {}
    for comment in authored:
        seen_on.setdefault(comment.author_id or comment.author_handle, set()).add(comment.post_id)
    needed = options.pod_post_share * len(posts)
    regulars = {a: 0 for a, on in seen_on.items() if len(on) >= needed}
    for comment in authored:
        key = comment.author_id or comment.author_handle
        if key in regulars:
            regulars[key] += 1
    return _pod_evidence(len(posts), len(authored), regulars, len(audience), options)


def _pod_evidence(posts: int, authored: int, regulars: Mapping[str, int], audience: int, options: Options) -> dict:
    """The evidence on pods, from the count of commented posts and of the audience's comments
    with an author, and the regulars with how many comments each wrote."""
    if posts < options.pod_min_posts:
        return {"commented_posts": posts, "pod_regulars": [], "pod_regulars_count": 0, "pod_comment_share": None}
    if not authored:
        return {"commented_posts": posts, "pod_regulars": [], "pod_regulars_count": 0,
                "pod_comment_share": None, "pods_unknown": "the platform does not say who wrote the comments"}
    names = sorted(regulars)
    return {"commented_posts": posts, "pod_regulars": names[:20], "pod_regulars_count": len(names),
            "pod_comment_share": round(sum(regulars.values()) / audience, 4) if audience else None}


@hookimpl(trylast=True)
def register_rules(register):
    register(Rule(name="comment_quality",
                  summary="Share of generic or spam comments, engagement pods and creator replies",
                  options=Options, needs=frozenset({Need.COMMENTS, Need.POSTS}), evaluate=evaluate,
                  evaluate_batch=evaluate_batch))
