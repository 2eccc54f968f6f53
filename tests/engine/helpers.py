"""Building small stores and rules by hand for engine tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl
from microscout.store.writes import add_snapshots, upsert_posts, upsert_profiles

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def demo_verdicts(db, rule: str | None = None) -> list[tuple]:
    """A shortlist of a "demo" campaign (both sandbox platforms, keyword "vegan", built-in
    rules only) over the store at NOW: its verdict rows (of one rule, if named)."""
    from microscout.config import parse_config
    from microscout.engine.plugins import collect_rules, make_plugin_manager
    from microscout.engine.shortlist import run_shortlist

    config = parse_config({"plugins_dir": "none",
                           "campaigns": {"demo": {"platforms": ["mastodon", "bluesky"], "keywords": ["vegan"]}}})
    rules = collect_rules(make_plugin_manager(None, entry_points=False))
    return verdict_rows(db, run_shortlist(db, config, rules, "demo", now=NOW).run_id, rule)


def verdict_rows(db, run_id: int, rule: str | None = None) -> list[tuple]:
    """Every verdict of a run (of one rule, if named), in a fixed order, for comparing runs."""
    where, params = ("AND rule = ?", [run_id, rule]) if rule else ("", [run_id])
    return db.execute("SELECT profile_id, rule, outcome, score, reason, evidence FROM run_verdicts WHERE run_id = ? "
                      f"{where} ORDER BY 1, 2", params).fetchall()


def add_profile(db, handle: str, followers: int, *, platform: str = "mastodon", posts: int = 0,
                likes: int = 10, bio: str = "", **extra) -> int:
    row = {"platform": platform, "platform_id": f"{handle}@example.social" if platform == "mastodon" else handle,
           "handle": handle, "followers": followers, "following": 100, "posts_count": posts, "bio": bio,
           "has_avatar": 1, "fetched": ["profile", "posts"], **extra}
    with db.conn:
        pid = upsert_profiles(db, [row])[(platform, row["platform_id"])]
        add_snapshots(db, [{"profile_id": pid, "observed_at": NOW.isoformat(), "followers": followers}])
        upsert_posts(db, [{"platform": platform, "platform_id": f"{handle}-{i}", "profile_id": pid,
                           "created_at": (NOW - timedelta(days=i)).isoformat(), "text": f"post {i} #vegan",
                           "hashtags": ["vegan"], "likes": likes, "replies": 1, "reposts": 0}
                          for i in range(posts)])
    return pid


class FollowerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    minimum: int = Field(1000, description="Fewest followers that pass (test rule).")


def _min_followers(candidate, options, context):
    f = candidate.profile.followers
    ok = f >= options.minimum
    return Verdict(outcome="pass" if ok else "fail", score=min(1.0, f / (options.minimum * 10)),
                   reason=f"{f} followers vs minimum {options.minimum}", evidence={"followers": f})


def _likes(candidate, options, context):
    if not candidate.posts:
        return Verdict.unknown("no posts")
    mean = sum(p.likes for p in candidate.posts) / len(candidate.posts)
    return Verdict(outcome="pass", score=min(1.0, mean / 100), reason=f"{mean:.0f} likes a post",
                   evidence={"engagement_rate": mean / candidate.profile.followers})


def _raises(candidate, options, context):
    if candidate.profile.handle == "boom":
        raise RuntimeError("cannot judge boom")
    return Verdict(outcome="pass", score=1.0, reason="fine")


class RulesForTests:
    """A plugin with three rules: a gate, a scorer that sets engagement_rate, and one that raises."""

    @hookimpl
    def register_rules(self, register):
        register(Rule(name="min_followers", summary="Enough followers", options=FollowerOptions,
                      evaluate=_min_followers, prefilter=True))
        register(Rule(name="engagement", summary="Likes per post", evaluate=_likes,
                      needs=frozenset({Need.POSTS}), metrics=frozenset({"engagement_rate"})))
        register(Rule(name="fragile", summary="Raises on one handle", evaluate=_raises))


def exporting_plugins():
    """A plugin manager with the built-in exporters and RulesForTests: (rules, exporters)."""
    from microscout.engine import exporters
    from microscout.engine.plugins import collect_exporters, collect_rules, make_plugin_manager

    pm = make_plugin_manager(None, entry_points=False, defaults=False)
    pm.register(exporters)
    pm.register(RulesForTests(), name="tests")
    return collect_rules(pm), collect_exporters(pm)
