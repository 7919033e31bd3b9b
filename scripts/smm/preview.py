"""`smm preview`: a post as each of its platforms will show it."""
from __future__ import annotations

import json
import shutil
import sys

from . import platforms, report
from .check import UsageError
from .posting import render, utm_for
from .repository import load_repository
from .rules import run as run_rules


def build(root, target) -> dict:
    """The preview of the post at `target` (a path), as plain data."""
    repo = load_repository(root)
    relpath = target.resolve().relative_to(root).as_posix()
    post = next((p for p in repo.posts if p.path == relpath), None)
    findings = [f for f in list(repo.findings) + run_rules(repo) if f.path == relpath]
    if post is None:
        return {"path": relpath, "title": None, "platforms": {}, "findings": [f.as_dict() for f in sorted(findings)]}
    return {"path": relpath, "id": post.id, "title": post.title, "status": post.status,
            "publish_at": post.publish_at.isoformat() if post.publish_at else None,
            "platforms": {pid: _platform(post, pid, repo, findings) for pid in post.platforms},
            "findings": [f.as_dict() for f in sorted(findings) if not f.platform]}


def _platform(post, pid, repo, findings) -> dict:
    rendition = render(post, pid, repo)
    platform = platforms.get(pid)
    alt_limit = platform.section("alt_text").get("limit") if platform else None
    return {
        "name": platform.name if platform else pid,
        "counting": platform.counting if platform else None,
        "parts": [{"text": p.text, "length": p.length, "limit": p.limit} for p in rendition.parts],
        "title": rendition.title, "content_warning": rendition.content_warning,
        "first_comment": rendition.first_comment,
        "media": [{"path": m.path, "kind": m.kind, "alt": m.alt, "alt_length": len(m.alt), "alt_limit": alt_limit}
                  for m in rendition.media],
        "utm": utm_for(post, pid, repo),
        "findings": [f.as_dict() for f in sorted(findings) if f.platform == pid],
    }


def meter(length: int, limit: int, width: int = 30) -> str:
    filled = min(width, round(width * length / limit)) if limit else 0
    return "[" + "#" * filled + "-" * (width - filled) + f"] {length}/{limit}"


def print_text(preview: dict, stream=sys.stdout) -> None:
    safe = report.printable
    width = min(shutil.get_terminal_size((80, 20)).columns, 100)
    stream.write(f"{safe(preview['path'])}\n{safe(preview['title'] or '')}\n")
    for pid, data in preview["platforms"].items():
        stream.write("\n" + f"── {data['name']} ".ljust(width, "─") + "\n")
        if data["title"]:
            stream.write(f"title: {safe(data['title'])}\n")
        if data["content_warning"]:
            stream.write(f"content warning: {safe(data['content_warning'])}\n")
        for index, part in enumerate(data["parts"]):
            if len(data["parts"]) > 1:
                stream.write(f"[{index + 1}/{len(data['parts'])}]\n")
            stream.write("\n".join(safe(line) for line in part["text"].split("\n")) + "\n")
            stream.write(meter(part["length"], part["limit"]) + (" OVER" if part["length"] > part["limit"] else "") + "\n")
        for media in data["media"]:
            stream.write(f"{media['kind']}: {safe(media['path'])} (alt: {safe(media['alt'])})\n")
        for finding in data["findings"]:
            stream.write(f"  {finding['severity']} {finding['rule']} {safe(finding['message'])}\n")
    for finding in preview["findings"]:
        stream.write(f"{finding['severity']} {finding['rule']} {safe(finding['message'])}\n")


def run(root, target, fmt: str) -> int:
    if not target.is_file():
        raise UsageError(f"{target}: no such file")
    if not target.resolve().is_relative_to(root):
        raise UsageError(f"{target}: outside the repository at {root}")
    preview = build(root, target)
    if fmt == "json":
        json.dump(preview, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_text(preview)
    return 0      # the findings are part of what is shown; `smm check` is the gate
