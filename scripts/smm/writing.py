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
    import tempfile      # imported when writing: most checks write nothing
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            write(handle)
        if not private:
            os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


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
