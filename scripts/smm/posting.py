"""How a post comes out on one platform: the text as posted, counted the platform's way.

One function, `render`, feeds the rules, `smm preview`, the site and the exports.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

from . import counting, links, platforms


@dataclass
class Part:
    """A piece of text a platform limits (the copy, a title, a thread's post), with its limit and
    how the platform counts it."""

    text: str
    limit: int
    source: tuple          # where the text is written in the front matter; () for the body
    counting: str = "code_points"      # how the platform counts (counting.COUNTERS)
    content_warning: str = ""          # counted with the text where the platform says so

    @cached_property
    def length(self) -> int:
        """The text counted the platform's way; worked out when asked for."""
        return counting.COUNTERS[self.counting](self.text, self.content_warning)

    @property
    def over_limit(self) -> bool:
        """Whether the length exceeds the limit; counted exactly only when a cheap upper bound of
        the length (counting.CEILINGS) does."""
        if counting.CEILINGS[self.counting](self.text, self.content_warning) <= self.limit:
            return False
        return self.length > self.limit

    @property
    def over(self) -> int:
        return max(0, self.length - self.limit)


@dataclass
class Rendition:
    """A post as one platform will show it: its parts, title, content warning, first comment and
    media."""

    post_id: str
    platform: str
    parts: list[Part]
    title: str | None = None
    content_warning: str | None = None
    first_comment: str | None = None
    media: list = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return len(self.parts) > 1


def medium(post) -> str:
    return "paid" if (post.boost or post.sponsored) else "social"


def utm_for(post, platform_id: str, repo) -> dict:
    return links.utm_parameters(platform_id, medium(post), utm_campaign(post, repo), post.id)


def utm_campaign(post, repo) -> str | None:
    campaign = repo.campaign_of(post)
    return (campaign.utm_campaign or campaign.slug) if campaign else post.campaign


def render(post, platform_id: str, repo) -> Rendition:
    """The post as posted on one platform; computed once per post and platform."""
    cached = post.renditions.get(platform_id)
    if cached is None:
        cached = post.renditions[platform_id] = _render(post, platform_id, repo)
    return cached


def _render(post, platform_id: str, repo) -> Rendition:
    platform = platforms.get(platform_id)
    variant = post.variants.get(platform_id)
    domains = repo.strategy.brand_domains
    cw = (variant.content_warning if variant else None) or ""
    texts, sources = _texts(post, platform_id, platform)
    parts = []
    for text, source in zip(texts, sources):
        # the UTM parameters are worked out only for copy with a link to a brand domain
        posted = links.tag_text(text, domains, utm_for(post, platform_id, repo)) \
            if links.brand_links(text, domains) else text
        parts.append(Part(text=posted, limit=platform.text_limit if platform else 0, source=source,
                          counting=platform.counting if platform else "code_points", content_warning=cw))
    return Rendition(post_id=post.id, platform=platform_id, parts=parts,
                     title=variant.title if variant else None, content_warning=cw or None,
                     first_comment=variant.first_comment if variant else None, media=list(post.media))


def _texts(post, platform_id: str, platform) -> tuple[list[str], list[tuple]]:
    variant = post.variants.get(platform_id)
    if variant and variant.thread:
        texts, base = variant.thread, ("variants", platform_id, "thread")
    elif variant and variant.text is not None:
        return [variant.text.strip()], [("variants", platform_id, "text") if variant.structured
                                         else ("variants", platform_id)]
    elif post.thread:
        texts, base = post.thread, ("thread",)
    else:
        return [post.body.strip()], [()]
    texts = [t.strip() for t in texts]
    if platform is not None and not platform.has_threads:
        return ["\n\n".join(texts)], [base]
    return texts, [base + (i,) for i in range(len(texts))]


def body_as_posted(post, repo) -> str | None:
    """What render() posts on every platform without a variant, when that is the body as written
    (no thread, no link to a brand domain to tag), so a rule can check it without rendering; else
    None."""
    if post.thread or links.may_link_to(post.body, repo.strategy.brand_domains):
        return None
    return post.body.strip()


def copy_tagger(post, repo, body: str):
    """f(platform id) -> the text render() posts on a platform the post has no variant for, when
    the post has no thread (`body`: its body stripped): its links to the brand's domains tagged for
    the platform. Worked out without making renditions, what does not depend on the platform once
    (links.tagger), for a rule that only counts the copy."""
    return links.tagger(body, repo.strategy.brand_domains, medium(post), utm_campaign(post, repo), post.id)


def hashtags(text: str) -> list[str]:
    if "#" not in text and "\uff03" not in text:      # "＃", the full-width hash, starts one too
        return []
    return counting.HASHTAG.findall(text)


def written_copies(post) -> list[tuple[tuple, str]]:
    """Every piece of copy as the author wrote it, with where it is written: (source, text)."""
    out = []
    if post.body.strip():
        out.append(((), post.body))
    for i, part in enumerate(post.thread or []):
        out.append((("thread", i), part))
    for pid, variant in post.variants.items():
        if variant.thread:
            out += [(("variants", pid, "thread", i), part) for i, part in enumerate(variant.thread)]
        if variant.text is not None:
            out.append((("variants", pid, "text") if variant.structured else ("variants", pid), variant.text))
        if variant.first_comment:
            out.append((("variants", pid, "first_comment"), variant.first_comment))
    return out


def copy_location(post, source: tuple, text: str = "", offset: int = 0) -> tuple[int, int]:
    """Line and column in the file of `offset` within the copy written at `source`."""
    doc = post.doc
    newlines = _newlines(text) if offset else ()
    before = bisect_left(newlines, offset) if newlines else 0     # the copy's line breaks before `offset`
    if source == ():
        body = post.body
        start = _first_place(body, text)
        line = doc.body_line + body.count("\n", 0, start) + before
        return line, (offset - newlines[before - 1] if before else start + offset - body.rfind("\n", 0, start))
    line, column = doc.value_at(*source)
    if doc.parsed.is_block(source):
        return line + 1 + before, (offset - newlines[before - 1] if before else offset + 1) + 2
    return line, column + offset if offset and not before else column


def _newlines(text: str) -> list[int]:
    """Where the line breaks of `text` are, found once for the last copy asked about: a rule places
    each of its findings in a piece of copy, and looking for the line breaks before each again (the
    copy up to it sliced and counted) took the square of the copy's length: 22 s for 128,000
    findings in 900,000 characters."""
    return _LAST_COPY.kept(text, "line breaks", _line_breaks)


def _line_breaks(text: str) -> list[int]:
    found, at = [], text.find("\n")
    while at >= 0:
        found.append(at)
        at = text.find("\n", at + 1)
    return found


_LAST_COPY = counting.LastText()      # the last copy a finding was placed in (not counting's own memo)


def _first_place(body: str, text: str) -> int:
    """Where `text` first occurs in `body`: most often it is the body stripped (what a platform
    posts), found without a search (2-5 us for copy of 1,500 characters). Copy the body does not
    hold is the body as posted, its links tagged: it is placed where the body's copy starts, after
    the blank lines an author may leave below the front matter. Worked out once for the last copy
    asked about, as copy_location places each finding in it (comparing the copy with the body
    again for each of 128,000 findings in 900,000 characters took 1.4 s)."""
    facts = _LAST_COPY.about(text)
    if facts.get("body") is not body:
        facts["body"], facts["place"] = body, _place_in(body, text)
    return facts["place"]


def _place_in(body: str, text: str) -> int:
    if not text:
        return 0
    lead = len(body) - len(body.lstrip())
    if body.startswith(text, lead):
        return lead             # text starts with what the body's lead (spaces) does not hold
    at = body.find(text)
    return at if at >= 0 else lead
