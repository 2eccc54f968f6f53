"""A worked example of a local rule plugin: drop a file like this into `plugins_dir`.

Creators who put a contact (an email address or a website) in their bio are easier to
brief. The rule warns when there is none. Configure it in config.toml:

    [rules.contact_in_bio]
    require_email = false
"""
from pydantic import BaseModel, ConfigDict, Field

from microscout import Need, Rule, Verdict, hookimpl
from microscout.engine.contact import EMAIL, contacts_in  # the exports' finder: linear on any bio


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    require_email: bool = Field(False, description="Only an email address counts as a contact (default false).")


def evaluate(candidate, options: Options, context) -> Verdict:
    bio = candidate.profile.bio
    found = [c for c in contacts_in(bio) if EMAIL.fullmatch(c)] if options.require_email else contacts_in(bio)
    if found:
        return Verdict(outcome="pass", score=1.0, reason="has a contact in the bio", evidence={"found": found[:3]})
    return Verdict(outcome="warn", score=0.5, reason="no email or website in the bio", evidence={"bio": bio[:160]})


@hookimpl
def register_rules(register):
    register(Rule(name="contact_in_bio", summary="Is there a way to contact the creator in their bio?",
                  options=Options, needs=frozenset({Need.PROFILE}), evaluate=evaluate))
