"""Writing the files a command makes for its user (exports, CODEOWNERS): all or nothing, beside
nothing of the user's, and a clear error instead of a traceback."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .check import UsageError


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, line ends as they are in `text`). Written to a new hidden
    file beside it first and then renamed over it, so a reader sees the old file or the new one,
    and no file of the user's (such as one named like a fixed temporary name) is touched."""
    if path.exists() and not path.is_file():
        raise UsageError(f"{path} is not a file; name a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
