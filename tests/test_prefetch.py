"""Posts read ahead (scripts/smm/prefetch.py): a real reader process, real files; what the check
takes from it is, byte for byte, what reading the file then gives, and nothing else is taken."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

from conftest import PROJECT, age, git_blob_id, run_smm, write
from smm import cache, prefetch

POST = "---\ntitle: Read ahead {n}\nstatus: draft\nplatforms: [x]\n---\nCopy {n} ☕\n"


@pytest.fixture(autouse=True)
def no_reader_left():
    yield
    prefetch.drop()


def started(root, *argv: str, wait: bool = True) -> int:
    """Start a reader for `smm --root ROOT check --no-cache ARGV`; its pid, waited for with `wait`."""
    prefetch.start(["--root", str(root), "check", "--no-cache", *argv], environ={})
    assert prefetch._reader is not None, "no reader started"
    pid = prefetch._reader[0]
    if wait:
        os.waitpid(pid, 0)
    return pid


def gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("argv, environ, expected", [
    (["check", "--no-cache"], {}, ("here", [])),
    (["check", "--format", "json", "--no-cache", "content"], {}, ("here", [])),
    (["check"], {"SMM_NO_CACHE": "1"}, ("here", [])),
    (["--root", "ROOT", "check", "--no-cache"], {}, ("root", [])),
    (["--root=ROOT", "check", "--no-cache"], {}, ("root", [])),
    (["check"], {"SMM_CACHE_DIR": "EMPTY"}, ("here", ["--stamps"])),     # the first run: every post read
    (["check"], {"SMM_CACHE_DIR": "OTHERS"}, ("here", ["--stamps"])),    # another folder's cache only
    (["check"], {"SMM_CACHE_DIR": "KEPT"}, (None, [])),                  # a cache of this folder: few read
    (["check", "--", "--no-cache"], {"SMM_CACHE_DIR": "KEPT"}, (None, [])),   # a path named --no-cache
    (["build", "--no-cache"], {}, (None, [])),
    (["--help", "check", "--no-cache"], {}, (None, [])),
    (["--root", "MISSING", "check", "--no-cache"], {}, (None, [])),
    ([], {}, (None, [])),
])
def test_a_reader_is_started_only_for_a_check_that_reads_every_post(tmp_path, monkeypatch, argv, environ, expected):
    root = tmp_path / "repo"
    write(root, "mkdocs.yml", "site_name: x\n")
    (root / "content").mkdir()
    monkeypatch.chdir(root / "content")
    real = os.path.realpath(root)
    write(tmp_path / "kept", f"{prefetch.folder_key(real)}0123.pickle", b"")
    write(tmp_path / "others", f"{prefetch.folder_key(real + '-2')}0123.pickle", b"")
    (tmp_path / "empty").mkdir()
    places = {"ROOT": str(root), "MISSING": str(tmp_path / "missing"), "EMPTY": str(tmp_path / "empty"),
              "OTHERS": str(tmp_path / "others"), "KEPT": str(tmp_path / "kept")}
    argv = [places.get(word, word.replace("=ROOT", f"={root}")) for word in argv]
    environ = {name: places[value] if value in places else value for name, value in environ.items()}
    folder, extra = expected
    assert prefetch._root_of_check(argv, environ) == (None if folder is None else real, extra)


def test_the_cache_names_its_files_as_the_reader_looks_for_them(repo, tmp_path, monkeypatch):
    from smm import cache
    from smm.repository import load_base
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "kept"))
    store = cache.Store.open(load_base(repo), __import__("datetime").date(2027, 1, 4))
    assert store.file.parent == tmp_path / "kept"
    assert store.file.name.startswith(prefetch.folder_key(str(repo)))


def test_the_check_takes_each_plain_post_file_read_whole_and_nothing_else(tmp_path):
    root = tmp_path / "repo"
    names = [f"content/posts/2027/0{m}/0{d}-post.md" for m in range(1, 4) for d in range(1, 6)]
    for n, relpath in enumerate(names):
        write(root, relpath, POST.format(n=n))
    write(root, "content/posts/2027/01/09-large.md", "x" * prefetch.WHOLE)          # not read in one call
    write(root, "content/posts/2027/01/.hidden.md", POST.format(n="hidden"))
    write(root, "content/posts/2027/01/notes.txt", "not a post")
    os.symlink(root / names[0], root / "content/posts/2027/01/08-link.md")
    os.mkfifo(root / "content/posts/2027/01/07-pipe.md")
    os.symlink(root / "content/posts/2027/02", root / "content/posts/2027/linked")   # a folder's link
    pid = started(root)
    prefetch.take(root)
    assert gone(pid)
    spans = []
    for relpath in names:
        raw, stat, span = prefetch.read(relpath)
        assert (raw, stat) == ((root / relpath).read_bytes(), None)
        assert prefetch.ahead(span) == raw                     # the same bytes where they were read ahead
        assert prefetch.read(relpath) is None                  # taken once
        spans.append(span)
    for relpath in ["content/posts/2027/01/09-large.md", "content/posts/2027/01/.hidden.md",
                    "content/posts/2027/01/notes.txt", "content/posts/2027/01/08-link.md",
                    "content/posts/2027/01/07-pipe.md", "content/posts/2027/linked/01-post.md",
                    "strategy/brand.md"]:
        assert prefetch.read(relpath) is None, relpath
    prefetch.drop()
    assert prefetch.read(names[1]) is None
    assert [prefetch.ahead(span) for span in spans] == [None] * len(names)    # no longer held


def test_names_beyond_ascii_are_matched_as_the_system_spells_them(tmp_path):
    root = tmp_path / "repo"
    relpath = "content/posts/2027/01/01-café-☕.md"
    write(root, relpath, POST.format(n="é"))
    started(root)
    prefetch.take(root)
    assert prefetch.read(relpath)[:2] == ((root / relpath).read_bytes(), None)


def test_for_a_first_run_the_reader_gives_each_files_stat_as_opened(tmp_path):
    from smm.loader import stat_key
    root = tmp_path / "repo"
    names = [f"content/posts/2027/01/0{d}-post.md" for d in range(1, 8)]
    for n, relpath in enumerate(names):
        write(root, relpath, POST.format(n=n))
    os.mkfifo(root / "content/posts/2027/01/09-pipe.md")
    prefetch.start(["--root", str(root), "check"], environ={"SMM_CACHE_DIR": str(tmp_path / "cache")})
    os.waitpid(prefetch._reader[0], 0)
    prefetch.take(root)
    for relpath in names:
        assert prefetch.read(relpath)[:2] == ((root / relpath).read_bytes(), stat_key(os.stat(root / relpath)))
    assert prefetch.read("content/posts/2027/01/09-pipe.md") is None


def test_a_reader_of_another_folder_is_stopped_and_nothing_taken(tmp_path):
    for name in ("one", "two"):
        write(tmp_path / name, "content/posts/2027/01/01-post.md", POST.format(n=name))
    pid = started(tmp_path / "one", wait=False)
    prefetch.take(tmp_path / "two")
    assert gone(pid) and prefetch._reader is None
    assert prefetch.read("content/posts/2027/01/01-post.md") is None


def test_a_reader_stopped_while_reading_leaves_only_files_read_whole(tmp_path):
    root = tmp_path / "repo"
    files = {f"content/posts/2027/{m:02}/{d:02}-post-{n}.md": (POST.format(n=n) * (1 + n % 7)).encode()
             for n, (m, d) in enumerate((m, d) for m in range(1, 13) for d in range(1, 29) for _ in range(6))}
    for relpath, raw in files.items():
        write(root, relpath, raw)
    taken_counts = set()
    for _ in range(3):
        pid = started(root, wait=False)
        prefetch.take(root)                     # at once: the reader is stopped wherever it is
        assert gone(pid)
        taken = [relpath for relpath in files if (ahead := prefetch.read(relpath)) is not None
                 and (ahead[:2] == (files[relpath], None) or pytest.fail(f"{relpath}: other bytes"))]
        taken_counts.add(len(taken))
        assert len(taken) % prefetch.BATCH == 0 or len(taken) == len(files)
        prefetch.drop()
    assert taken_counts


def test_a_damaged_index_takes_nothing(tmp_path):
    import mmap
    shared = mmap.mmap(-1, prefetch.MOST + prefetch.INDEX)
    index = prefetch._Index(shared)
    assert index.add({b"content/posts/a.md": (0, 3)})
    assert index.read() == ({b"content/posts/a.md": (0, 3)}, None)
    shared[prefetch.MOST + 12:prefetch.MOST + 20] = b"\xff" * 8       # the batch, overwritten
    assert prefetch._Index(shared).read() == ({}, None)
    shared[prefetch.MOST:prefetch.MOST + 8] = (1 << 62).to_bytes(8, "little")    # a length beyond the index
    assert prefetch._Index(shared).read() == ({}, None)
    shared.close()


SCHEDULED = "---\ntitle: Ahead {n}\nstatus: scheduled\npublish_at: 2027-03-{day:02}T10:00\nplatforms: [x]\n---\nCopy {n}\n"


def test_a_check_with_posts_read_ahead_reports_what_one_reading_them_reports(repo, tmp_path):
    for n in range(40):
        write(repo, f"content/posts/2027/03/{n % 28 + 1:02}-ahead-{n}.md", SCHEDULED.format(n=n, day=n % 28 + 1))
    write(repo, "content/posts/2027/03/30-bad.md", b"---\ntitle: \xff\n---\n")
    ahead = run_smm("check", "--no-cache", "--format", "json", cwd=repo)
    read_then = run_smm("check", "--format", "json", cwd=repo, env={"SMM_CACHE_DIR": str(tmp_path / "cache")})
    assert ahead.returncode == read_then.returncode == 1
    assert json.loads(ahead.stdout)["findings"] == json.loads(read_then.stdout)["findings"]
    assert any(f["rule"] == "load.encoding" for f in json.loads(ahead.stdout)["findings"])


SERVED = """
import os
from pathlib import Path
from smm import prefetch
prefetch.start(["check", "--no-cache"])
import smm.check
served, read = [], prefetch.read
def counted(relpath):
    raw = read(relpath)
    served.extend([relpath] if raw is not None else [])
    return raw
prefetch.read = counted
os.waitpid(prefetch._reader[0], 0)
smm.check.run_check(Path.cwd(), use_cache=False)
print(len(served), len(set(served)))
"""


def test_smm_check_without_the_cache_takes_every_post_from_the_reader(repo):
    posts = [write(repo, f"content/posts/2027/0{n % 9 + 1}/{n % 28 + 1:02}-post-{n}.md", POST.format(n=n))
             for n in range(30)]
    result = subprocess.run([sys.executable, "-c", SERVED], cwd=repo, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts"),
                                 "SMM_PARALLEL_FROM": "1000000"})
    assert result.returncode == 0, result.stderr
    assert posts and result.stdout.split() == [str(len(posts))] * 2


RUNS = """
import os, sys
from pathlib import Path
from smm import prefetch, loader
prefetch.start(sys.argv[1:])
import smm.check
from smm import cache
reader = prefetch._reader is not None
if reader:
    os.waitpid(prefetch._reader[0], 0)
served, opened, read, regular = [], [], prefetch.read, loader.read_regular
def counted(relpath):
    ahead = read(relpath)
    served.extend([relpath] if ahead is not None else [])
    return ahead
def opening(file, *args, **kwargs):
    opened.append(str(file))
    return regular(file, *args, **kwargs)
prefetch.read, loader.read_regular, cache.read_regular = counted, opening, opening
found = smm.check.run_check(Path.cwd(), use_cache=True).findings
print(reader, len(served), sum("content/posts/" in file for file in opened), len(found))
"""


def test_a_first_run_keeps_the_stats_the_reader_saw_so_the_next_run_reads_no_post(repo, tmp_path):
    for n in range(30):
        write(repo, f"content/posts/2027/0{n % 9 + 1}/{n % 28 + 1:02}-post-{n}.md", POST.format(n=n))
    age(repo)
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), "SMM_PARALLEL_FROM": "1000000",
           "SMM_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", RUNS, "check"], cwd=repo, capture_output=True, text=True,
                           timeout=60, env=env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, second = (run.stdout.split() for run in runs)
    assert first[:3] == ["True", "30", "0"]           # every post read ahead, none opened by the check
    assert second[:3] == ["False", "0", "0"]          # the cache of the first run holds them all
    assert first[3] == second[3]


def test_a_first_run_digests_each_post_as_git_does_where_it_was_read_ahead(repo, tmp_path):
    """On a first run the workers hand over where the bytes of each post they checked lie in the
    memory read ahead (prefetch.ahead), not the bytes, and the cache's child digests them there:
    every post's entry holds its Git blob id."""
    posts = {f"content/posts/2027/0{n % 9 + 1}/{n % 28 + 1:02}-post-{n}.md": POST.format(n=n) + "ü " * (n * 37 % 300)
             for n in range(60)}
    for relpath, text in posts.items():
        write(repo, relpath, text)
    age(repo)
    env = {"SMM_CACHE_DIR": str(tmp_path / "cache"), "SMM_PARALLEL_FROM": "1"}     # workers too
    first = run_smm("check", "--format", "json", cwd=repo, env=env)
    assert first.returncode in (0, 1), first.stderr
    [stored] = (tmp_path / "cache").glob("*.pickle")
    entries = pickle.loads(pickle.loads(stored.read_bytes())["entries"])
    digests = {relpath: entry[cache.DIGEST].hex() for relpath, entry in entries.items() if relpath in posts}
    assert digests == {relpath: git_blob_id((repo / relpath).read_bytes()) for relpath in posts}


def _awkward_tree(root) -> None:
    """Posts, and what a listing of them must leave out or take as it is: names with a dot or an
    underscore first, README in any case, other extensions, links to a file and to a folder, a
    named pipe, a folder named like a post, empty and nested folders, names that sort differently
    by case."""
    for relpath in ["content/posts/2027/01/01-a.md", "content/posts/2027/01/B-upper.md", "content/posts/2027/01/a-lower.md",
                    "content/posts/2027/01/_draft.md", "content/posts/2027/01/.hidden.md", "content/posts/2027/01/README.md",
                    "content/posts/2027/01/ReadMe.MD", "content/posts/2027/01/notes.txt", "content/posts/2027/01/x.markdown",
                    "content/posts/2027/02/deep/er/01-b.md", "content/posts/2027/.private/01-c.md",
                    "content/posts/2027/_folder/01-d.md", "content/posts/top.md", "content/posts/2026/12/31-e.md"]:
        write(root, relpath, POST.format(n=relpath))
    (root / "content/posts/2027/03").mkdir(parents=True)
    (root / "content/posts/2027/01/folder.md").mkdir()
    write(root, "content/posts/2027/01/folder.md/inside.md", POST.format(n="inside"))
    os.symlink(root / "content/posts/2027/01/01-a.md", root / "content/posts/2027/01/02-link.md")
    os.symlink(root / "content/posts/2027/02", root / "content/posts/2027/04")
    os.symlink(root / "nowhere.md", root / "content/posts/2027/01/03-broken.md")
    os.mkfifo(root / "content/posts/2027/01/04-pipe.md")


@pytest.mark.parametrize("shape", ["awkward", "empty", "missing", "a file"])
def test_the_readers_listing_is_the_checks_own(tmp_path, shape):
    """prefetch.post_listing lists what repository.post_files lists, in its order, with the same
    plain regular files: the check takes the reader's listing instead of listing again."""
    from smm.repository import post_files
    root = tmp_path / "repo"
    root.mkdir()
    if shape == "awkward":
        _awkward_tree(root)
    elif shape == "empty":
        (root / "content/posts").mkdir(parents=True)
    elif shape == "a file":
        write(root, "content/posts", "not a folder")
    names, regular = prefetch.post_listing(os.path.join(os.fsencode(root), b""))
    expected_regular = set()
    expected = post_files(root, expected_regular)
    assert [os.fsdecode(name) for name in names] == expected
    assert {os.fsdecode(name) for name, plain in zip(names, regular) if plain} == expected_regular
    if shape == "awkward":
        assert "content/posts/2027/01/02-link.md" in expected and "content/posts/2027/01/02-link.md" not in expected_regular


def test_the_check_takes_the_readers_listing_when_its_names_are_ascii(tmp_path, monkeypatch):
    """A reader that listed the posts gives the check its listing, once; where a name is beyond
    ASCII the check lists the posts itself (its own file system encoding decides their order).
    Either way the check finds what it finds without a reader."""
    import smm.check
    from smm.check import run_check
    from smm.repository import post_files
    root = tmp_path / "repo"
    _awkward_tree(root)
    listed = []
    monkeypatch.setattr(smm.check, "post_files", lambda root, regular=None: listed.append(1) or post_files(root, regular))
    started(root)
    prefetch.take(root)
    regular = set()
    assert prefetch.listing(regular) == post_files(root) and prefetch.listing(set()) is None
    assert "content/posts/2027/01/01-a.md" in regular and "content/posts/2027/01/02-link.md" not in regular
    prefetch.drop()
    without = run_check(root)
    assert listed == [1]
    started(root)
    assert run_check(root).findings == without.findings and listed == [1]        # the reader's listing
    write(root, "content/posts/2027/01/05-café.md", POST.format(n="é"))
    started(root)
    prefetch.take(root)
    assert prefetch.listing(set()) is None
    started(root)
    assert run_check(root).files_checked == without.files_checked + 1 and listed == [1, 1]


def test_a_listing_too_large_for_the_index_is_not_given_and_the_posts_are_read_all_the_same(tmp_path, monkeypatch):
    import mmap
    root = tmp_path / "repo"
    names = [f"content/posts/2027/01/0{d}-post.md" for d in range(1, 6)]
    for n, relpath in enumerate(names):
        write(root, relpath, POST.format(n=n))
    real = prefetch._Index.add
    monkeypatch.setattr(prefetch._Index, "add", lambda index, batch: not isinstance(batch, tuple) and real(index, batch))
    shared = mmap.mmap(-1, prefetch.MOST + prefetch.INDEX)
    prefetch.read_ahead(str(root), shared)
    index, listing = prefetch._Index(shared).read()
    assert listing is None and sorted(index) == sorted(name.encode() for name in names)
    shared.close()
