"""Checking the posts on every core.

The parent loads the strategy, personas and campaigns once, then forks a worker
per core; the workers take the post files in chunks, load them and run the
per-post rules on them. Each chunk's findings and slim copies of its posts (what
the rules across posts need) come back while the other chunks are checked (so a
worker that ends early takes another chunk, and little is left to receive at the
end); the parent runs the per-post rules of rules.IN_PARENT on each chunk as it
comes (their set-up is then paid once), and at the end the rules across posts once
over all of them.
Small repositories, and systems without fork, are checked in one process (multiprocessing is
imported only to start workers: a check of a few posts, the usual run with the cache, needs none).
"""
from __future__ import annotations

import gc
import hashlib
import os
from collections import namedtuple
from dataclasses import MISSING, dataclass, field, fields, replace

from . import cache
from .loader import MAX_BYTES
from .model import Post
from .repository import add_posts


def _threshold(default: int = 400) -> int:
    """Below this many posts, starting workers costs more than it saves (SMM_PARALLEL_FROM overrides it)."""
    try:
        return max(1, int(os.environ.get("SMM_PARALLEL_FROM") or default))
    except ValueError:
        return default


PARALLEL_FROM = _threshold()
CHUNKS_PER_WORKER = 6
MIN_CHUNK = 50                # posts: below this, a chunk's trip through the pipe costs more than it saves
CROSS_POST_KEYS = (("id",), ("publish_at",), ("boost",), ("boost", "currency"))

_BASE = None                  # the repository without posts, inherited by forked workers


@dataclass
class SlimDoc:
    """The part of a post's document the rules across posts use: its path, keys and their places."""

    path: str
    data: dict
    places: dict = field(default_factory=dict)
    body_line: int = 1

    def where(self, *path) -> tuple[int, int]:
        return self.places.get(tuple(path), (1, 1))

    value_at = where


# The fields of a post that the rules across posts, and the per-post rules run in this process
# (rules.IN_PARENT), read. A slim post keeps these, its path and the places of CROSS_POST_KEYS, and
# nothing else, so two posts with equal slim copies give the same findings across posts: a run
# that checked a few posts keeps what the rules across posts found when their slim copies did not
# change (cache.py). tests/test_parallel.py holds this list to the rules: run on slim posts whose
# other fields cannot be used, they find what they find on the full posts.
ACROSS_FIELDS = ("id", "status", "platforms", "publish_at", "campaign", "boost", "language", "holiday_ok")
_LEFT_OUT = [f for f in fields(Post) if f.name != "doc" and f.name not in ACROSS_FIELDS]
_EMPTY = {f.name: () if f.default_factory is list else "" if f.default is MISSING else f.default
          for f in _LEFT_OUT if f.default_factory is not dict}
_EMPTY_DICTS = tuple(f.name for f in _LEFT_OUT if f.default_factory is dict)   # one each: render() fills renditions


def slim(post):
    """A copy of `post` with what the rules across posts and the cache need, and no more."""
    return post if isinstance(post.doc, SlimDoc) else _from_row(_row(post))


def _row(post) -> tuple:
    """The slim copy of `post` as a plain tuple: how posts cross the pipe from a worker (tuples
    pickle and unpickle in half the time of dataclass objects)."""
    doc, values = post.doc, post.__dict__
    places = {key: doc.value_at(*key) for key in CROSS_POST_KEYS if key[0] in doc.data}
    data = {key: True for key in ("id", "publish_at", "boost") if key in doc.data}
    return (doc.path, data, places, doc.body_line, *[values[name] for name in ACROSS_FIELDS])


def _from_row(row: tuple):
    doc = object.__new__(SlimDoc)           # objects made as their __init__ would make them, without it
    doc.__dict__ = {"path": row[0], "data": row[1], "places": row[2], "body_line": row[3]}
    post = object.__new__(Post)
    post.__dict__ = {"doc": doc, **dict(zip(ACROSS_FIELDS, row[4:])), **_EMPTY, **{name: {} for name in _EMPTY_DICTS}}
    return post


def across_key(row: tuple) -> bytes:
    """A digest of a slim post: equal digests, equal slim posts (the same findings across posts).
    Of its repr, not its pickle: a pickle also records which of its values are the same object."""
    return hashlib.blake2b(repr(row).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _across_keys(rows) -> dict:
    return {row[0]: across_key(row) for row in rows}


# What checking some post files gave: their findings, their posts, the media each post names, and
# for the cache each file's stamp (stat, digest) and each post's across_key.
Checked = namedtuple("Checked", "findings posts media stamps keys")


def _check_share(share):
    files, stamping = share
    gc.disable()     # short-lived worker: the cyclic collector would only walk the inherited heap
    found, posts, media, stamps = _check_here(_BASE, files, "in-workers", stamping)
    rows = [_row(p) for p in posts]
    return found, rows, media, stamps, _across_keys(rows) if stamping else {}


def _media_paths(posts) -> dict:
    return {post.path: [m.path for m in post.media] for post in posts if post.media}


def warm(repo) -> None:
    """Compile what every worker needs once, before the fork, so no worker compiles it again."""
    import importlib

    from . import counting, platforms, schemas
    importlib.import_module(f"{__package__}.rules")      # imported once here, not in every worker
    platforms.table()
    counting._tld_set()
    schemas.fast_validator("post", schemas.schema_dir(repo.root))
    repo.strategy.voice_screen          # the voice rules joined into one pattern, compiled here


def workers() -> int:
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def check_posts(repo, files, store=None) -> list:
    """Every finding about `files`, from loading and from the per-post rules: the unchanged ones'
    from the cache `store` (their posts stay there until Store.taken_posts), the others' from
    checking them, whose posts (slim copies, when checked in workers) go into `repo`."""
    found = []
    stats = {}
    if store is not None:
        files, stats = _take_unchanged(repo, files, store, found)
    if not files:
        return found
    checked = _check(repo, files, stamping=store is not None)
    found += checked.findings
    repo.posts.extend(checked.posts)
    repo.posts.sort(key=lambda p: p.path)
    if store is not None:
        _keep(store, stats, checked)
    return found


def _take_unchanged(repo, files, store, found):
    """(files to check, their stats): the others' findings and posts come from the cache."""
    todo, stats = [], {}
    for relpath in files:
        file = store.at(relpath)
        stat = cache.stat_of(file)
        entry = store.take(relpath, stat, file)
        if entry is None:
            todo.append(relpath)
            stats[relpath] = stat
            continue
        found.extend(entry.findings)
    return todo, stats


def _keep(store, stats, checked: Checked) -> None:
    by_path = {relpath: [] for relpath in stats}
    for finding in checked.findings:
        if finding.path not in by_path:
            return                    # a finding about another file: keep nothing rather than guess
        by_path[finding.path].append(finding)
    post_by_path = {post.path: post for post in checked.posts}
    for relpath, stat in stats.items():
        post = post_by_path.get(relpath)
        store.keep(relpath, stat, checked.stamps[relpath], checked.media.get(relpath, ()), by_path[relpath],
                   slim(post) if post else None, checked.keys.get(relpath))


def _check(repo, files, stamping: bool = False) -> Checked:
    """What checking `files` gives: with many files, forked workers check them in chunks while this
    process takes in each chunk's results as it comes. Stamps and keys only with `stamping`."""
    global _BASE
    count = workers() if len(files) >= PARALLEL_FROM else 1
    if count == 1:
        found, posts, media, stamps = _check_here(repo, files, "per-post", stamping)
        return Checked(found, posts, media, stamps, _across_keys(map(_row, posts)) if stamping else {})
    _BASE = repo
    warm(repo)
    import multiprocessing

    from . import rules
    gc.freeze()      # keep the parent's objects out of the workers' collections (no copy-on-write churn)
    total = Checked([], [], {}, {}, {})
    shares = [(chunk, stamping) for chunk in _chunks(files, count)]
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            for findings, rows, media, stamps, keys in pool.imap_unordered(_check_share, shares):
                share = list(map(_from_row, rows))
                total.findings.extend(findings + rules.run(replace(repo, posts=share, findings=[]), "in-parent"))
                total.posts.extend(share)
                total.media.update(media)
                total.stamps.update(stamps)
                total.keys.update(keys)
    finally:
        gc.unfreeze()
        _BASE = None
    return total


def _chunks(files: list, count: int) -> list:
    """Enough chunks per worker that none waits long for the last one, few enough that each pays
    its way (every chunk's results cross a pipe)."""
    size = max(MIN_CHUNK, -(-len(files) // (count * CHUNKS_PER_WORKER)))
    return [files[i:i + size] for i in range(0, len(files), size)]


def _check_here(repo, files, which: str = "per-post", stamping: bool = False):
    from . import rules      # imported here: a run that takes every post from the cache needs no rule
    scratch = replace(repo, posts=[], findings=[])
    add_posts(scratch, files)
    found = scratch.findings + rules.run(scratch, which)
    base = str(repo.root)
    stamps = {relpath: cache.stamp_of(os.path.join(base, relpath), MAX_BYTES) for relpath in files} if stamping else {}
    return found, scratch.posts, _media_paths(scratch.posts), stamps
