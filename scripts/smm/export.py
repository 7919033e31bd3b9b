"""`smm export buffer|hootsuite`: bulk-scheduling CSV files for teams that schedule with those tools.

Formats (see README for which parts come from vendor documentation and which
must be checked against a template downloaded from the vendor):
* Buffer: a header row `Text, Image URL, Tags, Posting Time`; time as
  YYYY-MM-DD HH:MM in the repository's timezone (set the Buffer profile to it).
* Hootsuite: no header; rows of date and time, message, link; at most 350 rows
  per file and one file per social profile; times on a 5-minute mark.
Only scheduled posts are exported, as posted on that platform (variant, UTM
tags). Everything left out is reported with the reason.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from . import links, rules
from .agenda import Filters, select
from .check import UsageError
from .posting import render
from .writing import write_text

HOOTSUITE_MAX_ROWS = 350
BUFFER_HEADER = ["Text", "Image URL", "Tags", "Posting Time"]


@dataclass
class Export:
    """The rows of a bulk-scheduling file, and the posts left out of it, with why."""

    rows: list = field(default_factory=list)
    left_out: list = field(default_factory=list)     # (path, why)


def media_url(repo, path: str) -> str | None:
    base = repo.strategy.settings.get("media_base_url")
    if not base:
        return None
    relative = path[len("media/"):] if path.startswith("media/") else path
    return base.rstrip("/") + "/" + quote(relative)


def _candidates(repo, platform: str, filters: Filters, result: Export) -> list:
    errors = {}
    for finding in rules.run(repo) + list(repo.findings):
        if finding.severity == "error" and finding.platform in (None, platform):
            errors.setdefault(finding.path, finding)
    posts = []
    for post in select(repo, Filters(filters.start, filters.end, platform, filters.campaign, ("scheduled",))):
        if post.path in errors:
            result.left_out.append((post.path, f"has errors ({errors[post.path].rule}); run smm check"))
        else:
            posts.append(post)
    return posts


def buffer(repo, platform: str, filters: Filters) -> Export:
    result = Export()
    for post in _candidates(repo, platform, filters, result):
        rendition = render(post, platform, repo)
        if rendition.is_thread:
            result.left_out.append((post.path, "a thread: Buffer's bulk upload takes single posts"))
            continue
        images = [m for m in post.media if m.kind == "image"]
        if len(images) != len(post.media):
            result.left_out.append((post.path, "has a video or GIF: Buffer's bulk upload takes one image URL"))
            continue
        url = media_url(repo, images[0].path) if images else ""
        if images and not url:
            result.left_out.append((post.path, "has an image but media_base_url is not set in strategy/settings.yaml"))
            continue
        if len(images) > 1:
            result.left_out.append((post.path, f"only the first of {len(images)} images fits Buffer's Image URL column"))
            continue
        local = post.publish_at.astimezone(repo.timezone)
        result.rows.append([rendition.parts[0].text, url or "", ",".join(post.tags), f"{local:%Y-%m-%d %H:%M}"])
    return result


def hootsuite(repo, platform: str, filters: Filters, date_format: str = "%d/%m/%Y %H:%M") -> Export:
    _check_date_format(date_format)
    result = Export()
    for post in _candidates(repo, platform, filters, result):
        rendition = render(post, platform, repo)
        local = post.publish_at.astimezone(repo.timezone)
        if rendition.is_thread:
            result.left_out.append((post.path, "a thread: Hootsuite's bulk composer takes single posts"))
            continue
        if local.minute % 5:
            result.left_out.append((post.path, f"{local:%H:%M} is not on a 5-minute mark, which Hootsuite requires"))
            continue
        text, link = _split_link(rendition.parts[0].text)
        if post.media:
            result.left_out.append((post.path, "has media: attach it in Hootsuite after the upload "
                                                "(the bulk file carries text and one link)"))
            continue
        result.rows.append([f"{local.strftime(date_format)}", text, link])
    return result


def _check_date_format(date_format: str) -> None:
    """Hootsuite schedules each row at the time its date column says: a format that does not write
    the day, month, year, hour and minute so that they read back would post at the wrong time."""
    sample = datetime(2031, 12, 27, 13, 45)
    try:
        read_back = datetime.strptime(sample.strftime(date_format), date_format)
    except ValueError:
        read_back = None
    if read_back != sample:
        raise UsageError(f"--date-format {date_format!r} must write the day, month, year, hour and minute "
                         "(the default is %d/%m/%Y %H:%M)")


def _split_link(text: str) -> tuple[str, str]:
    """Hootsuite attaches (and shortens) the row's link: move the last link from the text into it."""
    found = links.http_links(text)
    if not found:
        return text, ""
    last = found[-1]
    rest = (text[:last.start] + text[last.end:]).rstrip()
    return rest, last.url


def csv_text(rows: list, header: list | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def files_for(tool: str, out: Path, result: Export) -> list[tuple[Path, str]]:
    if tool == "buffer":
        return [(out, csv_text(result.rows, BUFFER_HEADER))]
    chunks = [result.rows[i:i + HOOTSUITE_MAX_ROWS] for i in range(0, len(result.rows), HOOTSUITE_MAX_ROWS)] or [[]]
    if len(chunks) == 1:
        return [(out, csv_text(chunks[0], None))]
    return [(out.with_name(f"{out.stem}-{i + 1}{out.suffix}"), csv_text(chunk, None)) for i, chunk in enumerate(chunks)]


def write_all(files: list[tuple[Path, str]], force: bool) -> None:
    existing = [str(path) for path, _ in files if path.exists()]
    if existing and not force:
        raise UsageError(f"{', '.join(existing)} already exists; pass --force to replace it")
    for path, text in files:
        write_text(path, text)
