"""Budget-aware picks: the best expected engagement per dollar within the budget."""
import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.config import Tier
from microscout.engine.budget import estimate_price, fill_budget

MICRO = Tier(min=1_000, max=10_000)


@pytest.mark.parametrize("followers, price", [(1_000, 50.0), (500, 50.0), (10_000, 300.0), (3_162, 175.0),
                                              (50_000, 300.0)])
def test_price_follows_the_tier_on_a_log_scale(followers, price):
    assert estimate_price(followers, (50, 300), MICRO) == pytest.approx(price, abs=0.5)


def entry(rank, followers, rate, tier="micro"):
    return {"rank": rank, "followers": followers, "engagement_rate": rate, "tier": tier, "handle": f"h{rank}"}


def test_fills_the_budget_greedily_by_engagement_per_dollar():
    entries = [entry(1, 9_000, 0.02), entry(2, 1_000, 0.10), entry(3, 1_200, 0.08), entry(4, 5_000, None)]
    picks = fill_budget(entries, 120, (50, 300), lambda e: MICRO)
    # h2 (100 engagements for $50) and h3 (96 for ~$60) beat h1 (180 for ~$288); h4 has no known rate.
    assert [p.entry["handle"] for p in picks] == ["h2", "h3"]
    assert sum(p.price for p in picks) <= 120
    assert fill_budget(entries, 10, (50, 300), lambda e: MICRO) == []


def test_budget_without_a_price_range_is_a_clear_error(tmp_path):
    from tests.engine.helpers import add_profile
    from microscout.store import open_store

    add_profile(open_store(tmp_path / "t.db"), "a", 5_000, posts=3)
    config = tmp_path / "c.toml"
    config.write_text('[campaigns.c]\nplatforms = ["mastodon"]\n')
    result = CliRunner().invoke(cli, ["shortlist", "c", "--budget", "500", "--config", str(config),
                                      "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 2
    assert "campaigns.c.price_per_post is not set" in result.output
    # Said before judging: a bad option neither waits for a whole run nor adds one (which
    # would prune the campaign's oldest kept run)
    runs = open_store(tmp_path / "t.db").execute("SELECT COUNT(*) FROM shortlist_runs").fetchone()[0]
    assert runs == 0


def test_budget_table_is_printed(tmp_path):
    from tests.engine.helpers import add_profile
    from microscout.store import open_store

    db = open_store(tmp_path / "t.db")
    for i, followers in enumerate([2_000, 4_000, 8_000]):
        add_profile(db, f"c{i}", followers, posts=12, likes=followers // 20)
    config = tmp_path / "c.toml"
    config.write_text('[campaigns.c]\nplatforms = ["mastodon"]\nprice_per_post = [50, 300]\n')
    result = CliRunner().invoke(cli, ["shortlist", "c", "--budget", "400", "--config", str(config),
                                      "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "Budget 400: best expected engagement per dollar" in result.output
    assert "of 400 spent" in result.output
