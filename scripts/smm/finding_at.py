"""A pattern's matches, tried only where one can start.

The `regex` module tries a pattern at every position of a text: 10-35 us over 1,500 characters of
copy for the link and hashtag patterns, which can only start at a few places (a colon, a "://", a
hash sign). Each caller names those places; the tests hold each to the pattern's finditer.
"""
from __future__ import annotations


def matches(pattern, text: str, starts) -> list:
    """What pattern.finditer(text) finds, given (in order) every place a match can start. The
    pattern sees the text before a start: its look-behinds and word boundaries hold as in a search."""
    found, position = [], 0
    for start in starts:
        if start >= position:
            match = pattern.match(text, start)
            if match:
                found.append(match)
                position = match.end()
    return found


def substituted(pattern, text: str, starts, replacement) -> str:
    """What pattern.sub(replacement, text) gives (`replacement` a function of the match), given
    every place a match can start, as matches() takes them."""
    out, position = [], 0
    for match in matches(pattern, text, starts):
        out.append(text[position:match.start()])
        out.append(replacement(match))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def occurrences(text: str, needle: str):
    """Where `needle` starts in `text`, overlapping occurrences too, in order."""
    at = text.find(needle)
    while at >= 0:
        yield at
        at = text.find(needle, at + 1)


def holds_any(text, needles) -> bool:
    """Whether `text` (str or bytes) holds one of `needles`: a loop, not any() over a generator,
    as it is asked for every post."""
    for needle in needles:
        if needle in text:
            return True
    return False
