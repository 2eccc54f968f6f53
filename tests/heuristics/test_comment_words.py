"""The spam word model: where no phrase family fires, a comment whose words score at least the
cut-off is spam of kind 'wording', with the words that weigh most as its reason."""
from __future__ import annotations

import subprocess
import sys

import pytest

from microscout.heuristics import comments as c
from microscout.heuristics.comment_words import WordModel, model_without
from microscout.heuristics.comments import CommentThresholds, SpamDetector, classify_comment
from tests.conftest import REPO, SHARED

MODEL = WordModel(("test",), 0.0, {"please": 1.5, "look": 1.5, "page": 0.5, "here": 0.5, "song": -1.0})
DETECTOR = SpamDetector.of(c.PHRASES, MODEL)


@pytest.mark.parametrize("text, label, reason", [
    # four known words: their weights (4.0) over sqrt(4), exactly the cut-off: spam
    ("please look at the page here", "spam",
     "spam wording: its words read like spam: score 2.0 (from 2): 'look' +0.8, 'please' +0.8, 'here' +0.2, "
     "'page' +0.2"),
    # words count once, in any case: 3.0 over sqrt(2)
    ("Please LOOK, please!", "spam", "spam wording: its words read like spam: score 2.1 (from 2): 'look' +1.1, "
                                     "'please' +1.1"),
    ("please look at this song", "genuine", None),       # 2.0 over sqrt(3): a fan's word pulls it under
    ("please, not now and not here", "genuine", None),   # 2.0 over sqrt(2)
    ("nothing here is known but this", "genuine", None),  # 0.5
])
def test_the_cut_off_is_inclusive(text, label, reason):
    verdict = classify_comment(text, CommentThresholds(word_cut=2.0), DETECTOR)
    assert verdict.label == label
    if label == "spam":
        assert verdict.kind == "wording"
        assert verdict.reasons == [reason]
        assert verdict.matched[:2] == ["look", "please"]  # heaviest first, then by name


def test_a_score_is_the_weights_over_the_root_of_the_known_words():
    few = classify_comment("please look here", CommentThresholds(word_cut=2.0), DETECTOR)
    more = classify_comment("please look here, then the page", CommentThresholds(word_cut=2.0), DETECTOR)
    many = classify_comment("please look here, then the page of the song", CommentThresholds(word_cut=2.0), DETECTOR)
    assert (few.label, few.kind) == ("spam", "wording")     # 3.5 over sqrt(3): 2.02
    assert (more.label, more.kind) == ("spam", "wording")   # 4.0 over sqrt(4): 2.0, one small weight more
    assert many.label == "genuine"                          # 3.0 over sqrt(5): 1.34
    assert "song" not in more.matched and len(more.matched) == 4


def test_the_cut_off_and_the_switch_are_options():
    assert classify_comment("please look at this song", CommentThresholds(word_cut=1.0), DETECTOR).label == "spam"
    # two words and not spam: very short, so generic
    assert classify_comment("please look", CommentThresholds(word_cut=2.2), DETECTOR).label == "generic"
    assert classify_comment("please look", CommentThresholds(words=False), DETECTOR).label == "generic"
    assert classify_comment("please look at the page here", CommentThresholds(words=False), DETECTOR).label \
        == "genuine"


def test_a_phrase_family_names_the_kind_before_the_words():
    verdict = classify_comment("please look at my channel and subscribe", detector=DETECTOR)
    assert verdict.label == "spam" and verdict.kind == "self_promotion"
    assert not any("wording" in r for r in verdict.reasons)


def test_short_words_that_read_like_spam_are_spam_not_generic():
    # Spam wins over generic, as for the families: two words are 'very short' otherwise.
    assert classify_comment("please look", detector=DETECTOR).kind == "wording"
    assert classify_comment("nice song", detector=DETECTOR).label == "generic"


def test_the_shipped_model_is_fitted_on_the_three_files_and_each_left_out():
    assert set(model_without(None).fitted_on) == {c.PSY, c.KATY, c.LMFAO}
    assert model_without(c.SHAKIRA) is model_without(None)  # in no fit
    assert model_without(c.EMINEM) is model_without(None)
    for name in (c.PSY, c.KATY, c.LMFAO):
        assert set(model_without(name).fitted_on) == {c.PSY, c.KATY, c.LMFAO} - {name}
        assert c.detector_before(name).words is model_without(name)
    assert c.DETECTOR.words is model_without(None)


@pytest.mark.parametrize("text", [
    "I love this song so much, it reminds me of summer",
    "Who is watching this in 2015?",
    "the best music video ever made, and the dance is amazing",
])
def test_fans_stay_genuine_with_the_shipped_model(text):
    assert classify_comment(text).label == "genuine"


def test_the_shipped_weights_are_what_the_calibration_fits():
    if not (SHARED / "data" / "youtube-spam" / "Youtube01-Psy.csv").is_file():
        pytest.skip(f"{SHARED / 'data' / 'youtube-spam'} not found (the labeled data lives beside the repo)")
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "calibrate_comments.py"), "--check"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chosen: l2 0.3, cut-off 2 (+6 spam, no false alarm added)" in done.stdout
    assert CommentThresholds().word_cut == 2.0
