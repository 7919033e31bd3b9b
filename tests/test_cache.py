"""The cache of `smm check`: a post is checked again exactly when something it depends on changed."""
from __future__ import annotations

import copy
import gc
import json
import os
import stat
import pickle
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smm
import smm.parallel
from conftest import age, git_blob_id, run_smm, write
from smm import cache, rules, slim
from smm import findings as F
from smm.check import run_check
from smm.repository import load_base, load_repository
from smm.slim import across_key

POST = "content/posts/2026/12/13-refill-week-total.md"

@pytest.fixture
def checked(sample, monkeypatch, tmp_path):
    """Run the check with the cache; returns (findings, the posts the run had to check)."""
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    age(sample)
    real = smm.parallel._check

    def run():
        seen = []

        def spy(repo, files, **options):
            seen.extend(files)
            return real(repo, files, **options)
        monkeypatch.setattr(smm.parallel, "_check", spy)
        findings = run_check(sample, use_cache=True).findings
        return findings, seen
    return run


def test_second_run_takes_every_post_from_the_cache_and_finds_the_same(sample, checked, monkeypatch):
    first, checked_first = checked()
    real, real_by_day, across = rules.run, rules.run_by_day, []
    monkeypatch.setattr(rules, "run", lambda repo, which="all": across.append(which) or real(repo, which))
    monkeypatch.setattr(rules, "run_by_day", lambda repo, which: across.append(which) or real_by_day(repo, which))
    second, checked_second = checked()
    assert len(checked_first) > 40 and checked_second == [] and across == []
    assert second == first == run_check(sample).findings
    assert across == ["per-post", "global"]          # the run without the cache did run them


def test_the_stored_posts_are_read_only_when_the_rules_across_posts_run_again(sample, checked, monkeypatch):
    """A run where nothing changed needs the findings only; after an edit, the rules across posts
    need every post, the unchanged ones from the cache, and find what a run without it finds."""
    reads = []
    real = cache.Store.taken_posts
    monkeypatch.setattr(cache.Store, "taken_posts", lambda store: reads.append(1) or real(store))
    first, _ = checked()
    reads.clear()                                    # the first run took nothing from the cache
    second, _ = checked()
    assert reads == [] and second == first
    result = run_check(sample, use_cache=True)
    assert reads == [] and result.files_checked == run_check(sample).files_checked
    write(sample, POST, (sample / POST).read_text("utf-8").replace("status: draft", "status: drafted"))
    third, again = checked()
    assert reads == [1] and again == [POST] and third == run_check(sample).findings
    for command in (["init", "-q", "-b", "main"], ["add", "-A"],
                    ["-c", "user.name=E", "-c", "user.email=e@kelda.example", "commit", "-q", "-m", "Base"]):
        subprocess.run(["git", *command], cwd=sample, check=True, capture_output=True)
    fourth, _ = checked()                                        # unchanged again: findings only
    base = run_check(sample, use_cache=True, base="main")        # the diff reads the changed files only
    assert reads == [1] and fourth == third and base.findings == run_check(sample, base="main").findings


def test_an_edit_the_rules_across_posts_do_not_read_keeps_what_they_found(sample, checked, monkeypatch):
    """A post whose copy or title changed is checked again, but its slim copy is the one stored:
    the rules across posts do not run again and the stored posts are not read. A new time is
    something they read: they run again."""
    checked()
    reads, which = [], []
    real_taken, real_run = cache.Store.taken_posts, rules.run
    monkeypatch.setattr(cache.Store, "taken_posts", lambda store: reads.append(1) or real_taken(store))
    monkeypatch.setattr(rules, "run", lambda repo, chosen="all": which.append(chosen) or real_run(repo, chosen))
    text = (sample / POST).read_text("utf-8")
    write(sample, POST, text.replace("title: ", "title: Edited ", 1) + "\nMore copy, #more.\n")
    age(sample)
    findings, again = checked()
    assert again == [POST] and reads == [] and "global" not in which
    assert findings == run_check(sample).findings
    write(sample, POST, text.replace("T19:00:00", "T21:30:00"))
    age(sample)
    findings, again = checked()
    assert again == [POST] and reads == [1] and "global" in which
    assert findings == run_check(sample).findings


def test_a_run_that_checked_a_few_posts_stores_only_those_again(sample, checked, tmp_path, monkeypatch):
    def parts():
        stored = next((tmp_path / "cache").glob("*.pickle"))
        return [part[0] for part in pickle.loads(stored.read_bytes())["posts"]]

    def moved(n: int) -> None:            # a new time: the post's slim copy changes
        write(sample, POST, text.replace("T19:00:00", f"T{19 + n // 60}:{n % 60:02d}:00"))
        age(sample)

    text = (sample / POST).read_text("utf-8")
    checked()
    everything = parts()
    assert len(everything) == 1 and everything[0] > 40
    for n in range(1, 4):
        moved(n)
        findings, again = checked()
        assert again == [POST] and parts() == everything + [1] * n
        assert findings == run_check(sample).findings           # the newest copy of the post counts
    write(sample, POST, (sample / POST).read_text("utf-8") + "\nNew copy.\n")
    age(sample)
    assert checked()[1] == [POST] and parts() == everything + [1] * 3   # its slim copy is the one stored
    lengths = []
    for n in range(4, 5 + cache.MAX_ADDED):                      # never more than MAX_ADDED parts added
        moved(n)
        checked()
        lengths.append(len(parts()))
    assert max(lengths) == 1 + cache.MAX_ADDED and lengths[-1] <= cache.MAX_ADDED and parts()[0] == everything[0]
    monkeypatch.setattr(cache, "MAX_ADDED", 10_000)
    for n in range(5 + cache.MAX_ADDED, 5 + cache.MAX_ADDED + 2 * everything[0]):   # nor more copies than twice the posts
        moved(n)
        checked()
        assert sum(parts()) <= 2 * everything[0]
    assert checked()[0] == run_check(sample).findings


def test_a_post_checked_again_is_compared_with_the_one_stored_part_that_holds_it(sample, checked, monkeypatch):
    """The slim posts are stored in parts of PART_ROWS by path: telling whether a post checked again
    has the slim copy stored unpickles the part that holds it, and no other; when it has another
    (a new time), the rules across posts run again on every stored post."""
    monkeypatch.setattr(cache, "PART_ROWS", 4)
    checked()
    parts = pickle.loads(next((sample.parent / "cache").glob("*.pickle")).read_bytes())["posts"]
    assert len(parts) > 5 and all(first <= last for _, first, last, _ in parts)
    holding = [number for number, (_, first, last, _) in enumerate(parts) if first <= POST <= last]
    unpickled, real = [], cache.Store._part

    def part(store, number):
        if number not in store.parts_read:
            unpickled.append(number)
        return real(store, number)
    monkeypatch.setattr(cache.Store, "_part", part)
    text = (sample / POST).read_text("utf-8")
    write(sample, POST, text.replace("title: ", "title: Edited ", 1))
    age(sample)
    findings, again = checked()
    assert again == [POST] and unpickled == holding and findings == run_check(sample).findings
    unpickled.clear()
    write(sample, POST, text.replace("T19:00:00", "T21:30:00"))
    age(sample)
    findings, again = checked()
    assert again == [POST] and sorted(unpickled) == list(range(len(parts)))
    assert findings == run_check(sample).findings


def test_an_edited_post_is_checked_again(sample, checked):
    checked()
    write(sample, POST, (sample / POST).read_text("utf-8").replace("status: draft", "status: drafted"))
    findings, again = checked()
    assert again == [POST]
    assert any(f.rule == "schema.enum" and f.path == POST for f in findings)
    assert findings == run_check(sample).findings


def test_a_new_and_a_deleted_post_are_seen(sample, checked):
    checked()
    (sample / POST).unlink()
    write(sample, "content/posts/2026/12/09-new.md", "---\ntitle: New\nstatus: draft\nplatforms: [x]\n---\n")
    findings, again = checked()
    assert again == ["content/posts/2026/12/09-new.md"]
    assert not any(f.path == POST for f in findings)
    assert findings == run_check(sample).findings


def test_a_strategy_change_checks_every_post_again(sample, checked):
    first, _ = checked()
    channels = sample / "strategy/channels.yaml"
    channels.write_text(channels.read_text("utf-8").replace("08:00", "11:00"), encoding="utf-8")
    second, again = checked()
    assert len(again) > 40
    assert second == run_check(sample).findings != first


def test_a_changed_media_file_checks_its_posts_again(sample, checked):
    checked()
    post = load_repository(sample).posts
    with_media = next(p for p in post if p.media and p.media[0].kind == "image")
    image = sample / with_media.media[0].path
    image.write_bytes(b"not an image any more")
    findings, again = checked()
    assert with_media.path in again
    assert any(f.rule == "media.unreadable" and f.path == with_media.path for f in findings)


def _rewrite(root, relpath, content=None) -> None:
    """Write a file again (new stat, same bytes unless `content`), aged like the rest of the copy."""
    file = root / relpath
    data = file.read_bytes() if content is None else content
    file.unlink()                             # a new inode too, as a fresh clone gives
    file.write_bytes(data)
    hour_ago = time.time() - 3600
    os.utime(file, (hour_ago, hour_ago))


def _an_image_and_its_posts(root) -> tuple[str, list[str]]:
    posts = load_repository(root).posts
    image = next(p.media[0].path for p in posts if p.media and p.media[0].kind == "image")
    return image, sorted(p.path for p in posts if image in [m.path for m in p.media])


def test_a_post_and_media_rewritten_with_the_same_bytes_come_from_the_cache(sample, checked, monkeypatch):
    first, _ = checked()
    image, its_posts = _an_image_and_its_posts(sample)
    _rewrite(sample, POST)
    _rewrite(sample, its_posts[0])
    _rewrite(sample, image)
    hashed = []
    real = cache.digest_of
    monkeypatch.setattr(cache, "digest_of", lambda path, limit: hashed.append(path) or real(path, limit))
    second, again = checked()
    assert again == [] and second == first
    assert len(hashed) == 3                   # only the three files whose stat changed were read
    hashed.clear()
    third, again = checked()                  # their new stats were stored: nothing is read now
    assert again == [] and hashed == [] and third == first
    other = its_posts[-1] if its_posts[-1] != POST else its_posts[0]
    write(sample, other, (sample / other).read_text("utf-8") + "\nOne more line.\n")
    fourth, again = checked()                 # the rules across posts need the stored posts again
    assert again == [other] and fourth == run_check(sample).findings


def test_a_stat_too_fresh_to_trust_is_not_kept_even_when_the_bytes_match(sample, checked, monkeypatch):
    checked()
    (sample / POST).write_bytes((sample / POST).read_bytes())      # the same bytes, written just now
    hashed = []
    real = cache.digest_of
    monkeypatch.setattr(cache, "digest_of", lambda path, limit: hashed.append(path) or real(path, limit))
    for _ in range(2):
        hashed.clear()
        _, again = checked()
        assert again == [] and hashed == [str(sample / POST)]           # read again each time: a later edit
                                                                   # could leave this stat as it is


def test_the_same_size_with_other_bytes_is_checked_again(sample, checked):
    checked()
    text = (sample / POST).read_text("utf-8")
    assert "status: draft\n" in text
    _rewrite(sample, POST, text.replace("status: draft\n", "status: drafx\n").encode())
    image, its_posts = _an_image_and_its_posts(sample)
    _rewrite(sample, image, b"\0" * (sample / image).stat().st_size)
    findings, again = checked()
    assert sorted(again) == sorted({POST, *its_posts})
    assert any(f.rule == "schema.enum" and f.path == POST for f in findings)
    assert {f.path for f in findings if f.rule == "media.unreadable"} >= set(its_posts)
    assert findings == run_check(sample).findings


def test_a_large_media_file_is_known_by_its_stat_alone(sample, checked, monkeypatch):
    image, its_posts = _an_image_and_its_posts(sample)
    monkeypatch.setattr(cache, "DIGEST_LIMIT", (sample / image).stat().st_size - 1)
    checked()
    _rewrite(sample, image)
    _, again = checked()
    assert sorted(again) == its_posts         # not hashed: its posts are checked again instead


GIT = ["git", "-c", "user.name=E", "-c", "user.email=e@kelda.example", "-c", "core.autocrlf=false"]


def _committed_and_checked(sample, checked) -> list:
    """The sample committed to a new repository, then checked with the cache: the findings."""
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Base"]):
        subprocess.run([*GIT, *command], cwd=sample, check=True, capture_output=True)
    return checked()[0]


def _cloned_in_its_place(sample, tmp_path) -> None:
    """A fresh clone of the sample's repository in the sample's folder: the same files, every stat new."""
    sample.rename(tmp_path / "origin")
    subprocess.run([*GIT, "clone", "-q", str(tmp_path / "origin"), str(sample)], check=True, capture_output=True)


@pytest.mark.parametrize("in_workers", [False, True])
def test_a_fresh_clone_in_the_same_folder_is_checked_from_the_cache(sample, checked, tmp_path, monkeypatch,
                                                                    in_workers):
    """What CI sees when it restores the cache folder: the same files at the same path, every stat new."""
    if in_workers:
        monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    first = _committed_and_checked(sample, checked)
    _cloned_in_its_place(sample, tmp_path)
    age(sample)
    second, again = checked()
    assert again == [] and second == first


def test_in_a_fresh_clone_git_vouches_for_the_posts_and_none_is_read_to_tell_it_unchanged(sample, checked, tmp_path,
                                                                                         monkeypatch):
    """Every stat is new in a fresh clone; Git's index names each post's blob, the cache's digest of
    the bytes it checked is their blob id, and where the two agree the file is not read again
    (gitindex.py). A post changed in the clone is read, and checked again."""
    first = _committed_and_checked(sample, checked)
    _cloned_in_its_place(sample, tmp_path)
    hashed, real = [], cache.digest_of
    monkeypatch.setattr(cache, "digest_of", lambda path, limit: hashed.append(str(path)) or real(path, limit))
    second, again = checked()
    assert again == [] and second == first
    assert not [path for path in hashed if "/content/posts/" in path]
    store = cache.Store.open(load_base(sample), date(2026, 11, 22))
    assert store.entries[POST][cache.STAT] is None     # its ctime is new: it may have changed since Git looked
    edited = sample / POST
    edited.write_text(edited.read_text("utf-8").replace("title:", "title: Edited,", 1), encoding="utf-8")
    hashed.clear()
    third, again = checked()
    assert again == [POST] and [path for path in hashed if "/content/posts/" in path] == [str(sample / POST)]
    assert third == run_check(sample).findings


def test_a_copy_in_another_folder_starts_from_the_cache_of_the_same_state(sample, checked, tmp_path, monkeypatch):
    first, _ = checked()
    elsewhere = shutil.copytree(sample, tmp_path / "elsewhere", symlinks=True)     # every stat new
    age(elsewhere)
    seen = []
    real = smm.parallel._check
    monkeypatch.setattr(smm.parallel, "_check", lambda repo, files, **o: seen.extend(files) or real(repo, files, **o))
    assert run_check(elsewhere, use_cache=True).findings == first and seen == []
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2                  # one per folder
    channels = elsewhere / "strategy/channels.yaml"                                # another state there
    channels.write_text(channels.read_text("utf-8").replace("08:00", "11:00"), encoding="utf-8")
    age(elsewhere)
    assert run_check(elsewhere, use_cache=True).findings == run_check(elsewhere).findings and len(seen) > 40
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2                  # its older file is gone
    seen.clear()
    assert run_check(sample, use_cache=True).findings == first and seen == []     # the first folder's holds


def test_media_outside_the_repository_are_known_by_their_stat_and_never_read(sample, checked, tmp_path,
                                                                             monkeypatch):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for the cache" * 10)
    os.utime(secret, (time.time() - 3600,) * 2)
    (sample / "media" / "link.jpg").symlink_to(secret)
    outside = "content/posts/2026/12/09-outside.md"
    write(sample, outside, f"---\ntitle: Out\nstatus: draft\nplatforms: [x]\nmedia:\n  - path: {secret}\n"
                           "    alt: A\n  - path: media/link.jpg\n    alt: B\n---\nText\n")
    age(sample)
    read = []
    real = cache.digest_of
    monkeypatch.setattr(cache, "digest_of", lambda path, limit: read.append(str(path)) or real(path, limit))
    findings, again = checked()
    assert outside in again and {f.rule for f in findings if f.path == outside} >= {"media.path-outside"}
    assert not [path for path in read if path == str(secret) or path.endswith("link.jpg")]
    _, again = checked()
    assert outside not in again                       # cached all the same, by the stats


@pytest.mark.parametrize("in_workers", [False, True])
def test_a_run_that_fills_the_cache_reads_each_post_once(sample, checked, monkeypatch, tmp_path, in_workers):
    """Its stat is taken as it is opened, its digest of the bytes its findings come from."""
    if in_workers:
        monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    log = tmp_path / "opened.log"             # appended to by every process (workers are forked)
    real = os.open

    def logged(path, *options, **named):
        if "/content/posts/" in os.fspath(path):
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(os.fspath(path) + "\n")
        return real(path, *options, **named)
    monkeypatch.setattr(os, "open", logged)
    _, first = checked()
    posts = log.read_text("utf-8").splitlines()
    assert len(first) > 40 and len(posts) == len(set(posts)) == len(first)
    log.unlink()
    _, again = checked()
    assert again == [] and not log.exists()


def test_a_post_rewritten_while_the_run_checks_it_is_checked_again_next_time(sample, checked, monkeypatch):
    """The entry stored holds what was read: the next run finds other bytes (of the same size,
    written an hour ago as far as its stat tells) and checks the post again."""
    text = (sample / POST).read_text("utf-8")
    edited = text.replace("status: draft\n", "status: drafx\n")
    assert edited != text and len(edited) == len(text)
    real = smm.parallel._check_here

    def check_then_rewrite(repo, files, *options):
        found = real(repo, files, *options)
        if POST in files:
            _rewrite(sample, POST, edited.encode())
        return found
    monkeypatch.setattr(smm.parallel, "_check_here", check_then_rewrite)
    first, _ = checked()
    assert not [f for f in first if f.path == POST and f.rule == "schema.enum"]
    monkeypatch.setattr(smm.parallel, "_check_here", real)
    second, again = checked()
    assert again == [POST] and [f for f in second if f.path == POST and f.rule == "schema.enum"]
    assert second == run_check(sample).findings


def test_the_command_ends_once_the_cache_it_writes_beside_the_report_is_written(sample, tmp_path):
    age(sample)
    env = {"SMM_CACHE_DIR": str(tmp_path / "cache"), "SMM_TODAY": "2026-11-22"}
    first = run_smm("check", "--format", "json", cwd=sample, env=env)
    stored = next((tmp_path / "cache").glob("*.pickle"))           # there when the command has ended
    with open(stored, "rb") as handle:
        entries = pickle.loads(pickle.load(handle)["entries"])       # pickled apart
    posts = [p for p in entries if p.startswith("content/posts/")]
    assert len(posts) == len(load_repository(sample).posts) > 40
    assert run_smm("check", "--format", "json", cwd=sample, env=env).stdout == first.stdout
    assert json.loads(first.stdout)["findings"] == json.loads(
        run_smm("check", "--no-cache", "--format", "json", cwd=sample, env=env).stdout)["findings"]


_SAVE_APART = """
import os, sys
from pathlib import Path
from smm.check import run_check
forked, fork = [], os.fork
os.fork = lambda: forked.append(1) or fork()
result = run_check(Path(sys.argv[1]), use_cache=True, save_apart=True)
result.saved()
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child was left behind")
except ChildProcessError:
    print(len(forked), len(result.findings))
"""


def test_saving_apart_forks_a_child_that_writes_the_cache_and_is_reaped(sample, checked, tmp_path):
    """In a process of its own (one thread, as the command's): this one may run others."""
    age(sample)
    ran = subprocess.run([sys.executable, "-c", _SAVE_APART, str(sample)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(smm.__file__).parent.parent)}, timeout=120)
    forks, count = map(int, ran.stdout.split())
    second, again = checked()
    assert forks == 1 and again == [] and len(second) == count > 0


_SAVE_AHEAD = """
import marshal, os, pickle, sys
from pathlib import Path
from smm import cache, rules
from smm.check import run_check
root, ahead_dir, inline_dir, how = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
real, given = rules.run, []
def run(repo, which="all"):
    if which == "global" and how == "fail":
        raise RuntimeError("the rules across posts failed")
    return real(repo, which)
rules.run = run
ahead = cache.Store.save_ahead
cache.Store.save_ahead = lambda store: (lambda give: given.append(give is not None) or give)(ahead(store))
os.environ["SMM_CACHE_DIR"] = ahead_dir
try:
    result = run_check(root, use_cache=True, save_apart=True)
    result.saved()
except RuntimeError as error:
    print("failed:", error)
try:
    os.waitpid(-1, os.WNOHANG)
    print("a child was left behind")
except ChildProcessError:
    pass
os.environ["SMM_CACHE_DIR"] = inline_dir
if how != "fail":
    run_check(root, use_cache=True)          # saved here, after the rules across posts
def stored(folder):
    files = list(Path(folder).glob("*.pickle"))
    if not files:
        return None
    saved = pickle.loads(files[0].read_bytes())
    saved["entries"] = pickle.loads(saved["entries"])
    # what the parts hold, not their bytes: whichever process checked a post (the first to be free)
    # decides which of its row's values are one object, which a pickle writes once
    saved["posts"] = [(*part[:3], pickle.loads(part[3])) for part in saved["posts"]]
    return saved
print(sum(given), stored(ahead_dir) == stored(inline_dir), stored(ahead_dir) is None)
"""


def _saved_ahead(sample, tmp_path, how: str, parallel_from: int = 400) -> str:
    age(sample)
    ran = subprocess.run([sys.executable, "-c", _SAVE_AHEAD, str(sample), str(tmp_path / "ahead"),
                          str(tmp_path / "inline"), how], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "SMM_TODAY": "2026-11-22", "SMM_PARALLEL_FROM": str(parallel_from),
                              "PYTHONPATH": str(Path(smm.__file__).parent.parent)})
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="saving ahead needs memfd_create")
@pytest.mark.parametrize("parallel_from", [400, 1], ids=["one process", "with workers"])
def test_a_first_run_saves_ahead_the_same_cache_a_save_after_the_rules_across_posts_writes(sample, tmp_path,
                                                                                           parallel_from):
    """The child forked before the rules across posts run writes, once handed what they found,
    the file a save after them writes: the same entries, slim posts and findings across posts.
    With workers, it is forked once they have ended (their reading threads with them)."""
    assert _saved_ahead(sample, tmp_path, "first", parallel_from) == "1 True False\n"


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="saving ahead needs memfd_create")
def test_when_the_rules_across_posts_fail_the_child_saving_ahead_writes_nothing_and_ends(sample, tmp_path):
    assert _saved_ahead(sample, tmp_path, "fail") == "failed: the rules across posts failed\n1 True True\n"


def test_without_memfd_create_nothing_is_saved_ahead(sample, monkeypatch, tmp_path):
    """Where the system has no anonymous file to hand the findings over in, the cache is saved
    after the rules across posts (Store.save_apart), as where it cannot fork."""
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(cache, "_may_fork", lambda: True)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked"))
    store = cache.Store.open(load_base(sample), date(2026, 11, 22))
    store.restamped = True                                       # a run that writes the cache
    assert store.save_ahead() is None


def test_a_run_that_takes_every_post_from_the_cache_does_not_save_ahead(sample, checked, monkeypatch):
    checked()
    monkeypatch.setattr(cache.Store, "save_ahead", lambda store: pytest.fail("saved ahead"))
    assert run_check(sample, use_cache=True, save_apart=True).saved is None


def test_saving_apart_saves_here_while_another_thread_runs(sample, checked, monkeypatch):
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked while a thread runs"))
    age(sample)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        result = run_check(sample, use_cache=True, save_apart=True)
    finally:
        stop.set()
        other.join()
    assert result.saved is None
    second, again = checked()
    assert again == [] and second == result.findings


def test_what_the_rules_across_posts_found_is_read_only_when_used(sample, checked, monkeypatch):
    first, _ = checked()
    reads = []
    real = cache.Store.across
    monkeypatch.setattr(cache.Store, "across", property(lambda store: reads.append(1) or real.fget(store)))
    assert checked() == (first, []) and reads                        # nothing changed: used
    reads.clear()
    text = (sample / POST).read_text("utf-8")
    moved = re.sub(r"(publish_at: \S+T\d\d:)(\d)", lambda m: m[1] + str((int(m[2]) + 1) % 6), text, count=1)
    assert moved != text
    write(sample, POST, moved)
    age(sample)
    found, again = checked()                                          # the rules across posts run again
    assert again == [POST] and reads == [] and found == run_check(sample).findings


def test_a_post_written_just_now_is_not_stored(sample, checked):
    write(sample, "content/posts/2026/12/09-new.md", "---\ntitle: New\nstatus: draft\nplatforms: [x]\n---\n")
    checked()
    _, again = checked()
    assert again == ["content/posts/2026/12/09-new.md"]      # its time stamp is too fresh to trust


def test_a_corrupt_or_unwritable_cache_is_ignored(sample, checked, tmp_path, monkeypatch):
    checked()
    stored = next((tmp_path / "cache").glob("*.pickle"))
    stored.write_bytes(b"\x80\x05garbage")
    findings, again = checked()
    assert len(again) > 40 and findings == run_check(sample).findings
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("SMM_CACHE_DIR", str(blocked / "cache"))
    findings, _ = checked()
    assert findings == run_check(sample).findings


def test_no_cache_flag_and_variable_write_nothing(sample, tmp_path):
    folder = tmp_path / "cache"
    result = run_smm("check", "--no-cache", cwd=sample, env={"SMM_CACHE_DIR": str(folder)})
    assert result.returncode in (0, 1) and not folder.exists()
    run_smm("check", cwd=sample, env={"SMM_CACHE_DIR": str(folder), "SMM_NO_CACHE": "1"})
    assert not folder.exists()
    age(sample)
    cold = run_smm("check", cwd=sample, env={"SMM_CACHE_DIR": str(folder)})
    warm = run_smm("check", cwd=sample, env={"SMM_CACHE_DIR": str(folder)})
    assert list(folder.glob("*.pickle")) and warm.stdout == cold.stdout


def test_per_post_rules_report_only_on_their_post(sample):
    """What the cache relies on: a per-post rule's findings belong to the post it looked at."""
    write(sample, "strategy/freezes.yaml", "freezes:\n  - reason: x\n    declared_by: ana\n    from: soon\n")
    write(sample, "strategy/voice/Kelda/Broken.yml", "extends: capitalization\nmessage: x\n")
    repo = load_repository(sample)
    paths = {p.path for p in repo.posts}
    found = rules.run(repo, "per-post")
    assert found and {f.path for f in found} <= paths
    assert "freeze.invalid" in {f.rule for f in rules.run(repo, "global")}
    assert "voice.rule-file" in {f.rule for f in repo.findings}     # found loading the strategy, once


ON_THE_DAY_CASES = {      # posts the rules.ON_THE_DAY find something about on 2026-11-22, and not after Christmas
    "content/posts/2026/12/25-kerst.md": "language: nl\npublish_at: 2026-12-25 10:00\nplatforms: [bluesky]\n",
    "content/posts/2026/12/02-at-night.md": "publish_at: 2026-12-02 03:00\nplatforms: [linkedin, x]\n",
}


def _write_on_the_day_cases(sample) -> None:
    for relpath, keys in ON_THE_DAY_CASES.items():
        write(sample, relpath, f"---\ntitle: Case\nstatus: draft\n{keys}---\nCopy #case.\n")
    age(sample)


SPACED_CASES = {          # two pairs of posts on X an hour apart: one before 2026-12-10, one after 2026-12-27
    "content/posts/2026/12/05-early.md": "publish_at: 2026-12-05 09:00\nplatforms: [x]\n",
    "content/posts/2026/12/05-early-too.md": "publish_at: 2026-12-05 10:00\nplatforms: [x]\n",
    "content/posts/2027/01/05-late.md": "publish_at: 2027-01-05 09:00\nplatforms: [x]\n",
    "content/posts/2027/01/05-late-too.md": "publish_at: 2027-01-05 10:00\nplatforms: [x]\n",
}


def _write_spaced_cases(sample) -> None:
    for relpath, keys in SPACED_CASES.items():
        write(sample, relpath, f"---\ntitle: Case\nstatus: scheduled\n{keys}---\nCopy.\n")


def test_another_day_checks_no_post_again(sample, checked, monkeypatch):
    """A new day drops nothing from the cache: what the rules.ON_THE_DAY found holds up to each
    post's own day and is empty after it, so on a later day only the rules across posts run
    again, but for those of rules.CARRIED, whose findings about the posts from that day on carry
    over; on an earlier day the rules across posts run again on the stored slim copies, all of
    them. No post is read or checked again, and the findings are those of a run without the
    cache on that day."""
    _write_spaced_cases(sample)
    _write_on_the_day_cases(sample)
    first, _ = checked()
    assert {"calendar.holiday", "cadence.window"} <= {f.rule for f in first}
    spaced = {f.path for f in first if f.rule == "cadence.spacing"}
    assert {"content/posts/2026/12/05-early-too.md", "content/posts/2027/01/05-late-too.md"} <= spaced
    which = []
    real_run, real_by_day = rules.run, rules.run_by_day
    monkeypatch.setattr(rules, "run", lambda repo, chosen="all": which.append(chosen) or real_run(repo, chosen))
    monkeypatch.setattr(rules, "run_by_day", lambda repo, chosen: which.append(chosen) or real_by_day(repo, chosen))
    for day, runs in (("2026-12-03", ["not-carried"]), ("2026-12-27", ["not-carried"]), ("2026-12-27", []),
                      ("2026-12-10", ["global"]),                      # before the day the rules across posts ran
                      ("2026-11-20", ["global", "on-the-day"]),        # and before the per-post ones' day
                      ("2026-11-22", ["not-carried"])):
        monkeypatch.setenv("SMM_TODAY", day)
        which.clear()
        found, again = checked()
        assert again == [] and sorted(which) == runs, day
        assert found == run_check(sample).findings, day
        if day == "2026-12-27":
            assert not {"calendar.holiday", "cadence.window"} & {f.rule for f in found}
            assert {f.path for f in found if f.rule == "cadence.spacing"} == {"content/posts/2027/01/05-late-too.md"}
    assert found == first


def test_a_moved_post_runs_the_carried_rules_again_on_a_later_day(sample, checked, monkeypatch):
    _write_spaced_cases(sample)
    age(sample)
    checked()
    moved = "content/posts/2027/01/05-late-too.md"
    write(sample, moved, "---\ntitle: Case\nstatus: scheduled\npublish_at: 2027-01-05 20:00\nplatforms: [x]\n---\nCopy.\n")
    age(sample)
    monkeypatch.setenv("SMM_TODAY", "2026-12-27")
    which = []
    real_run = rules.run
    monkeypatch.setattr(rules, "run", lambda repo, chosen="all": which.append(chosen) or real_run(repo, chosen))
    found, again = checked()
    assert again == [moved] and which == ["global"]
    assert found == run_check(sample).findings and moved not in {f.path for f in found if f.rule == "cadence.spacing"}


def test_the_rules_on_the_day_find_the_same_up_to_a_posts_day_and_nothing_after(sample, monkeypatch):
    """What Store.daily_today relies on (rules.last_day_ahead)."""
    _write_on_the_day_cases(sample)
    days = ["2026-11-22", "2026-12-02", "2026-12-03", "2026-12-24", "2026-12-25", "2026-12-26", "2027-01-15"]
    found, until = {}, {}
    for day in days:
        monkeypatch.setenv("SMM_TODAY", day)
        repo = load_repository(sample)
        found[day] = rules.run(repo, "on-the-day")
        until.update({post.path: rules.last_day_ahead(post, repo.timezone) for post in repo.posts})
    assert found[days[0]] and not found[days[-1]]
    for i, earlier in enumerate(days):
        for later in days[i:]:
            expected = [f for f in found[earlier] if until[f.path] is not None and later <= until[f.path].isoformat()]
            assert found[later] == expected, (earlier, later)


def test_every_per_post_rule_but_those_on_the_day_finds_the_same_on_any_day(sample, monkeypatch):
    """What the cache relies on to keep findings across days: only rules.ON_THE_DAY depend on it."""
    _write_on_the_day_cases(sample)
    write(sample, "content/posts/2026/12/03-long.md", "---\ntitle: Long\nstatus: scheduled\n"
          "publish_at: 2026-12-03 09:00\nplatforms: [x]\n---\n" + "word " * 80 + "\n")
    found = {}
    for day in ("2026-11-22", "2026-12-04", "2026-12-27", "2027-06-01"):
        monkeypatch.setenv("SMM_TODAY", day)
        repo = load_repository(sample)
        found[day] = (rules.run(repo, "per-post"), rules.run_by_day(repo, "per-post"))
    others = [by_day[0] for _, by_day in found.values()]
    assert all(other == others[0] for other in others) and "limit.x.length" in {f.rule for f in others[0]}
    on_the_day = [by_day[1] for _, by_day in found.values()]
    assert on_the_day[0] and not on_the_day[2]       # they do depend on it
    for everything, (other, daily) in found.values():
        assert sorted(everything) == sorted(other + daily)


def _prints(sample):
    from smm.repository import load_base
    return cache.fingerprints(load_base(sample))


def test_fingerprints_follow_inputs_but_not_the_day(sample, monkeypatch):
    posts, across = _prints(sample)
    monkeypatch.setenv("SMM_TODAY", "2027-03-01")
    assert _prints(sample) == (posts, across)          # the day is held by each entry (rules.ON_THE_DAY)
    write(sample, "strategy/brand.md", "# Brand\n\nRewritten.\n")
    assert _prints(sample)[0] == posts and _prints(sample)[1] != across
    write(sample, "personas/new-one.md", "---\nname: N\nsummary: S\n---\n")
    assert _prints(sample)[0] != posts                # a persona there was not
    posts = _prints(sample)[0]
    write(sample, "personas/new-one.md", "---\nname: N\nsummary: Said otherwise.\n---\n")
    assert _prints(sample)[0] == posts
    write(sample, "personas/new-one.md", "---\nname: N\n---\n")
    assert _prints(sample)[0] != posts                # now failing its schema


def test_an_edit_only_the_rules_across_posts_read_checks_no_post_again(sample, checked, monkeypatch):
    """The handbook's chapters, the rota, the objectives, the approvals and what a persona says
    (cache.ACROSS_ONLY): an edit runs the rules across posts again, which find what a run without
    the cache finds, and takes every post from the cache."""
    first, _ = checked()
    which = []
    real_run = rules.run
    monkeypatch.setattr(rules, "run", lambda repo, chosen="all": which.append(chosen) or real_run(repo, chosen))
    team = sample / "strategy/team.yaml"
    edits = [("strategy/brand.md", lambda text: text + "\nOne more paragraph.\n"),
             ("strategy/team.yaml", lambda text: text.replace("days: [mon, tue, wed, thu, fri]", "days: [mon]")),
             ("strategy/objectives.yaml", lambda text: text.replace("\n", "\n# a note\n", 1)),
             ("strategy/approvals.yaml", lambda text: text + "\n# reviewed\n"),
             ("personas/commuting-cas.md", lambda text: text + "\nAlso cycles in summer.\n")]
    for relpath, edit in edits:
        write(sample, relpath, edit((sample / relpath).read_text("utf-8")))
        age(sample)
        which.clear()
        found, again = checked()
        assert again == [] and which == ["global"], relpath
        assert found == run_check(sample).findings, relpath
    assert "coverage.gap" in {f.rule for f in found} - {f.rule for f in first}     # the rota's edit is seen
    team.write_text(team.read_text("utf-8").replace("handle: omar-haddad", "handle: omar-h"), "utf-8")
    age(sample)
    found, again = checked()                          # a handle is what a post's authors name
    assert len(again) > 40 and found == run_check(sample).findings


def test_per_post_rules_read_no_input_the_posts_fingerprint_leaves_out(sample, monkeypatch):
    """What cache.ACROSS_ONLY relies on: with the objectives, the approvals, the chapters, all of
    the team but its people's handles and all of the personas but which there are unusable, every
    per-post rule finds what it finds with them."""
    from dataclasses import replace

    from test_parallel import _Unusable
    for relpath, keys in ON_THE_DAY_CASES.items():
        write(sample, relpath, f"---\ntitle: Case\nstatus: draft\nauthors: [nobody, daan-visser]\n"
                               f"personas: [commuting-cas, nobody]\n{keys}---\nCopy.\n")
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    repo = load_repository(sample)
    full = rules.run(repo, "per-post")
    assert {"ref.author", "ref.persona"} <= {f.rule for f in full}
    class OnlyPeople(dict):
        def get(self, key, default=None):
            assert key == "people", f"a per-post rule read the team's {key}"
            return super().get(key, default)
        __getitem__ = get

    strategy = replace(repo.strategy, objectives=_Unusable("objectives"), approvals=_Unusable("approvals"),
                       chapters=_Unusable("chapters"),
                       team=OnlyPeople(people=[{"handle": person["handle"]} for person in repo.strategy.people]))
    personas = {slug: _Unusable(f"persona {slug}") for slug in repo.personas}
    assert rules.run(replace(repo, strategy=strategy, personas=personas), "per-post") == full
    assert all(cache.across_only(relpath) for relpath in (*cache.ACROSS_ONLY, "strategy/brand.md"))
    assert not any(cache.across_only(relpath) for relpath in ("strategy/channels.yaml", "strategy/voice/Kelda/a.md"))


def test_smm_check_runs_without_the_cycle_collector_and_turns_it_back_on(sample, monkeypatch):
    from smm import cli
    during = []
    real = cli.run_check

    def spy(*args, **options):
        during.append(gc.isenabled())
        return real(*args, **options)
    monkeypatch.setattr(cli, "run_check", spy)
    assert gc.isenabled()
    assert cli.main(["--root", str(sample), "check", "--format", "json"]) in (cli.EXIT_OK, cli.EXIT_FINDINGS)
    assert during == [False]
    assert gc.isenabled()


def test_reading_the_cache_leaves_the_collector_as_it_found_it():
    data = pickle.dumps([{"a": 1}])
    with cache.collection_paused():
        assert cache._unpickled(data) == [{"a": 1}]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert cache._unpickled(data) == [{"a": 1}] and gc.isenabled()


def test_an_entry_is_a_plain_tuple_of_its_fields_and_its_row_is_kept_apart(tmp_path):
    """Store.keep makes each file's entry a plain tuple, in the order of cache.ENTRY_FIELDS (which
    pickles fast, as no object of a class does), read back the same; the post's slim copy is kept
    apart (Store.rows: stored in the parts, Store._parts)."""
    finding = F.make("cadence.window", "content/posts/2027/01/01-a.md", (4, 14), "Fri 23:00 is outside", platform="x",
                     network="X", windows="Mon-Fri 08:00-18:00")
    store = cache.Store(tmp_path, tmp_path / "cache.pickle", "print")
    store.day, store.started_ns = "2027-01-01", time.time_ns() + 10 * cache.RACY_NS
    row = ("content/posts/2027/01/01-a.md",)
    store.keep(row[0], ((120, 1, 2, 3), b"---\ntitle: A\n---\n"), (), [finding], [finding], date(2027, 1, 2), row)
    entry = store.fresh[row[0]]
    assert type(entry) is tuple and store.rows == {row[0]: row}
    assert dict(zip(cache.ENTRY_FIELDS, entry)) == {
        "stat": (120, 1, 2, 3), "media": (), "findings": (F.FIELDS_OF(finding),), "daily": (F.FIELDS_OF(finding),),
        "day": "2027-01-01",
        "until": "2027-01-02", "is_post": True,
        "digest": bytes.fromhex(git_blob_id(b"---\ntitle: A\n---\n"))}   # the bytes' Git blob id
    back = pickle.loads(pickle.dumps(store.fresh, protocol=pickle.HIGHEST_PROTOCOL))[row[0]]
    assert back == entry and cache.findings_of(back[cache.FINDINGS]) == [finding]


def test_findings_across_posts_read_back_are_the_same_findings_and_an_odd_one_leaves_the_cache_unwritten(sample):
    """What the rules across posts found is written out with marshal, each finding as its fields;
    a finding holding a value of another type (no rule makes one) leaves the cache as it was
    instead of failing the check."""
    finding = F.make("cadence.spacing", "content/posts/a.md", (4, 14), "0.5 hours after b", platform="x")
    back = cache._findings_read(cache._findings_written([finding, finding]))
    assert back == [finding, finding] and F.FIELDS_OF(back[0]) == F.FIELDS_OF(finding)
    store = cache.Store(sample, sample / "cache.pickle", "print")
    odd = F.make("cadence.spacing", "content/posts/a.md", (4, 14), "0.5 hours after b", platform="x")
    object.__setattr__(odd, "message", object())
    store._write([odd])
    assert not (sample / "cache.pickle").exists()
    store._write([finding])
    assert (sample / "cache.pickle").exists()


_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
                      | st.dates(), lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
_ZONE = st.sampled_from([ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York"), timezone.utc,
                         timezone(timedelta(hours=1)), timezone(timedelta(hours=1), "CET")])
_WHEN = st.none() | st.builds(lambda moment, zone, fold: moment.replace(tzinfo=zone, fold=fold),
                              st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
                              _ZONE, st.integers(0, 1))
_FIELDS = [st.text(max_size=8), st.dictionaries(st.sampled_from(["id", "publish_at", "boost"]), st.just(True)),
           st.dictionaries(st.sampled_from([("id",), ("publish_at",)]), st.tuples(st.integers(1, 9), st.integers(1, 9))),
           st.integers(1, 9), _VALUE, st.sampled_from(["draft", "scheduled"]), st.lists(st.text(max_size=3)),
           _WHEN, _VALUE, _VALUE, _VALUE, st.booleans()]      # a row's fields (slim.row_of), in order


def _same(a, b) -> bool:
    """Equal, and of the same types all the way down (1, 1.0 and True are equal in Python; a
    rule may tell them apart), times in the same zone with the same fold."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None) and a.tzinfo == b.tzinfo and a.fold == b.fold
    return a == b


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_equal_across_keys_come_from_the_same_slim_post_and_copies_share_it(data):
    first = tuple(data.draw(field) for field in _FIELDS)
    at = data.draw(st.integers(0, len(_FIELDS) - 1))
    second = first[:at] + (data.draw(_FIELDS[at]),) + first[at + 1:]        # the same but for one field
    assert across_key(first) == across_key(copy.deepcopy(first))
    stored = pickle.loads(pickle.dumps({"a.md": first}, protocol=pickle.HIGHEST_PROTOCOL))["a.md"]
    assert across_key(first) == across_key(stored)          # as the cache's parts hold it (Store._stored_row)
    assert across_key(first) != across_key(second) or _same(first, second)
    assert len(slim.ACROSS_FIELDS) + 4 == len(first)


def test_an_across_key_tells_apart_what_equality_does_not():
    row = ("content/posts/a.md", {"publish_at": True}, {("publish_at",): (4, 13)}, 7, "a", "scheduled", ["x"],
           datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Amsterdam")), None, None, None, False)
    at = slim.ACROSS_FIELDS.index("publish_at") + 4
    later = row[:at] + (row[at].replace(fold=1),) + row[at + 1:]          # the hour the clocks go back, twice
    elsewhere = row[:at] + (row[at].astimezone(timezone.utc),) + row[at + 1:]          # the same moment
    other_zone = row[:at] + (row[at].replace(tzinfo=ZoneInfo("Europe/Brussels")),) + row[at + 1:]   # same fields
    number = row[:4] + (1,) + row[5:]
    rows = (row, later, elsewhere, other_zone, number, number[:4] + (True,) + number[5:])
    assert len({across_key(r) for r in rows}) == len(rows)


def test_a_replaced_file_is_whole_private_when_asked_and_leaves_no_temporary_file(tmp_path):
    from smm.writing import replace_file
    target = tmp_path / "cache.pickle"
    target.write_bytes(b"old")
    lookalike = tmp_path / ".cache.pickle.tmp"
    lookalike.write_bytes(b"someone else's")

    def fail(handle):
        handle.write(b"half")
        raise OSError("disk full")
    with pytest.raises(OSError):
        replace_file(target, fail)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == [".cache.pickle.tmp",
                                                                                          "cache.pickle"]
    replace_file(target, lambda handle: handle.write(b"new"), private=True)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    mask = os.umask(0o022)
    try:
        replace_file(target, lambda handle: handle.write(b"shared"))
    finally:
        os.umask(mask)
    assert target.read_bytes() == b"shared" and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert lookalike.read_bytes() == b"someone else's" and len(list(tmp_path.iterdir())) == 2


def test_smm_s_own_files_are_known_by_their_names_and_bytes_not_their_times(tmp_path):
    """cache.package_print: other bytes in a file of the package, or a file added or removed, is
    another print; new times are not (CI installs smm from a fresh checkout on every run, and the
    cache it restores must hold)."""
    package = tmp_path / "smm"
    (package / "rules").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "rules" / "b.py").write_text("B = 2\n")
    first = cache.package_print(package)
    for name in ("a.py", "rules/b.py"):
        os.utime(package / name, ns=(1_700_000_000_000_000_000,) * 2)         # a fresh checkout's times
    assert cache.package_print(package) == first
    (package / "a.py").write_text("A = 3\n")                    # the same size, other bytes
    assert cache.package_print(package) != first
    (package / "a.py").write_text("A = 1\n")
    assert cache.package_print(package) == first
    (package / "c.py").write_text("")
    assert cache.package_print(package) != first                  # a file added
    (package / "c.py").unlink()
    (package / "rules" / "b.py").rename(package / "b.py")
    assert cache.package_print(package) != first                  # a file moved


def test_a_run_that_takes_every_post_from_the_cache_needs_no_openssl(sample, checked):
    """Naming the cache's files and its fingerprints use the interpreter's SHA-256 (the same
    digests as hashlib's): a run whose posts all come from the cache never imports hashlib, which
    loads OpenSSL (2.7 ms); the first run, which digests every post, does."""
    import hashlib
    from smm import prefetch
    assert prefetch.sha256(b"abc").hexdigest() == hashlib.sha256(b"abc").hexdigest()
    checked()
    probe = ("import sys, smm.cli\nsmm.cli.main(['check', '--format', 'json'])\n"
             "print('imported:', *(m for m in ('hashlib', '_hashlib', 'smm.rules') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=sample, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(smm.__file__).parent.parent)})
    assert run.stdout.splitlines()[-1] == "imported:", run.stdout[-300:]      # no rule ran: all from the cache


def test_smm_installed_again_from_a_fresh_checkout_keeps_the_cache(sample, checked, tmp_path):
    """CI installs smm from a fresh checkout on every run: every file of the package has a new
    time, and the cache restored from main's last run must still hold (no post checked again)."""
    checked()
    installed = tmp_path / "fresh" / "smm"
    shutil.copytree(Path(smm.__file__).parent, installed, ignore=shutil.ignore_patterns("__pycache__"))
    later = time.time() + 3600
    for file in installed.rglob("*"):
        os.utime(file, (later, later))
    probe = ("import sys, smm.cli\nassert smm.__file__.startswith(sys.argv[1]), smm.__file__\n"
             "smm.cli.main(['check', '--format', 'json'])\nprint('rules ran:', 'smm.rules' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe, str(installed.parent)], cwd=sample, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(installed.parent)})
    assert run.stdout.splitlines()[-1] == "rules ran: False", run.stdout[-300:] + run.stderr[-500:]
