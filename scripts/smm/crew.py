"""Forked workers for `smm check`, without multiprocessing's pool.

A worker is a forked copy of this process: it inherits everything it needs (the repository
without posts, the chunks of post files), so all that goes to it is a chunk's number, four bytes
down a pipe, and all that comes back is that chunk's result, pickled, up another pipe. A thread of
this process reads each worker's results as they come, so a worker never waits for this process
to finish a chunk of its own before it can send one back.

multiprocessing.Pool did the same with more: importing it and starting a pool of one worker
(three threads, a queue, locks) took 14 to 19 ms before the first chunk and 5 ms after the last,
against about 4 ms and 0.5 ms for a fork, two pipes and a thread (in `smm check` on 10,000 posts).
"""
from __future__ import annotations

import os
import pickle
import struct
import threading

from .pipes import read_exactly as _read_exactly, write_all as _write_all

_TASK = struct.Struct("<I")            # a chunk's number
_SIZE = struct.Struct("<Q")            # a result's length, before the result
_FAILED = b"F"                         # the first byte of a worker's failure; its result's is b"R"


class WorkerFailed(RuntimeError):
    """A worker raised an error, or ended before it sent back every chunk it was given."""


class Crew:
    """`count` forked workers, each running `run(number)` on the chunk numbers given to it."""

    def __init__(self, count: int, run):
        self._inbox, self._arrived = [], threading.Condition()
        self.workers = []
        for _ in range(count):           # all forked before any thread starts
            self.workers.append(_Worker(run, [fd for worker in self.workers for fd in (worker.tasks, worker.results)]))
        for worker in self.workers:
            worker.start_reading(self._deliver)

    def give(self, worker: "_Worker", number: int) -> None:
        worker.waiting += 1
        _write_all(worker.tasks, _TASK.pack(number))

    def ready(self) -> bool:
        return bool(self._inbox)

    @property
    def waiting(self) -> int:
        """The chunks given to the workers whose results this process has not taken yet."""
        return sum(worker.waiting for worker in self.workers)

    def take(self):
        """The next result to come back (waiting for one), or WorkerFailed."""
        with self._arrived:
            while not self._inbox:
                self._arrived.wait()
            worker, message = self._inbox.pop(0)
        if message is None:
            raise WorkerFailed(f"a worker (process {worker.pid}) ended with chunks still to send back")
        worker.waiting -= 1
        if message[:1] == _FAILED:
            raise WorkerFailed("a worker failed:\n" + message[1:].decode("utf-8", "replace"))
        return pickle.loads(memoryview(message)[1:])

    def close(self, abandon: bool = False) -> None:
        """Let the workers end: they end when their pipe of chunks closes, and each reading thread
        then waits for its worker to end (ending a process that has 100 MB of its own takes 4 to 6 ms,
        which this one spends on the rules across posts meanwhile). With `abandon`, end them now and
        wait for them."""
        for worker in self.workers:
            worker.close(abandon)
        if abandon:
            self.wait()

    def wait(self) -> None:
        """Wait until every worker has ended and been reaped."""
        for worker in self.workers:
            worker.wait()

    def ended(self) -> bool:
        """Whether every worker has ended and been reaped (its reading thread with it)."""
        return all(not worker.reading() for worker in self.workers)

    def _deliver(self, worker, message) -> None:
        with self._arrived:
            self._inbox.append((worker, message))
            self._arrived.notify()


class _Worker:
    def __init__(self, run, others: list):
        """Fork a worker; `others` are this process's ends of the pipes of the workers forked
        before it, which it closes: a worker holding another's pipe of chunks open would keep that
        one from seeing it close, and from ending."""
        tasks_out, tasks_in = os.pipe()
        results_out, results_in = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:                                    # the worker: never returns
            for fd in (tasks_in, results_out, *others):
                os.close(fd)
            _serve(run, tasks_out, results_in)
        os.close(tasks_out)
        os.close(results_in)
        self.tasks, self.results, self.waiting, self._reader = tasks_in, results_out, 0, None

    def start_reading(self, deliver) -> None:
        self._reader = threading.Thread(target=self._read, args=(deliver,), daemon=True)
        self._reader.start()

    def _read(self, deliver) -> None:
        """Deliver each result as it comes; at the end of the pipe, reap the worker."""
        while True:
            size = _read_exactly(self.results, _SIZE.size)
            message = _read_exactly(self.results, _SIZE.unpack(size)[0]) if len(size) == _SIZE.size else None
            deliver(self, message)
            if message is None:
                break
        os.close(self.results)
        os.waitpid(self.pid, 0)

    def close(self, abandon: bool) -> None:
        if abandon:
            import signal          # here, as traceback below: 4 ms of imports before the fork otherwise
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.close(self.tasks)

    def wait(self) -> None:
        self._reader.join()

    def reading(self) -> bool:
        return self._reader is not None and self._reader.is_alive()


def _serve(run, tasks: int, results: int) -> None:
    """The worker's loop: a chunk's number in, its result out, until the pipe of chunks closes."""
    code = 0
    try:
        while True:
            number = _read_exactly(tasks, _TASK.size)
            if len(number) < _TASK.size:
                break
            try:
                message = b"R" + pickle.dumps(run(_TASK.unpack(number)[0]), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                import traceback
                message = _FAILED + traceback.format_exc().encode("utf-8", "replace")
            _write_all(results, _SIZE.pack(len(message)))
            _write_all(results, message)
    except BaseException:            # interrupted, or this process's pipe closed: end, quietly
        code = 1
    finally:
        os._exit(code)               # never the parent's exit handlers, nor its buffered output
