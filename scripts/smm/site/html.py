"""Small HTML helpers. Every piece of user text goes through `esc` before it reaches a page."""
from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache
from pathlib import Path

import material

from .. import platforms

ICONS = {"x": "x-twitter", "bluesky": "bluesky", "mastodon": "mastodon", "threads": "threads",
         "linkedin": "linkedin", "instagram": "instagram", "facebook": "facebook", "tiktok": "tiktok",
         "youtube": "youtube", "pinterest": "pinterest"}
STATUS_LABELS = {"idea": "Idea", "draft": "Draft", "scheduled": "Scheduled", "published": "Published",
                 "cancelled": "Cancelled"}
STATUS_MARKS = {"idea": "?", "draft": "✎", "scheduled": "◷", "published": "✓", "cancelled": "✕"}


def esc(text) -> str:
    """Escape user text for HTML, and keep it on one physical line (Markdown never sees it)."""
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "&#10;")


def href(from_page: str, to_page: str) -> str:
    """Relative URL between two generated pages given as .md source paths."""
    target = to_page[:-3] + ".html" if to_page.endswith(".md") else to_page
    base = posixpath.dirname(from_page)
    return posixpath.relpath(target, base or ".")


_SVG = re.compile(r'viewBox="([^"]+)".*?(<path[^>]*>)', re.DOTALL)


@lru_cache(maxsize=None)
def sprite() -> str:
    """Every platform icon once per page, as SVG symbols (Font Awesome Free brands, CC BY 4.0,
    shipped with mkdocs-material); entries refer to them with <use>."""
    folder = Path(material.__file__).parent / "templates" / ".icons" / "fontawesome" / "brands"
    symbols = []
    for pid, name in ICONS.items():
        try:
            match = _SVG.search((folder / f"{name}.svg").read_text("utf-8"))
        except OSError:
            match = None
        if match:
            symbols.append(f'<symbol id="smm-i-{pid}" viewBox="{match.group(1)}">{match.group(2)}</symbol>')
    return ('<svg class="smm-sprite" aria-hidden="true" focusable="false" style="display:none">'
            "<!-- Icons: Font Awesome Free by Fonticons, Inc., CC BY 4.0, https://fontawesome.com/license/free -->"
            + "".join(symbols) + "</svg>")


def _svg(pid: str) -> str:
    return f'<svg class="smm-icon" aria-hidden="true" focusable="false"><use href="#smm-i-{pid}"></use></svg>'


def platform_name(pid: str) -> str:
    platform = platforms.get(pid)
    return platform.name if platform else pid


def platform_icon(pid: str) -> str:
    name = esc(platform_name(pid))
    return (f'<span class="smm-platform" title="{name}">{_svg(pid) if pid in ICONS else ""}'
            f'<span class="smm-sr">{name}</span></span>')


def platform_icons(pids) -> str:
    return '<span class="smm-platforms">' + "".join(platform_icon(p) for p in pids) + "</span>"


def status_badge(status: str) -> str:
    label = STATUS_LABELS.get(status, status)
    return (f'<span class="smm-status smm-status--{esc(status)}">'
            f'<span aria-hidden="true">{STATUS_MARKS.get(status, "")}</span> {esc(label)}</span>')


def meter(length: int, limit: int) -> str:
    state = "over" if length > limit else "ok"
    return (f'<span class="smm-count smm-count--{state}"><meter min="0" max="{limit}" value="{min(length, limit)}" '
            f'aria-label="length">{length}</meter> {length} / {limit}'
            f'{" — over the limit" if state == "over" else ""}</span>')


def block(*lines: str) -> str:
    """Raw HTML for a Markdown page: no blank lines, so Markdown leaves it alone."""
    return "\n".join(line for line in lines if line) + "\n\n"
