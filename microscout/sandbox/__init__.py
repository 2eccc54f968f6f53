"""The offline sandbox: a simulated Mastodon + Bluesky with a seeded population whose
ground truth is known (see population.py, archetypes.py, truth.py, server.py)."""
from __future__ import annotations

from microscout.sandbox.faults import Faults
from microscout.sandbox.population import Population
from microscout.sandbox.routes_bluesky import IDENTIFIER, PASSWORD
from microscout.sandbox.server import SandboxServer
from microscout.sandbox.truth import truth

__all__ = ["Faults", "IDENTIFIER", "PASSWORD", "Population", "SandboxServer", "truth"]
