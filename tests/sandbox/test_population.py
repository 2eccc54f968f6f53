"""The generator: deterministic, pure per profile, and each archetype behaves as designed."""
from statistics import median

import pytest

from microscout.sandbox import ids, text
import random

from microscout.sandbox.archetypes import BLOCK, LATE_SLOTS, SLOTS, archetype_counts, slot_table
from microscout.sandbox.population import DAY, JUMP_DAY, Population
from microscout.sandbox.text import plain
from microscout.sandbox.truth import tier_of, truth

SIZE, SEED = 400, 7


@pytest.fixture(scope="module")
def pop():
    return Population(SIZE, SEED)


@pytest.fixture(scope="module")
def by_arch(pop):
    out = {}
    for p in pop:
        out.setdefault(p.archetype, []).append(p)
    return out


def _digest(size, seed):
    pop = Population(size, seed)
    rows = []
    for p in pop:
        posts = pop.visible_posts(p.i, 0)[:3]
        rows.append((p.platform_id, p.archetype, p.followers(0), p.followers(7),
                     [(x.id, plain(x.segments), x.likes) for x in posts],
                     pop.follower(p, 0).username))
    return rows


def test_same_seed_same_population_and_different_seed_differs():
    assert _digest(120, 7) == _digest(120, 7)
    assert _digest(120, 7) != _digest(120, 8)


def test_profile_is_a_pure_function_of_seed_and_index():
    big = Population(1_000_000, 7)
    alone = big.person(987_654)
    assert alone.i == 987_654
    # The same index in a fresh population, generated after others, is identical.
    other = Population(1_000_000, 7)
    for i in range(5):
        other.person(i)
    assert other.person(987_654) == alone
    assert [x.id for x in big.visible_posts(987_654, 0)] == [x.id for x in other.visible_posts(987_654, 0)]


def test_archetype_counts_at_default_size():
    counts = archetype_counts(SIZE, SEED)
    assert counts["genuine_micro"] == 40 and counts["celebrity"] == 4 and counts["background"] == 252
    for name in ("bought_followers", "pods", "ad_heavy", "undisclosed_ads", "weak_disclosure",
                 "inconsistent", "off_niche", "opted_out"):
        assert counts[name] == 12
    assert counts["automated"] == 8
    assert sum(counts.values()) == SIZE


def test_late_archetypes_take_background_slots_and_leave_the_others_in_place():
    before = [name for name, n in SLOTS.items() for _ in range(n)]
    before += ["background"] * (BLOCK - len(before))
    random.Random(f"slots:{SEED}").shuffle(before)
    after = slot_table(SEED)
    changed = [k for k in range(BLOCK) if before[k] != after[k]]
    assert len(changed) == sum(LATE_SLOTS.values())
    assert all(before[k] == "background" and after[k] in LATE_SLOTS for k in changed)


def test_both_platforms_remote_and_bridged_accounts_exist(pop):
    people = list(pop)
    assert {p.platform for p in people} == {"mastodon", "bluesky"}
    assert any(p.remote for p in people) and any(p.bridged for p in people)
    for p in people:
        if p.platform == "mastodon":
            assert p.platform_id.endswith(("@sandbox.example", "@elsewhere.example", "@bsky.brid.gy"))
        else:
            assert p.platform_id.startswith("did:plc:") and p.handle.endswith(".bsky.sandbox")
        assert pop.index_of_username(p.acct if p.platform == "mastodon" else p.handle) == p.i


def test_tiers_span_nano_to_mega(pop):
    tiers = {tier_of(p.followers(0), p.platform) for p in pop}
    assert {"nano", "micro", "mid", "mega"} <= tiers


def test_planted_archetypes_stay_micro_except_celebrity(by_arch):
    for name, people in by_arch.items():
        if name in ("background", "celebrity"):
            continue
        for p in people:
            assert 1_000 <= p.followers(0) < 10_000 and p.followers(7) < 10_000, (name, p.i)
    assert all(p.followers(0) >= 100_000 for p in by_arch["celebrity"])


def _er(pop, p):
    posts = pop.visible_posts(p.i, 0)[:30]
    return median((x.likes + x.replies + x.reblogs + x.quotes) / p.followers(0) for x in posts)


def test_engagement_falls_with_size_and_bought_followers_engage_little(pop, by_arch):
    genuine = median(_er(pop, p) for p in by_arch["genuine_micro"])
    assert 0.03 < genuine < 0.09  # HypeAuditor: 3.76-6.45% for these sizes
    assert median(_er(pop, p) for p in by_arch["celebrity"]) < 0.03
    assert median(_er(pop, p) for p in by_arch["bought_followers"]) < genuine / 2.5
    assert median(_er(pop, p) for p in by_arch["pods"]) > genuine * 1.7


def _sample(pop, p, day=0, n=80):
    return [pop.follower(p, m) for m in list(pop.follower_indexes(p, day))[:n]]


def test_bought_followers_sample_is_mostly_suspicious_and_jumps(pop, by_arch):
    bad = []
    for p in by_arch["bought_followers"]:
        sample = _sample(pop, p)
        assert sum(f.suspicious for f in sample) / len(sample) > 0.6
        assert p.followers(JUMP_DAY) > p.followers(0) * 1.25
        bad += [f for f in sample if f.suspicious]
    # DOMAIN.md: bought followers follow hundreds to thousands who do not follow back, have
    # few followers and few or no posts, often no picture; the shells are the HypeAuditor/
    # Modash suspicious account (no posts, no picture, no bio, a digit-heavy name).
    assert all(f.role == "fake" and f.following >= 200 and f.followers <= 30 and f.posts <= 40 for f in bad)
    assert sum(f.following > 1_000 for f in bad) / len(bad) > 0.4
    assert 0.4 < sum(not f.has_avatar for f in bad) / len(bad) < 0.7
    assert sum(f.posts == 0 for f in bad) / len(bad) > 0.4
    shells = [f for f in bad if not f.has_avatar]
    assert all(f.posts == 0 and not f.bio and sum(c.isdigit() for c in f.username) >= 7 for f in shells)
    for p in by_arch["genuine_micro"]:
        sample = _sample(pop, p)
        assert sum(f.suspicious for f in sample) / len(sample) < 0.2
        assert p.followers(7) < p.followers(0) * 1.05


def test_real_audiences_hold_dormant_readers_and_a_few_flagged_bots(pop, by_arch):
    people = [p for name in ("genuine_micro", "background") for p in by_arch[name] if not p.hide_collections]
    sample = [f for p in people for f in _sample(pop, p, 7, 40)]
    real = [f for f in sample if not f.suspicious]
    dormant = [f for f in real if f.role == "dormant"]
    # DOMAIN.md: real people with 0 posts, a few followers, a modest following, a picture.
    assert 0.15 <= len(dormant) / len(real) <= 0.30
    assert all(f.posts == 0 and 3 <= f.followers <= 60 and 18 <= f.following <= 955 and f.has_avatar
               and not f.suspicious and not f.bot for f in dormant)
    bots = [f for f in sample if f.bot]
    assert 0.005 < len(bots) / len(sample) < 0.05
    assert all(f.role == "bot" and not f.suspicious and f.posts > 1_000 for f in bots)
    # Active real followers are followed back: under a tenth as many followers is rare.
    active = [f for f in real if f.role == "real"]
    assert sum(f.following >= 10 * f.followers for f in active) / len(active) < 0.05
    assert sum(f.has_avatar for f in active) / len(active) > 0.94


def test_pods_comment_generically_from_the_same_few_accounts(pop, by_arch):
    for p in by_arch["pods"]:
        replies = [r for x in pop.visible_posts(p.i, 0)[1:6] for r in pop.replies(x, 0)]
        generic = [r for r in replies if r.author.kind == "podster"]
        assert len(generic) / len(replies) > 0.5
        assert len({r.author.username for r in generic}) <= 6
    genuine = by_arch["genuine_micro"][0]
    replies = [r for x in pop.visible_posts(genuine.i, 0)[1:6] for r in pop.replies(x, 0)]
    assert len({r.author.username for r in replies}) > len(replies) * 0.8


def _kinds(pop, p, n=30):
    return [x.kind for x in pop.visible_posts(p.i, 7)[:n]]


def test_sponsored_content_archetypes(pop, by_arch):
    for p in by_arch["ad_heavy"]:
        assert _kinds(pop, p).count("ad") / 30 > 0.3
    undisclosed = []
    for p in by_arch["undisclosed_ads"]:
        posts = [x for x in pop.visible_posts(p.i, 7)[:30] if x.kind == "undisclosed"]
        assert posts
        undisclosed += [plain(x.segments) for x in posts]
    for caption in map(str.lower, undisclosed):
        assert any(s in caption for s in ("use code", "utm_", "sent me", "amzn.to/", "bit.ly/"))
        assert not any(t in caption for t in ("#ad", "#sponsored", "paid partnership", "partner", "affiliate",
                                              "commission", "associate"))
    # Denials beside a code or an affiliate link, and shortened links beside product wording.
    denied = [c for c in undisclosed if any(d in c for d in text.DENIALS)]
    assert denied and any("Use code" in c for c in denied) and any("amzn.to/" in c for c in denied)
    assert any("bit.ly/" in c and ("Gear" in c or "buy" in c or "Amazon" in c) for c in undisclosed)
    for p in by_arch["weak_disclosure"]:
        weak = [x for x in pop.visible_posts(p.i, 7)[:30] if x.kind == "weak"]
        assert weak
        for x in weak:
            caption = plain(x.segments)
            weak_label = any(t in caption for t in ("#sp ", "#spon", "#collab", "Thanks "))
            late = "#ad" in caption and caption.index("#ad") > 125
            buried = caption.rstrip().endswith("#ad") or caption.find("#ad ") > 125
            assert weak_label or late or buried, caption


def test_adequate_affiliate_wording_and_thank_yous_in_ordinary_creators_posts(pop, by_arch):
    posts = [x for name in ("genuine_micro", "background") for p in by_arch[name]
             for x in pop.visible_posts(p.i, 7)[:30]]
    affiliate = [plain(x.segments) for x in posts if x.kind == "ad" and
                 any(w in plain(x.segments) for w in text.AFFILIATE_LABELS)]
    assert len(affiliate) >= 10
    assert any("As an Amazon Associate I earn from qualifying purchases." in c and "https://amzn.to/" in c
               for c in affiliate)
    assert all(any(c.index(w) + len(w) <= 125 for w in text.AFFILIATE_LABELS if w in c) for c in affiliate)
    thanks = [plain(x.segments) for x in posts if x.kind == "organic" and
              any(t in plain(x.segments) for t in text.THANK_YOUS)]
    assert any("Thank you for watching" in c for c in thanks)


def test_spam_comments_among_pods_and_background_and_none_for_genuine(pop, by_arch):
    def comments(name):
        return [r for p in by_arch[name] for x in pop.visible_posts(p.i, 7)[:5] for r in pop.replies(x, 7)]
    def is_spam(r):  # the kind the generator planted (classified as spam: test_comment_text.py)
        return r.kind in ("self_promotion", "scam", "selling")
    pods = comments("pods")
    assert any(is_spam(r) and r.author.kind == "podster" for r in pods)
    background = [r for r in comments("background") if is_spam(r)]
    assert any("$" in r.text for r in background) and any("dm me" in r.text for r in background)
    assert not any(is_spam(r) for r in comments("genuine_micro"))


def test_automated_accounts_are_flagged_and_otherwise_ordinary(pop, by_arch):
    bots = by_arch["automated"]
    assert bots and all(p.bot and p.niche == "vegan" and 1_000 <= p.followers(0) < 10_000 for p in bots)
    assert all(p.shares == (0.0, 0.0, 0.0) for p in bots)
    background = by_arch["background"]
    assert 0 < sum(p.bot for p in background) < len(background) * 0.05
    assert not any(p.bot for name, people in by_arch.items() if name not in ("automated", "background")
                   for p in people)
    for platform, platform_id, archetype, labels in truth(SIZE, SEED):
        assert ("automated" in labels["expected"]) == labels["bot"]
        if archetype == "automated":
            assert labels["expected"] == ["automated"]


def test_inconsistent_post_under_once_a_week_and_others_regularly(pop, by_arch):
    def per_week(p):
        return sum(1 for x in pop.visible_posts(p.i, 0) if x.t > -60 * DAY) / (60 / 7)
    assert median(per_week(p) for p in by_arch["inconsistent"]) < 1
    assert all(1.5 <= per_week(p) <= 7 for p in by_arch["genuine_micro"])


def test_off_niche_mostly_other_niches_but_sometimes_campaign_tags(pop, by_arch):
    for p in by_arch["off_niche"]:
        posts = pop.visible_posts(p.i, 0)
        vegan = [x for x in posts if x.niche == "vegan"]
        assert p.niche != "vegan" and len(vegan) < len(posts) / 3
    assert any(x.niche == "vegan" for p in by_arch["off_niche"] for x in pop.visible_posts(p.i, 0))


def test_opted_out_flags(by_arch):
    for p in by_arch["opted_out"]:
        if p.platform == "bluesky":
            assert p.opt_out == {"label": "!no-unauthenticated"}
        else:
            assert p.opt_out in ({"noindex": True}, {"discoverable": False}, {"indexable": False})


def test_truth_labels_name_each_archetypes_rule():
    for platform, platform_id, archetype, labels in truth(200, SEED):
        assert platform in ("mastodon", "bluesky") and platform_id
        if archetype == "genuine_micro":
            assert labels["expected"] == [] and labels["tier"] == "micro"
        if archetype == "bought_followers":
            assert "audience_authenticity" in labels["expected"]
        if archetype == "celebrity":
            assert labels["expected"] == ["tier_bounds"]


def test_ids_round_trip():
    assert ids.parse_status_id(ids.status_id(-86_400 * 300, 999_999, 39)) == (999_999, 39)
    assert ids.parse_reply_id(ids.reply_id(5, 12, 3, 19)) == (12, 3, 19)
    assert ids.classify_account_id(ids.follower_account_id(7, 1234)) == ("follower", 7, 1234)
    assert ids.parse_did(ids.did(ids.DID_FOLLOWER, 999_999, 5_000_000)) == (2, 999_999, 5_000_000)
    assert ids.parse_tid(ids.tid(ids.status_id(0, 1, 2))) == ids.status_id(0, 1, 2)
    assert ids.unsyllables(ids.syllables(123_456)) == 123_456


def test_a_profile_does_not_depend_on_the_population_size():
    small, big = Population(300, SEED), Population(50_000, SEED)
    for i in (0, 17, 299):
        assert small.person(i) == big.person(i)
        assert [plain(x.segments) for x in small.visible_posts(i, 0)] == \
            [plain(x.segments) for x in big.visible_posts(i, 0)]
