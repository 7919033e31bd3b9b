"""What Git can vouch for in a fresh clone: the files whose bytes are those of a blob it names.

A fresh clone (CI's checkout) gives every file a new stat, so the cache (cache.py) would read and
hash every post again to tell it unchanged: 10,000 posts took 75 to 80 ms of a 0.30 s check. Git
already knows: its index holds each tracked file's blob id and the stat the checkout left it with,
and `git diff-files` names every file whose stat is not that one (a file written in the second
the index was, whose stat cannot tell, Git marks to be named too). The cache's digest of the
bytes it checked is their blob id (loader.digest); when Git's blob id for a file it does not
name is that one, the file holds those bytes, and its findings hold. A file touched since the checkout is
named, and left to the cache to read.

Git's answer is taken only where it proves that: for tracked files Git compares as they are (no
line-end conversion, filter, `ident` or working-tree encoding: `core.autocrlf` unset or false,
and `git check-attr` finds none of those attributes set on any tracked file there; with one, the
bytes in the folder are not the blob's bytes), by a stat as full as the cache's own (not
`core.trustctime=false` nor `core.checkStat=minimal`), in their normal state (not marked
assume-unchanged or skip-worktree, whose changes `git diff-files` does not report), regular files
(not links or submodules). Anything else, and any failure of Git (not installed, not a
repository, an index in another hash), leaves the file to be read and hashed as before.

The Git commands start together when asked (Vouching), and run beside what this process does
until their answer is needed.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

_CONVERTING = ("text", "eol", "filter", "ident", "working-tree-encoding")     # attributes that change bytes
_TIMEOUT = 30                            # seconds: a Git that hangs never holds up a check for longer


class Vouching:
    """Git asked, in the background, about the files under `folder` of the repository at `root`."""

    def __init__(self, root: Path, folder: str):
        self._started = []
        try:
            self._started.append(_start(root, "config", "--get-regexp", r"^core\.(autocrlf|trustctime|checkstat)$"))
            self._started.append(_start(root, "ls-files", "-s", "-v", "-z", "--", folder))
            self._started.append(_start(root, "diff-files", "--name-only", "--relative", "-z", "--", folder))
            tracked = _start(root, "ls-files", "-z", "--", folder)
            self._started.append(tracked)
            # every attribute set or unset on the tracked files, straight from one Git to the other
            self._started.append(_start(root, "check-attr", "--stdin", "-z", "--all", stdin=tracked.stdout))
            tracked.stdout.close()
        except (OSError, ValueError):
            self.close()

    def blobs(self) -> dict[str, str]:
        """Root-relative path -> blob id (hex) of each file under the folder whose bytes Git vouches
        are that blob's; {} when Git cannot say."""
        if len(self._started) < 5:
            return {}
        try:
            config, listing, diff, tracked, attributes = self._started
            settings = _finish(config, allowed=(0, 1))                 # 1: none set
            listed, changed, _, attributes = _finish(listing), _finish(diff), _finish(tracked), _finish(attributes)
            if not _settings_vouch(settings) or _converting(attributes):
                return {}
            return _unchanged(listed.decode("utf-8", "surrogateescape"),
                              set(changed.decode("utf-8", "surrogateescape").split("\0")))
        except (OSError, subprocess.SubprocessError, ValueError):
            return {}
        finally:
            self.close()

    def close(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        self._started = []


def _start(root: Path, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(["git", "-C", str(root), *args], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})


def _finish(process: subprocess.Popen, allowed: tuple = (0,)) -> bytes:
    out, _ = process.communicate(timeout=_TIMEOUT)
    if process.returncode not in allowed:
        raise subprocess.SubprocessError(f"{process.args[3]} exited {process.returncode}")
    return out


def _settings_vouch(settings: bytes) -> bool:
    """Whether `git config --get-regexp`'s lines leave Git's answer a proof: no line-end conversion
    (core.autocrlf unset or false; "input" converts too), and a file's stat compared as the cache
    compares it (core.trustctime not false, core.checkStat not minimal: a file rewritten with its
    old size and times would then look unchanged)."""
    for line in settings.decode("utf-8", "replace").lower().splitlines():
        name, _, value = line.partition(" ")
        if (name == "core.autocrlf" and value not in ("", *_FALSE)) or (name == "core.trustctime" and value in _FALSE) \
                or (name, value) == ("core.checkstat", "minimal"):
            return False
    return True


_FALSE = ("false", "no", "off", "0")          # how Git's configuration may say false


def _converting(attributes: bytes) -> bool:
    """Whether `git check-attr --all -z`'s answer sets an attribute that makes a file's bytes in the
    folder differ from its blob's (it lists path, attribute, value for each one set or unset)."""
    fields = attributes.split(b"\0")
    return any(name.decode("ascii", "replace") in _CONVERTING and value != b"unset"
               for name, value in zip(fields[1::3], fields[2::3]))


def _unchanged(listed: str, changed: set) -> dict[str, str]:
    """Path -> blob id of the entries of `git ls-files -s -v -z` ("H 100644 <id> 0<TAB>path") in the
    normal state (H), of a regular file (100644, 100755), merged (stage 0), with a SHA-1 id, that
    `git diff-files` did not report changed."""
    blobs = {}
    for record in listed.split("\0"):
        if record[:1] == "H" and record[2:8] in ("100644", "100755") and record[49:52] == " 0\t":
            path = record[52:]
            if path not in changed:
                blobs[path] = record[9:49]
    return blobs
