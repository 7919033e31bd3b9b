"""Posts read ahead. A check reads every post file without the cache, and with it the first time
(no cache of this folder yet: a first run, a new machine); before it can, the interpreter spends
about a tenth of a second importing smm, on one core. So such a check first starts a reader, a
small process of its own running this file, which reads the post files on the other core
meanwhile into memory the check shares: opening and reading 10,000 small files took 58 to 69 ms
of a core here (and their stats, which the cache keeps, a few ms more).

A file's bytes are taken as read ahead only where reading it then would give the same bytes: a
plain regular file (opened without following a link, without waiting on a pipe), read whole in one
call of loader's first read, at the root the check runs on; any other file is read as usual. When
the check comes to the posts, it takes what the reader has read by then and stops it (take): the
check never waits for it. The reader is started with posix_spawn, not forked: a forked reader
shares the interpreter's memory, and each page the importing interpreter wrote then was copied
(1,070 page faults more, 3 to 4 ms). A guess that turns out wrong (another root, a cache that
holds the posts after all) costs only the other core's time: the check stops the reader (drop).

Only small modules of the standard library are imported here (os, stat, sys, marshal, mmap,
itertools, operator; and the interpreter's SHA-256 to name the cache's files: sha256), nothing of smm's,
so that the reader starts before everything else is imported (__main__.py) and runs in a small
process of its own. The loader takes how files are opened and what their stats tell from here
(READ_FLAGS, NOT_A_LINK, WHOLE, stat_key).
"""
from __future__ import annotations

import marshal
import os
import stat
import sys
from itertools import compress
from operator import itemgetter

WHOLE = 16_384             # bytes of the loader's first read: a post is a few kB, and a read of this
                           # many that returns fewer has the whole file
# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, for ever
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
NOT_A_LINK = getattr(os, "O_NOFOLLOW", 0)     # opening a name that is a symbolic link fails (ELOOP)
MOST = 64 << 20            # bytes of posts read ahead at most (the rest is read as usual)
INDEX = 16 << 20           # bytes of the index at most, after them (see _Index)
BATCH = 256                # files read between two additions to the index
FOLDER = "content/posts"
_SHARED_FD = 3             # where the reader finds the shared memory

_reader: tuple | None = None    # (pid, the shared memory, the root) of the reader started
_taken: tuple | None = None     # (the shared memory, the index: see _Index): what the check takes (read)
_listing: tuple | None = None   # the reader's listing of the posts (post_listing), until the check takes it


def start(argv: list[str], environ=os.environ) -> None:
    """Start the reader when `argv` (smm's arguments) asks for a check that reads every post (see
    _root_of_check), on a machine with a core to spare; nothing otherwise."""
    global _reader
    if _reader is not None or not sys.executable or not hasattr(os, "memfd_create") \
            or not hasattr(os, "posix_spawn") or _cores() < 2:
        return
    root, stamping = _root_of_check(argv, environ)
    if root is None:
        return
    import mmap
    try:
        fd = os.memfd_create("smm-posts")
        try:
            os.ftruncate(fd, MOST + INDEX)         # pages become memory only when written
            shared = mmap.mmap(fd, MOST + INDEX)
            pid = os.posix_spawn(sys.executable, [sys.executable, "-I", "-S", __file__, root, *stamping], os.environ,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, fd, _SHARED_FD),
                                               (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
        finally:
            os.close(fd)
    except OSError:
        return
    _reader = (pid, shared, root)


def stat_key(info: os.stat_result) -> tuple:
    """What tells a file's bytes changed without reading them (the cache's test, as git's index):
    size, modification and change times, inode."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def take(root) -> None:
    """Take what the reader has read by now (see read), if it read the posts of `root` (a folder),
    and stop it; drop it when it read another folder's."""
    global _reader, _taken, _listing
    if _reader is None:
        return
    pid, shared, read_root = _reader
    if os.path.realpath(root) != read_root:
        drop()
        return
    _reader = None
    _stop(pid)                   # once it has ended, all it wrote is there to read
    index, _listing = _Index(shared).read()
    if index:
        _taken = (shared, index)
    else:
        shared.close()


def listing(regular: set) -> list[str] | None:
    """The post files the reader listed (repository.post_files: the same files in the same order),
    those that are plain regular files added to `regular`; None when it listed none (names beyond
    ASCII, whose order and case the check's own listing decides in its file system encoding, or a
    reader stopped before it had listed them all). Taken once."""
    global _listing
    listed, _listing = _listing, None
    if not (isinstance(listed, tuple) and len(listed) == 2 and len(listed[0]) == len(listed[1])):
        return None
    try:
        names = list(map(bytes.decode, listed[0]))       # ASCII: as the check's file system encoding reads them
    except (TypeError, UnicodeDecodeError):
        return None
    regular.update(compress(names, listed[1]))
    return names


def read(relpath: str) -> tuple[bytes, tuple | None, tuple] | None:
    """(the bytes of the post file at `relpath` read ahead, its stat_key as it was opened or
    None when the reader was not asked for them, where the bytes are: a span for ahead()), the
    first time it is asked for; None when it was not read ahead (or was asked for before). The
    process that asks makes the copy of the bytes, so the workers of a check (which share the
    memory) make their own."""
    if _taken is None:
        return None
    where = _taken[1].pop(os.fsencode(relpath), None)
    if where is None:
        return None
    return _taken[0][where[0]:where[1]], where[2:] or None, where[:2]


def ahead(span: tuple) -> memoryview | None:
    """The bytes read ahead at `span` (from read()), without a copy, as long as what was taken is
    held (until drop(), in every process forked before it: the workers, the cache's child); None
    after. A worker hands the span over instead of the bytes, and the cache digests them here."""
    if _taken is None:
        return None
    return memoryview(_taken[0])[span[0]:span[1]]


def drop() -> None:
    """Stop the reader, if any, without taking what it read; and forget what was taken."""
    global _reader, _taken, _listing
    _listing = None
    if _taken is not None:
        _taken[0].close()
        _taken = None
    if _reader is not None:
        pid, shared, _ = _reader
        _reader = None
        _stop(pid)
        shared.close()


def _stop(pid: int) -> None:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == 0:      # still reading
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


class _Index:
    """Where each file read ahead is in the shared memory: after its MOST bytes of posts, the length
    of what follows (8 bytes), then batches, each its length (4 bytes) and a marshalled dictionary
    relpath -> (start, end) or (start, end, *stat_key), the relpath in bytes as the system names
    the file (whatever the two processes' file system encodings); the first may instead be the
    listing, (relpaths, a byte for each: 1 where it is a plain regular file). The length is
    written after each batch, so whatever the moment the reader is stopped, the index says only
    what was read whole."""

    def __init__(self, shared):
        self.shared = shared
        self.written = 0

    def add(self, batch) -> bool:
        data = marshal.dumps(batch)
        at = MOST + 8 + self.written
        if self.written + 4 + len(data) > INDEX - 8:
            return False
        self.shared[at:at + 4] = len(data).to_bytes(4, "little")
        self.shared[at + 4:at + 4 + len(data)] = data
        self.written += 4 + len(data)
        self.shared[MOST:MOST + 8] = self.written.to_bytes(8, "little")
        return True

    def read(self) -> tuple[dict, tuple | None]:
        """(relpath -> where its bytes are, the listing or None)."""
        index, listing, at = {}, None, MOST + 8
        end = at + min(int.from_bytes(self.shared[MOST:MOST + 8], "little"), INDEX - 8)
        try:
            while at + 4 <= end:
                length = int.from_bytes(self.shared[at:at + 4], "little")
                batch = marshal.loads(self.shared[at + 4:min(at + 4 + length, end)])
                if isinstance(batch, tuple) and listing is None and not index:
                    listing = batch
                else:
                    index.update(batch)
                at += 4 + length
        except (EOFError, ValueError, TypeError):
            return {}, None
        return index, listing


def read_ahead(root: str, shared, stamping: bool = False) -> None:
    """List the post files under `root`, adding the listing to the index when its names are all
    ASCII (the check then takes it instead of listing them: listing). Then read each plain regular
    one whole into `shared`, one after the other from its start, adding where each is to the index
    every BATCH files (with `stamping`, and its stat as opened)."""
    index, batch, at = _Index(shared), {}, 0
    into = memoryview(shared)
    folder = os.path.join(os.fsencode(root), b"")
    names, regular = post_listing(folder)
    if all(map(bytes.isascii, names)):
        index.add((names, bytes(regular)))      # a listing too large for the index is not given
    for relpath, plain in zip(names, regular):
        if not plain:
            continue
        if at + WHOLE > MOST:
            break
        read = _read_whole(folder + relpath, into[at:at + WHOLE], stamping)
        if read is not None:
            batch[relpath] = (at, at + read[0], *read[1])
            at += read[0]
            if len(batch) == BATCH:
                if not index.add(batch):
                    return
                batch = {}
    if batch:
        index.add(batch)


def post_listing(root: bytes) -> tuple[list, list]:
    """markdown_listing of the post files (content/posts) of `root`, in bytes."""
    return markdown_listing(root, FOLDER.encode())


def markdown_listing(root, folder) -> tuple[list, list]:
    """(the relpaths, with "/", of the Markdown files under `folder` of `root`, which ends in a
    separator; whether each is a plain regular file, as the listing tells with no call of its own),
    both str or both bytes: each folder's files by name, then its subfolders by name; none whose
    name starts with a dot (nor files with an underscore, nor README.md), no link to a folder
    followed. The check's own listing (repository.markdown_files) and the reader's are this one."""
    names, regular = [], []
    _list_into(root, folder, names, regular, _BYTES_WORDS if isinstance(folder, bytes) else _WORDS)
    return names, regular


# What a listing compares names with, in str and in bytes: the separator, the extension, what
# a file's name may not start with, README's name, what a folder's name may not start with.
_WORDS = ("/", ".md", (".", "_"), "readme.md", ".")
_BYTES_WORDS = (b"/", b".md", (b".", b"_"), b"readme.md", b".")


def _list_into(root, folder, names: list, regular: list, words: tuple) -> None:
    try:
        with os.scandir(root + folder) as listing:
            entries = list(listing)
    except OSError:
        return                           # as os.walk: a folder that cannot be listed has nothing
    separator, extension, hidden_or_draft, readme, hidden = words
    folders, files = [], []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        (folders if is_folder else files).append((entry.name, entry))
    for name, entry in sorted(files, key=_FIRST):
        if name.endswith(extension) and not name.startswith(hidden_or_draft) and name.lower() != readme:
            names.append(folder + separator + name)
            regular.append(_plain_file(entry))
    for name, entry in sorted(folders, key=_FIRST):
        if not name.startswith(hidden) and not entry.is_symlink():
            _list_into(root, folder + separator + name, names, regular, words)


_FIRST = itemgetter(0)


def _plain_file(entry) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _read_whole(file: bytes, into: memoryview, stamping: bool) -> tuple[int, tuple] | None:
    """(how many bytes of `file` are now at the start of `into`, with `stamping` its stat_key as
    opened, else ()), if that is the whole of it and it is a regular file."""
    try:
        fd = os.open(file, READ_FLAGS | NOT_A_LINK)
    except OSError:
        return None
    try:
        key = ()
        if stamping:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            key = stat_key(info)
        length = os.readv(fd, [into])
    except OSError:
        return None
    finally:
        os.close(fd)
    return (length, key) if length < WHOLE else None


def _root_of_check(argv: list[str], environ) -> tuple[str | None, list]:
    """(the real path of the repository `smm check` would read every post of, the reader's
    arguments besides), or (None, []) when `argv` asks for anything else (or cannot be told
    without argparse). A check reads every post without the cache, and with it the first time
    (no cache of this folder: a first run, a new machine); later runs read the few that changed."""
    root, command, no_cache = None, None, bool(environ.get("SMM_NO_CACHE"))
    words = iter(argv)
    for word in words:
        if word == "--":
            break
        if command is None and word == "--root":
            root = next(words, None)
        elif command is None and word.startswith("--root="):
            root = word.partition("=")[2]
        elif command is None and word.startswith("-"):
            return None, []                   # --help, --version, an option not known here
        elif command is None:
            command = word
        elif word == "--no-cache":
            no_cache = True
    found = _given_root(root) if command == "check" else None
    if found is None or no_cache:
        return found, []
    kept = cache_folder(environ)
    if kept is None or _checked_before(kept, found):
        return None, []
    return found, ["--stamps"]


def cache_folder(environ) -> str | None:
    """The cache folder (cache.py), unless SMM_NO_CACHE turns it off."""
    if environ.get("SMM_NO_CACHE"):
        return None
    chosen = environ.get("SMM_CACHE_DIR")
    if not chosen:
        base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        chosen = os.path.join(base, "smm")
    return chosen


def folder_key(root: str) -> str:
    """What the names of the cache files of the repository in folder `root` start with (cache.Store.open)."""
    return sha256(root.encode("utf-8", "surrogatepass")).hexdigest()[:24] + "-"


def sha256(data: bytes = b""):
    """A SHA-256 hash object from the interpreter's own module, which takes 0.7 ms to import, where
    hashlib's loads OpenSSL (2.7 ms): a check that hashes only names and small files (the cache's
    names and fingerprints) needs no more; the digests of posts, which OpenSSL works out 3.5 times
    as fast, import hashlib where they are made. CPython names the module _sha256 up to 3.11 and
    _sha2 from 3.12; on another interpreter, hashlib's."""
    try:
        from _sha256 import sha256 as made
    except ImportError:
        try:
            from _sha2 import sha256 as made
        except ImportError:
            from hashlib import sha256 as made
    return made(data)


def _checked_before(kept: str, root: str) -> bool:
    key = folder_key(root)
    try:
        with os.scandir(kept) as listing:
            return any(entry.name.startswith(key) for entry in listing)
    except OSError:
        return False


def _given_root(given: str | None) -> str | None:
    """As cli.repository_root finds it: the folder given, or the nearest above holding mkdocs.yml."""
    if given is not None:
        folder = os.path.realpath(given)
        return folder if os.path.isdir(folder) else None
    return root_at_or_above(os.getcwd())


def root_at_or_above(start: str) -> str | None:
    """The nearest folder at or above `start` (its real path) that holds mkdocs.yml: a repository's
    root, for the reader and the command alike (repository.find_root)."""
    folder = os.path.realpath(start)
    while True:
        if os.path.isfile(os.path.join(folder, "mkdocs.yml")):
            return folder
        above = os.path.dirname(folder)
        if above == folder:
            return None
        folder = above


def _reader_main(root: str, stamping: bool) -> None:
    try:
        import mmap
        read_ahead(root, mmap.mmap(_SHARED_FD, MOST + INDEX), stamping)
    finally:
        os._exit(0)


if __name__ == "__main__":
    _reader_main(sys.argv[1], sys.argv[2:] == ["--stamps"])
