"""Reading files: bytes -> text -> front matter + body, strictly, never raising."""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import findings as F
from . import prefetch
from . import yamlstrict

MAX_BYTES = 1_000_000  # a post is a few kB; anything this large is a mistake or an attack
_FENCES = ("---",)
_new = object.__new__
_CLOSERS = ("---", "...")


@dataclass
class Document:
    """A file as read: its YAML data with places, its body, and what went wrong reading it."""

    path: str
    data: object = None
    body: str = ""
    body_line: int = 1
    parsed: yamlstrict.Parsed = field(default_factory=yamlstrict.Parsed)
    findings: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return isinstance(self.data, dict)

    def where(self, *path) -> tuple[int, int]:
        return self.parsed.where(path) or (1, 1)

    def value_at(self, *path) -> tuple[int, int]:
        return self.parsed.value_at(path) or (1, 1)


class NotRegularFile(OSError):
    """A FIFO, a device, a socket or a folder where a file was expected."""


# How a file is opened and what its stat tells, the same for the reader of posts (prefetch.py,
# which imports nothing of smm's, so it holds them)
_READ_FLAGS, _NOT_A_LINK, stat_key = prefetch.READ_FLAGS, prefetch.NOT_A_LINK, prefetch.stat_key


def read_regular(file, limit: int, follow_links: bool = True, listed: bool = False,
                 stat_into: list | None = None) -> tuple[bytes, int]:
    """(the first `limit` + 1 bytes of a regular file, its size), or NotRegularFile (an OSError):
    whatever else is behind the name, reading it could block or never end. A file larger than
    `limit` is not read; one that grows while being read is read up to `limit` + 1 bytes. Without
    `follow_links`, a name that is a symbolic link raises IsALink (where the system can tell).
    With `listed` (a listing saw a plain regular file there a moment ago), see _read_listed.
    `stat_into` (a list) gets the file's stat_key as it was opened, before a byte was read."""
    if not follow_links and not _NOT_A_LINK and os.path.islink(file):     # a system without O_NOFOLLOW
        raise IsALink(errno.ELOOP, "a symbolic link", str(file))
    try:
        fd = os.open(file, _READ_FLAGS if follow_links else _READ_FLAGS | _NOT_A_LINK)
    except OSError as error:
        # ELOOP (EMLINK on the BSDs) also when links among the folders above loop: not a link itself
        if not follow_links and error.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(file):
            raise IsALink(error.errno, error.strerror, str(file)) from None
        raise
    try:
        if listed and stat_into is None:
            return _read_listed(fd, limit)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{file}: not a regular file")
        if stat_into is not None:
            stat_into.append(stat_key(info))
        if info.st_size > limit:
            return b"", info.st_size
        raw = _read_up_to(fd, info.st_size + 1)
        if len(raw) > info.st_size:              # it grew since fstat: read on, up to the limit
            raw += _read_up_to(fd, limit + 1 - len(raw))
        return raw, max(info.st_size, len(raw))
    finally:
        os.close(fd)


def digest(raw) -> bytes:
    """The digest of a file's bytes (or a view of them), the cache's test of them when its stat
    changed: Git's object id of a blob holding them (SHA-1 of "blob <size>", a zero byte and the
    bytes, as `git hash-object` works it out), so that in a fresh clone Git's index can vouch for
    them (gitindex.py) without a second digest of each file. Bytes with the same blob id are the
    same file to Git as well."""
    import hashlib         # imported where used: a check without the cache needs none of it (3-4 ms)
    hashed = hashlib.sha1(b"blob %d\0" % len(raw))
    hashed.update(raw)
    return hashed.digest()


def blob_id(raw: bytes) -> str:
    """Git's object id of a blob holding `raw`, in hex, as `git hash-object` prints it."""
    return digest(raw).hex()


_FIRST_READ = prefetch.WHOLE       # bytes: a post is a few kB


def _read_listed(fd: int, limit: int) -> tuple[bytes, int]:
    """read_regular's answer for a file a listing saw as a plain regular file (not a link) a moment
    ago, without asking the system again what it is and how large (fstat: 3.4 to 4.9 us a file
    on this machine, a fifth of a post's reading; a post is read in one call). Something put there
    since is still never waited on (opened without blocking) nor read beyond the limit: a folder
    raises IsADirectoryError, a link IsALink when opened; a named pipe reads as what its writer
    wrote so far."""
    raw = _read_up_to(fd, _FIRST_READ)
    if len(raw) == _FIRST_READ:
        raw += _read_up_to(fd, limit + 1 - len(raw))
    if len(raw) > limit:
        return b"", max(os.fstat(fd).st_size, len(raw))       # too large: its size as the system knows it
    return raw, len(raw)


class IsALink(OSError):
    """The name is a symbolic link, and read_regular was asked not to follow links."""


def _read_up_to(fd: int, count: int) -> bytes:
    parts = []
    while count > 0:
        part = os.read(fd, count)
        parts.append(part)
        if len(part) < count:      # a regular file reads short only at its end
            break
        count -= len(part)
    return b"".join(parts)


def read_text(file: Path, relpath: str, link_problem=None, listed: bool = False,
              stamps: dict | None = None) -> tuple[str | None, list]:
    """The file's text (BOM removed, line ends made \\n), or findings saying why not. When the
    name is a symbolic link, `link_problem` (if given) is asked first: a message it returns is the
    finding, and the link is not followed. `listed`: see read_regular. `stamps` (a dict), when
    given, gets `relpath` -> (stat_key as the file was opened, the bytes read) for a file read
    whole: what the text and its findings come from, for the cache (cache.Store.keep digests them).
    A listed file's bytes read ahead (prefetch.read), and its stat then, are taken instead, and
    the stamp holds their span there in place of the bytes (prefetch.ahead): a worker hands its
    stamps over through a pipe, and the bytes need not go with them."""
    seen = None if stamps is None else []
    try:
        raw, size, span = _read_ahead_or_now(file, relpath, link_problem, listed, seen)
    except LinkRefused as refused:
        return None, [F.make("load.unreadable", relpath, None, refused.message)]
    except (NotRegularFile, IsADirectoryError):
        return None, [F.make("load.unreadable", relpath, None, "not a regular file")]
    except FileNotFoundError:
        return None, [F.make("load.unreadable", relpath, None, "not a regular file (a broken link?)")]
    except OSError as error:
        return None, [F.make("load.unreadable", relpath, None, f"cannot read file: {error.strerror}")]
    if size > MAX_BYTES:
        return None, [_too_large(relpath, size)]
    if seen:
        stamps[relpath] = (seen[-1], raw if span is None else span)
    return decode(raw, relpath)


class LinkRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _read_ahead_or_now(file, relpath: str, link_problem, listed: bool,
                       stat_into: list | None) -> tuple[bytes, int, tuple | None]:
    """_read_checking_link's answer and where the bytes were read ahead: from those (prefetch.read)
    of a listed file, with its stat as the reader opened it when `stat_into` wants one, and their
    span; else reading the file now (no span)."""
    ahead = prefetch.read(relpath) if listed else None
    if ahead is None or (stat_into is not None and ahead[1] is None):
        return *_read_checking_link(file, link_problem, listed, stat_into), None
    if stat_into is not None:
        stat_into.append(ahead[1])
    return ahead[0], len(ahead[0]), ahead[2]


def _read_checking_link(file, link_problem, listed: bool = False, stat_into: list | None = None) -> tuple[bytes, int]:
    """read_regular, asking `link_problem` about a name that is a symbolic link before following
    it. Opening without following links tells a link apart with no call of its own (the lstat
    this took before was 3 us a post)."""
    if link_problem is None:
        return read_regular(file, MAX_BYTES, stat_into=stat_into)
    try:
        return read_regular(file, MAX_BYTES, follow_links=False, listed=listed, stat_into=stat_into)
    except IsALink:
        problem = link_problem()
    if problem:
        raise LinkRefused(problem)
    return read_regular(file, MAX_BYTES, stat_into=stat_into)


def _too_large(relpath: str, size: int):
    return F.make("load.too-large", relpath, None, f"file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                  limit=f"{MAX_BYTES:,}")


def decode(raw: bytes, relpath: str) -> tuple[str | None, list]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [F.make("load.encoding", relpath, (line, column),
                             f"byte 0x{raw[error.start]:02x} at offset {error.start} is not valid UTF-8")]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def split_front_matter(text: str, relpath: str) -> tuple[str | None, str, int, list]:
    """(front matter YAML, body, first body line, findings)."""
    first, _, rest = text.partition("\n")
    if first.rstrip() not in _FENCES:
        return None, text, 1, [F.make("frontmatter.missing", relpath, (1, 1),
                                      'the file does not start with a front matter block ("---")')]
    end = _usual_closer(rest)
    if end >= 0:
        return rest[:end], rest[end + 5:], rest.count("\n", 0, end) + 4, []
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in _CLOSERS:
            yaml_text = "\n".join(lines[:index])
            body = "\n".join(lines[index + 1:])
            return yaml_text, body, index + 3, []
    return None, "", 1, [F.make("frontmatter.unclosed", relpath, (1, 1),
                                'the front matter block opened on line 1 is never closed')]


def _usual_closer(rest: str) -> int:
    """Where the newline before the closing line starts, when that line is "---" alone and no line
    before it may close the front matter (one that starts "---" or "..."): found without splitting
    the file into lines (a third of the time for a post of ten lines). -1 when the lines must be
    looked at one by one."""
    end = rest.find("\n---\n")
    if end >= 0 and rest.find("\n---", 0, end) < 0 and rest.find("\n...", 0, end) < 0 \
            and not rest.startswith(("---", "...")):
        return end
    return -1


def load_markdown(file: Path, relpath: str, link_problem=None, listed: bool = False,
                  stamps: dict | None = None) -> Document:
    """A Markdown file with YAML front matter (on `link_problem`, `listed` and `stamps`, see read_text)."""
    text, problems = read_text(file, relpath, link_problem, listed, stamps)
    return parse_markdown(text, relpath, problems)


def parse_markdown(text: str | None, relpath: str, problems: list | None = None) -> Document:
    """Front matter and body from already decoded text (None: the problems say why there is none)."""
    if text is None:
        return Document(path=relpath, findings=problems or [])
    yaml_text, body, body_line, problems = split_front_matter(text, relpath)
    if yaml_text is None:
        return Document(path=relpath, body=body, body_line=body_line, findings=problems)
    parsed = yamlstrict.parse(yaml_text, relpath, line_offset=1)
    doc = _new(Document)     # as Document(...) makes it, without the empty Parsed it would make first
    doc.path, doc.data, doc.body, doc.body_line = relpath, None, body, body_line    # fields in order:
    doc.parsed, doc.findings = parsed, list(parsed.findings)       # names shared (repository._post)
    value = parsed.value
    if value is None and not doc.findings:
        value = {}
    _accept_mapping(doc, value, "front matter")
    return doc


def load_yaml(file: Path, relpath: str) -> Document:
    """A YAML data file (strategy settings, pillars, team...)."""
    doc = Document(path=relpath)
    text, problems = read_text(file, relpath)
    if text is None:
        doc.findings = problems
        return doc
    doc.parsed = yamlstrict.parse(text, relpath)
    doc.findings = list(doc.parsed.findings)
    _accept_mapping(doc, doc.parsed.value, "the file")
    return doc


def _accept_mapping(doc: Document, value, what: str) -> None:
    if isinstance(value, dict):
        doc.data = value
    elif not any(f.severity == "error" for f in doc.findings):
        kind = "empty" if value is None else f"a {type(value).__name__.replace('str', 'text')}"
        doc.findings.append(F.make("frontmatter.not-mapping", doc.path, doc.parsed.where(()) or (1, 1),
                                   f"{what} is {kind}, not a mapping of keys to values"))
