"""microscout: find micro-influencers worth a brand's time, with every rank explained."""
from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("microscout")

if TYPE_CHECKING:
    from microscout.engine.exporters import Exporter
    from microscout.engine.rules import Need, Rule, Verdict

__all__ = ["hookimpl", "Rule", "Verdict", "Need", "Exporter", "__version__"]


def __getattr__(name: str) -> Any:
    # Rule, Verdict, Need (pydantic) and Exporter load on first use, so `microscout --help` does not
    # pay for them.
    if name in ("Rule", "Verdict", "Need"):
        from microscout.engine import rules

        return getattr(rules, name)
    if name == "Exporter":
        from microscout.engine.exporters import Exporter

        return Exporter
    raise AttributeError(f"module 'microscout' has no attribute {name!r}")
