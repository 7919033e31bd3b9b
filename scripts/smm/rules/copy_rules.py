"""Rules on the words of a post: links, paid disclosure, and the brand's voice."""
from __future__ import annotations

import regex

from .. import findings as F
from .. import links, voice
from ..posting import copy_location, render, written_copies


def link_schemes(repo):
    for post in repo.posts:
        for source, text in written_copies(post):
            if ":" not in text:
                continue               # every scheme ends in a colon
            for link in links.bad_links(text):
                yield F.make("link.scheme", post.path, copy_location(post, source, text, link.start),
                             f'"{link.url[:60]}" is not a web link that can be posted')


def _disclosed(text: str, markers) -> bool:
    return any(regex.search(r"(?<![\p{L}\p{N}_#])" + regex.escape(m) + r"(?![\p{L}\p{N}_])", text,
                            regex.IGNORECASE) for m in markers)


def disclosure(repo):
    markers = repo.strategy.settings.get("disclosure") or ["#ad"]
    for post in repo.posts:
        if not (post.sponsored or post.boost):
            continue
        for pid in post.platforms:
            rendition = render(post, pid, repo)
            if not any(_disclosed(part.text, markers) for part in rendition.parts):
                source = rendition.parts[0].source if rendition.parts else ()
                yield F.make("disclosure.missing", post.path,
                             copy_location(post, source, rendition.parts[0].text if rendition.parts else ""),
                             f"a {'sponsored' if post.sponsored else 'boosted'} post has no disclosure on {pid}",
                             platform=pid, markers=", ".join(markers), network=pid)


def brand_voice(repo):
    rules = repo.strategy.voice      # loaded with the strategy, once (problems in its files are reported there)
    if not rules:
        return
    may_match = repo.strategy.voice_screen
    for post in repo.posts:
        for source, text in written_copies(post):
            for rule in may_match(text):
                if rule.stopped:
                    continue
                try:
                    found = rule.check(text)
                except TimeoutError:           # a pattern that may try ways without end (voice.may_backtrack)
                    rule.stopped = True
                    yield _too_slow(post, source, text, rule)
                    continue
                for match in found:
                    yield F.make(f"voice.{rule.id}", post.path, copy_location(post, source, text, match.start),
                                 match.message, severity=rule.level, hint=match.hint)


def _too_slow(post, source: tuple, text: str, rule):
    return F.make("voice.too-slow", post.path, copy_location(post, source, text),
                  f"the voice rule {rule.id} searched this copy for more than {voice.SEARCH_SECONDS:g} s and was "
                  "stopped; it is not used for the rest of this check", rule_path=rule.path)


RULES = [link_schemes, disclosure, brand_voice]
