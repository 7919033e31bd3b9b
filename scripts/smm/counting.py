"""Counting text the way each platform counts it.

* X: twitter-text v3 weighted length (NFC; a URL counts 23; an emoji sequence
  counts 2; code points in the light ranges count 1, all others 2).
  Source: twitter/twitter-text config/v3.json and js/src/parseTweet.js.
* Bluesky: grapheme clusters of the text as posted (and at most 3,000 UTF-8 bytes).
  Source: bluesky-social/atproto lexicons/app/bsky/feed/post.json.
* Mastodon: grapheme clusters after each link becomes 23 characters and
  each @user@domain becomes @user; the content warning counts too. A link counts
  23 only when its host ends in a known TLD (twitter-text's domain rule, kept by
  Mastodon). Sources: mastodon/mastodon app/validators/status_length_validator.rb,
  config/initializers/twitter_regex.rb.
* utf16: UTF-16 code units, where the API says so (TikTok).
* utf8_bytes: UTF-8 bytes, where the API says so (YouTube descriptions).
* code points: what the platform's API documents as "characters" when it says
  no more (LinkedIn, Instagram, Facebook, Threads, Pinterest).
"""
from __future__ import annotations

import re
import unicodedata
from collections import namedtuple
from functools import lru_cache

import regex

from . import DATA
from .finding_at import occurrences, substituted
from .patterns import WhenUsed


def _when_used(name: str, *args):
    """regex.compile(*args) when the pattern is first used (patterns.py): most patterns here serve
    only exact counts, which copy within a platform's cheap bound never needs."""
    return WhenUsed(globals(), name, regex.compile, *args)


X_URL_LENGTH = 23
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_HEAVY, X_LIGHT = 2, 1

_GRAPHEME = _when_used("_GRAPHEME", r"\X")
_KEYCAP = _when_used("_KEYCAP", r"^[0-9#*]\uFE0F?\u20E3$")
_FLAG = _when_used("_FLAG", r"^\p{Regional_Indicator}{2}$")
_TAG_FLAG = _when_used("_TAG_FLAG", r"^\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F$")
_NOT_EMOJI_ALONE = _when_used("_NOT_EMOJI_ALONE",
                              r"[0-9#*\p{Regional_Indicator}\U0001F3FB-\U0001F3FF\U0001F9B0-\U0001F9B3]")

# URLs, written after twitter-text's documented behaviour (see module docstring).
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$\"`"
_DOMAIN_CHAR = rf"[^{_PUNCT}\s\p{{Cc}}\p{{Cf}}\p{{Z}}]"
# A label: domain characters, with _ and - between them. Atomic: only the longest can be followed by
# the "." a domain needs, so trying shorter ones (what made a search of a line of copy cost 0.3 ms
# and more) can never match.
_LABEL = rf"(?>{_DOMAIN_CHAR}(?:[_-]*{_DOMAIN_CHAR})*)"
_LATIN = r"\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268" \
         r"\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF\u0400-\u04FF"
_PATH_CHAR = rf"[a-z0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN}]"
_PATH_END = rf"[+\-a-z0-9=_#/{_LATIN}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*(?:{_PATH_END}|{_PARENS})|@{_PATH_CHAR}+/)"
_QUERY = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"


@lru_cache(maxsize=1)
def tlds() -> tuple[str, ...]:
    text = (DATA / "tlds.txt").read_text("utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(sorted(names, key=len, reverse=True))


# twitter-text's URL pattern, in two parts around its top-level domain: the 1,574 of tlds.txt written
# into one pattern took 0.2 s to compile, in every process that counted copy with a link exactly.
# The domain's labels are matched by the pattern and its top-level domain looked up (_domain_end),
# tried where the pattern would try them. tests/test_counting.py holds x_urls to the pattern.
_FLAGS = regex.IGNORECASE | regex.VERSION1


_UrlParts = namedtuple("_UrlParts", "head tail tld_run not_after_tld head_start label")
_PRECEDING = r"(?:^|(?<=[^a-z0-9@＠$#＃]))"        # what may come before a URL


@lru_cache(maxsize=1)
def _url_parts() -> _UrlParts:
    """The pattern's parts before and after the top-level domain, and the characters that may not
    follow a top-level domain (these, "@" and "+"), compiled when copy is first counted with a
    link (20 ms: not at every start)."""
    return _UrlParts(
        head=regex.compile(rf"{_PRECEDING}(?P<scheme>https?://)?(?P<labels>(?:{_LABEL}\.)+)", _FLAGS),
        tail=regex.compile(rf"(?::[0-9]+)?(?:/{_PATH}*)?(?:\?{_QUERY})?", _FLAGS),
        tld_run=regex.compile(r"[a-z0-9\-]+", _FLAGS), not_after_tld=regex.compile(r"[a-z0-9@+\-]", _FLAGS),
        head_start=regex.compile(rf"{_PRECEDING}{_DOMAIN_CHAR}", _FLAGS),
        label=regex.compile(_LABEL, _FLAGS))


# The characters beyond ASCII whose casefold holds ASCII ("ß" -> "ss", the Kelvin sign -> "k", "ﬁ" ->
# "fi"; tests hold this to every code point). The pattern takes three of them as ASCII letters
# (_TO_ASCII); the others it matches against as many letters of a top-level domain as their
# casefold has, which a run of single letters cannot show (_FOLDS_TO_MANY).
CASEFOLD_TO_ASCII = frozenset("\u00df\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e\u212a"
                              "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06")
_TO_ASCII = str.maketrans("\u0130\u017f\u212a", "isk")
_FOLDS_TO_MANY = CASEFOLD_TO_ASCII.difference("\u0130\u017f\u212a")


@lru_cache(maxsize=1)
def _tlds_folded() -> tuple[frozenset, int]:
    """(the top-level domains casefolded, the longest of them)."""
    folded = frozenset(t.casefold() for t in tlds())
    return folded, max(map(len, folded))


def _fold(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_TO_ASCII).casefold()


def _domain_end(text: str, labels_start: int, labels_end: int, end: int) -> int | None:
    """Where the domain whose labels (each with its dot) span labels_start..labels_end ends: after
    the top-level domain the pattern would take, tried after the last label first, then after
    each earlier one (giving labels back); None when there is none."""
    at = labels_end
    while at > labels_start:
        found = _tld_end(text, at, end)
        if found is not None:
            return found
        at = text.rfind(".", labels_start, at - 1) + 1     # 0 when there is none: the loop ends
    return None


def _tld_end(text: str, at: int, end: int) -> int | None:
    """Where a top-level domain starting at `at` ends, as the pattern's alternation of them (the
    longest first), then "xn--" and more, followed by a character that is not a letter, digit,
    "-", "@" or "+". A listed one in ASCII letters is the whole run of such characters."""
    run = _url_parts().tld_run.match(text, at, end)
    stop = run.end() if run else at
    after = text[stop] if stop < end else ""
    if run is None or after in _FOLDS_TO_MANY:
        found = _listed_tld_end(text, at, end)
        if found is not None or run is None:
            return found
    if after in ("@", "+"):
        return None
    word = _fold(run[0])
    if (after not in _FOLDS_TO_MANY and word in _tlds_folded()[0]) or (word.startswith("xn--") and len(word) > 4):
        return stop
    return None


def _listed_tld_end(text: str, at: int, end: int) -> int | None:
    folded, longest = _tlds_folded()
    for stop in range(min(at + longest, end), at, -1):
        if _fold(text[at:stop]) in folded and (stop == end or not _url_parts().not_after_tld.match(text, stop, end)):
            return stop
    return None


_ASCII_DOMAIN = _when_used("_ASCII_DOMAIN", rf"^(?:[\-a-z0-9{_LATIN}]+\.)+[a-z0-9\-]+$", regex.IGNORECASE)
_TCO = _when_used("_TCO", r"^https?://t\.co/([a-z0-9]+)", regex.IGNORECASE)


_TLD_CANDIDATE = regex.compile(r"\.([a-z0-9-]+|[^\x00-\x7f\s]+)", _FLAGS)


@lru_cache(maxsize=1)
def _tld_set() -> tuple[frozenset, tuple]:
    """(every TLD, the non-ASCII ones as a tuple for str.startswith)."""
    return frozenset(tlds()), tuple(t for t in tlds() if not t.isascii()) + ("xn--",)


def _may_have_url(text: str) -> bool:
    """Cheap test: a URL needs a dot followed by a known top-level domain (or punycode)."""
    return any(map(_may_start_tld, _TLD_CANDIDATE.finditer(text)))


def _tld_dots(text: str) -> int:
    """How many dots of `text` may start a URL's top-level domain: each URL holds one of its own
    (URLs do not overlap, and a candidate holds no dot after its first)."""
    return sum(map(_may_start_tld, _TLD_CANDIDATE.finditer(text))) if "." in text else 0


def _may_start_tld(candidate) -> bool:
    """Whether a match of _TLD_CANDIDATE (a dot and the run after it) may be a URL's top-level domain."""
    known, prefixes = _tld_set()
    token = _fold(candidate.group(1))
    if token in known or token.startswith(prefixes):
        return True
    # "ﬁкто" folds to "fiкто", "ﬁﬆ" to "fist": a top-level domain and more
    return not candidate.group(1).isascii() and any(token[:length] in known for length in range(1, len(token)))


_WORD = re.compile(r"\S+")


def _url_matches(text: str):
    """(start, end, scheme, domain) of each URL the pattern finds in `text`, looked for only in the
    runs of text between spaces that may hold one (each try costs about 0.5 us): no URL holds a
    space (of any kind), and each holds a dot before a known top-level domain. They are the
    matches of the whole text: the space before a run is what the pattern's look-behind asks
    for, as is the space after it for the look-ahead after a domain."""
    for word in _WORD.finditer(text):
        if "." in word[0] and _may_have_url(word[0]):
            yield from _urls_in(text, *word.span())


def _urls_in(text: str, position: int, end: int):
    parts = _url_parts()
    while position < end:
        head = _head_search(parts, text, position, end)
        if head is None:
            return
        domain_end = _domain_end(text, head.start("labels"), head.end(), end)
        if domain_end is None:
            # The pattern would try the next place, and each place up to the labels' end: from each
            # its labels end at the same place, so it would try a part of the same top-level domains,
            # all of which failed (trying them from every place took seconds for a few thousand labels)
            position = head.end()
            continue
        tail_end = parts.tail.match(text, domain_end, end).end()
        yield head.start(), tail_end, head.group("scheme"), text[head.start("labels"):domain_end]
        position = tail_end


def _head_search(parts: _UrlParts, text: str, position: int, end: int):
    """parts.head.search(text, position, end), in time that grows with the text, not its square.
    The search tries every place in turn, and from each inside a run of labels' characters (a
    label and the "-" and "_" that join it to the next) the atomic label runs to the same end: a
    run that no dot follows cost the search the run's length at each of its places (20 s for
    30,000 characters of "a-"). Here the places a head can start are found, and one where the
    labels fail without a scheme rules out the rest of its run, but for a scheme ending it."""
    while position < end:
        start = parts.head_start.search(text, position, end)
        if start is None:
            return None
        head = parts.head.match(text, start.start(), end)
        if head is not None:
            return head
        position = _past_failed_labels(parts, text, start.start(), end)
    return None


def _past_failed_labels(parts: _UrlParts, text: str, at: int, end: int) -> int:
    """Where the search goes on after no head matched at `at` (where one may start): the end of the
    run of labels' characters from there, or the place after `at` if the run ends in a scheme
    ("http" or "https", whose letters are labels' characters) before a "://", so that its
    first letter is tried."""
    run_end = parts.label.match(text, at, end).end()
    if text.startswith("://", run_end):
        return max(at + 1, run_end - 5)
    return run_end


def _text_tld_dots(text: str) -> int:
    """_tld_dots of a whole text, kept for the last text of 200 characters or more: X's bound
    asks, and its count too when the bound is over the limit (shorter copy seldom is)."""
    if len(text) < 200:
        return _tld_dots(text)
    return _LAST.kept(text, "tld dots", _tld_dots)


def x_urls(text: str) -> list[tuple[int, int]]:
    """Spans of the URLs X links (and counts as 23), with or without a scheme."""
    if not _text_tld_dots(text):
        return []
    spans = []
    for start, end, scheme, domain in _url_matches(text):
        if not scheme:
            if start > 0 and text[start - 1] in "-_./":
                continue
            if not _ASCII_DOMAIN.match(domain):
                continue
        else:
            tco = _TCO.match(text[start:end])
            if tco:
                end = start + tco.end()
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


_EMOJI_FIRST = _when_used("_EMOJI_FIRST", r"\p{Emoji}")


def is_emoji(cluster: str) -> bool:
    """True when a grapheme cluster is an emoji (X counts it as 2 whatever its length)."""
    if _FLAG.match(cluster) or _KEYCAP.match(cluster) or _TAG_FLAG.match(cluster):
        return True
    first = cluster[0]
    if _NOT_EMOJI_ALONE.match(first):
        return False
    return bool(_EMOJI_FIRST.match(first))


def _code_point_weight(ch: str) -> int:
    cp = ord(ch)
    for low, high in X_LIGHT_RANGES:
        if low <= cp <= high:
            return X_LIGHT
    return X_HEAVY


def _nfc(text: str) -> str:
    """The text in Unicode's NFC, as X counts it; kept for the last text of 200 characters or more
    (X's bound and its count both ask: 3 us each for 1,500 characters beyond ASCII)."""
    if text.isascii():
        return text
    if len(text) < 200:
        return _to_nfc(text)
    return _LAST.kept(text, "nfc", _to_nfc)


def _to_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def x_length(text: str) -> int:
    """The twitter-text v3 weighted length."""
    text = _nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    total, position = 0, 0
    for start, end in (x_urls(text) if "." in text else ()):
        total += _weigh_plain(text[position:start]) + X_URL_LENGTH
        position = end
    return total + _weigh_plain(text[position:])


# Characters that can join a grapheme cluster with their neighbours (Unicode UAX #29: CR, Extend,
# ZWJ, SpacingMark, Prepend, regional indicators, Hangul jamo and syllables). Text without any
# of them has one cluster per code point, so it can be counted without segmenting it.
_JOINING = _when_used("_JOINING",
    r"[\r\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}"
    r"\p{Grapheme_Cluster_Break=Prepend}\p{Grapheme_Cluster_Break=Regional_Indicator}"
    r"\p{Grapheme_Cluster_Break=L}\p{Grapheme_Cluster_Break=V}\p{Grapheme_Cluster_Break=T}"
    r"\p{Grapheme_Cluster_Break=LV}\p{Grapheme_Cluster_Break=LVT}]")
# A code point that weighs 2 on X when it stands alone: outside the light ranges, or an emoji.
_X_HEAVY_ALONE = _when_used("_X_HEAVY_ALONE",
    r"[^\u0000-\u10FF\u2000-\u200D\u2010-\u201F\u2032-\u2037]|"
    r"(?![0-9#*\p{Regional_Indicator}\U0001F3FB-\U0001F3FF\U0001F9B0-\U0001F9B3])\p{Emoji}")


class _CharacterProperty(dict):
    """Whether `pattern` matches a single character, worked out once per character seen: the
    texts of one repository are written in few alphabets, and a dictionary look-up per character
    is faster than a search with a pattern of Unicode properties."""

    def __init__(self, pattern):
        super().__init__()
        self.pattern = pattern
        self.lacking: set[str] = set()          # the characters seen without it, for whole-text tests

    def __missing__(self, character: str) -> bool:
        found = self[character] = self.pattern.fullmatch(character) is not None
        if not found:
            self.lacking.add(character)
        return found

    def among(self, characters: set) -> list[str]:
        """The characters of a set that have the property."""
        return [character for character in characters.difference(self.lacking) if self[character]]


_JOINS = _CharacterProperty(_JOINING)
_HEAVY_ALONE = _CharacterProperty(_X_HEAVY_ALONE)


# Copy in the Latin alphabets is told by one search in C: below U+0300 only CR joins a neighbour
# in a cluster, and below U+1100 only © and ® weigh 2 on X alone (tests/test_counting.py holds
# both to the patterns, code point by code point). The regex module's search takes 1-2 us over
# 1,500 characters of Latin copy where the re module's took 8-13.
_BEYOND_LATIN = _when_used("_BEYOND_LATIN", "[^\x00-\u02ff]")
_BEYOND_LIGHT = _when_used("_BEYOND_LIGHT", "[^\x00-\u10ff]")
_HEAVY_LIGHT = "©®"


class LastText(dict):
    """What was worked out about the last text asked about: a post's copy is counted on each of
    its platforms (X, Bluesky and Mastodon each segment it), and a rule asks for it again; a rule
    places each of its findings in the same copy (posting.copy_location)."""
    text = None

    def about(self, text: str) -> dict:
        if text is not self.text:
            self.clear()
            self.text = text
        return self

    def kept(self, text: str, name: str, work):
        """work(text), worked out once while `text` is the last text asked about."""
        facts = self.about(text)
        if name not in facts:
            facts[name] = work(text)
        return facts[name]


_LAST = LastText()


def _distinct(text: str) -> set:
    return _LAST.kept(text, "distinct", set)


def _one_cluster_per_code_point(text: str) -> bool:
    facts = _LAST.about(text)
    if "one cluster" not in facts:
        if _BEYOND_LATIN.search(text) is None:
            facts["one cluster"] = "\r" not in text
        elif len(text) >= _SEARCH.length and _beyond_bmp().search(text) is None:
            facts["one cluster"] = _joining_in_bmp().search(text) is None
        elif len(text) >= _SEARCH.length and _joining_places(text, facts) is not None:
            facts["one cluster"] = not facts["places"]
        else:
            _SEARCH.seen(len(text))
            facts["one cluster"] = not _JOINS.among(_distinct(text))
    return facts["one cluster"]


# Long copy beyond the Basic Multilingual Plane (copy with an emoji) is stored four bytes a
# character, and each distinct character is then a new string: the set of them took 25 us over
# 1,500 characters with 17 emoji. Where its joining characters are few (an emoji's variation
# selector, a skin tone, a flag), they are found in place, in one search: those of the plane with
# the pattern of data/joining-bmp.txt, and each character beyond it (few in such copy) looked up.
_FEW_JOINING = 64


def _joining_places(text: str, facts: dict) -> list[int] | None:
    """Where the joining characters of `text` are, in order (kept in `facts`), or None when there
    are more than _FEW_JOINING (Hangul, Indic scripts): their distinct characters are then fewer."""
    places = facts["places"] = []
    for match in _joining_or_beyond_bmp().finditer(text):
        if match[0] < "\U00010000" or _JOINS[match[0]]:
            if len(places) == _FEW_JOINING:
                facts["places"] = None
                return None
            places.append(match.start())
    return places


@lru_cache(maxsize=1)
def _joining_or_beyond_bmp():
    return re.compile(_joining_in_bmp().pattern[:-1] + "\U00010000-\U0010FFFF]")


# Whether copy of the Basic Multilingual Plane holds a joining character is one search with the re
# module's pattern of data/joining-bmp.txt (a table per 256 code points: 7-13 us over 1,500
# characters of Japanese, where the set of its distinct characters took 60-100 us, each a new
# string; the regex module tries such a class's ranges one by one). Compiled when first needed
# (3-4 ms), for copy of _SEARCH.length characters or more. That is 1,000 at first: the compiling
# is paid back by long copy, not by a few posts of 300 characters (a check of 2,000 of them ran
# 0.9 % more instructions searched from 200). Once a process has taken the distinct characters of
# _PAID_BACK characters of copy of 200 or more (about 3 ms of sets), it searches copy from 200
# characters on: 600 characters of Japanese took 2.4 us searched against 19 for their set.
# Beyond the plane the re module too tries ranges one by one (_joining_places: 5.8 against 7.5 us
# for 600 characters with emoji).
_SEARCHED_FROM = 1000
_SEARCHED_FROM_ONCE_PAID = 200
_PAID_BACK = 150_000


class _SearchFrom:
    """The length of copy from which joining characters are searched for (see above)."""

    def __init__(self):
        self.length, self.characters = _SEARCHED_FROM, 0

    def seen(self, length: int) -> None:
        """Copy of `length` characters had the set of its distinct characters taken."""
        if length >= _SEARCHED_FROM_ONCE_PAID:
            self.characters += length
            if self.characters >= _PAID_BACK:
                self.length = _SEARCHED_FROM_ONCE_PAID


_SEARCH = _SearchFrom()


@lru_cache(maxsize=1)
def _beyond_bmp():
    return regex.compile("[\U00010000-\U0010FFFF]")      # compiled when first needed, as the next two


@lru_cache(maxsize=1)
def _joining_in_bmp():
    lines = (DATA / "joining-bmp.txt").read_text("utf-8").splitlines()
    pairs = [line.split("..") for line in lines if line and not line.startswith("#")]
    return re.compile(_bmp_class((int(pair[0], 16), int(pair[-1], 16)) for pair in pairs))


def _bmp_class(ranges) -> str:
    """A character class of (first, last) code points below U+10000."""
    return "[" + "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in ranges) + "]"


def _heavy_alone(text: str) -> int:
    """How many code points of `text` weigh 2 on X when they stand alone: those outside X's light
    ranges, and © and ®, counted in C: per distinct character when those are known (_distinct),
    else the light ones below U+0100 by encoding to Latin-1 and the few others in runs (finding the
    distinct characters of 1,500 of Japanese took 60-100 us)."""
    if _BEYOND_LIGHT.search(text) is None:
        return sum(map(text.count, _HEAVY_LIGHT))
    if "distinct" in _LAST.about(text):
        return sum(map(text.count, _HEAVY_ALONE.among(_distinct(text))))
    light = len(text.encode("latin-1", "ignore")) + sum(map(len, _light_beyond_latin_1().findall(text)))
    return len(text) - light + sum(map(text.count, _HEAVY_LIGHT))


@lru_cache(maxsize=1)
def _light_beyond_latin_1():
    return re.compile(_bmp_class((max(low, 0x100), high) for low, high in X_LIGHT_RANGES) + "+")


def _joining_stretches(text: str) -> list[tuple[int, int]]:
    """(start, end) of each stretch of `text` where a grapheme cluster can hold more than one code
    point: a run of joining characters with the character on either side of it, runs that share a
    neighbour taken together. UAX #29 always breaks between two characters neither of which joins
    (the rules that join characters each name a joining one: CR, Extend, ZWJ, SpacingMark, Prepend,
    regional indicators, Hangul), so the clusters of a text are those of its stretches and one per
    code point elsewhere: a long text with an emoji or two is segmented around them only (a
    segmentation costs about 0.5 us a character)."""
    facts = _LAST.about(text)
    if "stretches" not in facts:
        places = facts.get("places")          # where _one_cluster_per_code_point found them, if it did
        facts["stretches"] = _stretches_at(text, _JOINS.among(_distinct(text))) if places is None \
            else _stretches_around(places, len(text))
    return facts["stretches"]


def _stretches_at(text: str, joining: list[str]) -> list[tuple[int, int]]:
    places = []
    for character in joining:
        at = text.find(character)
        while at != -1:
            places.append(at)
            at = text.find(character, at + 1)
    places.sort()
    return _stretches_around(places, len(text))


def _stretches_around(places: list[int], length: int) -> list[tuple[int, int]]:
    """The stretches around joining characters at `places` (in order) of a text of `length`."""
    stretches = []
    for at in places:
        start, end = max(at - 1, 0), min(at + 2, length)
        if stretches and start < stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    return stretches


# Each stretch segmented once: copy repeats the same few emoji and marks ("❄\ufe0f ", " 🇸🇪 "), whose
# clusters cost 2-5 us each to find and weigh. Stretch -> (code points beyond its clusters, its X
# weight beyond what its code points weigh alone); a count is that of the text's code points
# less the first, or plus the second, summed over its stretches.
_STRETCHES: dict[str, tuple[int, int]] = {}
_STRETCHES_KEPT = 4096      # stretches, each of at most _STRETCH_KEPT_UP_TO characters: a long one
_STRETCH_KEPT_UP_TO = 64    # (a run of marks in Indic copy) seldom comes again, and would fill memory


def _stretch(text: str) -> tuple[int, int]:
    found = _STRETCHES.get(text)
    if found is None:
        found = (len(text) - len(_GRAPHEME.findall(text)),
                 _weigh_clusters(text) - len(text) - sum(map(_HEAVY_ALONE.__getitem__, text)))
        if len(text) <= _STRETCH_KEPT_UP_TO:
            if len(_STRETCHES) >= _STRETCHES_KEPT:
                _STRETCHES.clear()
            _STRETCHES[text] = found
    return found


def _weigh_plain(text: str) -> int:
    if text.isascii():
        return len(text)      # every ASCII character weighs 1, and no emoji is pure ASCII
    total = len(text) + _heavy_alone(text)
    if not _one_cluster_per_code_point(text):
        for start, end in _joining_stretches(text):
            total += _stretch(text[start:end])[1]
    return total


def _weigh_clusters(text: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(text):
        if cluster.isascii():
            total += len(cluster)
            continue
        if is_emoji(cluster):
            total += X_HEAVY
            if not _is_whole_emoji(cluster):
                total += sum(_code_point_weight(ch) for ch in cluster[len(_emoji_head(cluster)):])
        else:
            total += sum(_code_point_weight(ch) for ch in cluster)
    return total


_EMOJI_HEAD = _when_used("_EMOJI_HEAD",
    r"^(?:\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F|"
    r"\p{Emoji}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Emoji}(?:\uFE0F|\p{Emoji_Modifier})?)*)")


def _emoji_head(cluster: str) -> str:
    match = _EMOJI_HEAD.match(cluster)
    return match.group(0) if match else cluster[0]


def _is_whole_emoji(cluster: str) -> bool:
    return _emoji_head(cluster) == cluster


def graphemes(text: str) -> int:
    if (text.isascii() and "\r" not in text) or _one_cluster_per_code_point(text):
        return len(text)
    return len(text) - sum([_stretch(text[start:end])[0] for start, end in _joining_stretches(text)])


# Mastodon (config/initializers/twitter_regex.rb) keeps twitter-text's domain rule, so a link
# counts as 23 only when its host ends in a known top-level domain; it accepts these schemes. A
# link runs to the space after it, less the punctuation that ends it: written as Mastodon writes it,
# a lazy run checking what follows at each character (`[^\s<>"]*?(?=[.,;:!?)\]'"…]*(?:\s|$))`, 14 us
# over a tagged link of 90 characters), here as the run less its last characters of that
# punctuation, which ends where the lazy run does (tests/test_counting.py holds the two together).
_MASTODON_SCHEMES = ("https", "http", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini")
_LINK_END_PUNCTUATION = ".,;:!?)\\]'\"…"
_MASTODON_URL = _when_used("_MASTODON_URL",
    r"(?:^|(?<=[^\p{L}\p{N}/@]))(?:" + "|".join(_MASTODON_SCHEMES) + r")://(?P<host>[^\s<>\"/?#:]++)"
    rf"(?>[^\s<>\"]*[^\s<>\"{_LINK_END_PUNCTUATION}])?(?=[{_LINK_END_PUNCTUATION}]*(?:\s|$))", regex.IGNORECASE)
_MASTODON_SCHEME_LENGTHS = range(min(map(len, _MASTODON_SCHEMES)), max(map(len, _MASTODON_SCHEMES)) + 1)
# Mastodon's mention pattern writes the user name as "[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?", whose
# ways of sharing a run of those characters out grow with its cube when no "@" follows it (60 s and
# more for "@" and 10,000 of "a_"). The user name runs to the "@" after it (which the run cannot
# hold), so it is the whole run, taken here at once and never given back, and starts and ends with
# a letter, digit or "_" (tests/test_counting.py holds the two patterns together).
_MASTODON_MENTION = _when_used("_MASTODON_MENTION",
                               r"(?:^|(?<=[^/\w]))@([a-z0-9_][a-z0-9_.-]*+(?<=[a-z0-9_]))@[a-z0-9.-]+[a-z0-9]+",
                               regex.IGNORECASE)


def _mastodon_url(match) -> str:
    host = match.group("host").lower().rstrip(".")
    known, prefixes = _tld_set()
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    if tld and (tld in known or tld.startswith(prefixes)):
        return "x" * X_URL_LENGTH
    return match.group(0)


def _local_mention(match) -> str:
    return "@" + match.group(1)


def _mastodon_starts(text: str) -> list[int]:
    """Where _MASTODON_URL can match: before a "://", a scheme of 3 to 6 letters (matched a letter
    for a letter, no full case folding; a run beyond ASCII is left to the pattern). Trying it at
    every position took 15 us over 400 characters with a link. The mention pattern is tried at
    each "@". tests/test_counting.py holds both substitutions to the patterns' sub."""
    starts = set()
    for at in occurrences(text, "://"):
        for length in _MASTODON_SCHEME_LENGTHS:
            run = text[at - length:at] if at >= length else ""
            if run and (run.lower() in _MASTODON_SCHEME_SET or not run.isascii()):
                starts.add(at - length)
    return sorted(starts)


_MASTODON_SCHEME_SET = frozenset(_MASTODON_SCHEMES)


def mastodon_length(text: str, content_warning: str = "") -> int:
    """Mastodon's count: graphemes, URLs as 23, remote mentions as local, plus the content warning."""
    countable = substituted(_MASTODON_URL, text, _mastodon_starts(text), _mastodon_url) if "://" in text else text
    if "@" in countable:
        countable = substituted(_MASTODON_MENTION, countable, occurrences(countable, "@"), _local_mention)
    return graphemes((content_warning or "") + countable)


def code_points(text: str) -> int:
    return len(text)


def utf8_bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Upper bounds of each count, a few operations each: a rule needs the exact count only when
# the bound exceeds the limit (most copy is well within it). Each holds for every text:
# tests/test_counting.py checks them against the exact counts on generated texts.
def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def x_ceiling(text: str) -> int:
    """At least x_length(text). Every code point weighs 1, or 2 when not ASCII; an emoji cluster's
    2 is at most what its code points weigh that way; a link weighs 23 and holds a dot of its own
    before a known top-level domain (_tld_dots: not every dot, which took 23 for each full stop of
    copy with a link); CRLF becoming LF only takes away."""
    text = _nfc(text)
    links = X_URL_LENGTH * _text_tld_dots(text)
    return len(text) + _non_ascii(text) + links


def mastodon_ceiling(text: str, content_warning: str = "") -> int:
    """At least mastodon_length(...): a grapheme holds a code point or more, each link (which holds
    "://") becomes 23 characters, and a remote mention only gets shorter."""
    return len(content_warning or "") + len(text) + X_URL_LENGTH * text.count("://")


COUNTERS = {
    "twitter": lambda text, cw="": x_length(text),
    "graphemes": lambda text, cw="": graphemes(text),
    "mastodon": mastodon_length,
    "code_points": lambda text, cw="": code_points(text),
    "utf16": lambda text, cw="": utf16_units(text),
    "utf8_bytes": lambda text, cw="": utf8_bytes(text),
}

CEILINGS = {**COUNTERS,                     # the other counts are as cheap as a bound
            "twitter": lambda text, cw="": x_ceiling(text),
            "graphemes": lambda text, cw="": len(text),
            "mastodon": mastodon_ceiling}

HASHTAG = _when_used("HASHTAG", r"(?:^|(?<=[^\p{L}\p{N}_&/#]))[#＃]([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)")
