"""MkDocs hooks: hand the generated site to MkDocs. All the work is in smm.site.build.

Listed under `hooks:` in mkdocs.yml. Keep this file thin: generation must run
(and be tested) without MkDocs.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, InclusionLevel

from smm.site.build import generate
from smm.site.pages import HTML_MARK

_site = None


def on_config(config, **kwargs):
    global _site
    _site = generate(Path(config.config_file_path).parent, later=True)
    config.nav = _site.nav
    return config


def on_files(files, config, **kwargs):
    for src_uri, markdown in sorted(_site.pages.items()):
        _replace(files, File.generated(config, src_uri, content=markdown, inclusion=_inclusion(src_uri)))
    for src_uri, data in sorted(_site.files.items()):
        _replace(files, File.generated(config, src_uri, content=data))
    for src_uri, path in sorted(_site.media.items()):
        _replace(files, File.generated(config, src_uri, abs_src_path=path))
    for src_uri in sorted(_site.later):        # known now, so links to it resolve; written after the build
        _replace(files, File.generated(config, src_uri, content=b""))
    return files


def on_post_build(config, **kwargs):
    """Write the files made in the background while MkDocs rendered the pages."""
    for src_uri, pending in sorted(_site.later.items()):
        target = Path(config.site_dir) / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pending.get())


def on_page_markdown(markdown, page, **kwargs):
    """Generated pages marked as finished HTML skip Markdown: converting HTML again is wasted work."""
    if markdown.startswith(HTML_MARK):
        page.smm_html = markdown[len(HTML_MARK):]
        return ""
    return markdown


def on_page_content(html, page, **kwargs):
    return getattr(page, "smm_html", html)


def _inclusion(src_uri: str):
    return InclusionLevel.NOT_IN_NAV if src_uri.startswith(("posts/", "campaigns/", "calendar/")) \
        else InclusionLevel.UNDEFINED


def _replace(files, file):
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)
