"""Compare a shortlist run with the sandbox's ground truth.

A candidate is *caught* when it was excluded, or when its archetype's rule (archetypes.
RULE_FOR) failed or warned. A rule *flags* a candidate when its outcome is fail
(strict) or fail/warn (lenient); its positives are the candidates whose truth
"expected" list names it (truth.labels), so precision/recall count every correct
flag, including a mega-tier background profile caught by tier_bounds.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

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

    @property
    def recall(self) -> float | None:
        return self.caught / self.judged if self.judged and self.rule else None


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


@dataclass
class ScoreReport:
    campaign: str
    run_id: int
    size: int
    seed: int
    archetypes: dict[str, ArchetypeScore]
    rules: dict[str, RuleScore]
    opted_out: OptOutScore
    unmatched: int = 0        # judged profiles the truth does not know (wrong size/seed?)


def _expected_exclusion(excluded_by: str, expected: list[str]) -> bool:
    return any(rule in excluded_by for rule in expected)


def score(db: sqlite_utils.Database, campaign: str, size: int, seed: int) -> ScoreReport:
    row = db.execute("SELECT id FROM shortlist_runs WHERE campaign = ? ORDER BY id DESC LIMIT 1",
                     [campaign]).fetchone()
    if row is None:
        raise ScoreError(f"no shortlist run for campaign {campaign!r}; run `microscout shortlist {campaign}` first")
    run_id = row[0]
    pop = Population(size, seed)
    index = {key_for(p.platform, p.platform_id): p.i for p in pop}
    archetypes = {name: ArchetypeScore(name, RULE_FOR.get(name)) for name in (*PLANTED, "background")}
    for n in range(size):
        archetypes[pop.archetype(n)].generated += 1
    verdicts: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, rule, outcome in db.execute("SELECT profile_id, rule, outcome FROM verdicts WHERE run_id = ?", [run_id]):
        verdicts[pid][rule] = outcome
    seen_rules = {r for v in verdicts.values() for r in v}
    rules = {name: RuleScore(name) for name in sorted(seen_rules | set(RULE_FOR.values()))}
    report = ScoreReport(campaign, run_id, size, seed, archetypes, rules, OptOutScore())
    entries = db.execute(
        "SELECT e.profile_id, e.excluded_by, p.platform, p.platform_id FROM shortlist_entries e "
        "JOIN profiles p ON p.id = e.profile_id WHERE e.run_id = ?", [run_id]).fetchall()
    for pid, excluded_by, platform, platform_id in entries:
        i = index.get(key_for(platform, platform_id))
        if i is None:
            report.unmatched += 1
            continue
        person = pop.person(i)
        expected = labels(pop, person)["expected"]
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
        if a.rule and (excluded_by or own in ("fail", "warn")):
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
    _score_opt_outs(db, pop, index, report.opted_out)
    return report


def _score_opt_outs(db, pop: Population, index: dict, out: OptOutScore) -> None:
    out.generated = sum(1 for i in range(pop.size) if pop.archetype(i) == "opted_out")
    rows = db.execute("SELECT id, platform, platform_id, opted_out, bio, followers FROM profiles").fetchall()
    for pid, platform, platform_id, opted, bio, followers in rows:
        i = index.get(key_for(platform, platform_id))
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
    lines = [f"Shortlist run {report.run_id} of campaign {report.campaign!r} vs sandbox truth "
             f"(size {report.size}, seed {report.seed})", "",
             f"{'archetype':18} {'rule':22} {'gen':>5} {'judged':>6} {'caught':>6} {'by rule':>7} "
             f"{'excl':>5} {'wrong excl':>10}"]
    for a in report.archetypes.values():
        if a.archetype == "opted_out":
            continue
        lines.append(f"{a.archetype:18} {a.rule or '-':22} {a.generated:5} {a.judged:6} "
                     f"{a.caught if a.rule else '-':>6} {a.caught_by_rule if a.rule else '-':>7} "
                     f"{a.excluded:5} {a.wrongly_excluded:10}")
    o = report.opted_out
    lines += ["", f"opted_out: {o.generated} generated, {o.stored} stored as opt-out rows, "
                  f"{o.leaked} stored with more than that, {o.shortlisted} judged in the run "
                  f"({'OK' if not (o.leaked or o.shortlisted) else 'VIOLATION'})", "",
              "P = precision, R = recall; positives are the judged profiles whose truth expects the rule;",
              "'unknown' = no verdict (its data was not fetched), counted as not flagged.",
              f"{'rule':24} {'positives':>9} {'unknown':>8} {'fail: P':>8} {'R':>5} {'fail|warn: P':>12} {'R':>5}"
              f"  fail|warn by archetype"]
    for r in report.rules.values():
        spread = ", ".join(f"{k} {v}" for k, v in sorted(r.by_archetype.items(), key=lambda kv: -kv[1]))
        lines.append(f"{r.rule:24} {r.positives:9} {r.unknown:8} {_pct(r.precision_fail):>8} {_pct(r.recall_fail):>5} "
                     f"{_pct(r.precision_warn):>12} {_pct(r.recall_warn):>5}  {spread}")
    if report.unmatched:
        lines += ["", f"{report.unmatched} judged profiles are not in this population: "
                      "check --size and --seed match the sandbox that was crawled"]
    return "\n".join(lines)
