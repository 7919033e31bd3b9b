"""Media on each platform: how many, which kinds, alt text, file size, aspect ratio."""
from __future__ import annotations

from collections import Counter

from .. import findings as F
from .. import platforms
from ..media import inspect, locate

NEEDS = {"any": "an image or a video", "image": "an image", "video": "a video"}


def _severity(post):
    return "warning" if post.status == "idea" else None


def _info(repo, media):
    """What the media file holds, or None when it is missing or outside the repository."""
    file = locate(repo, media.path).file
    return inspect(file, media.kind) if file else None


def media_files_readable(repo):
    for post in repo.posts:
        for media in post.media:
            info = _info(repo, media)
            if info is not None and not info.readable:
                yield F.make("media.unreadable", post.path, post.doc.value_at("media", media.index, "path"),
                             f'"{media.path}" cannot be read as an image')


_NO_MEDIA = Counter()    # the kinds of a post without media, shared: a Counter stores no count it is asked for


def media_per_platform(repo):
    table = platforms.table()
    for post in repo.posts:
        kinds = Counter(m.kind for m in post.media) if post.media else _NO_MEDIA
        for pid in post.platforms:
            platform = table.get(pid)
            if platform is None:
                continue
            if platform.media_needed != "none":
                yield from _required(post, platform, kinds)
            if post.media:                  # the rest is about the media a post has
                yield from _too_many(post, platform, platform.section("media"), _severity(post), kinds)
                yield from _each(post, platform, repo)


def _required(post, platform, kinds):
    needs = platform.media_needed
    if needs == "none" or (kinds[needs] if needs in ("image", "video") else post.media):   # "any": some media
        return
    yield F.make(f"media.{platform.id}.required", post.path, post.doc.where("platforms"),
                 f"{platform.name} posts need {NEEDS[needs]}", severity=_severity(post), needs=NEEDS[needs],
                 platform=platform.id, network=platform.name)


def _too_many(post, platform, spec, sev, kinds):
    where = F.Lazy(post.doc.where, "media")
    base = dict(platform=platform.id, network=platform.name)
    too_many = [(kind, kinds[kind], spec.get(f"max_{kind}s", 0)) for kind in ("image", "video", "gif")
                if kinds[kind] > spec.get(f"max_{kind}s", 0)]
    total = sum(kinds.values())
    if spec.get("max_items") is not None and total > spec["max_items"]:
        too_many.append(("item", total, spec["max_items"]))
    for kind, count, limit in too_many:
        yield F.make(f"media.{platform.id}.count", post.path, where,
                     f"{count} {kind}{'s' if count != 1 else ''} on {platform.name}; the limit is {limit}",
                     severity=sev, allowed=_allowed(spec), **base)
    if not spec.get("mixing") and len([k for k in kinds if kinds[k]]) > 1:
        yield F.make(f"media.{platform.id}.mixing", post.path, where,
                     f"{platform.name} cannot mix {' and '.join(sorted(kinds))} in one post", severity=sev, **base)


def _allowed(spec) -> str:
    kinds = [f"{spec.get(f'max_{k}s', 0)} {k}{'s' if spec.get(f'max_{k}s', 0) != 1 else ''}"
             for k in ("image", "video", "gif") if spec.get(f"max_{k}s", 0)]
    return (" or " if not spec.get("mixing") else ", ").join(kinds) or "no media"


def _each(post, platform, repo):
    spec, sev = platform.section("media"), _severity(post)
    alt_limit = platform.section("alt_text").get("limit")
    base = dict(platform=platform.id, network=platform.name)
    for media in post.media:
        where = F.Lazy(post.doc.where, "media", media.index)
        if alt_limit and len(media.alt) > alt_limit:
            yield F.make(f"limit.{platform.id}.alt", post.path, post.doc.value_at("media", media.index, "alt"),
                         f"alt text is {len(media.alt)} characters; {platform.name} allows {alt_limit}",
                         severity=sev, limit=alt_limit, **base)
        if media.kind == "video" and spec.get("video_needs_cover") and not media.cover:
            yield F.make(f"media.{platform.id}.cover", post.path, where,
                         f"a video on {platform.name} needs a cover image", severity=sev, **base)
        info = _info(repo, media)
        if info is None or not info.readable or media.kind != "image":
            continue
        yield from _image_limits(post, platform, spec, info, media, where, sev, base)


def _image_limits(post, platform, spec, info, media, where, sev, base):
    limit = spec.get("image_max_bytes")
    if limit and info.bytes > limit:
        yield F.make(f"media.{platform.id}.size", post.path, where,
                     f'"{media.path}" is {info.bytes:,} bytes; {platform.name} allows {limit:,}',
                     severity=sev, limit=f"{limit:,}", **base)
    ratio = spec.get("aspect_ratio")
    if ratio and info.aspect and not (ratio["min"] - 0.005 <= info.aspect <= ratio["max"] + 0.005):
        yield F.make(f"media.{platform.id}.aspect", post.path, where,
                     f'"{media.path}" is {info.width}x{info.height} (ratio {info.aspect:.2f}); '
                     f'{platform.name} allows {ratio["min"]} to {ratio["max"]}',
                     severity=sev, low=ratio["min"], high=ratio["max"], **base)


RULES = [media_files_readable, media_per_platform]
