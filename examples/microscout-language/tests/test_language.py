"""The language rule on hand-made candidates (microscout.testing builds them)."""
from microscout.testing import candidate, evaluate, post

from microscout_language import rules


def posts(*languages):
    return [post(language=code, days_ago=i) for i, code in enumerate(languages)]


def test_posts_in_the_wanted_language_pass():
    verdict = evaluate(rules, "language", candidate(posts=posts("en", "en", "en-GB", "de")), languages=["en", "de"])
    assert verdict.outcome == "pass" and verdict.evidence["share"] == 1.0


def test_too_many_other_languages_fail_naming_them():
    verdict = evaluate(rules, "language", candidate(posts=posts("en", "fr", "fr", "es")), min_share=0.5)
    assert verdict.outcome == "fail" and verdict.evidence["other_languages"] == ["es", "fr"]
    assert "1 of 4 recent posts in en (25%)" in verdict.reason


def test_no_language_codes_or_no_posts_fetched_is_unknown():
    assert evaluate(rules, "language", candidate(posts=posts(None, None))).outcome == "unknown"
    assert evaluate(rules, "language", candidate()).outcome == "unknown"
