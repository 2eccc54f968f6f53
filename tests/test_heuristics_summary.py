"""The table at the top of docs/HEURISTICS.md says the same as the figures the tests measure.

Each row of that table on a set in shared/data is checked against the counts that the tests
beside it assert on the data itself (leave-one-out for the account scorecard and for the
comment families, the shipped detector on affiliate-youtube), so the summary cannot drift from
what the detectors do. The rows on sets outside shared/data are the sections' own figures.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from microscout.heuristics.comments import KATY, LMFAO, PSY
from microscout.heuristics.measure import Scorecard
from tests.heuristics.test_accounts import LEAVE_ONE_OUT
from tests.heuristics.test_comments import FIGURES, LEFT_OUT_STAGE
from tests.test_check_posts import AFFILIATE_BASELINE, AFFILIATE_UNDISCLOSED

DOC = Path(__file__).resolve().parent.parent / "docs" / "HEURISTICS.md"
TITLE = "## Where each detector stands"


def summary() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(TITLE)
    return text[start:text.index("\n## ", start + len(TITLE))]


def row(prefix: str) -> list[str]:
    rows = [line for line in summary().splitlines() if line.startswith(f"| {prefix}")]
    assert len(rows) == 1, f"{len(rows)} rows of the summary start with {prefix!r}"
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


def pct(x: float | None) -> str:
    assert x is not None
    return "100" if round(x, 3) == 1 else f"{x * 100:.1f}"


def card(counts: tuple[int, int, int, int]) -> Scorecard:
    return Scorecard(*counts)


def prf(c: Scorecard) -> str:
    return f"{pct(c.precision)} / {pct(c.recall)} / {pct(c.f1)}"


ACCOUNT_ROWS = {"instafake": "InstaFake, Instagram (leave-one-out)",
                "kaggle": "Kaggle fake-Instagram (leave-one-out)",
                "cresci-2015": "cresci-2015, Twitter (leave-one-out)"}


@pytest.mark.parametrize("name", list(ACCOUNT_ROWS))
def test_account_rows_are_the_leave_one_out_figures(name):
    detector, baseline = map(card, LEAVE_ONE_OUT[name])
    _, n, base, scores, p10, rule, beats, target = row(ACCOUNT_ROWS[name])
    assert (n, base) == (f"{detector.n:,}", f"{pct(detector.base_rate)}%")
    assert (scores, p10) == (prf(detector), pct(detector.precision_at(0.10)))
    assert rule == f"{prf(baseline)} ({pct(baseline.precision_at(0.10))})"
    assert beats.startswith("yes" if (detector.f1 or 0) > (baseline.f1 or 0) else "**no**")
    met = (detector.precision_at(0.10) or 0) >= 0.7 and (detector.recall or 0) >= 0.6 \
        and (detector.f1 or 0) > (baseline.f1 or 0)
    assert target.startswith("met" if met else "**not met**")


COMMENT_ROWS = {LMFAO: "UCI Youtube03-LMFAO (leave-one-out)", PSY: "UCI Youtube01-Psy (leave-one-out)",
                KATY: "UCI Youtube02-KatyPerry (never read)"}


@pytest.mark.parametrize("name", list(COMMENT_ROWS))
def test_comment_rows_are_the_leave_one_out_figures(name):
    detector, baseline = card(FIGURES[name][LEFT_OUT_STAGE[name]]), card(FIGURES[name][-1])
    _, n, base, scores, p10, rule, beats, target = row(COMMENT_ROWS[name])
    assert (n, base) == (f"{detector.n:,}", f"{pct(detector.base_rate)}%")
    assert (scores, p10, rule) == (prf(detector), pct(detector.precision_at(0.10)), prf(baseline))
    assert beats.startswith("yes" if (detector.f1 or 0) > (baseline.f1 or 0) else "**no**")
    met = (detector.precision or 0) >= 0.95 and (detector.recall or 0) >= 0.85
    assert target.startswith("met" if met else "**not met**")


def test_affiliate_row_is_the_shipped_detector():
    detector, baseline = card(AFFILIATE_UNDISCLOSED), card(AFFILIATE_BASELINE)
    _, n, base, scores, p10, rule, beats, target = row("affiliate-youtube (shipped")
    assert (n, base) == (f"{detector.n:,}", f"{pct(detector.base_rate)}%")
    assert (scores, p10) == (prf(detector), pct(detector.precision_at(0.10)))
    assert row("affiliate-youtube (v1, unseen)")[5] == f"{prf(baseline)} ({pct(baseline.precision_at(0.10))})"
    assert beats.startswith("**no**") and (detector.f1 or 0) < (baseline.f1 or 0)
    assert target.startswith("**not met**") and (detector.recall or 0) < 0.6


def test_every_row_holds_every_column():
    lines = [line for line in summary().splitlines() if line.startswith("| ") and not line.startswith("|---")]
    headers = [line for line in lines if line.startswith("| set ")]
    assert len(headers) == 4  # fake followers, undisclosed ad, sponsored post, spam comment
    widths = {len(line.strip("|").split("|")) for line in lines}
    assert widths == {8}, widths
