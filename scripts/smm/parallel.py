"""Checking the posts on every core.

The parent loads the strategy, personas and campaigns once, then forks a worker for every core
but one and checks posts itself on the last: the post files go out in chunks that shrink towards
the end, whichever process is free takes the next (crew.py), each worker loads its chunks and
runs the per-post rules on them, and each chunk's
findings and slim copies of its posts (what the rules across posts need) come back while other
chunks are checked. Between its own chunks the parent takes in the workers' results and runs the
per-post rules of rules.IN_PARENT on them (their set-up is then paid once); at the end it runs the
rules across posts once over all of them.
The workers are forked by crew.py (the chunks they check go out as numbers: each inherits the
list). Small repositories, and systems without fork, are checked in one process (crew.py is
imported only to start workers: a check of a few posts, the usual run with the cache, needs none).
"""
from __future__ import annotations

import gc
import os
from collections import namedtuple
from dataclasses import replace

from . import cache
from .repository import add_posts
from .slim import from_row, row_of


def _threshold(default: int = 400) -> int:
    """Below this many posts, starting workers costs more than it saves (SMM_PARALLEL_FROM overrides it)."""
    try:
        return max(1, int(os.environ.get("SMM_PARALLEL_FROM") or default))
    except ValueError:
        return default


PARALLEL_FROM = _threshold()
SHARES_OF_THE_REST = 2       # a chunk is 1 / (workers x this) of the posts not yet handed out
MIN_CHUNK = 50                # posts: below this, a chunk's trip through the pipe costs more than it saves

_BASE = None                  # the repository without posts, inherited by forked workers
_CHUNKS = None                # (the chunks of post files, whether to stamp them), inherited by them too
_ENDING = []                  # crews whose workers were let end, each reaped by a reading thread (crew.py)


# What checking some post files gave: their findings (those of the rules.ON_THE_DAY apart, in
# `daily`: the cache keeps them with their day), their posts, the media each post names, and for
# the cache each file's stamp (stat, and bytes or their span read ahead: loader.read_text) and
# the rows (slim.row_of) of the posts a worker checked, by path (this process's own posts' rows
# are made when kept: _keep).
Checked = namedtuple("Checked", "findings daily posts media stamps rows")


def _check_chunk(number: int):
    """In a worker: check the chunk `number` of those it inherited. Its findings go back as their
    fields (cache.stored): plain tuples pickle in half the time of findings, each of which takes a
    call of Python (15,000 findings of long copy: 8.1 against 15.8 ms, the tuples made; read back
    and made findings again in the parent as fast as before)."""
    chunks, stamping = _CHUNKS
    files = chunks[number]
    gc.disable()     # short-lived worker: the cyclic collector would only walk the inherited heap
    found, daily, posts, media, stamps = _check_here(_BASE, files, "in-workers", stamping)
    return cache.stored(found), cache.stored(daily), list(map(row_of, posts)), media, stamps


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
    repo.strategy.posting_windows       # and the channels' posting windows read


def workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def check_posts(repo, files, store=None) -> list:
    """Every finding about `files`, from loading and from the per-post rules: the unchanged ones'
    from the cache `store` (their posts stay there until Store.taken_posts), the others' from
    checking them, whose posts (slim copies, when checked in workers) go into `repo`."""
    found = []
    if store is not None:
        files = _take_unchanged(repo, files, store, found)
    if not files:
        return found
    checked = _check(repo, files, stamping=store is not None)
    found += checked.findings + checked.daily
    repo.posts.extend(checked.posts)
    repo.posts.sort(key=lambda p: p.path)
    if store is not None and store.entries:
        _keep(repo, store, files, checked)
    elif store is not None:      # nothing was stored (a first run, other inputs): every post was checked
        store.later = lambda: _keep(repo, store, files, checked)     # kept while saving (Store.save_apart)
    return found


def _take_unchanged(repo, files, store, found) -> list:
    """The files to check: the others' findings and posts come from the cache (what the
    rules.ON_THE_DAY found about them as it holds today: see Store.daily_today). A file the cache
    has no entry for is not looked at here (its stat is taken as it is read: loader.read_text)."""
    todo, another_day = [], []
    entries = store.entries
    for relpath in files:
        entry = None
        if relpath in entries:
            file = store.at(relpath)
            entry = store.take(relpath, cache.stat_of(file), file)
        if entry is None:
            todo.append(relpath)
            continue
        found.extend(cache.findings_of(entry[cache.FINDINGS]))
        daily = store.daily_today(entry)
        if daily is None:
            another_day.append(relpath)
        else:
            found.extend(daily)
    store.done_taking()
    if another_day:
        found.extend(_daily_again(repo, store, another_day))
    return todo


def _daily_again(repo, store, relpaths: list) -> list:
    """What the rules.ON_THE_DAY find today about posts taken from the cache that they last ran on
    for a later day (a check of an earlier day), run on their slim copies (all they read), and
    kept for today."""
    from . import rules
    posts = store.slim_posts(relpaths)
    found = rules.run(replace(repo, posts=posts, findings=[]), "on-the-day")
    by_path = {post.path: [] for post in posts}
    for finding in found:
        if finding.path in by_path:   # a per-post rule reports on its post only (test_cache.py)
            by_path[finding.path].append(finding)
    for post in posts:
        store.hold_today(post.path, by_path[post.path], rules.last_day_ahead(post, repo.timezone))
    return found


def _keep(repo, store, files, checked: Checked) -> None:
    from .rules import last_day_ahead
    by_path, daily = {relpath: [] for relpath in files}, {relpath: [] for relpath in files}
    for kept, found in ((by_path, checked.findings), (daily, checked.daily)):
        for finding in found:
            if finding.path not in kept:
                return                # a finding about another file: keep nothing rather than guess
            kept[finding.path].append(finding)
    post_by_path = {post.path: post for post in checked.posts}
    zone, stamps, media, rows = repo.timezone, checked.stamps, checked.media, checked.rows
    for relpath in files:
        post = post_by_path.get(relpath)
        row = rows.get(relpath) or (post and row_of(post))
        store.keep(relpath, stamps.get(relpath), media.get(relpath, ()), by_path[relpath], daily[relpath],
                   post and last_day_ahead(post, zone), row)


def _check(repo, files, stamping: bool = False) -> Checked:
    """What checking `files` gives: with many files, this process and forked workers (one fewer
    than the cores) check them in chunks, this one taking in the workers' results between its own
    chunks. Stamps and rows only with `stamping`."""
    global _BASE, _CHUNKS
    count = workers() if len(files) >= PARALLEL_FROM else 1
    if count == 1:
        total = Checked([], [], [], {}, {}, {})
        _check_into(total, repo, files, stamping)
        return total
    from .crew import Crew
    _BASE, _CHUNKS = repo, (_chunks(files, count), stamping)        # what the workers inherit
    warm(repo)
    gc.freeze()      # keep the parent's objects out of the workers' collections (no copy-on-write churn)
    crew = None
    try:
        crew = Crew(count - 1, _check_chunk, len(_CHUNKS[0]))
        total = _share_out(repo, crew, _CHUNKS[0], stamping)
        crew.close()
        _ENDING[:] = [*(ending for ending in _ENDING if not ending.ended()), crew]
        return total
    except BaseException:
        if crew is not None:
            crew.close(abandon=True)
        raise
    finally:
        gc.unfreeze()
        _BASE = _CHUNKS = None


def workers_ended() -> None:
    """Wait until the workers of the checks so far have ended (a few ms after their last chunk, which
    the rules across posts usually spend), so that this process runs one thread again and may fork
    (cache.Store.save_ahead)."""
    while _ENDING:
        _ENDING.pop().wait()


def _share_out(repo, crew, chunks: list, stamping: bool) -> Checked:
    """Every chunk checked, by the crew's workers or here: this process takes the next chunk when it
    is free, as the workers do, and takes in the workers' results between its own chunks. Its own
    posts need no trip through a pipe (no row made, pickled, read back and made a post again:
    about 16 us a post), and two cores run two processes, not three."""
    from . import rules
    total, own = Checked([], [], [], {}, {}, {}), 0
    while (number := crew.next_chunk()) is not None:
        while crew.ready():
            _take(total, repo, crew.take(), rules, stamping)
        _check_into(total, repo, chunks[number], stamping)
        own += 1
    while crew.taken + own < len(chunks):
        _take(total, repo, crew.take(), rules, stamping)
    return total


def _take(total: Checked, repo, result, rules, stamping: bool) -> None:
    """A worker's results: its posts made again from their rows, and the rules.IN_PARENT run on them
    (with `stamping`, the rows kept for the cache)."""
    findings, daily, rows, media, stamps = result
    findings, daily, share = cache.findings_of(findings), cache.findings_of(daily), list(map(from_row, rows))
    found, found_daily = rules.run_by_day(replace(repo, posts=share, findings=[]), "in-parent")
    _add_up(total, findings + found, daily + found_daily, share, media, stamps, rows if stamping else ())


def _check_into(total: Checked, repo, files, stamping: bool) -> None:
    """`files` checked here, added to `total`. Their posts' rows are made when kept (_keep: on a first
    run, in the child that saves the cache while this process runs the rules across posts)."""
    found, daily, posts, media, stamps = _check_here(repo, files, "per-post", stamping)
    _add_up(total, found, daily, posts, media, stamps, ())


def _add_up(total: Checked, findings, daily, posts, media, stamps, rows) -> None:
    total.findings.extend(findings)
    total.daily.extend(daily)
    total.posts.extend(posts)
    total.media.update(media)
    total.stamps.update(stamps)
    total.rows.update((row[0], row) for row in rows)


def _chunks(files: list, count: int) -> list:
    """Chunks that shrink towards the end (guided scheduling): each is a share of what is left,
    so the last are small and the workers end close together (with equal chunks of 834 posts out
    of 10,000, one worker often sat 0.03 to 0.16 s idle waiting for the other's last chunk), and
    the first are large (every chunk's results cross a pipe). None is smaller than MIN_CHUNK, nor
    so small that there are more than crew.MAX_CHUNKS."""
    from .crew import MAX_CHUNKS
    least = max(MIN_CHUNK, -(-len(files) // MAX_CHUNKS))
    chunks, start = [], 0
    while start < len(files):
        size = max(least, -(-(len(files) - start) // (count * SHARES_OF_THE_REST)))
        chunks.append(files[start:start + size])
        start += size
    return chunks


def _check_here(repo, files, which: str = "per-post", stamping: bool = False):
    from . import rules      # imported here: a run that takes every post from the cache needs no rule
    scratch = replace(repo, posts=[], findings=[])
    stamps = {} if stamping else None
    add_posts(scratch, files, stamps)
    found, daily = rules.run_by_day(scratch, which)
    return scratch.findings + found, daily, scratch.posts, _media_paths(scratch.posts), stamps or {}
