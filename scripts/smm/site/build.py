"""Generate every page of the handbook from the model: one call, deterministic output.

`generate(root, today)` returns a Site: Markdown pages by path, binary files by path,
and the navigation. It knows nothing of MkDocs; hook.py hands the result over.
"""
from __future__ import annotations

import html
import multiprocessing
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import planning, rules
from ..parallel import PARALLEL_FROM, workers
from ..repository import load_repository
from . import calendar as cal
from . import ics, pages
from .html import icon_css, icon_files


@dataclass
class Site:
    """The handbook site made from a repository: its pages, files, media and navigation."""

    pages: dict = field(default_factory=dict)      # "strategy/brand.md" -> Markdown
    files: dict = field(default_factory=dict)      # "calendar.ics" -> bytes
    media: dict = field(default_factory=dict)      # "media/x.jpg" -> absolute path
    nav: list = field(default_factory=list)
    later: dict = field(default_factory=dict)      # "calendar.ics" -> Later: bytes made in the background


def generate(root: Path, today: date | None = None, later: bool = False) -> Site:
    """Every page and file of the site. With many posts, the rules and the post pages are made in a
    forked process while this one makes the other pages; with `later` too, the calendar feed is made
    in the background (site.later) while MkDocs renders the pages in this one."""
    repo = load_repository(root)
    today = today or planning.today(repo)
    fork = len(repo.posts) >= PARALLEL_FROM and workers() >= 2
    post_pages = Later(_post_pages, repo, today, fork=fork)
    ctx = pages.Context(repo=repo, today=today, findings=defaultdict(list))
    site = Site()
    site.pages["index.md"] = pages.home(ctx)
    chapters = _strategy(repo, site)
    site.pages.update(pages.personas(ctx))
    site.pages.update(pages.campaigns(ctx))
    months = cal.months(ctx)
    site.pages["calendar/index.md"] = cal.index_page(ctx, months)
    site.pages.update({f"calendar/{m:%Y-%m}.md": cal.month_page(ctx, m, months) for m in months})
    site.files.update(icon_files())
    site.files["assets/icons.css"] = icon_css().encode()
    site.media = _media(repo.root)
    site.nav = _nav(ctx, chapters, months)
    if not (fork and later):
        site.files["calendar.ics"] = ics.calendar(repo)      # while the forked process works, if there is one
    site.pages.update(post_pages.get())
    if fork and later:
        site.later["calendar.ics"] = Later(ics.calendar, repo)
    return site


_CALLS: dict = {}     # what a forked process is to run: inherited through the fork, never pickled


def _call(key: int):
    function, args = _CALLS[key]
    return function(*args)


class Later:
    """`function(*args)`: in a forked process started now when `fork`, else here when `get()` is called.
    The forked process inherits its inputs (the whole repository) instead of receiving them pickled."""

    def __init__(self, function, *args, fork: bool = True):
        self.call, self.pool, self.result = (function, args), None, None
        if fork:
            _CALLS[id(self)] = self.call
            try:
                self.pool = multiprocessing.get_context("fork").Pool(1)
            finally:
                del _CALLS[id(self)]
            self.result = self.pool.apply_async(_call, (id(self),))

    def get(self):
        if self.pool is None:
            function, args = self.call
            return function(*args)
        try:
            return self.result.get()
        finally:
            self.pool.close()
            self.pool.join()


def _post_pages(repo, today: date) -> dict:
    """The rules, then every post's page with its findings."""
    findings = defaultdict(list)
    for finding in list(repo.findings) + rules.run(repo):
        findings[finding.path].append(finding)
    ctx = pages.Context(repo=repo, today=today, findings=findings)
    return {f"posts/{post.id}.md": pages.post_page(ctx, post) for post in repo.posts}


def _strategy(repo, site: Site) -> list[tuple[str, str]]:
    chapters = []
    for file in _chapter_order(repo.strategy.chapters):
        text = file.read_text("utf-8")
        uri = f"strategy/{file.name}"
        site.pages[uri] = text.rstrip("\n") + "\n\n" + pages.strategy_data(repo, file.stem)
        chapters.append((_heading(text) or file.stem.replace("-", " ").capitalize(), uri))
    return chapters


def _chapter_order(files: list[Path]) -> list[Path]:
    """index.md first, then the order index.md links them in, then the rest by name."""
    by_name = {f.name: f for f in files}
    order = ["index.md"] if "index.md" in by_name else []
    if order:
        order += [n for n in re.findall(r"\]\(([\w.-]+\.md)\)", by_name["index.md"].read_text("utf-8"))
                  if n in by_name and n not in order]
    order += sorted(n for n in by_name if n not in order)
    return [by_name[n] for n in dict.fromkeys(order)]


def _heading(text: str) -> str | None:
    match = re.search(r"^# (.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _media(root: Path) -> dict:
    folder = root / "media"
    if not folder.is_dir():
        return {}
    out = {}
    for file in sorted(folder.rglob("*")):
        if file.is_file() and not file.is_symlink() and not file.name.startswith("."):
            out[file.relative_to(root).as_posix()] = str(file)
    return out


def _nav(ctx, chapters, months) -> list:
    personas = [{html.escape(ctx.repo.personas[s].name): f"personas/{s}.md"} for s in sorted(ctx.repo.personas)]
    recent = cal.nav_months(ctx, months)
    return [
        {"Home": "index.md"},
        {"Strategy": [{html.escape(title): uri} for title, uri in chapters]},
        {"Personas": [{"All personas": "personas/index.md"}, *personas]},
        {"Campaigns": "campaigns/index.md"},
        {"Calendar": [{"All months": "calendar/index.md"}, *[{f"{m:%B %Y}": f"calendar/{m:%Y-%m}.md"} for m in recent]]},
    ]
