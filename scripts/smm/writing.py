"""Writing files all or nothing: the cache, and the files a command makes for its user (exports,
CODEOWNERS). Each is written to a new hidden file beside it and then renamed over it, so a reader
sees the old file or the new one, and no other file (such as one named like a fixed temporary
name) is touched."""
from __future__ import annotations

import os
from pathlib import Path


def replace_file(path: Path, write, private: bool = False) -> None:
    """Replace `path` with what `write(binary handle)` writes; raises OSError (and whatever `write`
    raises) with `path` as it was. A private file is readable by its owner only; any other gets
    the permissions a new file would."""
    temporary, handle = _new_hidden_file(path)
    try:
        with handle:
            write(handle)
        if not private:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _new_hidden_file(path: Path):
    """(name, binary handle) of a new file beside `path` that no one else made, readable by its
    owner only, as tempfile.NamedTemporaryFile makes one (importing tempfile took 6 to 7 ms of the
    forked child that writes the cache, which the command waits for)."""
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
        try:
            descriptor = os.open(temporary, _NEW_FILE, 0o600)
        except FileExistsError:
            continue
        return temporary, os.fdopen(descriptor, "wb")
    raise FileExistsError(f"no new file name beside {path}")


def write_text(path: Path, text: str) -> None:
    """Replace the user's file `path` with `text` (UTF-8, line ends as they are in `text`); what goes
    wrong is a usage error saying so."""
    from .check import UsageError      # imported here: the cache, which check imports, writes through this module
    if path.exists() and not path.is_file():
        raise UsageError(f"{path} is not a file; name a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, lambda handle: handle.write(text.encode("utf-8")))
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
