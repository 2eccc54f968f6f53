"""The sandbox's words: comments read as their planted kind, nearly every text is different,
and captions and bios keep away from what the rules must not misread."""
import re

import pytest

from microscout.heuristics.comments import classify_comment
from microscout.heuristics.sponsored import analyse_post
from microscout.sandbox.comment_text import comment
from microscout.sandbox.draws import Draws
from microscout.sandbox.population import Population
from microscout.sandbox.text import CAMPAIGN_TERMS, KEYWORDS, SENTENCES, plain

SEEDS = (1, 7, 42)
NICHES = tuple(KEYWORDS)
LABEL = {"thoughtful": "genuine", "generic": "generic", "self_promotion": "spam", "scam": "spam", "selling": "spam"}
TERMS = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, CAMPAIGN_TERMS)) + r")(?!\w)", re.IGNORECASE)


@pytest.mark.parametrize("kind", list(LABEL))
def test_every_comment_is_classified_as_the_kind_it_was_planted(kind):
    wrong = []
    for seed in SEEDS:
        for niche in NICHES:
            for n in range(400):
                text = comment(Draws(f"{seed}:{kind}:{niche}:{n}"), niche, kind)
                verdict = classify_comment(text)
                # spam must be the planted kind of spam, not merely spam
                if verdict.label != LABEL[kind] or (verdict.label == "spam" and verdict.kind != kind):
                    wrong.append((text, verdict.label, verdict.kind, verdict.reasons[:1]))
    assert not wrong, wrong[:10]


def _replies(pop, count):
    out, i = [], 0
    while len(out) < count:
        p = pop.person(i)
        i += 1
        for post in pop.visible_posts(p.i, 7)[:5]:
            out += pop.replies(post, 7)
    return out[:count]


@pytest.mark.parametrize("seed", (7, 11))
def test_most_replies_are_distinct_and_every_kind_is_there(seed):
    replies = _replies(Population(100_000, seed), 10_000)
    assert len({r.text for r in replies}) / len(replies) > 0.9
    assert {r.kind for r in replies} == set(LABEL)
    thoughtful = [r.text for r in replies if r.kind == "thoughtful"]
    assert len(set(thoughtful)) / len(thoughtful) > 0.95


def test_bios_and_captions_are_nearly_all_different():
    pop = Population(100_000, 7)
    people = [pop.person(i) for i in range(2_000)]
    assert len({p.bio for p in people}) / len(people) > 0.9
    captions = [plain(x.segments) for p in people[:300] for x in pop.visible_posts(p.i, 7)[:30]]
    assert len(set(captions)) / len(captions) > 0.95
    bios = [b for p in people[:100] for m in pop.follower_indexes(p, 7)[:40] if (b := pop.follower(p, m).bio)]
    assert len(set(bios)) / len(bios) > 0.9


def test_ordinary_captions_have_no_commercial_wording_and_campaign_words_stay_in_its_niche():
    pop = Population(100_000, 7)
    organic = 0
    for i in range(300):
        p = pop.person(i)
        # bios: the campaign niche's creators name it (niche_relevance credits that), no one else
        assert bool(TERMS.search(p.bio)) == (p.niche == "vegan"), (p.niche, p.bio)
        for post in pop.visible_posts(i, 7)[:30]:
            text = plain(post.segments)
            if post.niche != "vegan":  # mentions and tags aside, no campaign keyword
                words = " ".join(v for kind, v in post.segments if kind == "text")
                assert not TERMS.search(words), text
            if post.kind == "organic":
                organic += 1
                tags = [v for kind, v in post.segments if kind == "tag"]
                analysis = analyse_post(text, tags)
                assert not (analysis.sponsored or analysis.adequate_labels or analysis.weak_labels), text
    assert organic > 5_000


def test_caption_sentences_name_the_keywords_their_group_always_named():
    # a post's generator picks the group as it picked a sentence before the words were
    # varied; naming the same keywords keeps which posts match a campaign's keywords
    for niche, groups in SENTENCES.items():
        for n, group in enumerate(groups):
            for sentence in group:
                assert "{0}" in sentence and "{1}" in sentence, sentence
                assert ("{2}" in sentence) == (niche == "vegan" and n == 0), sentence


def test_draws_are_a_pure_function_of_the_key():
    a, b, other = Draws("7:1:f2"), Draws("7:1:f2"), Draws("7:1:f3")
    first = [a.random() for _ in range(20)]  # more than one block of 8
    assert first == [b.random() for _ in range(20)] and first != [other.random() for _ in range(20)]
    rng = Draws("spread")
    values = [rng.random() for _ in range(20_000)]
    assert all(0 <= v < 1 for v in values) and 0.49 < sum(values) / len(values) < 0.51
    assert {rng.randint(1, 3) for _ in range(200)} == {1, 2, 3}
    assert {rng.randrange(5) for _ in range(200)} == set(range(5))
    picked = rng.sample("abcdefgh", 5)
    assert len(set(picked)) == 5 and set(picked) <= set("abcdefgh")
    with pytest.raises(ValueError):
        rng.randrange(3, 3)
