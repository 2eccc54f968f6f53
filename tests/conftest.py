import signal
import socketserver
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# The HTTP servers the tests start in their own process (FakeServer, the sandbox's
# SandboxServer, the ad hoc ones) stop with shutdown(), which returns only once
# serve_forever's select notices it: up to its poll interval, 0.5 s, later. Some 150 stops
# a run waited ~40 s in all for nothing; polling every 20 ms stops them at once. (Only the
# test process: `microscout sandbox serve` and the demo's own sandbox are untouched.)
socketserver.BaseServer.serve_forever.__defaults__ = (0.02,)


def sigint_default() -> None:
    """Popen's preexec_fn for a test that stops its child with SIGINT: the child starts with
    SIGINT's default action even when the suite itself runs as a background job (a shell starts
    those with SIGINT ignored, an ignored signal stays ignored across exec, and Python then
    never raises KeyboardInterrupt: the child ran to the end and the test failed)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found: clone the project with shared/ beside it to run this test")
    return SHARED


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory, monkeypatch) -> Path:
    """Saved login sessions go to a folder of the test's own, never the user's ~/.local/state."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("MICROSCOUT_STATE_DIR", str(folder))
    return folder


def _stop_zygote() -> None:
    import sys

    zygote = sys.modules.get("tests.crawlers.zygote")
    if zygote is not None:
        zygote.stop()


# Test files that count this process's child processes: the crawl zygote is stopped before
# them, so that they see the children as they were.
COUNTS_CHILDREN = {REPO / "tests" / "engine" / "test_pool.py"}


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """The crawl zygote (tests/crawlers/zygote.py) serves the crawl files of this worker one
    after the other (each request is a fresh fork of it; a start costs ~1 CPU-s, and a
    worker runs some five crawl files), up to a file that counts children."""
    if nextitem is None or (nextitem.path != item.path and nextitem.path in COUNTS_CHILDREN):
        _stop_zygote()


def pytest_sessionfinish(session):
    """...and ends with the session at the latest (waited for, so that its CPU counts with the run's)."""
    _stop_zygote()
