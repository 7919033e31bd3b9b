"""Forked workers for `smm check`, without multiprocessing's pool.

A worker is a forked copy of this process: it inherits everything it needs (the repository
without posts, the chunks of post files), so all that goes to it is a chunk's number, and all
that comes back is that chunk's result, pickled, up a pipe of its own. A thread of this process
reads each worker's results as they come, so a worker never waits for this process to finish a
chunk of its own before it can send one back.

The chunks' numbers wait in one pipe, one byte each, written before the workers are forked: each
worker, and this process between taking in results, reads the next number when it is ready for
another chunk, so whoever is free takes the next chunk and all end close together. (Handing each
worker two chunks ahead, as before, left this process waiting 20 to 30 ms at the end for a worker's
last two, given out when larger chunks were left.) A read of one byte takes one whole number, as
make's jobserver relies on; the pipe ends, for every reader, once all are taken.

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

MAX_CHUNKS = 255                       # a chunk's number is one byte in the pipe of numbers
_SIZE = struct.Struct("<Q")            # a result's length, before the result
_FAILED = b"F"                         # the first byte of a worker's failure; its result's is b"R"


class WorkerFailed(RuntimeError):
    """A worker raised an error, or ended before it sent back every chunk it took."""


class Crew:
    """`count` forked workers, each running `run(number)` on the chunk numbers 0 to `chunks` - 1 it
    takes, in that order, as this process does with next_chunk()."""

    def __init__(self, count: int, run, chunks: int):
        if not 0 < chunks <= MAX_CHUNKS:
            raise ValueError(f"{chunks} chunks: a crew takes 1 to {MAX_CHUNKS}")
        self._inbox, self._arrived = [], threading.Condition()
        self._numbers, numbers_in = os.pipe()
        _write_all(numbers_in, bytes(range(chunks)))      # a pipe holds 64 kB: never waits
        self.workers, self._ended, self.taken = [], 0, 0
        try:
            for _ in range(count):           # all forked before any thread starts
                others = [numbers_in, *(worker.results for worker in self.workers)]
                self.workers.append(_Worker(run, self._numbers, others))
        finally:
            os.close(numbers_in)             # once every worker has closed its copy, the pipe ends when empty
        for worker in self.workers:
            worker.start_reading(self._deliver)

    def next_chunk(self) -> int | None:
        """The next chunk's number for this process to check, or None when every chunk is taken."""
        number = os.read(self._numbers, 1)
        return number[0] if number else None

    def ready(self) -> bool:
        """Whether a result has come back. A worker that ended on its own is no result: it ends once
        every number is taken, which may be while this process checks the last chunks."""
        with self._arrived:
            while self._inbox and self._inbox[0][1] is None:
                self._ended_one(self._inbox.pop(0)[0])
            return bool(self._inbox)

    def take(self):
        """The next result to come back (waiting for one), or WorkerFailed."""
        with self._arrived:
            while True:
                while not self._inbox:
                    if self._ended == len(self.workers):
                        raise WorkerFailed("the workers ended with chunks still to send back")
                    self._arrived.wait()
                worker, message = self._inbox.pop(0)
                if message is not None:
                    break
                self._ended_one(worker)
        self.taken += 1
        if message[:1] == _FAILED:
            raise WorkerFailed("a worker failed:\n" + message[1:].decode("utf-8", "replace"))
        return pickle.loads(memoryview(message)[1:])

    def _ended_one(self, worker) -> None:
        self._ended += 1
        if worker.status != 0:
            raise WorkerFailed(f"a worker (process {worker.pid}) ended with chunks still to send back")

    def close(self, abandon: bool = False) -> None:
        """Stop handing out chunks; the workers end once they have sent back the ones they took
        (each reading thread then reaps its worker: ending a process that has 100 MB of its own
        takes 4 to 6 ms, which this one spends on the rules across posts meanwhile). With `abandon`,
        end them now and wait for them."""
        if self._numbers is not None:
            os.close(self._numbers)
            self._numbers = None
        if abandon:
            for worker in self.workers:
                worker.kill()
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
    def __init__(self, run, numbers: int, others: list):
        """Fork a worker that takes chunk numbers from `numbers`; `others` are this process's ends
        of pipes it must not hold open: the numbers' writing end (the pipe would never end) and the
        results of the workers forked before it."""
        results_out, results_in = os.pipe()
        _widen(results_in)
        self.pid = os.fork()
        if self.pid == 0:                                    # the worker: never returns
            for fd in (results_out, *others):
                os.close(fd)
            _serve(run, numbers, results_in)
        os.close(results_in)
        self.results, self.status, self._reader = results_out, None, None

    def start_reading(self, deliver) -> None:
        self._reader = threading.Thread(target=self._read, args=(deliver,), daemon=True)
        self._reader.start()

    def _read(self, deliver) -> None:
        """Deliver each result as it comes; at the end of the pipe, reap the worker, then deliver
        None (its exit status in `status`: not 0 if it died or was killed)."""
        while True:
            size = _read_exactly(self.results, _SIZE.size)
            if len(size) < _SIZE.size:
                break
            deliver(self, _read_exactly(self.results, _SIZE.unpack(size)[0]))
        os.close(self.results)
        self.status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        deliver(self, None)

    def kill(self) -> None:
        import signal          # here, as traceback below: 4 ms of imports before the fork otherwise
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self) -> None:
        self._reader.join()

    def reading(self) -> bool:
        return self._reader is not None and self._reader.is_alive()


RESULTS_PIPE = 1 << 20    # bytes: a chunk's result of 2,500 posts is about 450 kB


def _widen(fd: int) -> None:
    """Let the pipe `fd` holds a whole result, where the system allows (Linux, F_SETPIPE_SZ): this
    process's reading thread empties it only when it gets the interpreter's lock, which the main
    thread, busy checking, gives up every 5 ms, so a worker writing 450 kB through the usual
    64 kB pipe waited 10 to 20 ms before it went on to its next chunk."""
    try:
        import fcntl
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, RESULTS_PIPE)
    except (ImportError, AttributeError, OSError):
        pass                  # another system, or a lower limit (/proc/sys/fs/pipe-max-size): as it is


def _serve(run, numbers: int, results: int) -> None:
    """The worker's loop: the next chunk's number in, its result out, until every number is taken."""
    code = 0
    try:
        while number := os.read(numbers, 1):
            try:
                message = b"R" + pickle.dumps(run(number[0]), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                import traceback
                message = _FAILED + traceback.format_exc().encode("utf-8", "replace")
            _write_all(results, _SIZE.pack(len(message)))
            _write_all(results, message)
    except BaseException:            # interrupted, or this process's pipe closed: end, quietly
        code = 1
    finally:
        os._exit(code)               # never the parent's exit handlers, nor its buffered output
