"""Small HTML helpers. Every piece of user text goes through `esc` before it reaches a page."""
from __future__ import annotations

import html
import posixpath
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


def icon_files() -> dict:
    """The platform icons as files for the site (Font Awesome Free brands, CC BY 4.0, shipped with
    mkdocs-material; each file keeps its licence comment). The stylesheet shows them as masks, so
    a page carries one short element per icon."""
    folder = Path(material.__file__).parent / "templates" / ".icons" / "fontawesome" / "brands"
    out = {}
    for pid, name in ICONS.items():
        try:
            out[f"assets/icons/{pid}.svg"] = (folder / f"{name}.svg").read_bytes()
        except OSError:
            continue
    return out


def icon_css() -> str:
    rules = [f".smm-i-{pid} {{ -webkit-mask-image: url(icons/{pid}.svg); mask-image: url(icons/{pid}.svg); }}"
             for pid in ICONS]
    return "\n".join(rules) + "\n"


platform_name = platforms.name


def platform_icon(pid: str) -> str:
    """One element per icon: the name is its accessible label and tooltip, the picture a CSS mask."""
    name = esc(platform_name(pid))
    icon = f" smm-i-{pid}" if pid in ICONS else ""
    return f'<span class="smm-platform smm-icon{icon}" role="img" aria-label="{name}" title="{name}"></span>'


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
