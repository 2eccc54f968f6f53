"""microscout: find micro-influencers worth a brand's time, with every rank explained."""
from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("microscout")

if TYPE_CHECKING:
    from microscout.engine.rules import Need, Rule, Verdict

__all__ = ["hookimpl", "Rule", "Verdict", "Need", "__version__"]


def __getattr__(name: str) -> Any:
    # Rule, Verdict and Need (pydantic) load on first use, so `microscout --help` does not
    # pay for them.
    if name in ("Rule", "Verdict", "Need"):
        from microscout.engine import rules

        return getattr(rules, name)
    raise AttributeError(f"module 'microscout' has no attribute {name!r}")
