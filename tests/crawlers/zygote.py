"""A pre-forked `microscout crawl` for the tests (run as `python -m tests.crawlers.zygote MICROSCOUT`).

Every crawl subprocess of the suite used to pay ~1.2 CPU-s of start-up (Python, Scrapy,
Twisted and microscout's modules) before doing any work. This server imports all that
once, then forks a child per request; the child takes the request's cwd, environment,
argv and stdout/stderr files and runs the console script's `sys.exit(main())` at the top
level of this module, so Python itself ends it exactly as it ends a real `microscout`:
SystemExit codes, tracebacks, atexit handlers, thread joins, flushing, finalisation (of
what the child made: what the zygote made before forking is frozen, see the end).

No Twisted reactor is installed here: Scrapy installs its own when the crawl starts.

Protocol (one JSON object a line): the client sends {"argv", "env", "cwd", "stdout",
"stderr"}; the server answers {"pid"} once forked, then {"status"} (waitpid's exit
code, -signum when killed). A line "kill" while a child runs sends it SIGKILL. EOF on
stdin (the client is gone) kills a running child and ends the server.

run() is subprocess.run's stand-in; start() is Popen's (a Started), for the tests that
signal a crawl part-way: the test signals the child itself, and the zygote serves nothing
else until it has ended.
"""
from __future__ import annotations

import io
import json
import os
import select
import signal
import sys

# What a crawl imports that costs time: the command line, the runner, every platform's
# spider, parser, middleware and pipeline, the built-in rules (the crawl's prefilter
# loads them), and the Scrapy/Twisted modules a crawl loads by name from its settings.
PREIMPORT = (
    "microscout._main",
    "microscout.cli",
    "microscout.cli.common",
    "microscout.cli.crawl",
    "microscout.cli.handles",
    "microscout.crawlers.runner",
    "microscout.crawlers.extensions",
    "microscout.crawlers.middlewares",
    "microscout.crawlers.pipelines",
    "microscout.crawlers.spiders.mastodon",
    "microscout.crawlers.spiders.bluesky",
    "microscout.crawlers.spiders.youtube",
    "microscout.crawlers.spiders.instagram",
    "microscout.crawlers.spiders.tiktok",
    "microscout.engine.plugins",
    "microscout.engine.prefilter",
    "microscout.engine.evaluate",
    "scrapy",
    "scrapy.crawler",
)


def _startup_path(script: str) -> list[str]:
    """sys.path as the console script's Python sets it up: the script's folder, then
    PYTHONPATH, then the interpreter's own (this process's, less its `-m` folder)."""
    pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    base = [p for p in sys.path[1:] if p not in pythonpath]
    return [os.path.dirname(os.path.realpath(script)), *pythonpath, *base]


def preimport() -> None:
    import importlib

    from scrapy.settings import default_settings

    for name in PREIMPORT:
        importlib.import_module(name)
    from microscout.engine.plugins import DEFAULT_PLUGINS

    for name in DEFAULT_PLUGINS:
        importlib.import_module(name)
    # the components Scrapy loads by name when a crawler starts (those that import a
    # reactor at module level are left to the crawl)
    for setting in ("DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE", "EXTENSIONS_BASE",
                    "DOWNLOAD_HANDLERS_BASE"):
        for path in getattr(default_settings, setting):
            _try_import(path.rpartition(".")[0])
    for setting in ("SCHEDULER", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE", "SCHEDULER_PRIORITY_QUEUE",
                    "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER", "REQUEST_FINGERPRINTER_CLASS",
                    "DOWNLOADER", "ITEM_PROCESSOR", "SPIDER_LOADER_CLASS", "DNS_RESOLVER", "ADDONS"):
        value = getattr(default_settings, setting, None)
        if isinstance(value, str):
            _try_import(value.rpartition(".")[0])
    for name in EXTRA:
        _try_import(name)
    assert "twisted.internet.reactor" not in sys.modules, "the zygote must not install a reactor"
    assert not __import__("logging").getLogger().handlers, "the zygote must not configure logging"


# Further modules every crawl imports (from a real crawl's sys.modules), none of which
# installs a reactor.
EXTRA = (
    "encodings.charmap", "encodings.utf_8_sig", "resource", "urllib.robotparser", "protego",
    "microscout.heuristics.comment_features", "microscout.heuristics.follower_features", "microscout.store.features",
    "scrapy.robotstxt", "scrapy.utils._download_handlers", "scrapy.core.downloader.contextfactory",
    "scrapy.core.downloader.tls", "scrapy.core.downloader.handlers.datauri", "scrapy.core.downloader.handlers.file",
    "scrapy.core.downloader.handlers.ftp", "scrapy.core.downloader.handlers.http11",
    "scrapy.core.downloader.handlers.s3", "twisted.internet.endpoints", "twisted.internet.stdio", "twisted.plugin",
    "twisted.web.client",
)


def _try_import(name: str) -> None:
    import importlib

    if name and name not in sys.modules:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional dependency (boto3 for s3:// ...) that a crawl does not load either
            pass


class _Lines:
    def __init__(self, fd: int):
        self.fd, self.buffer = fd, b""

    def ready(self) -> bool:
        return b"\n" in self.buffer

    def fill(self) -> bool:
        """One read; False at EOF."""
        data = os.read(self.fd, 65536)
        self.buffer += data
        return bool(data)

    def take(self) -> bytes:
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _send(message: dict) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def serve() -> dict:
    """Answer requests until stdin ends (then exit); return in a forked child, with its request."""
    lines = _Lines(0)
    while True:
        while not lines.ready():
            if not lines.fill():
                sys.exit(0)
        line = lines.take()
        if not line.strip() or line.strip() == b"kill":
            continue
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            return request
        _send({"pid": pid})
        _send({"status": _wait(pid, lines)})


def _wait(pid: int, lines: _Lines) -> int:
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            readable, _, _ = select.select([pidfd] + ([] if lines.ready() else [lines.fd]), [], [])
            if pidfd in readable:
                break
            if lines.ready() or lines.fd in readable:
                if not lines.ready() and not lines.fill():  # the client is gone
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    sys.exit(0)
                while lines.ready():
                    if lines.take().strip() == b"kill":
                        os.kill(pid, signal.SIGKILL)  # not reaped yet: still ours
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def become(request: dict) -> None:
    """Turn the forked child into the requested `microscout` process."""
    env = request["env"]
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    import time

    time.tzset()
    devnull = os.open(os.devnull, os.O_RDONLY)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for fd, target in ((devnull, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    # the standard streams as Python makes them for files and pipes
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    encoding = sys.stdout.encoding

    def stream(fd: int, mode: str, errors: str, line_buffering: bool) -> io.TextIOWrapper:
        raw = io.FileIO(fd, mode, closefd=False)
        buffered = raw if unbuffered and mode == "w" else (io.BufferedWriter(raw) if mode == "w"
                                                           else io.BufferedReader(raw))
        return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, line_buffering=line_buffering,
                                write_through=unbuffered and mode == "w")

    sys.stdin = sys.__stdin__ = stream(0, "r", "strict", False)
    sys.stdout = sys.__stdout__ = stream(1, "w", "strict", False)
    sys.stderr = sys.__stderr__ = stream(2, "w", "backslashreplace", True)
    sys.argv = list(request["argv"])
    import importlib

    importlib.invalidate_caches()


# --- the client (in the test process) ---------------------------------------------------

# Variables Python reads when it starts: a request that sets them otherwise than the
# zygote was started with runs as a real subprocess (PYTHONUNBUFFERED is the child's own).
def _startup_env(env: dict) -> dict:
    return {k: v for k, v in env.items()
            if (k.startswith("PYTHON") and k != "PYTHONUNBUFFERED") or k in ("LANG", "LANGUAGE")
            or k.startswith("LC_")}


class Zygote:
    def __init__(self, script: str, env: dict):
        import subprocess
        import tempfile

        self.script, self.startup = script, _startup_env(env)
        self.folder = tempfile.mkdtemp(prefix="zygote-")
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.process = subprocess.Popen([_interpreter(script), "-m", "tests.crawlers.zygote", script],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=repo, env=env)
        self.lines = _Lines(self.process.stdout.fileno())
        self.count = 0
        self.started: Started | None = None

    def fits(self, args: list[str], env: dict) -> bool:
        # a scheduler's crawl checks its parent process: a real child of the caller's
        # (and it serves one process at a time: one started with start() must have ended)
        return (self.process.poll() is None and args[0] == self.script and _startup_env(env) == self.startup
                and not env.get("MICROSCOUT_SCHEDULER_PID")
                and (self.started is None or self.started.poll() is not None))

    def _tell(self, text: str) -> None:
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def _answer(self, deadline: float | None = None) -> dict | None:
        import time

        while not self.lines.ready():
            if deadline is not None:  # at or past it: only what has come already (a poll)
                left = max(deadline - time.monotonic(), 0)
                if not select.select([self.lines.fd], [], [], left)[0]:
                    return None
            if not self.lines.fill():
                raise RuntimeError("the crawl zygote ended unexpectedly")
        return json.loads(self.lines.take())

    def run(self, args: list[str], *, cwd, env: dict, timeout: float | None):
        """subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)."""
        import locale
        import subprocess
        import time

        self.count += 1
        paths = [os.path.join(self.folder, f"{self.count}.{name}") for name in ("out", "err")]
        deadline = None if timeout is None else time.monotonic() + timeout
        self._tell(json.dumps({"argv": [str(a) for a in args], "env": dict(env), "cwd": os.path.abspath(cwd),
                               "stdout": paths[0], "stderr": paths[1]}))
        self._answer()  # forked
        try:
            answer = self._answer(deadline)
            if answer is None:
                self._tell("kill")
                self._answer()
                out, err = (_read(p) for p in paths)
                raise subprocess.TimeoutExpired(args, timeout, output=out or None, stderr=err or None)
        except subprocess.TimeoutExpired:
            raise
        except BaseException:  # Ctrl-C in the test: the crawl ends with it, as subprocess.run's does
            self._tell("kill")
            self._answer()
            raise
        finally:
            outputs = [_read(p) for p in paths]
            for p in paths:
                if os.path.exists(p):
                    os.unlink(p)
        encoding = locale.getpreferredencoding(False)
        out, err = (o.decode(encoding).replace("\r\n", "\n").replace("\r", "\n") for o in outputs)
        return subprocess.CompletedProcess(args, answer["status"], out, err)

    def start(self, args: list[str], *, cwd, env: dict) -> Started:
        """subprocess.Popen(args, stdout=PIPE, stderr=PIPE, text=True, cwd=cwd, env=env)."""
        self.count += 1
        paths = [os.path.join(self.folder, f"{self.count}.{name}") for name in ("out", "err")]
        self._tell(json.dumps({"argv": [str(a) for a in args], "env": dict(env), "cwd": os.path.abspath(cwd),
                               "stdout": paths[0], "stderr": paths[1]}))
        self.started = Started(self, args, self._answer()["pid"], paths)
        return self.started

    def stop(self) -> None:
        import shutil

        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Started:
    """A `microscout` process forked from the zygote, as subprocess.Popen(args, stdout=PIPE,
    stderr=PIPE, text=True, ...) started it: pid, returncode (-signum when killed), poll(),
    wait(), send_signal(), terminate(), kill() and communicate(), which raise what Popen's raise.
    Its output goes to files, read once it has ended. Signals go through a pidfd taken at once, so none reaches another process that
    got the pid after the zygote reaped this one."""

    def __init__(self, zygote: Zygote, args: list[str], pid: int, paths: list[str]):
        self.zygote, self.args, self.pid, self.paths = zygote, args, pid, paths
        self.returncode: int | None = None
        self._output: tuple[str, str] | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # ended (and reaped) already
            self._pidfd = None

    def _wait(self, deadline: float | None) -> int | None:
        if self.returncode is None:
            answer = self.zygote._answer(deadline)
            if answer is None:
                return None
            self.returncode = answer["status"]
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
        return self.returncode

    def poll(self) -> int | None:
        import time

        return self._wait(time.monotonic())

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        code = self._wait(None if timeout is None else time.monotonic() + timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout)
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None and self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, sig)
            except ProcessLookupError:  # it ended meanwhile
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        import locale

        self.wait(timeout)
        if self._output is None:
            outputs = [_read(p) for p in self.paths]
            for p in self.paths:
                if os.path.exists(p):
                    os.unlink(p)
            encoding = locale.getpreferredencoding(False)
            out, err = (o.decode(encoding).replace("\r\n", "\n").replace("\r", "\n") for o in outputs)
            self._output = (out, err)
        return self._output


def _interpreter(script: str) -> str:
    """The console script's #! interpreter (sys.executable as the real command sees it)."""
    with open(script, "rb") as f:
        first = f.readline().decode()
    words = first[2:].split() if first.startswith("#!") else []
    return words[0] if len(words) == 1 and os.path.isabs(words[0]) else sys.executable


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


_zygote: Zygote | None = None


def _fitting(args: list[str], env: dict) -> Zygote | None:
    import atexit

    global _zygote
    if os.environ.get("MICROSCOUT_TEST_ZYGOTE", "1") == "0":
        return None
    if _zygote is not None and _zygote.process.poll() is not None:
        stop()
    if _zygote is None:
        _zygote = Zygote(args[0], env)
        atexit.register(stop)
    return _zygote if _zygote.fits(args, env) else None


def run(args: list[str], *, cwd, env: dict, timeout: float | None):
    """A `microscout` command run as subprocess.run(args, capture_output=True, text=True,
    cwd=cwd, env=env, timeout=timeout) would run it, forked from this worker's zygote;
    a plain subprocess.run when MICROSCOUT_TEST_ZYGOTE=0, the request's Python start-up
    variables differ from the zygote's, or a process start() began is still running."""
    import subprocess

    zygote = _fitting(args, env)
    if zygote is not None:
        return zygote.run(args, cwd=cwd, env=env, timeout=timeout)
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def start(args: list[str], *, cwd, env: dict):
    """A `microscout` command started as subprocess.Popen(args, stdout=PIPE, stderr=PIPE,
    text=True, cwd=cwd, env=env) would start it (a Started, forked from this worker's zygote),
    for a test that signals it or waits for it; a plain Popen when run() would use a plain
    subprocess.run."""
    import subprocess

    zygote = _fitting(args, env)
    if zygote is not None:
        return zygote.start(args, cwd=cwd, env=env)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)


def stop() -> None:
    global _zygote
    if _zygote is not None:
        _zygote, zygote = None, _zygote
        zygote.stop()


def warm() -> None:
    """Fill the caches every crawl fills on first use, so that each child inherits them instead
    of filling them again (~10% of a small crawl's CPU). None of them depends on a crawl's
    settings: each is keyed by what it was built from, or holds a fact about a type."""
    from collections.abc import Mapping

    # Scrapy's Headers.update asks this of every response; the first answer walks every
    # Mapping subclass imported here (~50 ms), then it is cached for the type.
    isinstance((_ for _ in ()), Mapping)
    from microscout.heuristics import comments, sponsored

    comments.classify_comment("Check out my channel, link in bio! Great video")
    sponsored.analyse_post("Use my code GLOW10 for 10% off at glowco.com/shop, link in bio #ad @glowco", ("ad",))


if __name__ == "__main__":
    sys.path[:] = _startup_path(sys.argv[1])
    preimport()
    warm()
    # Every object made so far (the imported modules, ~100,000) goes to the collector's
    # permanent generation, which no collection walks: without this each child's collections,
    # and above all the last one as it exits, walked them all, copying their pages from the
    # zygote's, for ~0.2 CPU-s a crawl (half of a small crawl's CPU). What the child itself
    # makes is collected as in a real `microscout`.
    import gc

    gc.collect()
    gc.freeze()
    become(serve())
    from microscout._main import main

    sys.exit(main())
