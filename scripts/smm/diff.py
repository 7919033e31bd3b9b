"""Diff-aware checks (`smm check --base REF`): what a change does to the calendar and the lifecycle.

The base is the merge base of REF and HEAD; the new side is the working tree, so
uncommitted edits are checked too (as in a pre-commit hook).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import findings as F
from .check import UsageError
from .loader import MAX_BYTES, read_regular
from .repository import post_from_bytes

# Status lifecycle: from -> allowed to (data, not code paths)
TRANSITIONS = {
    "idea": ("idea", "draft", "scheduled", "cancelled"),
    "draft": ("idea", "draft", "scheduled", "cancelled"),
    "scheduled": ("draft", "scheduled", "published", "cancelled"),
    "published": ("published",),
    "cancelled": ("cancelled", "idea", "draft"),
}
FIXED = ("scheduled", "published")        # a rename must keep the id once a post is here


@dataclass
class CalendarChange:
    """What a change does to the calendar: a post added, removed or changed, and which fields."""

    change: str            # added | removed | changed
    path: str
    post: object           # the post after the change (before it, for removed)
    fields: list = field(default_factory=list)

    def as_dict(self, tz) -> dict:
        p = self.post
        return {"change": self.change, "path": self.path, "id": p.id, "title": p.title, "status": p.status,
                "publish_at": p.publish_at.astimezone(tz).isoformat() if p.publish_at else None,
                "platforms": p.platforms, "fields": self.fields}


def git(root, *args: str) -> bytes:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True, timeout=60).stdout
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    except subprocess.CalledProcessError as error:
        raise UsageError(f"git {' '.join(args)}: {error.stderr.decode('utf-8', 'replace').strip()}") from None


def now() -> datetime:
    value = os.environ.get("SMM_NOW")
    return datetime.fromisoformat(value) if value else datetime.now(timezone.utc)


def changed_posts(root, base: str) -> tuple[list[tuple[str, str | None, str | None]], str]:
    """(status letter, old path, new path) for posts changed between the merge base and the working tree,
    and the merge base itself."""
    merge_base = git(root, "merge-base", base, "HEAD").decode().strip()
    raw = git(root, "diff", "--name-status", "-M", "-z", merge_base, "--", "content/posts").decode("utf-8", "replace")
    fields, out = raw.split("\0"), []
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            out.append(("R", fields[i + 1], fields[i + 2]))
            i += 3
        else:
            old = fields[i + 1] if status[0] in "MDT" else None
            new = fields[i + 1] if status[0] in "AMT" else None
            out.append((status[0], old, new))
            i += 2
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", "content/posts").decode()
    out += [("A", None, path) for path in untracked.split("\0") if path]
    return [(s, o, n) for s, o, n in out if (o or n or "").endswith(".md")], merge_base


def base_version(root, repo, merge_base: str, path: str):
    try:
        raw = git(root, "show", f"{merge_base}:{path}")
    except UsageError:
        return None
    return post_from_bytes(repo, raw, path)


def compare(repo, base: str, current: set[str]):
    """(findings, calendar changes) of the working tree against `base`; `current`: the paths of the
    posts in the working tree."""
    entries, merge_base = changed_posts(repo.root, base)
    findings, changes = [], []
    for status, old_path, new_path in entries:
        before = base_version(repo.root, repo, merge_base, old_path) if old_path else None
        after = _as_written(repo, new_path) if new_path in current else None
        findings += _rules(repo, before, after, old_path, new_path)
        change = _calendar_change(before, after, old_path, new_path)
        if change:
            changes.append(change)
    changes.sort(key=lambda c: (c.post.publish_at is None, c.post.publish_at or now(), c.path))
    return findings, changes


def _as_written(repo, path: str):
    """The post at `path` with all its copy: the checked posts may be slim copies without it."""
    try:
        raw, size = read_regular(repo.root / path, MAX_BYTES)
    except OSError:                      # gone, or not a regular file (a FIFO would block)
        return None
    if size > MAX_BYTES:
        return None
    return post_from_bytes(repo, raw, path)


def _copy(post) -> tuple:
    variants = tuple(sorted((k, v.text, tuple(v.thread or ()), v.content_warning, v.first_comment, v.title)
                            for k, v in post.variants.items()))
    media = tuple((m.path, m.alt) for m in post.media)
    return (post.body.strip(), tuple(post.thread or ()), variants, media, tuple(post.platforms))


def _rules(repo, before, after, old_path, new_path):
    if before is None and after is None:
        return []
    if after is None:
        if before.status == "published":
            return [F.make("diff.published-removed", old_path, (1, 1), f'published post "{before.id}" was deleted')]
        return []
    out = []
    doc = after.doc
    if before is not None:
        if before.status == "published" and _copy(before) != _copy(after):
            out.append(F.make("diff.published-changed", after.path, (doc.body_line, 1),
                              f'the copy or media of published post "{after.id}" changed'))
        allowed = TRANSITIONS.get(before.status, ())
        if after.status not in allowed:
            out.append(F.make("diff.status", after.path, doc.value_at("status"),
                              f"status went from {before.status} to {after.status}",
                              old=before.status, allowed=", ".join(allowed)))
        if old_path != new_path and before.status in FIXED and before.id != after.id:
            out.append(F.make("diff.id-changed", after.path, doc.where("id") if "id" in doc.data else (1, 1),
                              f'renamed from {old_path}: the post id changed from "{before.id}" to "{after.id}"',
                              old_id=before.id))
    moved = before is None or before.publish_at != after.publish_at or before.status != after.status
    if after.status == "scheduled" and after.publish_at and moved and after.publish_at < now():
        out.append(F.make("diff.moved-into-past", after.path, doc.value_at("publish_at"),
                          f"this change schedules the post in the past ({after.publish_at.isoformat()})"))
    return out


def _calendar_change(before, after, old_path, new_path):
    if after is None and before is not None:
        return CalendarChange("removed", old_path, before)
    if after is None:
        return None
    if before is None:
        return CalendarChange("added", new_path, after)
    old, new = _copy(before), _copy(after)
    compared = (("time", before.publish_at, after.publish_at), ("status", before.status, after.status),
                ("platforms", before.platforms, after.platforms), ("title", before.title, after.title),
                ("copy", old[:3], new[:3]), ("media", old[3], new[3]), ("path", old_path, new_path))
    fields = [name for name, a, b in compared if a != b]
    return CalendarChange("changed", new_path, after, fields) if fields else None
