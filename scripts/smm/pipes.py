"""Bytes through a pipe or a file descriptor, all of them: what the workers' results (crew.py) and
the cache's hand-over to its writing child (cache.Store.save_ahead) go through."""
from __future__ import annotations

import os


def read_exactly(fd: int, count: int) -> bytearray:
    """`count` bytes from `fd`, or fewer if it ends first."""
    buffer = bytearray(count)
    view, got = memoryview(buffer), 0
    while got < count:
        size = os.readv(fd, [view[got:]])
        if size == 0:
            break
        got += size
    return buffer if got == count else buffer[:got]


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
