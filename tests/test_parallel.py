"""Checking and site generation on several cores give exactly what one core gives."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import pytest

import smm.parallel
import smm.slim
import smm.repository
import smm.site.build
from conftest import check, write
from smm.site.build import generate

needs_two = pytest.mark.skipif(smm.parallel.workers() < 2, reason="needs fork and two cores")


@needs_two
def test_check_in_workers_matches_one_process(sample, monkeypatch):
    write(sample, "content/posts/2026/12/06-bad.md", "---\ntitle: Bad\nstatus: sheduled\nplatforms: [x]\n---\n")
    write(sample, "content/posts/2026/12/06-broken.md", "---\ntitle: [unclosed\n---\n")
    write(sample, "content/posts/2026/12/25-kerst.md", "---\ntitle: Kerst\nstatus: draft\nlanguage: nl\n"
                  "publish_at: 2026-12-25 10:00\nplatforms: [bluesky]\n---\nFijne feestdagen!\n")
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 10**9)
    serial = check(sample)
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(smm.parallel, "MIN_CHUNK", 3)        # many chunks, their results arriving in any order
    assert len(smm.parallel._chunks(smm.repository.post_files(sample), 2)) > 4
    parallel = check(sample)
    assert parallel == serial
    assert {f.rule for f in serial} >= {"schema.enum", "yaml.syntax", "calendar.holiday"}   # the last in the parent


@needs_two
def test_this_process_checks_chunks_beside_the_workers_and_every_post_once(sample, monkeypatch):
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(smm.parallel, "MIN_CHUNK", 2)
    repo, files = smm.repository.load_base(sample), smm.repository.post_files(sample)
    checked = smm.parallel._check(repo, files, stamping=True)
    came_from_a_worker = {isinstance(post.doc, smm.slim.SlimDoc) for post in checked.posts}
    assert came_from_a_worker == {True, False}           # slim copies from a worker, this process's own posts
    assert sorted(post.path for post in checked.posts) == sorted(files)
    assert set(checked.stamps) == set(files)           # rows came from the workers; this process's are made when kept
    assert set(checked.rows) == {post.path for post in checked.posts if isinstance(post.doc, smm.slim.SlimDoc)}


@pytest.mark.parametrize("posts, workers", [(10_000, 2), (4_000, 2), (401, 2), (1_000, 8), (57, 3)])
def test_chunks_take_every_post_once_in_order_and_shrink_to_small_ones_at_the_end(posts, workers):
    files = [f"content/posts/{n}.md" for n in range(posts)]
    chunks = smm.parallel._chunks(files, workers)
    sizes = [len(chunk) for chunk in chunks]
    assert [f for chunk in chunks for f in chunk] == files
    assert sizes == sorted(sizes, reverse=True) and min(sizes[:-1] or [smm.parallel.MIN_CHUNK]) >= smm.parallel.MIN_CHUNK
    assert sizes[-1] <= smm.parallel.MIN_CHUNK       # the last a worker can wait for is small
    assert sizes[0] >= min(posts, posts // (2 * workers))   # the first ones pay their trip through the pipe


@needs_two
def test_site_with_rules_in_a_child_matches_one_process(sample, monkeypatch):
    monkeypatch.setattr(smm.site.build, "PARALLEL_FROM", 10**9)
    serial = generate(sample, date(2026, 11, 22))
    monkeypatch.setattr(smm.site.build, "PARALLEL_FROM", 1)
    parallel = generate(sample, date(2026, 11, 22))
    assert parallel.pages == serial.pages and parallel.files == serial.files


class _Unusable:
    """A value no rule may use: any use fails the test, naming the field of the slim post."""

    def __init__(self, name: str):
        object.__setattr__(self, "field_name", name)

    def _used(self, *args, **kwargs):
        raise AssertionError(f"a rule run on slim posts used their {self.field_name}, which a slim post leaves out")

    __bool__ = __iter__ = __len__ = __eq__ = __hash__ = __str__ = __format__ = __getitem__ = _used
    __contains__ = __lt__ = __gt__ = __getattr__ = __add__ = _used


ACROSS_CASES = {
    "content/posts/2026/12/20-twin-a.md": "id: twin\npublish_at: 2026-12-20 10:00\nplatforms: [x, linkedin]\n",
    "content/posts/2026/12/20-twin-b.md": "id: twin\npublish_at: 2026-12-20 11:00\nplatforms: [x, linkedin]\n",
    "content/posts/2026/12/25-kerst.md": "language: nl\npublish_at: 2026-12-25 10:00\nplatforms: [bluesky]\n",
    "content/posts/2026/12/21-boosted.md": "publish_at: 2026-12-21 10:00\nplatforms: [instagram]\n"
                                           "boost: {amount: 50, currency: EUR}\n",
    "content/posts/2026/12/22-in-dollars.md": "campaign: trail-flask-launch\npublish_at: 2026-12-22 10:00\n"
                                              "platforms: [instagram]\nboost: {amount: 50, currency: USD}\n",
    "content/campaigns/over.md": "title: Over\nkind: awareness\ngoal: Done.\nstart: \"2026-01-01\"\n"
                                 "end: \"2026-02-01\"\n",
    "content/posts/2026/12/23-after-the-end.md": "status: scheduled\ncampaign: over\n"
                                                 "publish_at: 2026-12-23 10:00\nplatforms: [x]\n",
    "content/posts/2026/12/02-at-night.md": "publish_at: 2026-12-02 03:00\nplatforms: [linkedin, x]\n",
}


def test_the_rules_across_posts_read_only_what_a_slim_post_keeps(sample, monkeypatch):
    """What they find on slim posts, whose other fields cannot be used, is what they find on the
    full posts: so equal slim copies give equal findings across posts (the cache relies on it).
    The same holds for the per-post rules run in the parent and those the cache runs again on a
    later day (rules.IN_PARENT, rules.ON_THE_DAY)."""
    from dataclasses import replace

    from smm import rules
    from smm.repository import load_repository
    for relpath, keys in ACROSS_CASES.items():
        front = keys if relpath.startswith("content/campaigns") else f"title: Case\nstatus: draft\n{keys}"
        write(sample, relpath, f"---\n{front}---\nCopy #case.\n".replace("status: draft\nstatus:", "status:"))
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    repo = load_repository(sample)
    full = rules.run(repo, "global") + rules.run(repo, "in-parent") + rules.run(repo, "on-the-day")
    slims = [smm.slim.from_row(smm.slim.row_of(post)) for post in repo.posts]
    for post in slims:
        for name in [*smm.slim._EMPTY, *smm.slim._EMPTY_DICTS]:
            post.__dict__[name] = _Unusable(name)
    on_slim = replace(repo, posts=slims)
    assert rules.run(on_slim, "global") + rules.run(on_slim, "in-parent") + rules.run(on_slim, "on-the-day") == full
    assert {f.rule for f in full} >= {"post.id-duplicate", "cadence.spacing", "calendar.holiday", "campaign.no-budget",
                                      "campaign.currency", "campaign.ended", "cadence.window"}


def test_a_post_made_from_its_row_has_every_field_of_a_post_and_dictionaries_of_its_own(sample):
    from dataclasses import fields

    from smm.model import Post
    from smm.repository import load_repository
    post = load_repository(sample).posts[0]
    one, two = (smm.slim.from_row(smm.slim.row_of(post)) for _ in range(2))
    assert list(one.__dict__) == [*(f.name for f in fields(Post)), "path"]      # in Post(...)'s order
    assert all(getattr(one, name) == getattr(post, name) for name in smm.slim.ACROSS_FIELDS)
    assert all(getattr(one, name) == value and type(getattr(one, name)) is type(value)
               for name, value in smm.slim._EMPTY.items())
    assert one.path == post.path and one.doc.value_at("publish_at") == post.doc.value_at("publish_at")
    for name in smm.slim._EMPTY_DICTS:
        assert getattr(one, name) == {} and getattr(one, name) is not getattr(two, name)


def test_a_check_of_a_few_posts_imports_nothing_it_does_not_use(sample):
    """Starting Python and importing smm is most of a check with the cache on a repository of a
    few hundred posts (an editor's or a pre-commit hook's run): the modules only some runs need
    (smm.crew to start workers, difflib for a finding's suggestion, html for the
    Markdown reports, hashlib for the cache's digests) are imported when used, not by every run."""
    probe = ("import sys, smm.cli\nsmm.cli.main(['check'])\nprint('imported:', *(m for m in "
             "('smm.crew', 'multiprocessing', 'difflib', 'html') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=sample, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "imported:", done.stdout[-300:]
    cold = ("import sys, smm.cli\nsmm.cli.main(['check', '--no-cache'])\n"
            "print('imported:', *(m for m in ('hashlib', 'smm.crew') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", cold], cwd=sample, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "imported:", done.stdout[-300:]     # no digest without the cache


def _doubled(number: int) -> list:
    return [number] * 2


@needs_two
def test_a_crew_sends_back_every_chunk_its_workers_took_and_leaves_no_process_behind():
    """Whoever is free takes the next chunk: the workers and this process share the chunks out, each
    taken once, until none is left."""
    from smm.crew import Crew
    crew = Crew(2, _doubled, 9)
    mine = []
    while (number := crew.next_chunk()) is not None:
        mine.append(number)
        time.sleep(0.01)              # this process is slow: the workers take most
    results = sorted(crew.take() for _ in range(9 - len(mine)))
    assert sorted([n for n, _ in results] + mine) == list(range(9)) and not crew.ready()
    assert crew.taken == 9 - len(mine) > 0
    pids = [worker.pid for worker in crew.workers]
    crew.close()
    crew.wait()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)          # ended and reaped: no zombie left


@needs_two
def test_a_worker_that_ended_once_every_chunk_was_taken_is_no_failure_while_this_process_checks_its_last():
    """The workers end when no number is left, which can be while this process still checks the
    last chunk it took: taking in the results then must not take that end for a failure."""
    from smm.crew import Crew, WorkerFailed
    crew = Crew(1, _doubled, 3)
    mine = [number for number in [crew.next_chunk()] if number is not None]     # the worker may take all three
    crew.workers[0].wait()            # the worker took the others, sent them back and ended
    while (number := crew.next_chunk()) is not None:
        mine.append(number)
    results = []
    while crew.ready():
        results.append(crew.take())
    assert sorted(mine + [n for n, _ in results]) == [0, 1, 2]
    with pytest.raises(WorkerFailed, match="ended with chunks still to send back"):
        crew.take()                   # nothing more can come
    crew.close()


def test_a_crew_takes_at_most_one_byte_of_chunks():
    from smm.crew import MAX_CHUNKS, Crew
    with pytest.raises(ValueError):
        Crew(1, _doubled, MAX_CHUNKS + 1)


@pytest.mark.parametrize("posts, workers", [(100_000, 2), (1_000_000, 8), (50_000, 3)])
def test_a_large_repository_is_cut_into_no_more_chunks_than_a_crew_takes(posts, workers):
    from smm.crew import MAX_CHUNKS
    files = [f"content/posts/{n}.md" for n in range(posts)]
    chunks = smm.parallel._chunks(files, workers)
    assert len(chunks) <= MAX_CHUNKS and [f for chunk in chunks for f in chunk] == files


@needs_two
def test_after_a_check_in_workers_this_process_waits_for_them_and_keeps_no_crew_that_ended(sample, monkeypatch):
    """workers_ended() leaves this process one thread (it may fork the cache's child), and the
    crews of earlier checks whose workers have ended are not kept (a long-lived process checks often)."""
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(smm.parallel, "_ENDING", [])
    repo, files = smm.repository.load_base(sample), smm.repository.post_files(sample)
    smm.parallel._check(repo, files)
    first = smm.parallel._ENDING[-1]
    first.wait()
    smm.parallel._check(repo, files)
    assert first not in smm.parallel._ENDING and len(smm.parallel._ENDING) == 1
    second = smm.parallel._ENDING[0]
    smm.parallel.workers_ended()
    assert smm.parallel._ENDING == [] and second.ended()


def _breaking(how: str):
    original = smm.parallel._check_here

    def check_here(repo, files, which="per-post", stamping=False):
        if which == "in-workers":          # in a worker only: this process checks its own chunks
            if how == "raise":
                raise ValueError("a rule broke in a worker")
            os._exit(3)
        return original(repo, files, which, stamping)
    return check_here


@needs_two
@pytest.mark.parametrize("how, message", [("raise", "ValueError: a rule broke in a worker"),
                                          ("die", "ended with chunks still to send back")])
def test_a_worker_that_fails_or_dies_stops_the_check_with_its_reason_instead_of_a_hang(sample, monkeypatch,
                                                                                     how, message):
    from smm.crew import WorkerFailed
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(smm.parallel, "MIN_CHUNK", 3)
    monkeypatch.setattr(smm.parallel, "_check_here", _breaking(how))
    repo, files = smm.repository.load_base(sample), smm.repository.post_files(sample)
    children_before = _children()
    with pytest.raises(WorkerFailed, match=message):
        smm.parallel._check(repo, files)
    assert _children() == children_before         # the worker was ended and reaped


def _children() -> set:
    """This process's child processes, from /proc (empty where there is no /proc)."""
    me, found = str(os.getpid()), set()
    for task in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            with open(f"/proc/{task}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:
            found.add(int(task))
    return found
