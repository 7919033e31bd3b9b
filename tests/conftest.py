"""Shared helpers: a small real repository in a temporary folder, and ways to check it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROJECT = HERE.parent
FIXTURE = HERE / "fixtures" / "repo"
CASES = HERE / "cases"

sys.path.insert(0, str(PROJECT / "scripts"))

from smm.check import run_check  # noqa: E402

CASE_TARGETS = {  # case folder -> where its single file goes in the repository
    "posts": "content/posts/2026/12/01-case.md",
    "campaigns": "content/campaigns/case.md",
    "personas": "personas/case.md",
}


def make_repo(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest, symlinks=True)
    return dest


def write(root: Path, relpath: str, content: str | bytes) -> Path:
    file = root / relpath
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    return file


def git_blob_id(raw: bytes) -> str:
    """Git's object id of a blob holding `raw`, as `git hash-object` prints it."""
    return subprocess.run(["git", "hash-object", "--stdin"], input=raw, capture_output=True,
                          check=True).stdout.decode().strip()


def age(root: Path) -> None:
    """Files as they are in a working copy: written an hour ago, so `smm check` may cache them
    (it does not store files modified in the seconds before a run; see scripts/smm/cache.py)."""
    hour_ago = time.time() - 3600
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (hour_ago, hour_ago), follow_symlinks=False)


def check(root: Path, *paths: str):
    return run_check(root, list(paths), cwd=root).findings


def snapshot(root: Path) -> dict:
    """Every file's bytes, to prove a command changed nothing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def run_smm(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    full_env = {**base, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "smm", *args], cwd=cwd, capture_output=True, text=True,
                          env={**full_env, "PYTHONPATH": str(PROJECT / "scripts")}, timeout=120)


@pytest.fixture(autouse=True, scope="session")
def cache_outside_home(tmp_path_factory):
    """`smm check` keeps a cache between runs; the tests keep theirs in a temporary folder."""
    os.environ["SMM_CACHE_DIR"] = str(tmp_path_factory.mktemp("smm-cache"))


@pytest.fixture
def repo(tmp_path) -> Path:
    return make_repo(tmp_path / "repo")


KEPT_SAMPLE = HERE / "fixtures" / "sample"      # `make keep-sample` puts the sample here before a team replaces it
SAMPLE_PARTS = ("content", "personas", "strategy", "media")


def copy_sample(dest: Path) -> Path:
    """The tool as it is in this checkout, with the shipped sample content (or the kept copy of it)."""
    everywhere = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".hypothesis")
    top = {".venv", ".git", "site", "tests", "benchmarks", "test-artifacts"}

    def ignore(folder, names):
        skipped = set(everywhere(folder, names))
        return skipped | (top & set(names) if Path(folder) == PROJECT else set())

    shutil.copytree(PROJECT, dest, ignore=ignore, symlinks=True)
    if KEPT_SAMPLE.is_dir():
        for part in SAMPLE_PARTS:
            shutil.rmtree(dest / part, ignore_errors=True)
            shutil.copytree(KEPT_SAMPLE / part, dest / part, symlinks=True)
    return dest


@pytest.fixture
def sample(tmp_path) -> Path:
    """A copy of the repository with the sample brand's content."""
    return copy_sample(tmp_path / "sample")
