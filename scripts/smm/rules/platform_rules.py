"""Platform rules: each post, on each of its platforms, must be publishable as written."""
from __future__ import annotations

from .. import findings as F
from .. import platforms
from ..posting import copy_location, hashtags, render

LENIENT = ("idea",)  # hard limits are warnings only for ideas


def _severity(post) -> str | None:
    return "warning" if post.status in LENIENT else None


def platform_table(repo):
    yield from platforms.load()[1]


def text_limits(repo):
    for post in repo.posts:
        for pid in post.platforms:
            platform = platforms.get(pid)
            if platform is None:
                continue
            rendition = render(post, pid, repo)
            yield from _parts(post, platform, rendition)
            yield from _title(post, platform, rendition)


def _parts(post, platform, rendition):
    sev = _severity(post)
    numbered = rendition.is_thread
    for index, part in enumerate(rendition.parts):
        where = F.Lazy(copy_location, post, part.source, part.text)
        label = f"part {index + 1} of the thread" if numbered else "the copy"
        if part.over_limit:
            yield F.make(f"limit.{platform.id}.length", post.path, where,
                         f"{label} counts {part.length} on {platform.name}; the limit is {part.limit}",
                         severity=sev, platform=platform.id, over=part.over, platform_id=platform.id,
                         network=platform.name)
        byte_limit = platform.section("text").get("bytes_limit")
        if byte_limit and len(part.text.encode("utf-8")) > byte_limit:
            yield F.make(f"limit.{platform.id}.bytes", post.path, where,
                         f"{label} is {len(part.text.encode('utf-8'))} bytes; {platform.name} allows {byte_limit}",
                         severity=sev, platform=platform.id, limit=byte_limit, network=platform.name)
        if not part.text.strip() and not post.media and post.status in ("scheduled", "published"):
            yield F.make("copy.empty", post.path, where, f"{label} is empty on {platform.name}",
                         platform=platform.id, platform_id=platform.id)
        limit = platform.section("hashtags").get("limit")
        if limit and len(hashtags(part.text)) > limit:
            yield F.make(f"limit.{platform.id}.hashtags", post.path, where,
                         f"{label} has {len(hashtags(part.text))} hashtags; {platform.name} allows {limit}",
                         severity=sev, platform=platform.id, limit=limit, network=platform.name)


def _title(post, platform, rendition):
    spec = platform.section("title")
    if rendition.title and spec and len(rendition.title) > spec["limit"]:
        yield F.make(f"limit.{platform.id}.title", post.path, post.doc.value_at("variants", platform.id, "title"),
                     f"the title is {len(rendition.title)} characters; {platform.name} allows {spec['limit']}",
                     severity=_severity(post), platform=platform.id, limit=spec["limit"], network=platform.name)
    if spec.get("required") and not rendition.title and post.status != "idea":
        yield F.make("title.missing", post.path, post.doc.where("platforms"),
                     f"{platform.name} needs a title", platform=platform.id, platform_id=platform.id,
                     network=platform.name)


def variants(repo):
    for post in repo.posts:
        for pid, variant in post.variants.items():
            where = F.Lazy(post.doc.where, "variants", pid)
            platform = platforms.get(pid)
            if pid not in post.platforms:
                yield F.make("variant.unused", post.path, where,
                             f'there is a variant for {pid}, but the post does not go to {pid}', platform_id=pid)
            if platform is None:
                continue
            if variant.thread and not platform.has_threads:
                yield F.make("variant.thread-unsupported", post.path, where, f"{platform.name} has no threads",
                             platform=pid, platform_id=pid, network=platform.name)
            yield from _extras(post, platform, variant, where)


def _extras(post, platform, variant, where):
    unsupported = []
    if variant.content_warning and not platform.spec.get("content_warning"):
        unsupported.append("content warnings")
    if variant.title and not platform.section("title"):
        unsupported.append("titles")
    if variant.first_comment and not platform.spec.get("first_comment"):
        unsupported.append("first comments")
    for what in unsupported:
        yield F.make("variant.extra-unsupported", post.path, where, f"{platform.name} does not support {what}",
                     platform=platform.id, what=what, network=platform.name)


RULES = [platform_table, text_limits, variants]
