"""What we know about a media file: its size, and for images their pixel dimensions."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath



@dataclass(frozen=True)
class MediaInfo:
    """What smm read of a media file: its size in bytes and, for an image it can read, its
    width and height in pixels."""

    bytes: int
    width: int | None = None
    height: int | None = None
    readable: bool = True

    @property
    def aspect(self) -> float | None:
        return self.width / self.height if self.width and self.height else None


@dataclass(frozen=True)
class Located:
    """A path written in the repository (a post's media file, or a post file that is a link),
    resolved inside the repository, or why it cannot be used."""

    file: Path | None
    problem: str | None = None      # None, "outside", "links-outside", "unresolvable" or "missing"


def locate(repo, path: str) -> Located:
    """Where `path` (relative to the repository's root) points, worked out once per loaded repository."""
    found = repo.located.get(path)
    if found is None:
        found = repo.located[path] = locate_in(repo.root, path)
    return found


def locate_in(root: Path, path: str) -> Located:
    """Where `path` points inside the repository at `root` (see Located)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path or ".." in pure.parts or (len(path) > 1 and path[1] == ":"):
        return Located(None, "outside")
    file = root / pure
    try:
        resolved = file.resolve()
    except (OSError, RuntimeError):
        return Located(None, "unresolvable")
    if not resolved.is_relative_to(root.resolve()):
        return Located(None, "links-outside")
    try:
        if not resolved.is_file():
            return Located(None, "missing")
    except OSError:         # a name the system refuses (too long), which no file can have
        return Located(None, "unresolvable")
    return Located(file)


def inspect(file: Path, kind: str) -> MediaInfo | None:
    """None when the file is missing (another rule reports that)."""
    try:
        stat = file.stat()
    except OSError:
        return None
    if not file.is_file():
        return None
    if kind != "image":
        return MediaInfo(bytes=stat.st_size)
    return _image(str(file), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _image(path: str, size: int, mtime: int) -> MediaInfo:
    from PIL import Image      # imported on first use: most checks open no image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                image.verify()
        return MediaInfo(bytes=size, width=width, height=height)
    except Exception:  # Pillow raises many kinds for a broken or hostile file
        return MediaInfo(bytes=size, readable=False)
