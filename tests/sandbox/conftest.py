import pytest

from microscout.sandbox import SandboxServer


@pytest.fixture(scope="module")
def sandbox():
    """One small real server per test module (starts in well under a second)."""
    with SandboxServer(size=200, seed=7) as server:
        yield server
