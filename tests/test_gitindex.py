"""What Git vouches for (smm.gitindex): blob ids only for files whose bytes are those of the blob,
in real Git repositories."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from smm.gitindex import Vouching
from smm.loader import blob_id

GIT = ["git", "-c", "user.name=E", "-c", "user.email=e@kelda.example", "-c", "core.autocrlf=false"]
POSTS = "content/posts"


def _git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / POSTS / "2027/01").mkdir(parents=True)
    for name, text in (("01-a.md", "---\ntitle: A\n---\nÞið eruð velkomin.\n"), ("02-b.md", "---\ntitle: B\n---\nB\n"),
                       ("03-c.md", "---\ntitle: C\n---\nC\n")):
        (root / POSTS / "2027/01" / name).write_text(text, encoding="utf-8")
    (root / "README.md").write_text("not a post\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Posts")
    return root


def _vouched(root: Path) -> dict:
    return Vouching(root, POSTS).blobs()


def test_git_vouches_for_each_committed_post_with_the_blob_id_of_its_bytes(repo):
    vouched = _vouched(repo)
    assert sorted(vouched) == [f"{POSTS}/2027/01/0{n}-{c}.md" for n, c in ((1, "a"), (2, "b"), (3, "c"))]
    for path, blob in vouched.items():
        assert blob == blob_id((repo / path).read_bytes()) == _git(repo, "hash-object", path).strip()


def test_a_changed_an_untracked_and_an_assumed_unchanged_post_are_not_vouched_for(repo):
    (repo / POSTS / "2027/01/01-a.md").write_text("---\ntitle: A, edited\n---\n", encoding="utf-8")
    (repo / POSTS / "2027/01/04-d.md").write_text("---\ntitle: D\n---\n", encoding="utf-8")
    _git(repo, "update-index", "--assume-unchanged", f"{POSTS}/2027/01/02-b.md")
    (repo / POSTS / "2027/01/02-b.md").write_text("---\ntitle: B, edited\n---\n", encoding="utf-8")
    assert sorted(_vouched(repo)) == [f"{POSTS}/2027/01/03-c.md"]


def test_a_touched_post_is_vouched_for_once_git_has_seen_its_new_stat(repo):
    """Git tells a file unchanged by the stat it recorded (as a checkout leaves it): one touched since
    is left to the cache to read, until Git's index has its new stat (`git update-index --refresh`,
    which a checkout's own writing of the files amounts to)."""
    path = repo / POSTS / "2027/01/02-b.md"
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert f"{POSTS}/2027/01/02-b.md" not in _vouched(repo)
    _git(repo, "update-index", "-q", "--refresh")
    assert f"{POSTS}/2027/01/02-b.md" in _vouched(repo)


@pytest.mark.parametrize("attributes", ["*.md text eol=crlf\n", "*.md filter=lfs\n", "*.md ident\n",
                                        "content/** working-tree-encoding=UTF-16\n", "*.md text=auto\n"])
def test_attributes_that_convert_bytes_leave_every_post_unvouched(repo, attributes):
    (repo / ".gitattributes").write_text(attributes, encoding="utf-8")
    assert _vouched(repo) == {}


def test_attributes_that_convert_nothing_leave_the_posts_vouched_for(repo):
    (repo / ".gitattributes").write_text("*.md -text linguist-documentation\n", encoding="utf-8")
    assert len(_vouched(repo)) == 3


@pytest.mark.parametrize("name, value", [("core.autocrlf", "true"), ("core.autocrlf", "input"),
                                         ("core.trustctime", "false"), ("core.checkStat", "minimal")])
def test_line_end_conversion_or_a_weaker_stat_leaves_every_post_unvouched(repo, name, value):
    _git(repo, "config", name, value)
    assert _vouched(repo) == {}


def test_settings_that_change_nothing_leave_the_posts_vouched_for(repo):
    _git(repo, "config", "core.autocrlf", "false")
    _git(repo, "config", "core.trustctime", "true")
    assert len(_vouched(repo)) == 3


def test_a_symbolic_link_is_not_vouched_for(repo):
    os.symlink("01-a.md", repo / POSTS / "2027/01/05-link.md")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "A link")
    assert f"{POSTS}/2027/01/05-link.md" not in _vouched(repo) and len(_vouched(repo)) == 3


def test_no_repository_and_no_git_vouch_for_nothing(tmp_path, repo, monkeypatch):
    (tmp_path / "plain" / POSTS).mkdir(parents=True)
    assert _vouched(tmp_path / "plain") == {}
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert _vouched(repo) == {}


def test_asked_and_never_answered_leaves_no_process_behind(repo):
    vouching = Vouching(repo, POSTS)
    started = list(vouching._started)
    vouching.close()
    assert started and all(process.returncode is not None for process in started)
    assert vouching.blobs() == {}
