"""microscout: find micro-influencers worth a brand's time, with every rank explained."""
import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("microscout")

from microscout.engine.rules import Need, Rule, Verdict  # noqa: E402  (needs hookimpl first)

__all__ = ["hookimpl", "Rule", "Verdict", "Need", "__version__"]
