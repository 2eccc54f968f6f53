"""The shortcuts taken for shortlisting speed give exactly what the plain computation gives."""
import random
import re
from datetime import datetime, timedelta, timezone

import pytest

from microscout.engine.candidate import Follower, Post
from microscout.heuristics import posts as postslib
from microscout.heuristics import sponsored as sp
from microscout.heuristics import text as textlib
from microscout.heuristics.accounts import (AccountFeatures, AccountScorecard, account_labeler, classify_account,
                                            follower_labeler)
from microscout.heuristics.comments import CommentThresholds, classify_comment

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)

# Fragments that trip each detector, in odd cases and with the characters that only the
# regex engine (not str.lower) folds to ASCII letters: İ ı ſ.
FRAGMENTS = ["Use code SARAH20", "CODE glow for 20% off", "promo ᴄode", "ſale", "SALE", "@glowco", "@a@b.social",
             "gifted by", "GİFTED", "gıfted", "PR package", "pr box", "c/o", "ſent me", "sent me", "kindly sent",
             "link in bio", "LİNK in my profile", "#linkinbio", "#ad", "#AD", "[ad]", "(Ad)", "| ad |", "ad:",
             "Paid Partnership", "paid partnerſhip", "sponsored by", "ſponſored by", "Advertisement",
             "thanks @glowco", "Thank you so much Glowco", "thanks glowco", "THANKS Glowco", "thankſ Glowco",
             "#GlowPartner", "#sp", "#collab", "#spon", "https://amzn.to/x", "amzn.to/3xY", "bit.ly/q",
             "https://shop.example.com/?utm_source=x", "https://e.com/aff/1", "shop now", "buy it", "10% off",
             "partnered with", "check out @x", "my link", "#vegan", "#tofu #a #b #c #d #e", "tofu", "\n", " ",
             ",", "&", "/", "#", "@", "é", "🔥", "K"]


def corpus(n=4000, seed=7):
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(FRAGMENTS) + rnd.choice(["", " ", "  ", "\n", ". "])
                      for _ in range(rnd.randint(0, 9)))


def plain_commercial_signals(text, paid_flag, settings):
    """commercial_signals as written before the pre-checks: every regex runs on every post."""
    signals = []
    if paid_flag:
        signals.append(("paid_flag", "platform paid-partnership flag"))
    signals += [("discount_code", m.group(0)) for m in sp.DISCOUNT_RE.finditer(text)]
    domains = {d.lower() for d in settings.affiliate_domains}
    for link in textlib.links(text):
        host = re.sub(r"^[a-z]+://", "", link.value, flags=re.IGNORECASE).split("/", 1)[0].split("?", 1)[0]
        host = host.lower().removeprefix("www.")
        if (host in domains or any(host.endswith("." + d) for d in domains)
                or sp.AFFILIATE_QUERY_RE.search(link.value) or sp.AFFILIATE_PATH_RE.search(link.value)):
            signals.append(("affiliate_link", link.value))
    mentioned = textlib.mentions(text)
    for m in sp.GIFTED_RE.finditer(text):
        if m.group(0).lower().startswith("sent") and not mentioned:
            continue
        signals.append(("gifted", m.group(0)))
    wording = sp.COMMERCIAL_WORDING_RE.search(text)
    if mentioned and wording:
        signals.append(("brand_mention", f"@{mentioned[0].value} … {wording.group(0)}"))
    bio = sp.LINK_IN_BIO_RE.search(text)
    if bio and (settings.link_in_bio_alone or signals or mentioned):
        signals.append(("link_in_bio", bio.group(0)))
    return signals


def plain_labels(text):
    adequate, weak = [], []
    for tag in textlib.hashtags(text):
        key = textlib.normalise_tag(tag.value)
        if key in sp.ADEQUATE_TAGS or (sp.BRAND_LABEL_RE.match(key) and key not in sp.WEAK_TAGS):
            adequate.append(("#" + tag.value, tag.start, tag.end))
        elif key in sp.WEAK_TAGS:
            weak.append(("#" + tag.value, tag.start, tag.end))
    spans = [(t.start, t.end) for t in textlib.hashtags(text)]
    adequate += [(m.group(0).strip(" [](|:"), m.start(), m.end()) for m in sp.ADEQUATE_PHRASE_RE.finditer(text)
                 if not any(a <= m.start() < b for a, b in spans)]
    weak += [(m.group(0), m.start(), m.end()) for m in sp.THANKS_RE.finditer(text)]
    return sorted(adequate, key=lambda x: x[1]), sorted(weak, key=lambda x: x[1])


@pytest.mark.parametrize("link_in_bio_alone", [False, True])
def test_pre_checks_never_change_signals_or_labels(link_in_bio_alone):
    settings = sp.SponsoredSettings(link_in_bio_alone=link_in_bio_alone)
    for text in corpus():
        for paid in (None, True):
            assert sp.commercial_signals(text, paid, settings) == plain_commercial_signals(text, paid, settings), text
        adequate, weak = sp._labels(text, ())
        assert ([(a.text, a.start, a.end) for a in adequate], [(w.text, w.start, w.end) for w in weak]) \
            == plain_labels(text), text


def test_regex_only_case_folds_reach_the_pre_checks():
    assert dict(sp.commercial_signals("@glowco ſale today")).get("brand_mention") == "@glowco … ſale"
    assert "gifted" in dict(sp.commercial_signals("GİFTED by @glowco"))
    assert "link_in_bio" in dict(sp.commercial_signals("@glowco LİNK in bio"))


def test_hashtag_and_mention_patterns_match_the_look_behind_first_forms():
    old_tag = re.compile(r"(?<![\w&/#])#(\w+)")
    old_mention = re.compile(r"(?<![\w@/])@(\w[\w.-]*\w|\w)(?:@[\w.-]+\w)?")
    rnd = random.Random(3)
    alphabet = "#@&/ a1_.-éZ\n"
    texts = list(corpus(1000)) + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
                                  for _ in range(20000)]
    for text in texts:
        assert [(m.span(), m.groups()) for m in textlib.HASHTAG_RE.finditer(text)] == \
            [(m.span(), m.groups()) for m in old_tag.finditer(text)], text
        assert [(m.span(), m.groups()) for m in textlib.MENTION_RE.finditer(text)] == \
            [(m.span(), m.groups()) for m in old_mention.finditer(text)], text


def random_accounts(n=3000, seed=11):
    rnd = random.Random(seed)

    def maybe(value):
        return None if rnd.random() < 0.15 else value

    for _ in range(n):
        handle = rnd.choice(["", "anna", "user83729", "x1", "@bo9@m4.social", "12345", "ab_cd"])
        yield dict(handle=handle, followers=maybe(rnd.choice([0, 1, 5, 25, 300, 10_000])),
                   following=maybe(rnd.choice([0, 1, 40, 900, 1501, 1937, 7000])),
                   posts_count=maybe(rnd.choice([0, 1, 3, 80, 2000])), has_avatar=maybe(rnd.random() < 0.7),
                   bio=rnd.choice(["", "cook", "vegan cook and writer"]),
                   created_at=maybe(NOW - timedelta(days=rnd.choice([1, 29, 30, 31, 400]))),
                   last_post_at=maybe(NOW - timedelta(days=rnd.choice([0, 29, 30, 31, 90]))))


@pytest.mark.parametrize("card", [AccountScorecard(), AccountScorecard(threshold=-1.0, mass_following=100),
                                  AccountScorecard(digits_weight=3.0, dormant_max_following=0)])
def test_labelers_give_classify_account_labels(card):
    by_features, by_follower = account_labeler(card), follower_labeler(card)
    rnd = random.Random(3)
    for kw in random_accounts():
        follower = Follower(platform_id="1", handle=kw["handle"], bio=kw["bio"],
                            has_avatar=kw["has_avatar"], followers=kw["followers"], following=kw["following"],
                            posts_count=kw["posts_count"], created_at=kw["created_at"],
                            last_post_at=kw["last_post_at"], bot=rnd.choice([None, False, True]))
        acc = AccountFeatures.from_follower(follower)
        expected = classify_account(acc, card).label
        assert by_features(acc) == expected
        assert by_follower(follower) == expected
        private = AccountFeatures(handle=kw["handle"], followers=kw["followers"], private=True,
                                  username_digit_share=0.5)
        assert by_features(private) == classify_account(private, card).label


def test_repeated_comments_get_their_own_lists():
    first = classify_comment("check out my channel http://x.example")
    first.reasons.append("changed by a caller")
    first.matched.clear()
    again = classify_comment("check out my channel http://x.example")
    assert again.label == "spam" and "changed by a caller" not in again.reasons and again.matched
    assert classify_comment("love it", CommentThresholds(short_words=1)).reasons != \
        classify_comment("love it").reasons


def test_changed_settings_are_not_served_from_the_cache():
    post = Post(platform_id="1", created_at=NOW, text="x " * 80 + "#ad")
    settings = sp.SponsoredSettings()
    assert postslib.analyse(post, settings).disclosure == "late"
    settings.fold_chars = 500
    assert postslib.analyse(post, settings).disclosure == "adequate"
    settings.affiliate_domains.append("example.org")
    assert postslib.analyse(Post(platform_id="2", created_at=NOW, text="https://example.org/x"),
                            settings).sponsored


def test_brand_label_shortcut_agrees_with_the_pattern():
    for tag in ["GlowPartner", "glowpartner", "partner", "xpartners", "NikeAmbassador", "ambassador", "aмbassador",
                "ſkinpartner", "glowpartnerſ", "gloW_PARTNER", "brandambaſſador", "a partner", "x\npartner", "ad"]:
        key = textlib.normalise_tag(tag)
        assert sp._brand_label(key) == bool(sp.BRAND_LABEL_RE.match(key)), tag


def test_metadata_tags_are_labelled_as_before():
    adequate, weak = sp._labels("no tags in the text", [" #GlowPartner", "ad", "#collab", "", "vegan", "AD"])
    assert [(a.text, a.start) for a in adequate] == [("#GlowPartner", None), ("#ad", None), ("#AD", None)]
    assert [(w.text, w.start) for w in weak] == [("#collab", None)]
