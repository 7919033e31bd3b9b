"""`smm check`: load the repository, run every rule, keep the findings for the paths asked."""
from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from . import prefetch
from .cache import Store
from .findings import ORDER
from .parallel import check_posts, workers_ended
from .planning import today
from .repository import load_base, post_files


@dataclass
class CheckResult:
    """What `smm check` found, over how many files, and in which repository."""

    findings: list
    files_checked: int
    repo: object
    calendar_changes: list | None = None     # with --base: what the change does to the calendar
    saved: object = None                     # with save_apart: what waits until the cache is written


class UsageError(Exception):
    """Bad command-line input: exit code 2."""


def scope_of(root: Path, paths: list[str], cwd: Path) -> list[str] | None:
    """Root-relative prefixes to report on, or None for the whole repository."""
    if not paths:
        return None
    prefixes = []
    for raw in paths:
        target = (cwd / raw).resolve()
        if not target.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if not target.is_relative_to(root):
            raise UsageError(f"{raw}: outside the repository at {root}")
        rel = target.relative_to(root).as_posix()
        prefixes.append("" if rel == "." else rel)
    return prefixes


def in_scope(path: str, prefixes: list[str] | None) -> bool:
    if prefixes is None:
        return True
    return any(p == "" or path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def run_check(root: Path, paths: list[str] | None = None, cwd: Path | None = None,
              base: str | None = None, use_cache: bool = False, save_apart: bool = False) -> CheckResult:
    """Check the repository at `root`. With `use_cache`, posts unchanged since the last run
    (and everything else unchanged too: see cache.py) are not checked again; with `save_apart`
    too, the cache is written while the caller goes on, until it calls the result's saved()."""
    prefixes = scope_of(root, paths or [], cwd or Path.cwd())
    repo = load_base(root)
    store = Store.open(repo, today(repo)) if use_cache else None
    if store is None or not store.entries:
        prefetch.take(repo.root)         # every post is read: those read ahead (prefetch.py), if any
    else:
        prefetch.drop()
    files = listed_posts(repo)
    try:
        post_findings = check_posts(repo, files, store)
        across, saved = _across_and_saved(repo, store, save_apart)
    finally:
        prefetch.drop()      # held till the cache's child is forked: it digests the posts read ahead there
    found = list(repo.findings) + post_findings + across
    changes = None
    if base:
        from .diff import compare
        cached_posts = store.post_paths() if store is not None else []
        diff_findings, changes = compare(repo, base, {post.path for post in repo.posts}.union(cached_posts))
        found += diff_findings
    kept = found if prefixes is None else [f for f in found if in_scope(f.path, prefixes)]
    found = _each_once_in_order(kept)
    documents = _documents(repo, found, files)
    checked = len(documents) if prefixes is None else sum(1 for f in documents if in_scope(f, prefixes))
    return CheckResult(findings=found, files_checked=checked, repo=repo, calendar_changes=changes, saved=saved)


def listed_posts(repo) -> list[str]:
    """The post files to check (repository.post_files): the reader's listing when it gave one
    (prefetch.listing), else listed here."""
    files = prefetch.listing(repo.regular_files)
    return files if files is not None else post_files(repo.root, repo.regular_files)


def _across_and_saved(repo, store, save_apart: bool) -> tuple[list, object]:
    """(what the rules across posts find, what waits for the cache to be saved apart or None): their
    findings from the cache when they hold; when the rules run, the cache's child (save_apart) is
    started ahead of them where it can be (Store.save_ahead)."""
    if store is None:
        return _across(repo, None), None
    across = store.across_posts()
    if across is None:
        repo.posts = sorted(repo.posts + store.taken_posts(), key=lambda post: post.path)   # needed now
        carried = _carried_over(repo, store)
        give = None
        if save_apart:
            workers_ended()          # this process forks again once its workers have ended
            give = store.save_ahead()
        across = _across(repo, give, carried)
        if give is not None:
            return across, give(across)
    if save_apart:
        return across, store.save_apart(across)
    store.save(across)
    return across, None


def _carried_over(repo, store) -> list | None:
    """What the rules.CARRIED found on an earlier day, as it holds today (Store.carried_over), or None."""
    from . import rules
    return store.carried_over(repo.posts, repo.timezone, today(repo), set(rules.CARRIED.values()))


def _across(repo, give, carried: list | None = None) -> list:
    """What the rules across posts find (those of rules.CARRIED as `carried`, when given); should they
    fail, the child saving the cache (Store.save_ahead, which `give` hands them to) is told so and ends."""
    from . import rules      # imported here: a run with nothing changed needs no rule at all
    try:
        if carried is None:
            return rules.run(repo, "global")
        return rules.run(repo, "not-carried") + carried
    except BaseException:
        if give is not None:
            give(None)()
        raise


def _each_once_in_order(found: list) -> list:
    """The findings without repeats (equal findings have equal ORDER keys: the fields a finding
    compares), the first of each kept, in the report's order: the keys sorted once made (sorting
    the findings by their keys took each key again: 40 against 33 ms for 16,837 findings). The
    dictionary is filled from the last finding to the first, in C, so that the first of equal
    keys is the one it keeps (a loop of setdefault took 19.3 against 12.7 ms for 16,830)."""
    keys = list(map(ORDER, found))
    first = dict(zip(reversed(keys), reversed(found)))
    return list(map(first.__getitem__, sorted(first)))


def _documents(repo, found, post_files) -> set[str]:
    """Every file checked: every post file (loaded, taken from the cache, or not loadable, which a
    finding then says), the other files loaded, and those with findings (some could not be loaded).
    The post files as listed, not the posts' paths: a post's path is a property of its document,
    and reading it for 10,000 posts took 5 to 8 ms."""
    path = attrgetter("path")
    return set(post_files).union(map(path, repo.campaigns.values()), map(path, repo.personas.values()),
                                 map(path, repo.strategy.docs.values()), map(path, found))
