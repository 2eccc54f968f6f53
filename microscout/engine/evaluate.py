"""Running rules over a candidate and turning their verdicts into one explained score.

Options for a rule merge, later winning: the rule's defaults, ``[rules.NAME]``,
``[platforms.P.rules.NAME]``, ``[campaigns.C.rules.NAME]``; a nested table merges key by
key. ``enabled = false`` in any of them switches the rule off there.
"""
from __future__ import annotations

import dataclasses
import math
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from pydantic import BaseModel, ValidationError

from microscout.config import Campaign, Config, ConfigError, shortened
from microscout.engine.rules import NOT_ON_PLATFORM, OUTCOMES, Batch, Need, Rule, RuleContext, Verdict

if TYPE_CHECKING:  # annotations only
    from microscout.models import Candidate, Profile

ENGINE_KEYS = ("enabled",)


def _layers(config: Config, rule: str, platform: str, campaign_name: str | None) -> list[tuple[str, dict]]:
    layers = [(f"rules.{rule}", config.rules.get(rule, {})),
              (f"platforms.{platform}.rules.{rule}", config.platforms.get(platform).rules.get(rule, {}))]
    if campaign_name is not None:
        layers.append((f"campaigns.{campaign_name}.rules.{rule}",
                       config.campaigns[campaign_name].rules.get(rule, {})))
    return layers


def rule_setup(config: Config, rule: Rule, platform: str, campaign_name: str | None) -> tuple[bool, BaseModel]:
    """(enabled, options) of one rule on one platform in one campaign."""
    merged: dict[str, Any] = {}
    enabled = True
    where = f"rules.{rule.name}"
    origin: dict[tuple[str, ...], str] = {}  # each option's path -> the table that last set it
    for key, layer in _layers(config, rule.name, platform, campaign_name):
        options = {k: v for k, v in layer.items() if k != "enabled"}
        if options:
            where = key
        if "enabled" in layer:
            if not isinstance(layer["enabled"], bool):
                raise ConfigError(f"{config.source}: {key}.enabled must be true or false (got {layer['enabled']!r})")
            enabled = layer["enabled"]
        bad = _non_finite(options)
        if bad:
            raise ConfigError(f"{config.source}: {key}.{bad[0]}: must be a finite number (got {bad[1]!r})")
        merged = merge_tables(merged, options)
        origin.update(dict.fromkeys(_paths(options), key))
    try:
        return enabled, rule.options.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            field = ".".join(str(p) for p in e["loc"])
            table, merged_note = _tables(origin, tuple(str(p) for p in e["loc"]), where)
            if e["type"] == "extra_forbidden":
                known = ", ".join(rule.options.model_fields) or "none"
                problems.append(f"{table}.{field}: unknown option; options of {rule.name} are: {known}")
            else:
                # A check across options (the model's own validator) has no field and its
                # input is every option: the message names the options it compares.
                key = f"{table}.{field}{merged_note}" if field else where
                value = e.get("input")
                got = "" if isinstance(value, dict) else f" (got {shortened(repr(value))})"
                problems.append(f"{key}: {e['msg'].removeprefix('Value error, ')}{got}")
        raise ConfigError(f"{config.source}: " + "; ".join(problems)) from None
    except Exception as exc:  # a validator of the rule's own that raised other than ValueError (re.error…)
        from microscout.engine.rule_failure import said

        raise ConfigError(f"{config.source}: {where}: rule {rule.name} ({rule.plugin or 'no plugin'}) refused its "
                          f"options: {type(exc).__name__}: {said(exc)}") from exc


def _paths(table: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every option's path in a table, nested tables' own paths and their keys' alike."""
    for k, v in table.items():
        yield (*prefix, k)
        if isinstance(v, dict):
            yield from _paths(v, (*prefix, k))


def _tables(origin: Mapping[tuple[str, ...], str], loc: tuple[str, ...], default: str) -> tuple[str, str]:
    """The table an error at ``loc`` names (the one that set it) and, for a nested table merged
    from several, a note naming the others."""
    if not loc:
        return default, ""
    tables = list(dict.fromkeys(t for p, t in origin.items() if p[:len(loc)] == loc))
    if len(tables) > 1:
        return tables[-1], f" (merged with {', '.join(tables[:-1])})"
    if tables:
        return tables[0], ""
    for n in range(len(loc) - 1, 0, -1):  # a key the file did not set, inside a table it did
        if loc[:n] in origin:
            return origin[loc[:n]], ""
    return default, ""


def _non_finite(table: Mapping[str, Any], prefix: str = "") -> tuple[str, float] | None:
    """The first option (its dotted key) holding nan or inf, which TOML reads as floats."""
    for k, v in table.items():
        if isinstance(v, float) and not math.isfinite(v):
            return prefix + k, v
        if isinstance(v, dict):
            found = _non_finite(v, f"{prefix}{k}.")
            if found:
                return found
        if isinstance(v, list) and any(isinstance(x, float) and not math.isfinite(x) for x in v):
            return prefix + k, next(x for x in v if isinstance(x, float) and not math.isfinite(x))
    return None


def merge_tables(base: Mapping[str, Any], later: Mapping[str, Any]) -> dict[str, Any]:
    """``later`` over ``base``, key by key into nested tables (``[…engagement.benchmarks]
    micro = 0.05`` changes micro and keeps the other tiers); any other value replaces."""
    merged = dict(base)
    for k, v in later.items():
        old = merged.get(k)
        merged[k] = merge_tables(old, v) if isinstance(old, dict) and isinstance(v, dict) else v
    return merged


def switch_hint() -> str:
    """When MICROSCOUT_LOAD_PLUGINS chose the plugins, say so: the rule's plugin may be one it left out."""
    from microscout.engine.plugins import LOAD_PLUGINS_ENV, plugins_to_load

    only = plugins_to_load()
    if only is None:
        return ""
    loaded = ", ".join(sorted(only)) or "none"
    return (f"{LOAD_PLUGINS_ENV} is set (it loads {loaded} besides the built-ins), so the plugin that registers "
            f"it may be left out; ")


def unloaded_rules(config: Config, rules: Mapping[str, Rule]) -> list[tuple[str, str]]:
    """(key, rule name) for every place the config names a rule no loaded plugin registers.

    One exception: a campaign weight of 0 may name a rule no loaded plugin registers (a
    plugin installed in one place and not in another, like the demo's contact_in_bio):
    a zero weight scores nothing whether the rule runs or not. Unless the name looks like
    a misspelling of a loaded rule; an options table, a gate or any other weight naming
    an absent rule counts."""
    import difflib

    named = [(f"rules.{n}", n) for n in config.rules]
    for p in config.platforms.names():
        named += [(f"platforms.{p}.rules.{n}", n) for n in config.platforms.get(p).rules]
    for c, campaign in config.campaigns.items():
        named += [(f"campaigns.{c}.rules.{n}", n) for n in campaign.rules]
        named += [(f"campaigns.{c}.gates", n) for n in campaign.gates]
        named += [(f"campaigns.{c}.weights.{n}", n) for n in campaign.weights
                  if campaign.weights[n] != 0 or difflib.get_close_matches(n, list(rules), n=1, cutoff=0.8)]
    return [(key, name) for key, name in named if name not in rules]


def check_rule_config(config: Config, rules: dict[str, Rule]) -> None:
    """Every rule named in config exists (see unloaded_rules) and every options table validates."""
    from microscout.words import did_you_mean

    for key, name in unloaded_rules(config, rules)[:1]:
        # a near name is a typo; else the rule's plugin is missing (the tutorial's, before `pip install -e .`)
        missing = "" if switch_hint() else "no plugin registers it: install its plugin or remove the key; "
        hint = did_you_mean(name, rules, cutoff=0.8) or missing
        raise ConfigError(f"{config.source}: {key}: no rule named {name!r}; {hint}{switch_hint()}rules are: "
                          f"{', '.join(sorted(rules))}")
    check_rule_options(config, rules)


def idle_gates(config: Config, rules: Mapping[str, Rule], only: str | None = None) -> list[str]:
    """A line for each campaign gate that excludes no one somewhere: its rule is switched off
    (enabled = false) for the campaign on a platform it judges, so it never fails there. The
    shortlist ranked everyone and said nothing (a review); ``only``: that campaign's."""
    lines = []
    for name, campaign in config.campaigns.items():
        if only is not None and name != only:
            continue
        platforms = config.judged_platforms(name)
        for gate in campaign.gates:
            rule = rules.get(gate)
            off = [p for p in platforms if rule is not None and not rule_setup(config, rule, p, name)[0]]
            if off:
                where = "on every platform it judges" if len(off) == len(platforms) else f"on {', '.join(off)}"
                lines.append(f"{config.source}: campaigns.{name}.gates names {gate!r}, which is switched off for "
                             f"the campaign {where} (enabled = false): it excludes no one there; enable it there "
                             f"or take it out of gates")
    return lines


def check_rule_options(config: Config, rules: Mapping[str, Rule]) -> None:
    """Every loaded rule's options validate, on every platform and in every campaign."""
    for rule in rules.values():
        for platform in config.platforms.names():
            rule_setup(config, rule, platform, None)
            for c in config.campaigns:
                rule_setup(config, rule, platform, c)


def data_needed(config: Config, rules: dict[str, Rule], platform: str,
                campaign_name: str | None = None) -> frozenset[Need]:
    """What the rules enabled on this platform (in this campaign) read: the crawl fetches
    nothing more."""
    needs: set[Need] = {Need.PROFILE}
    for rule in rules.values():
        if rule_setup(config, rule, platform, campaign_name)[0]:
            needs |= rule.needs
    return frozenset(needs)


@dataclass
class Scored:
    score: float
    excluded_by: str | None
    reasons: list[str]


class Evaluator:
    """Evaluates every enabled rule of one campaign on candidates of any platform."""

    def __init__(self, config: Config, rules: dict[str, Rule], campaign_name: str,
                 now: datetime | None = None):
        self.config = config
        self.rules = rules
        self.campaign_name = campaign_name
        self.campaign: Campaign = config.campaign(campaign_name)
        self.now = now or datetime.now(timezone.utc)
        self._per_platform: dict[str, tuple[RuleContext, list[tuple[Rule, BaseModel]]]] = {}
        self._weights: dict[str, float] = {}  # by rule name: weight() once per rule, not per candidate
        # The campaign's gates, then the rules that gate every campaign (Rule.gate).
        self.gates: list[str] = list(dict.fromkeys(
            [*self.campaign.gates, *(name for name, rule in rules.items() if rule.gate)]))

    @property
    def platforms(self) -> list[str]:
        """The platforms whose profiles the campaign judges: its own, or every one when it
        names none (``platforms = []``)."""
        return self.config.judged_platforms(self.campaign_name)

    def setup(self, platform: str) -> tuple[RuleContext, list[tuple[Rule, BaseModel]]]:
        if platform not in self._per_platform:
            context = RuleContext(self.campaign_name, self.campaign, self.config.platforms.get(platform), self.now)
            active = []
            for rule in self.rules.values():
                enabled, options = rule_setup(self.config, rule, platform, self.campaign_name)
                if enabled:
                    active.append((rule, options))
            self._per_platform[platform] = (context, active)
        return self._per_platform[platform]

    def evaluate(self, candidate: Candidate) -> dict[str, Verdict]:
        context, active = self.setup(candidate.profile.platform)
        verdicts = {}
        for rule, options in active:
            verdicts[rule.name] = run_rule(rule, candidate, options, context)
        return verdicts

    def evaluate_rows(self, db: Any, profile_rows: list[dict],
                      batch_forms: dict[str, GaveWay | None] | None = None) -> list[tuple[Profile, dict[str, Verdict]]]:
        """Judge the candidates of these profile rows (``SELECT * FROM profiles``), in their
        order. Rules with a batch form judge each platform's candidates at once from the
        store; the others get candidates loaded with just the data they declare they need.
        ``batch_forms`` gets the name of every rule whose batch form ran, with how it first
        gave way to ``evaluate`` here (None: it never did)."""
        from microscout.store.queries import load_candidates

        by_platform: dict[str, list[dict]] = {}
        for row in profile_rows:
            by_platform.setdefault(row["platform"], []).append(row)
        judged: dict[int, tuple[Profile, dict[str, Verdict]]] = {}
        for platform, rows in by_platform.items():
            context, active = self.setup(platform)
            simple_needs = {need for rule, _ in active if rule.evaluate_batch is None for need in rule.needs}
            candidates = load_candidates(db, rows, needs=simple_needs)
            batched: dict[str, Mapping[int, Verdict]] = {}
            # Read-only views: a rule changing the batch's candidates for itself would change them
            # for the rules after it and for the engine's check of its verdicts.
            batch = Batch(db.conn, MappingProxyType({c.profile.id: c.profile for c in candidates}),
                          MappingProxyType({c.profile.id: c.fetched for c in candidates}))
            full: list[Candidate] = []

            def with_all_data(rows: list[dict] = rows, full: list[Candidate] = full) -> list[Candidate]:
                if not full:
                    full.extend(load_candidates(db, rows))
                return full

            with read_only(db.conn):
                for rule, options in active:
                    if rule.evaluate_batch is not None:
                        gave_way: list[GaveWay] = []
                        batched[rule.name] = run_batch(rule, batch, options, context, with_all_data, gave_way)
                        if batch_forms is not None and batch_forms.get(rule.name) is None:
                            batch_forms[rule.name] = gave_way[0] if gave_way else None
            # What the rules kept there (the posts read once) may refer back to the batch: a
            # cycle the collector would free only later, holding every row of the batch.
            batch.memo.clear()
            for candidate in candidates:
                pid = candidate.profile.id
                judged[pid] = (candidate.profile, {
                    rule.name: batched[rule.name][pid] if rule.name in batched else
                    run_rule(rule, candidate, options, context) for rule, options in active})
        return [judged[row["id"]] for row in profile_rows]

    def metric(self, verdicts: dict[str, Verdict], name: str) -> Any:
        """A shortlist metric (rules.METRICS) from the first judging rule that declares it."""
        for rule_name, verdict in verdicts.items():
            rule = self.rules.get(rule_name)
            if rule is not None and name in rule.metrics and name in verdict.evidence:
                return verdict.evidence[name]
        return None

    def weight(self, rule: str) -> float:
        # A rule that gates every campaign only excludes: it adds to the score only when weighted.
        default = 0.0 if rule in self.rules and self.rules[rule].gate else 1.0
        return self.campaign.weights.get(rule, default)

    def score(self, verdicts: dict[str, Verdict]) -> Scored:
        """Gates exclude on fail; the rest is a weighted mean of rule scores."""
        scoring = self.config.scoring
        unknown_score, warn_penalty = scoring.unknown_score, scoring.warn_penalty
        weights_of = self._weights
        excluded_by = next((g for g in self.gates if g in verdicts and verdicts[g].outcome == "fail"), None)
        total = weights = 0.0
        impact = []
        for name, verdict in verdicts.items():
            w = weights_of.get(name)
            if w is None:
                w = weights_of[name] = self.weight(name)
            if w <= 0:
                continue
            outcome = verdict.outcome
            s = unknown_score if outcome in ("unknown", "error") else verdict.score
            if outcome == "warn":
                s = max(0.0, s - warn_penalty)
            total += w * s
            weights += w
            # What a marketer should read first: failures and warnings, heaviest first.
            impact.append((_RANK[outcome], -w * abs(s - 0.5), name, verdict))
        # Names are unique, so the tuples order by (rank, impact, name) and never compare verdicts.
        impact.sort()
        # Only the two reasons shown are written out (and the gates that could not judge).
        if excluded_by:
            second = next((_said(n, v) for _, _, n, v in impact if n != excluded_by), None)
            reasons = [_said(excluded_by, verdicts[excluded_by])] + ([second] if second else [])
        else:
            reasons = [_said(n, v) for _, _, n, v in impact[:2]]
            # A gate that could not judge lets the creator through: said, or the reasons read as
            # if every gate had passed ("unknown" is honest only where it is seen).
            # (not one that no creator of the platform can be judged by: Verdict.not_on_platform)
            unchecked = [f"{g} ({verdicts[g].outcome})" for g in self.gates
                         if g in verdicts and verdicts[g].outcome in ("unknown", "error")
                         and not verdicts[g].evidence.get(NOT_ON_PLATFORM)]
            if unchecked:
                reasons.append(f"gates not checked: {', '.join(unchecked)}")
        return Scored(score=round(total / weights, 4) if weights else 0.0, excluded_by=excluded_by, reasons=reasons)


_RANK = {"fail": 0, "error": 1, "warn": 2, "unknown": 4, "pass": 3}


def _said(rule: str, verdict: Verdict) -> str:
    """A reason as a shortlist and its exports show it: the rule, and its outcome unless a pass
    ("ad_frequency (warn): 4 of 30 …" must not read as praise)."""
    outcome = verdict.outcome
    return f"{rule}: {verdict.reason}" if outcome == "pass" else f"{rule} ({outcome}): {verdict.reason}"


@contextmanager
def read_only(conn: sqlite3.Connection) -> Iterator[None]:
    """``conn`` refusing writes (PRAGMA query_only) while the block runs, as a worker's
    read-only connection does: Batch.conn is the store to read from only, and in the
    command's own process it is the connection the run's verdicts are written through. A
    transaction the block left open (a write begun and refused) is ended."""
    if conn.execute("PRAGMA query_only").fetchone()[0]:
        yield
        return
    began = conn.in_transaction
    conn.execute("PRAGMA query_only=ON")
    try:
        yield
    finally:
        if conn.in_transaction and not began:
            conn.rollback()
        conn.execute("PRAGMA query_only=OFF")


@dataclass(frozen=True)
class GaveWay:
    """Why a rule's batch form gave way to its simple form on a batch: ``problem``, one line
    ("raised RuntimeError: boom", "left out profile id 7"); and when it was a post date
    Python cannot read (batch_posts.UnreadableTimestamp: the built-in post rules give way
    on purpose, and their simple forms report it per candidate), not a bug, which post
    (``unreadable_date``: "post 12 has an unreadable date 'yesterday'")."""
    problem: str
    unreadable_date: str | None = None


def run_batch(rule: Rule, batch: Batch, options: BaseModel, context: RuleContext,
              candidates: Callable[[], list[Candidate]], gave_way: list[GaveWay] | None = None) -> dict[int, Verdict]:
    """A rule's batch form on one batch. Should it raise, or leave out or mistype a
    candidate's verdict, the simple form judges the batch instead (``candidates()`` loads
    them), so a batch-form bug costs time, never a verdict; ``gave_way`` gets why."""
    verdicts, why = batch_verdicts(rule, batch, options, context)
    if verdicts is not None:
        return verdicts
    if gave_way is not None and why is not None:
        gave_way.append(why)
    return {c.profile.id: run_rule(rule, c, options, context) for c in candidates()}


def batch_verdicts(rule: Rule, batch: Batch, options: BaseModel,
                   context: RuleContext) -> tuple[dict[int, Verdict] | None, GaveWay | None]:
    """The verdicts of a rule's batch form on one batch, or None and what was wrong with
    them (said by `try` and after a shortlist, which judges that batch with the simple
    form instead)."""
    try:
        assert rule.evaluate_batch is not None
        verdicts = dict(rule.evaluate_batch(batch, options, context))
        if set(verdicts) != set(batch.profiles):
            missing = [i for i in batch.profiles if i not in verdicts]
            ids = missing or [i for i in verdicts if i not in batch.profiles]
            listed = ", ".join(shortened(repr(i)) for i in ids[:5]) + (", …" if len(ids) > 5 else "")
            return None, GaveWay(f"left out profile id{'s' if len(ids) > 1 else ''} {listed}" if missing else
                                 f"returned verdicts for ids not in the batch ({listed})")
        for verdict in verdicts.values():
            problem = verdict_problem(rule, verdict)
            if problem:
                return None, GaveWay(problem)
        return verdicts, None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the simple form says what is wrong, per candidate
        from microscout.engine.batch_posts import UnreadableTimestamp
        from microscout.engine.rule_failure import said

        return None, GaveWay(f"raised {type(exc).__name__}: {said(exc)}",
                             said(exc) if isinstance(exc, UnreadableTimestamp) else None)


# Where a candidate holds each kind of data a rule may need (Need.PROFILE: the profile, always).
_HELD = ((Need.POSTS, "posts"), (Need.COMMENTS, "comments"), (Need.FOLLOWERS, "followers"),
         (Need.HISTORY, "snapshots"))


_UNDECLARED: dict[frozenset, tuple[str, ...]] = {}  # needs -> the candidate's fields they leave out


def seen_by(needs: frozenset[Need] | set[Need], candidate: Candidate) -> Candidate:
    """The candidate as a rule with these needs sees it: the data it did not declare left
    empty, as the crawl would leave it were that rule the only one enabled (a candidate is
    loaded with what every enabled rule needs; a rule must not come to rely on another's)."""
    key = needs if isinstance(needs, frozenset) else frozenset(needs)
    undeclared = _UNDECLARED.get(key)
    if undeclared is None:
        undeclared = _UNDECLARED[key] = tuple(name for need, name in _HELD if need not in key)
    hidden = [name for name in undeclared if getattr(candidate, name)]
    if not hidden:
        return candidate
    return dataclasses.replace(candidate, **{name: type(getattr(candidate, name))() for name in hidden})


def verdict_problem(rule: Rule, verdict: Any) -> str | None:
    """What is wrong with a rule's verdict, if anything: not a Verdict, the engine's own
    outcome (error), a reason of several lines, or a metric it declares that is no number
    (the shortlist stores, ranks and formats metrics as numbers)."""
    if not isinstance(verdict, Verdict):
        return f"returned {type(verdict).__name__}, not a Verdict"
    # What pydantic checks when a Verdict is made, again: model_copy(update=...) and
    # model_construct skip it, and a score of 1.35 or nan would rank the entry first or last.
    if verdict.outcome not in OUTCOMES:
        return f"returned outcome {shortened(repr(verdict.outcome))}; outcomes are {', '.join(OUTCOMES[:-1])}"
    score = verdict.score
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        return f"returned a score of {shortened(repr(score))}; a score is a number from 0 to 1"
    if not isinstance(verdict.reason, str):
        return f"returned a reason that is no text ({shortened(repr(verdict.reason))})"
    if not isinstance(verdict.evidence, dict):
        return f"returned evidence that is no dict ({type(verdict.evidence).__name__})"
    if verdict.outcome == "error":
        return ("returned outcome 'error', which the engine gives a rule that raised; one with nothing to judge "
                "by returns Verdict.unknown(reason)")
    if "\n" in verdict.reason or "\r" in verdict.reason:
        # tables, CSV rows and scheduled e-mails show it in one cell: the rest belongs in evidence
        return f"returned a reason of several lines ({shortened(repr(verdict.reason))}); a reason is one line"
    for name in rule.metrics:
        value = verdict.evidence.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or (isinstance(value, float) and not math.isfinite(value))):
            return f"metric {name} in its evidence must be a number or None (got {shortened(repr(value))})"
    return None


def stored_evidence(rule: Rule, verdict: Verdict) -> tuple[Verdict, str]:
    """The verdict and its evidence as the store holds it (JSON text). Evidence that cannot be
    written (a dict that holds itself, an object whose str() raises) makes the verdict this
    rule's error for this candidate, as a rule that raised, instead of stopping the run."""
    from microscout import jsontext

    try:
        return verdict, jsontext.dumps(verdict.evidence)
    except Exception as exc:  # noqa: BLE001 - whatever the rule's evidence raises is its error
        from microscout.engine.rule_failure import failure_verdict, said

        failed = failure_verdict(rule, TypeError(
            f"returned evidence that cannot be stored as JSON ({type(exc).__name__}: {said(exc)})"))
        return failed, jsontext.dumps(failed.evidence)


def run_rule(rule: Rule, candidate: Candidate, options: BaseModel, context: RuleContext) -> Verdict:
    """One rule on one candidate (as ``seen_by`` its needs); a rule that raises gives
    ``error`` for this candidate only."""
    try:
        verdict = rule.evaluate(seen_by(rule.needs, candidate), options, context)
        problem = verdict_problem(rule, verdict)
        if problem:
            raise TypeError(problem)
        return verdict
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin's bug must not stop the run
        # SystemExit too: a library giving up with sys.exit() is that rule's failure, not the run's.
        from microscout.engine.rule_failure import failure_verdict

        return failure_verdict(rule, exc)
