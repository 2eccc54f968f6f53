"""Work handed to forked worker processes, one per core, results taken as they come (issue #12).

Workers are forked, so they start with everything this process has loaded: the rules of
every plugin (built-in, entry points, plugins_dir files) and the objects that judge with
them, never pickled or imported again. Each worker opens its own read-only connection to
the store; only this process writes. A task is small (a batch's bounds, not its rows) and
a worker holds at most IN_FLIGHT of them, so neither side ever waits on a full pipe and
memory stays flat whatever the store's size.

A worker that dies (a plugin's segfault, ``os._exit``) stops the work with WorkerDied;
leaving the ``with`` block for any reason (an error, Ctrl-C) ends every worker and waits
for it, so no process outlives the pool.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlite_utils

IN_FLIGHT = 2  # tasks a worker holds: one it works on, one waiting, so it never idles
STOP_SECONDS = 10  # how long a worker may take to leave after it is told to
READY_SECONDS = 60  # how long a worker may take to open the store


class WorkerDied(Exception):
    """A worker process ended while it had work: its ``pid``, ``how`` it ended, the ``task``
    it was on (None when unknown)."""

    def __init__(self, pid: int | None, how: str, task: Any):
        super().__init__(f"worker process {pid} {how}")
        self.pid, self.how, self.task = pid, how, task


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity on this system (macOS, Windows)
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked here: 'fork' exists on this system (not on Windows),
    and this is no daemonic process (which multiprocessing forbids to have children)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def store_path(db: sqlite_utils.Database) -> Path | None:
    """The file of the main database, or None for an in-memory or temporary one."""
    name = db.execute("PRAGMA database_list").fetchone()[2]
    return Path(name) if name else None


Work = Callable[[sqlite_utils.Database, Any], Any]


@dataclass
class _Worker:
    process: Any  # multiprocessing's fork Process
    conn: Connection
    tasks: deque = field(default_factory=deque)  # (index, task) sent, in the order sent


class WorkerPool:
    """``count`` forked workers that run ``work(db, task)`` on the store at ``path``.

    ``with WorkerPool(...) as pool: for index, result in pool.run(tasks): ...`` yields
    each task's result with the task's index, in the order they finish."""

    def __init__(self, path: Path, work: Work, count: int):
        self.path, self.work, self.count = path, work, count
        self.workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        try:
            self._start()
            self._wait_ready()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        pipes = [context.Pipe() for _ in range(self.count)]
        # Block Ctrl-C while forking: a worker must not get it before it ignores it (the
        # terminal sends it to the whole group; this process ends the workers itself).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for mine, theirs in pipes:
                others = [c for pair in pipes for c in pair if c is not theirs]
                process = context.Process(target=_serve, args=(theirs, others, self.path, self.work),
                                          name="microscout-worker", daemon=True)
                process.start()
                theirs.close()
                self.workers.append(_Worker(process, mine))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _wait_ready(self) -> None:
        """Each worker says it opened the store. A fork copies a lock another thread held at
        that instant (SQLite's, the scheduler's lock renewal): a worker stuck on one never
        opens the store, and ends the run here instead of hanging it."""
        for worker in self.workers:
            if not worker.conn.poll(READY_SECONDS):
                raise self._died(worker, f"did not open the store within {READY_SECONDS:.0f} s")
            try:
                ok, payload = worker.conn.recv()
            except (EOFError, OSError):
                raise self._died(worker) from None
            if not ok:
                raise payload

    def run(self, tasks: list) -> Iterator[tuple[int, Any]]:
        queue = deque(enumerate(tasks))

        def feed(worker: _Worker) -> None:
            while queue and len(worker.tasks) < IN_FLIGHT:
                item = queue.popleft()
                worker.tasks.append(item)
                try:
                    worker.conn.send(item[1])
                except OSError:  # its end of the pipe is gone: the worker died
                    raise self._died(worker) from None

        for worker in self.workers:
            feed(worker)
        while busy := [w for w in self.workers if w.tasks]:
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                # A result sent just before dying is still read: the sentinel alone is no death.
                if worker.conn in ready or worker.conn.poll():
                    try:
                        ok, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        raise self._died(worker) from None
                    index, _ = worker.tasks.popleft()
                    if not ok:
                        raise payload
                    feed(worker)
                    yield index, payload
                elif worker.process.sentinel in ready:
                    raise self._died(worker)

    def _died(self, worker: _Worker, how: str = "") -> WorkerDied:
        """What ended a worker (``how``, when the caller knows), as a WorkerDied."""
        if not how:
            worker.process.join(1)  # it closed its pipe: its exit status follows at once
            code = worker.process.exitcode
            if code is None:
                how = "closed its pipe"
            elif code >= 0:
                how = f"exited with status {code}"
            else:
                try:
                    how = f"was killed by signal {signal.Signals(-code).name}"
                except ValueError:
                    how = f"was killed by signal {-code}"
        return WorkerDied(worker.process.pid, how, worker.tasks[0][1] if worker.tasks else None)

    def __exit__(self, kind, exc, tb) -> None:
        for worker in self.workers:
            if kind is None:
                try:
                    worker.conn.send(None)  # done: the worker leaves by itself
                except OSError:
                    pass
            else:
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(STOP_SECONDS if kind is None else 2)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
            worker.process.close()
        self.workers = []


def _serve(conn: Connection, others: list[Connection], path: Path, work: Work) -> None:
    """A worker: answer each task with (True, result), or (False, exception) and stop."""
    # This process ends the workers (SIGTERM) on Ctrl-C or an error; a handler inherited
    # from the parent (the scheduler's, which only notes a stop) must not delay that.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # The other ends of every pipe: held here, the parent's death would never reach a
    # worker as end-of-file, and it would wait forever.
    for other in others:
        other.close()
    # Fresh stdout/stderr: the parent's may have been locked by one of its threads (a
    # progress bar) at the fork, and a rule that prints would then wait forever.
    try:
        sys.stdout = open(1, "w", closefd=False, buffering=1)  # noqa: SIM115 - lives as long as the worker
        sys.stderr = open(2, "w", closefd=False, buffering=1)  # noqa: SIM115
    except OSError:
        pass  # no such descriptor (a daemon without output): keep the parent's objects
    try:
        from microscout.store import open_store

        db = open_store(path, readonly=True)
        conn.send((True, None))  # ready
        while (task := conn.recv()) is not None:
            try:
                conn.send((True, work(db, task)))
            except Exception as exc:  # noqa: BLE001 - the parent raises it; a worker prints nothing
                conn.send((False, _portable(exc)))
                break
    except (EOFError, OSError):
        pass  # the parent is gone: nobody to answer
    except Exception as exc:  # noqa: BLE001 - opening the store failed: the parent raises it
        try:
            conn.send((False, _portable(exc)))
        except (OSError, ValueError):
            pass
    # Leave without the inherited interpreter's teardown: the parent's SQLite connection
    # and buffered output are copies that are not this process's to close or flush.
    os._exit(0)


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a RuntimeError that says what it was."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any exception may refuse to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
