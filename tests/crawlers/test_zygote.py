"""The crawl zygote (tests/crawlers/zygote.py) gives what subprocess.run gives: exit codes,
stdout, stderr, timeouts; and one request's environment does not reach the next."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.crawlers import zygote
from tests.crawlers.conftest import MICROSCOUT, crawl_env, write_config

pytestmark = pytest.mark.skipif(os.environ.get("MICROSCOUT_TEST_ZYGOTE") == "0",
                                reason="MICROSCOUT_TEST_ZYGOTE=0: no zygote to test")


def both(args: list[str], cwd, env: dict, timeout: float = 60):
    """(the zygote's result, subprocess.run's result) of the same command."""
    forked = zygote.run(args, cwd=cwd, env=env, timeout=timeout)
    real = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    return forked, real


def same(forked: subprocess.CompletedProcess, real: subprocess.CompletedProcess) -> None:
    assert type(forked) is type(real)
    assert (forked.args, forked.returncode, forked.stdout, forked.stderr) == \
        (real.args, real.returncode, real.stdout, real.stderr)


def test_a_usage_error_comes_back_as_from_a_subprocess(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9")
    args = [MICROSCOUT, "crawl", "myspace", "--hashtag", "x", "--config", str(config)]
    forked, real = both(args, tmp_path, crawl_env())
    assert forked.returncode == 2 and "myspace" in forked.stderr
    same(forked, real)


def test_a_missing_config_comes_back_as_from_a_subprocess(tmp_path):
    args = [MICROSCOUT, "crawl", "mastodon", "--hashtag", "x", "--config", str(tmp_path / "nowhere.toml")]
    forked, real = both(args, tmp_path, crawl_env())
    assert forked.returncode != 0 and forked.stderr
    same(forked, real)


def test_help_and_version_come_back_as_from_a_subprocess(tmp_path):
    for extra in (["crawl", "--help"], ["--version"]):
        same(*both([MICROSCOUT, *extra], tmp_path, crawl_env()))


@pytest.fixture
def silent_server():
    """A port that takes connections and never answers: a crawl of it waits."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_timeout_kills_the_crawl_and_raises_as_subprocess_run_does(tmp_path, silent_server):
    config = write_config(tmp_path, silent_server)
    args = [MICROSCOUT, "crawl", "mastodon", "--handle", "alice", "--config", str(config)]
    raised = []
    for runner in (zygote.run, lambda args, **kw: subprocess.run(args, capture_output=True, text=True, **kw)):
        with pytest.raises(subprocess.TimeoutExpired) as info:
            runner(args, cwd=tmp_path, env=crawl_env(), timeout=3)
        raised.append(info.value)
    forked, real = raised
    assert (forked.cmd, forked.timeout) == (real.cmd, real.timeout) == (args, 3)
    for exc in raised:  # bytes so far, or None, as subprocess.run leaves them
        assert exc.output is None or isinstance(exc.output, bytes)
        assert exc.stderr is None or isinstance(exc.stderr, bytes)
    # the zygote serves the next one
    assert zygote.run([MICROSCOUT, "--version"], cwd=tmp_path, env=crawl_env(), timeout=60).returncode == 0


def test_a_signal_comes_back_as_a_negative_returncode(tmp_path, silent_server):
    config = write_config(tmp_path, silent_server)
    args = [MICROSCOUT, "crawl", "mastodon", "--handle", "alice", "--config", str(config)]
    results = []
    thread = threading.Thread(target=lambda: results.append(zygote.run(args, cwd=tmp_path, env=crawl_env(),
                                                                        timeout=60)))
    thread.start()
    server = zygote._zygote.process.pid
    children = Path(f"/proc/{server}/task/{server}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)  # well into the crawl
    os.kill(int(children.read_text().split()[0]), signal.SIGKILL)
    thread.join(30)
    (result,) = results
    assert result.returncode == -signal.SIGKILL and result.args == args


def test_one_requests_environment_does_not_reach_the_next(tmp_path):
    config = write_config(tmp_path, "http://127.0.0.1:9")  # refused at once
    args = [MICROSCOUT, "crawl", "mastodon", "--handle", "alice", "--config", str(config)]
    # MICROSCOUT_LOG_LEVEL puts Scrapy's log on the console: set for one request only
    logged = zygote.run(args, cwd=tmp_path, env=crawl_env(MICROSCOUT_LOG_LEVEL="INFO"), timeout=60)
    quiet = zygote.run(args, cwd=tmp_path, env=crawl_env(), timeout=60)
    real = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=crawl_env(), timeout=60)
    assert "[scrapy" in logged.stderr
    assert "[scrapy" not in quiet.stderr and "[scrapy" not in real.stderr
    assert quiet.returncode == real.returncode
    assert "MICROSCOUT_LOG_LEVEL" not in os.environ


def test_a_started_crawl_is_signalled_waited_for_and_read_as_a_popen_is(tmp_path):
    """zygote.start (the resume tests' stand-in for Popen) against subprocess.Popen on the same
    crawl: still running at first (poll), communicate's timeout, SIGINT part-way (exit 1 and the
    same one-line stderr), SIGKILL (-9); and run() meanwhile is a plain subprocess.run."""
    from tests.crawlers.conftest import COFFEE, POPULATION
    from tests.crawlers.fakeserver import FakeServer

    def popen(args, cwd, env):
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)

    def after_requests(server, n, process):
        target, deadline = len(server.log) + n, time.monotonic() + 60
        while len(server.log) < target and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.005)
        assert process.poll() is None, "the crawl ended before it could be stopped"

    ended = {}
    with FakeServer(extra=POPULATION, faults=False, latency=0.03) as server:
        for name, starter in (("forked", zygote.start), ("real", popen)):
            folder = tmp_path / name
            folder.mkdir()
            config = write_config(folder, server.url)
            args = [MICROSCOUT, "crawl", *COFFEE, "--config", str(config)]
            process = starter(args, cwd=folder, env=crawl_env())
            assert isinstance(process, zygote.Started if name == "forked" else subprocess.Popen)
            assert process.pid > 0 and process.returncode is None
            after_requests(server, 20, process)
            with pytest.raises(subprocess.TimeoutExpired):
                process.communicate(timeout=0.05)
            if name == "forked":  # the zygote is busy: run() does not wait for it
                assert zygote.run([MICROSCOUT, "--version"], cwd=folder, env=crawl_env(), timeout=60).returncode == 0
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
            ended[name] = (process.returncode, err, out.splitlines()[0].rpartition(" in ")[0])  # less its time

            killed = starter(args + ["--resume"], cwd=folder, env=crawl_env())
            after_requests(server, 5, killed)
            killed.kill()
            assert killed.wait(timeout=30) == -signal.SIGKILL and killed.poll() == -signal.SIGKILL
            killed.communicate()
            killed.kill()  # ended: nothing to signal, no error
    assert ended["forked"] == ended["real"]
    assert ended["real"][:2] == (
        1, "crawl run 1 (mastodon) interrupted: run the same command with --resume to continue\n")
