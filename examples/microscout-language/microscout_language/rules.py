"""Rule language: are the creator's recent posts in the languages the campaign wants?

Mastodon and Bluesky record a language code per post (``Post.language``); posts without
one are left out of the share, and a creator none of whose posts says is ``unknown``.
"""
from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="Default [\"en\"]: the language codes "
                                 "(ISO 639-1) the campaign's audience reads.")
    min_share: float = Field(0.8, ge=0, le=1, description="Default 0.8: pass when at least this share of the "
                             "posts that carry a language code is in one of those languages.")
    window: int = Field(30, ge=1, description="Default 30: how many of the newest own posts to look at.")


def evaluate(candidate, options: Options, context) -> Verdict:
    if "posts" not in candidate.fetched:
        return Verdict.unknown("posts were not fetched for this profile")
    own = [p for p in candidate.posts if not p.is_reply][:options.window]
    coded = [p for p in own if p.language]
    if not coded:
        return Verdict.unknown(f"none of the {len(own)} recent posts says its language", posts=len(own))
    wanted = {code.lower() for code in options.languages}
    matching = [p for p in coded if p.language.lower().split("-")[0] in wanted]
    share = len(matching) / len(coded)
    others = sorted({p.language for p in coded} - {p.language for p in matching})
    evidence = {"posts": len(coded), "in_languages": len(matching), "share": round(share, 4), "other_languages": others}
    said = f"{len(matching)} of {len(coded)} recent posts in {', '.join(sorted(wanted))} ({share:.0%})"
    if share >= options.min_share:
        return Verdict(outcome="pass", score=round(share, 4), reason=said, evidence=evidence)
    return Verdict(outcome="fail", score=round(share, 4), evidence=evidence,
                   reason=f"{said}, under {options.min_share:.0%}; also {', '.join(others)}")


@hookimpl
def register_rules(register):
    register(Rule(name="language", summary="Posts in the languages the campaign's audience reads",
                  options=Options, needs=frozenset({Need.POSTS}), evaluate=evaluate))
