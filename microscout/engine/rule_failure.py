"""The `error` verdict of a rule that raised: one line, saying what went wrong and where.

Its reason is shown in a shortlist's table, in exports and by `try`, so it must be one line
(pydantic's own message runs over four, with a web address); its evidence names the place
in the plugin's own code that raised, which is what the plugin's author needs to look at.
"""
from __future__ import annotations

import inspect
import traceback
from pathlib import Path

from pydantic import ValidationError

from microscout.config import shortened
from microscout.engine.rules import Rule, Verdict

REASON_LIMIT = 300  # characters: a reason is one line of a table or a spreadsheet cell


def failure_verdict(rule: Rule, exc: BaseException) -> Verdict:
    """``error`` for this candidate, naming the exception and, in evidence, where it was raised."""
    evidence = {"exception": type(exc).__name__, "plugin": rule.plugin}
    where = raised_at(rule, exc)
    if where:
        evidence["at"] = where
    reason = f"rule {rule.name} failed: {type(exc).__name__}: {said(exc)}"
    return Verdict(outcome="error", score=0.0, reason=shortened(reason, REASON_LIMIT), evidence=evidence)


def said(exc: BaseException) -> str:
    """The exception's message in one line; a ValidationError (a Verdict built with a bad
    outcome or score) as `Verdict.score: Input should be … (got 2)` for each error."""
    if isinstance(exc, ValidationError):
        return "; ".join(f"{exc.title}.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                         + ("" if "input" not in e else f" (got {shortened(repr(e['input']))})")
                         for e in exc.errors(include_url=False))
    try:
        return " ".join(str(exc).split()) or "(no message)"
    except Exception as inner:  # noqa: BLE001 - an exception whose __str__ raises: the run goes on
        try:
            why = f"{type(inner).__name__}: {' '.join(str(inner).split())}"
        except Exception:  # noqa: BLE001
            why = type(inner).__name__
        return f"(its message could not be read: {why})"


def raised_at(rule: Rule, exc: BaseException) -> str | None:
    """`FILE:LINE in FUNCTION` of the innermost frame in the folder of the rule's own code
    (a plugins_dir file, or the package of an installed plugin): not pydantic's or the
    engine's frame, where the author can change nothing."""
    try:
        home = Path(inspect.getfile(rule.evaluate)).resolve().parent
    except (TypeError, OSError):  # a builtin or a callable object without a file
        return None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(home):
            return f"{path.name}:{frame.lineno} in {frame.name}"
    return None
