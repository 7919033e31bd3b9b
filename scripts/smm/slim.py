"""Slim posts: what the rules across posts, and the cache, keep of a post.

A slim post is a Post whose document is a SlimDoc and whose other fields are empty, except
ACROSS_FIELDS; it travels (from a worker, into the cache) as a plain tuple, its row.
"""
from __future__ import annotations

import marshal
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from operator import attrgetter

from .model import Post

CROSS_POST_KEYS = (("id",), ("publish_at",), ("boost",), ("boost", "currency"))


@dataclass
class SlimDoc:
    """The part of a post's document the rules across posts use: its path, keys and their places."""

    path: str
    data: dict
    places: dict = field(default_factory=dict)
    body_line: int = 1

    def where(self, *path) -> tuple[int, int]:
        return self.places.get(path, (1, 1))

    value_at = where


# The fields of a post that the rules across posts read, and the per-post rules run in this
# process (rules.IN_PARENT) or run again by the cache on a later day (rules.ON_THE_DAY). A slim
# post keeps these, its path and the places of CROSS_POST_KEYS, and nothing else, so two posts
# with equal slim copies give the same findings across posts: a run that checked a few posts keeps
# what the rules across posts found when their slim copies did not change (cache.py).
# tests/test_parallel.py holds this list to the rules: run on slim posts whose other fields
# cannot be used, they find what they find on the full posts.
ACROSS_FIELDS = ("id", "status", "platforms", "publish_at", "campaign", "boost", "language", "holiday_ok")
_LEFT_OUT = [f for f in fields(Post) if f.name != "doc" and f.name not in ACROSS_FIELDS]
_EMPTY = {f.name: () if f.default_factory is list else "" if f.default is MISSING else f.default
          for f in _LEFT_OUT if f.default_factory is not dict}
_EMPTY_DICTS = tuple(f.name for f in _LEFT_OUT if f.default_factory is dict)   # one each: render() fills renditions
_ACROSS = attrgetter(*ACROSS_FIELDS)


def row_of(post) -> tuple:
    """The slim copy of `post` as a plain tuple: how posts cross the pipe from a worker and are kept
    in the cache (tuples pickle and unpickle in half the time of dataclass objects)."""
    doc = post.doc
    places = {key: doc.value_at(*key) for key in CROSS_POST_KEYS if key[0] in doc.data}
    data = {key: True for key in ("id", "publish_at", "boost") if key in doc.data}
    return (doc.path, data, places, doc.body_line, *_ACROSS(post))


_new = object.__new__


def from_row(row: tuple):
    """The slim post of a row, made as Post(...) would make it, its fields set in their order
    (see repository._post): the row's ACROSS_FIELDS, the others as _EMPTY holds them, a dictionary
    of its own for each of _EMPTY_DICTS (tests/test_parallel.py holds the three to this). The
    cache makes 10,000 of them whenever the rules across posts run again."""
    doc = _new(SlimDoc)           # objects made as their __init__ would make them, without it
    doc.path, doc.data, doc.places, doc.body_line = row[0], row[1], row[2], row[3]
    post = _new(Post)
    post.doc, post.id, post.title, post.status, post.platforms, post.body = doc, row[4], "", row[5], row[6], ""
    post.publish_at, post.campaign, post.personas, post.pillar, post.authors = row[7], row[8], (), None, ()
    post.language, post.media, post.thread, post.variants, post.sponsored = row[10], (), None, {}, False
    post.boost, post.legal_review, post.holiday_ok, post.tags, post.publish_time = row[9], False, row[11], (), None
    post.renditions, post.path = {}, row[0]
    return post


_AT = 4 + ACROSS_FIELDS.index("publish_at")       # where a row holds the post's time


def across_key(row: tuple) -> bytes:
    """A digest of a slim post: equal digests, equal slim posts (the same findings across posts).
    Of the row written out with marshal (version 2: values only, no references between them) and
    its time as a datetime pickles it (fields, fold) with its zone's repr; a row marshal cannot
    write (a value of another type) is digested as its repr. Never a pickle's bytes: a pickle also
    records which of its values are the same object. Marshal takes 2.2 us a row, repr 5.3 (2,000
    rows of core-key posts). Worked out for the posts a run compares with their stored copies only
    (cache.Store._same_slim_copy)."""
    import hashlib
    at = row[_AT]
    try:
        if at is not None and type(at) is not datetime:
            raise ValueError("not a datetime")
        when = None if at is None else (at.__reduce_ex__(4)[1][0], repr(at.tzinfo))
        written = b"m" + marshal.dumps((row[:_AT], row[_AT + 1:], when), 2)
    except ValueError:
        written = b"r" + repr(row).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(written, digest_size=16).digest()
