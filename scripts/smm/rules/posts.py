"""Rules on single posts and campaigns: ids, paths, times, media files."""
from __future__ import annotations

from functools import lru_cache

from .. import findings as F
from ..media import locate
from ..model import POST_PATH
from ..times import offset_text

NEEDS_TIME = ("scheduled", "published")


def unique_ids(repo):
    first = {}              # id -> the first post with it (no list per id: ten thousand posts, a few repeats)
    for post in repo.posts:
        earlier = first.setdefault(post.id, post)
        if earlier is not post:
            where = post.doc.value_at("id") if "id" in post.doc.data else (1, 1)
            yield F.make("post.id-duplicate", post.path, where, f'post id "{post.id}" is also used by {earlier.path}')


def post_paths(repo):
    zone = repo.timezone
    for post in repo.posts:
        match = POST_PATH.match(post.path)
        if not match:
            yield F.make("post.path", post.path, (1, 1), "the file is not at content/posts/YYYY/MM/DD-slug.md")
            continue
        if post.publish_at is None:
            continue
        local = post.publish_at.astimezone(zone)
        if _same_day(local, match) and local.year >= 1000:     # below, strftime writes fewer digits
            continue
        expected = f"content/posts/{local:%Y/%m/%d}-{match.group(4)}.md"
        if expected != post.path:
            yield F.make("post.path-date", post.path, post.doc.value_at("publish_at"),
                         f"the file's date differs from publish_at ({local:%Y-%m-%d} in {zone.key})",
                         expected=expected)


def _same_day(moment, match) -> bool:
    """True when the date in a post's path (POST_PATH's match) is the day of `moment`: the path's
    "YYYY/MM/DD" against the day's, written once a day (a year of posts has 365 days, and reading
    the path's three numbers took longer than looking the day up)."""
    return match.string.startswith(_written_day(moment.date()), match.start(1))


@lru_cache(maxsize=4096)
def _written_day(day) -> str:
    """The day as a post's path writes it: "YYYY/MM/DD"."""
    return f"{day.year:04}/{day.month:02}/{day.day:02}"


def publish_times(repo):
    tz = repo.timezone
    for post in repo.posts:
        doc, resolved = post.doc, post.publish_time
        if resolved is None:
            if post.status in NEEDS_TIME:
                yield F.make("time.missing", post.path, (1, 1), f'a {post.status} post has no "publish_at"',
                             status=post.status)
            continue
        if resolved.problem is None:
            continue
        where = doc.value_at("publish_at")
        if resolved.problem == "invalid":
            yield F.make("time.invalid", post.path, where,
                         f'publish_at "{doc.data["publish_at"]}" is not a valid time: {resolved.detail}')
        elif resolved.problem == "nonexistent":
            yield F.make("time.nonexistent", post.path, where, resolved.detail, timezone=tz.key)
        elif resolved.problem == "ambiguous":
            example = f'"{resolved.when:%Y-%m-%dT%H:%M}{offset_text(resolved.when)}"'
            yield F.make("time.ambiguous", post.path, where, resolved.detail + "; the first one is used",
                         timezone=tz.key, example=example)


def media_files(repo):
    for post in repo.posts:
        for media in post.media:
            yield from _media_file(repo, post, media.path, ("media", media.index, "path"))
            if media.cover:
                yield from _media_file(repo, post, media.cover, ("media", media.index, "cover"))
            if not media.alt.strip():
                yield F.make("media.alt-missing", post.path, post.doc.where("media", media.index),
                             f'{media.kind} "{media.path}" has no alt text')


_MEDIA_PROBLEMS = {  # locate() problem -> rule and message
    "outside": ("media.path-outside", 'media path "{}" leaves the repository'),
    "links-outside": ("media.path-outside", 'media path "{}" links outside the repository'),
    "unresolvable": ("media.missing", 'media file "{}" cannot be resolved'),
    "missing": ("media.missing", 'media file "{}" does not exist'),
}


def _media_file(repo, post, path: str, where_path: tuple):
    problem = locate(repo, path).problem
    if problem:
        rule, message = _MEDIA_PROBLEMS[problem]
        yield F.make(rule, post.path, post.doc.value_at(*where_path), message.format(path))


def campaign_dates(repo):
    for campaign in repo.campaigns.values():
        if campaign.start and campaign.end and campaign.end < campaign.start:
            yield F.make("campaign.dates", campaign.path, campaign.doc.value_at("end"),
                         f"the campaign ends ({campaign.end}) before it starts ({campaign.start})")


RULES = [unique_ids, post_paths, publish_times, media_files, campaign_dates]
