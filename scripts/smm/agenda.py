"""`smm calendar`: the agenda in the terminal, or the same rows for other tools (json, csv, ics)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from . import report
from .check import UsageError
from .site.ics import calendar_for


@dataclass
class Filters:
    """Which posts the agenda lists: the days, platform, campaign and statuses asked for."""

    start: date | None = None
    end: date | None = None
    platform: str | None = None
    campaign: str | None = None
    statuses: tuple = ("idea", "draft", "scheduled", "published")


def parse_day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} {value}: use YYYY-MM-DD") from None


def select(repo, filters: Filters) -> list:
    out = []
    for post in repo.posts:
        if not post.publish_at or post.status not in filters.statuses:
            continue
        day = post.publish_at.astimezone(repo.timezone).date()
        if (filters.start and day < filters.start) or (filters.end and day > filters.end):
            continue
        if filters.platform and filters.platform not in post.platforms:
            continue
        if filters.campaign and post.campaign != filters.campaign:
            continue
        out.append(post)
    return sorted(out, key=lambda p: (p.publish_at, p.id))


def rows(repo, posts) -> list[dict]:
    return [_row(p, p.publish_at.astimezone(repo.timezone)) for p in posts]


def _row(post, local) -> dict:
    return {"date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M}", "publish_at": local.isoformat(), "id": post.id,
            "title": post.title, "status": post.status, "platforms": " ".join(post.platforms),
            "campaign": post.campaign or "", "pillar": post.pillar or "", "path": post.path}


def as_table(data: list[dict]) -> str:
    if not data:
        return "No posts match.\n"
    columns = ["date", "time", "status", "platforms", "title", "campaign"]
    safe = [{c: report.printable(r[c]) for c in columns} for r in data]
    widths = {c: min(48, max(len(c), *(len(r[c]) for r in safe))) for c in columns}
    line = lambda r: "  ".join(r[c][:widths[c]].ljust(widths[c]) for c in columns).rstrip()  # noqa: E731
    return "\n".join([line({c: c.upper() for c in columns}), *map(line, safe)]) + "\n"


def render(repo, posts, fmt: str) -> str | bytes:
    data = rows(repo, posts)
    if fmt == "json":
        return json.dumps({"timezone": repo.timezone.key, "posts": data}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(data[0]) if data else ["date"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        return buffer.getvalue()
    if fmt == "ics":
        return calendar_for(repo, posts)
    return as_table(data)
