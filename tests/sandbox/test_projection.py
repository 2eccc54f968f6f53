"""The truth projected onto the API platforms: ids back to people, scaled audiences judged
by the platform's own tiers, and the rules a platform gives no data for."""
from microscout.sandbox import projection
from microscout.sandbox.population import Population
from microscout.sandbox.scale import AUDIENCE_SCALE
from microscout.sandbox.truth import truth

SIZE, SEED = 300, 7


def test_each_wire_maps_its_ids_back_to_the_person():
    pop = Population(SIZE, SEED)
    for platform in projection.PLATFORMS:
        for p in pop:
            assert projection.index_of(platform, pop, projection.platform_id(platform, p)) == p.i
            assert projection.followers(platform, p, 7) == p.followers(7) * AUDIENCE_SCALE[platform]
        assert projection.index_of(platform, pop, "nobody_at_all") is None


def test_scaled_audiences_keep_their_tier_where_the_tiers_are_scaled_alike():
    home = {pid: labels for _, pid, _, labels in truth(SIZE, SEED)}
    pop = Population(SIZE, SEED)
    for platform in ("youtube", "instagram"):  # tiers ten times the fediverse's, every bound
        for (_, pid, _, labels), p in zip(truth(SIZE, SEED, platform), pop):
            assert pid == projection.platform_id(platform, p)
            assert (labels["tier"], labels["tier_day7"]) == (home[p.platform_id]["tier"],
                                                             home[p.platform_id]["tier_day7"])
            assert labels["engagement_rate"] == home[p.platform_id]["engagement_rate"]
    # TikTok's micro is five times the fediverse's: a micro creator stays micro there.
    for (_, _, archetype, labels) in truth(SIZE, SEED, "tiktok"):
        if archetype == "genuine_micro":
            assert labels["tier"] == "micro" and labels["expected"] == []


def test_rules_without_data_on_a_platform_are_not_judgeable_there():
    for platform in projection.PLATFORMS:
        for _, _, archetype, labels in truth(SIZE, SEED, platform):
            assert not set(labels["expected"]) & set(projection.NO_DATA[platform])
            if archetype == "automated":
                assert labels["not_judgeable"] == ["automated"] and labels["expected"] == []
            if archetype == "bought_followers":
                assert "audience_authenticity" in labels["not_judgeable"]
            if archetype == "opted_out":
                assert ("opted_out" in labels["not_judgeable"]) == (platform in projection.OPT_OUT_UNJUDGEABLE)
    for _, _, _, labels in truth(SIZE, SEED):
        assert labels["not_judgeable"] == []  # at home every rule has its data
