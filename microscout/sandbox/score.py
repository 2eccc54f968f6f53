"""Compare a shortlist run with the sandbox's ground truth.

A candidate is *caught* when it was excluded, or when its archetype's rule (archetypes.
RULE_FOR) failed or warned. A rule *flags* a candidate when its outcome is fail
(strict) or fail/warn (lenient); its positives are the candidates whose truth
"expected" list names it (truth.labels), so precision/recall count every correct
flag, including a mega-tier background profile caught by tier_bounds.

With ``platform`` (youtube, instagram, tiktok) the run is scored against the truth
projected onto that API platform (truth.py, projection.py): a rule the platform gives no
data for is "not judgeable" there, and so is the archetype it is meant to catch; they are
reported as such, never counted as missed.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from microscout.sandbox import projection
from microscout.sandbox.archetypes import PLANTED, RULE_FOR
from microscout.sandbox.population import Population
from microscout.sandbox.truth import key_for, labels


class ScoreError(Exception):
    pass


@dataclass
class ArchetypeScore:
    archetype: str
    rule: str | None
    generated: int = 0        # in the population
    judged: int = 0           # in the shortlist run
    caught: int = 0           # excluded, or its rule failed/warned
    caught_by_rule: int = 0   # its rule failed or warned
    excluded: int = 0
    wrongly_excluded: int = 0  # excluded by a rule its truth does not expect
    not_judgeable: str | None = None  # why its rule has no data on the scored platform

    @property
    def recall(self) -> float | None:
        return self.caught / self.judged if self.judged and self.rule and not self.not_judgeable else None


@dataclass
class RuleScore:
    rule: str
    positives: int = 0
    unknown: int = 0          # no verdict possible (data not fetched): not flagged
    positives_unknown: int = 0
    flagged_fail: int = 0
    true_fail: int = 0
    flagged_warn: int = 0     # fail or warn
    true_warn: int = 0
    by_archetype: dict[str, int] = field(default_factory=dict)  # fail/warn counts
    not_judgeable: str | None = None  # why the scored platform gives it no data

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def precision_fail(self): return self._ratio(self.true_fail, self.flagged_fail)
    @property
    def recall_fail(self): return self._ratio(self.true_fail, self.positives)
    @property
    def precision_warn(self): return self._ratio(self.true_warn, self.flagged_warn)
    @property
    def recall_warn(self): return self._ratio(self.true_warn, self.positives)


@dataclass
class OptOutScore:
    generated: int = 0
    stored: int = 0           # rows in the store for opted-out accounts
    leaked: int = 0           # stored with more than id + opted_out, or not marked
    shortlisted: int = 0      # judged in the run at all
    not_judgeable: str | None = None  # the scored platform cannot tell who opted out


@dataclass
class CardLinkScore:
    """The judged creators' paid Bluesky posts whose affiliate link is in their link card
    alone (truth: labels["card_only_links"]): the disclosure rule sees the link only if the
    crawl read the card."""

    links: int = 0            # such posts in the judged creators' recent posts
    creators: int = 0         # judged creators with one
    quoted: int = 0           # of the links, quoted by the creator's disclosure verdict
    caught: int = 0           # of the creators, failed or warned by disclosure
    example: str | None = None  # one accusation that quotes a card's link, as the verdict words it


@dataclass
class ScoreReport:
    campaign: str
    run_id: int
    size: int
    seed: int
    archetypes: dict[str, ArchetypeScore]
    rules: dict[str, RuleScore]
    opted_out: OptOutScore
    unmatched: int = 0        # judged profiles the truth does not know (wrong size/seed or --platform?)
    platform: str | None = None  # the API platform the truth was projected onto, if any
    unmatched_on: dict[str, int] = field(default_factory=dict)  # those profiles' platforms
    card_links: CardLinkScore = field(default_factory=CardLinkScore)


def _expected_exclusion(excluded_by: str, expected: list[str]) -> bool:
    return any(rule in excluded_by for rule in expected)


def _matcher(pop: Population, platform: str | None):
    """(stored platform, platform_id) -> the person's index, or None."""
    if platform is not None:
        if platform not in projection.WIRES:
            raise ScoreError(f"the truth can be projected onto {', '.join(projection.PLATFORMS)}, not {platform!r}")
        return lambda plat, pid: projection.index_of(platform, pop, pid) if plat == platform else None
    index = {key_for(p.platform, p.platform_id): p.i for p in pop}
    return lambda plat, pid: index.get(key_for(plat, pid))


def score(db: sqlite_utils.Database, campaign: str, size: int, seed: int,
          platform: str | None = None) -> ScoreReport:
    """Score the campaign's last run; ``platform``: against the truth projected onto that
    API platform (its profiles only), else against each profile's home platform."""
    row = db.execute("SELECT id FROM shortlist_runs WHERE campaign = ? ORDER BY id DESC LIMIT 1",
                     [campaign]).fetchone()
    if row is None:
        raise ScoreError(f"no shortlist run for campaign {campaign!r}; run `microscout shortlist {campaign}` first")
    run_id = row[0]
    pop = Population(size, seed)
    match = _matcher(pop, platform)
    no_data = projection.NO_DATA.get(platform or "", {})
    archetypes = {name: ArchetypeScore(name, RULE_FOR.get(name), not_judgeable=no_data.get(RULE_FOR.get(name, "")))
                  for name in (*PLANTED, "background")}
    for n in range(size):
        archetypes[pop.archetype(n)].generated += 1
    verdicts: dict[int, dict[str, str]] = defaultdict(dict)
    disclosure: dict[int, tuple[str, str]] = {}  # profile -> its disclosure verdict's reason and evidence
    for pid, rule, outcome, reason, evidence in db.execute(
            "SELECT profile_id, rule, outcome, reason, evidence FROM run_verdicts WHERE run_id = ?", [run_id]):
        verdicts[pid][rule] = outcome
        if rule == "disclosure":
            disclosure[pid] = (reason or "", evidence or "")
    seen_rules = {r for v in verdicts.values() for r in v}
    rules = {name: RuleScore(name, not_judgeable=no_data.get(name))
             for name in sorted(seen_rules | set(RULE_FOR.values()))}
    report = ScoreReport(campaign, run_id, size, seed, archetypes, rules, OptOutScore(), platform=platform)
    entries = db.execute(
        "SELECT e.profile_id, e.excluded_by, p.platform, p.platform_id FROM shortlist_entries e "
        "JOIN profiles p ON p.id = e.profile_id WHERE e.run_id = ?", [run_id]).fetchall()
    for pid, excluded_by, stored_on, platform_id in entries:
        i = match(stored_on, platform_id)
        if i is None:
            report.unmatched += 1
            report.unmatched_on[stored_on] = report.unmatched_on.get(stored_on, 0) + 1
            continue
        person = pop.person(i)
        truth = labels(pop, person, platform)
        expected = truth["expected"]
        if truth.get("card_only_links"):
            _score_card_links(report.card_links, person.handle, truth["card_only_links"],
                              verdicts.get(pid, {}).get("disclosure"), *disclosure.get(pid, ("", "")))
        a = archetypes[person.archetype]
        a.judged += 1
        outcomes = verdicts.get(pid, {})
        own = outcomes.get(a.rule) if a.rule else None
        if own in ("fail", "warn"):
            a.caught_by_rule += 1
        if excluded_by:
            a.excluded += 1
            if not _expected_exclusion(excluded_by, expected):
                a.wrongly_excluded += 1
        if a.rule and not a.not_judgeable and (excluded_by or own in ("fail", "warn")):
            a.caught += 1
        if person.archetype == "opted_out":
            report.opted_out.shortlisted += 1
        for rule, r in rules.items():
            outcome = outcomes.get(rule)
            positive = rule in expected
            r.positives += positive
            if outcome in (None, "unknown", "error"):
                r.unknown += 1
                r.positives_unknown += positive
            if outcome == "fail":
                r.flagged_fail += 1
                r.true_fail += positive
            if outcome in ("fail", "warn"):
                r.flagged_warn += 1
                r.true_warn += positive
                r.by_archetype[person.archetype] = r.by_archetype.get(person.archetype, 0) + 1
    report.opted_out.not_judgeable = projection.OPT_OUT_UNJUDGEABLE.get(platform or "")
    _score_opt_outs(db, pop, match, report.opted_out)
    return report


def _score_card_links(out: CardLinkScore, handle: str, cards: list[dict], outcome: str | None, reason: str,
                      evidence: str) -> None:
    """Count the creator's card-only links, and those its disclosure verdict quotes for the very
    post whose card holds them (the same link in another post's words is no proof the card was read)."""
    out.creators += 1
    out.links += len(cards)
    out.caught += outcome in ("fail", "warn")
    judged = _judged_posts(evidence)
    for card in cards:
        said = [problem for problem in judged.get(card["post"], ()) if card["link"] in problem]
        out.quoted += bool(said)
        if said and out.example is None:
            out.example = f"@{handle}: {said[0]}"


def _judged_posts(evidence: str) -> dict[str, list[str]]:
    """Post id -> what the disclosure verdict's evidence says of it (its signals and problems)."""
    try:
        posts = json.loads(evidence).get("sponsored_posts", []) if evidence else []
    except (ValueError, AttributeError):
        return {}
    out: dict[str, list[str]] = {}
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and isinstance(post.get("id"), str):
            said = [*post.get("problems", []), *(str(s) for s in post.get("signals", []))]
            out[post["id"]] = [x for x in said if isinstance(x, str)]
    return out


def unmatched_hint(report: ScoreReport) -> str:
    """What to change: a run judged on another platform than the one scored (`demo --platform
    youtube`, then `sandbox score demo` without --platform) is no matter of size or seed."""
    on = report.unmatched_on
    other_api = sorted(p for p in on if p in projection.WIRES and p != report.platform)
    if other_api:
        return f"they are {', '.join(other_api)} profiles: score them with --platform {other_api[0]}"
    if report.platform and any(p not in projection.WIRES for p in on):
        return f"they are {', '.join(sorted(on))} profiles, not {report.platform}: score them without --platform"
    return "check --size and --seed match the sandbox that was crawled"


def _score_opt_outs(db, pop: Population, match, out: OptOutScore) -> None:
    out.generated = sum(1 for i in range(pop.size) if pop.archetype(i) == "opted_out")
    if out.not_judgeable:
        return
    rows = db.execute("SELECT id, platform, platform_id, opted_out, bio, followers FROM profiles").fetchall()
    for pid, platform, platform_id, opted, bio, followers in rows:
        i = match(platform, platform_id)
        if i is None or pop.archetype(i) != "opted_out":
            continue
        out.stored += 1
        extra = any(db.execute(f"SELECT 1 FROM {t} WHERE profile_id = ? LIMIT 1", [pid]).fetchone()
                    for t in ("posts", "comments", "follower_samples", "profile_snapshots"))
        if not opted or bio or followers is not None or extra:
            out.leaked += 1


def _pct(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.0%}"


def format_report(report: ScoreReport) -> str:
    where = f", projected onto {report.platform}" if report.platform else ""
    lines = [f"Shortlist run {report.run_id} of campaign {report.campaign!r} vs sandbox truth "
             f"(size {report.size}, seed {report.seed}{where})", "",
             f"{'archetype':18} {'rule':22} {'gen':>5} {'judged':>6} {'caught':>6} {'by rule':>7} "
             f"{'excl':>5} {'wrong excl':>10}"]
    for a in report.archetypes.values():
        if a.archetype == "opted_out":
            continue
        counted = a.rule and not a.not_judgeable
        line = (f"{a.archetype:18} {a.rule or '-':22} {a.generated:5} {a.judged:6} "
                f"{a.caught if counted else '-':>6} {a.caught_by_rule if counted else '-':>7} "
                f"{a.excluded:5} {a.wrongly_excluded:10}")
        if a.not_judgeable:
            line += f"  not judgeable on {report.platform}: {a.not_judgeable}"
        lines.append(line)
    o = report.opted_out
    if o.not_judgeable:
        opted = f"opted_out: {o.generated} generated; not judgeable on {report.platform}: {o.not_judgeable}"
    else:
        opted = (f"opted_out: {o.generated} generated, {o.stored} stored as opt-out rows, "
                 f"{o.leaked} stored with more than that, {o.shortlisted} judged in the run "
                 f"({'OK' if not (o.leaked or o.shortlisted) else 'VIOLATION'})")
    lines += ["", opted]
    c = report.card_links
    if c.links:
        lines.append(f"link cards: {c.links} paid post(s) of {c.creators} judged creator(s) with the affiliate link "
                     f"only in a Bluesky card: disclosure quoted {c.quoted}, caught {c.caught} of {c.creators}")
        if c.example:
            lines.append(f"  e.g. {c.example}")
    lines += ["",
              "P = precision, R = recall; positives are the judged profiles whose truth expects the rule;",
              "'unknown' = no verdict (its data was not fetched), counted as not flagged.",
              f"{'rule':24} {'positives':>9} {'unknown':>8} {'fail: P':>8} {'R':>5} {'fail|warn: P':>12} {'R':>5}"
              f"  fail|warn by archetype"]
    for r in report.rules.values():
        if r.not_judgeable:
            lines.append(f"{r.rule:24} not judgeable on {report.platform}: {r.not_judgeable}")
            continue
        spread = ", ".join(f"{k} {v}" for k, v in sorted(r.by_archetype.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"{r.rule:24} {r.positives:9} {r.unknown:8} {_pct(r.precision_fail):>8} {_pct(r.recall_fail):>5} "
                     f"{_pct(r.precision_warn):>12} {_pct(r.recall_warn):>5}  {spread}")
    if report.unmatched:
        lines += ["", f"{report.unmatched} judged profiles are not in this population: {unmatched_hint(report)}"]
    return "\n".join(lines)
