"""Platform rules: each post, on each of its platforms, must be publishable as written."""
from __future__ import annotations

from .. import platforms
from .. import findings as F
from ..posting import body_as_posted, copy_location, copy_tagger, hashtags, render

LENIENT = ("idea",)  # hard limits are warnings only for ideas


def _severity(post) -> str | None:
    return "warning" if post.status in LENIENT else None


def platform_table(repo):
    yield from platforms.load()[1]


def text_limits(repo):
    table = platforms.table()
    for post in repo.posts:
        as_written = body_as_posted(post, repo)      # None: a thread, or links to tag
        tagged = None if as_written is not None or post.thread else copy_tagger(post, repo, post.body.strip())
        for pid in post.platforms:
            platform = table.get(pid)
            if platform is None:
                continue
            if pid not in post.variants and not post.thread:
                text = as_written if as_written is not None else tagged(pid)
                if not _within(post, platform, text, ""):
                    yield from _copy(post, platform, text, (), "the copy", "")
                if platform.title_required:
                    yield from _title(post, platform, None)
                continue
            rendition = render(post, pid, repo)
            numbered = rendition.is_thread
            for index, part in enumerate(rendition.parts):
                if not _within(post, platform, part.text, part.content_warning):
                    label = f"part {index + 1} of the thread" if numbered else "the copy"
                    yield from _copy(post, platform, part.text, part.source, label, part.content_warning)
            if rendition.title or platform.title_required:
                yield from _title(post, platform, rendition.title)


def _within(post, platform, text: str, content_warning: str) -> bool:
    """True when _copy finds nothing about `text` for certain, told by a few comparisons (most copy
    keeps every limit by far, and _copy is a generator of four checks, started for each piece of
    copy on each platform); False when _copy must look."""
    limit, ceiling, _, byte_limit, hashtag_limit = platform.copy_limits
    return (len(text) <= limit and ceiling(text, content_warning) <= limit
            and not (byte_limit and 4 * len(text) > byte_limit)          # a code point is 4 bytes at most
            and not (hashtag_limit and ("#" in text or "\uff03" in text))
            and (text.strip() != "" or bool(post.media) or post.status not in _POSTED))


_POSTED = ("scheduled", "published")     # statuses whose copy may not be empty


def _copy(post, platform, text: str, source: tuple, label: str, content_warning: str):
    """The limits one piece of copy must keep on `platform`, counted the platform's way."""
    limit, ceiling, count, byte_limit, hashtag_limit = platform.copy_limits
    if len(text) > limit or ceiling(text, content_warning) > limit:   # copy longer than the limit is counted
        length = count(text, content_warning)
        if length > limit:
            yield F.make(f"limit.{platform.id}.length", post.path, F.Lazy(copy_location, post, source, text),
                         f"{label} counts {length} on {platform.name}; the limit is {limit}",
                         severity=_severity(post), platform=platform.id, over=length - limit,
                         platform_id=platform.id, network=platform.name)
    if byte_limit and len(text.encode("utf-8")) > byte_limit:
        yield F.make(f"limit.{platform.id}.bytes", post.path, F.Lazy(copy_location, post, source, text),
                     f"{label} is {len(text.encode('utf-8'))} bytes; {platform.name} allows {byte_limit}",
                     severity=_severity(post), platform=platform.id, limit=byte_limit, network=platform.name)
    if not text.strip() and not post.media and post.status in _POSTED:
        yield F.make("copy.empty", post.path, F.Lazy(copy_location, post, source, text),
                     f"{label} is empty on {platform.name}", platform=platform.id, platform_id=platform.id)
    if hashtag_limit and len(hashtags(text)) > hashtag_limit:
        yield F.make(f"limit.{platform.id}.hashtags", post.path, F.Lazy(copy_location, post, source, text),
                     f"{label} has {len(hashtags(text))} hashtags; {platform.name} allows {hashtag_limit}",
                     severity=_severity(post), platform=platform.id, limit=hashtag_limit, network=platform.name)


def _title(post, platform, title: str | None):
    spec = platform.section("title")
    if title and spec and len(title) > spec["limit"]:
        yield F.make(f"limit.{platform.id}.title", post.path, post.doc.value_at("variants", platform.id, "title"),
                     f"the title is {len(title)} characters; {platform.name} allows {spec['limit']}",
                     severity=_severity(post), platform=platform.id, limit=spec["limit"], network=platform.name)
    if spec.get("required") and not title and post.status != "idea":
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
                             f'there is a variant for "{pid}", which is not among the post\'s platforms',
                             platform_id=pid)
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
