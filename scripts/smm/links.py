"""Links in post copy: which are allowed, and UTM tagging of links to the brand's own domains.

UTM convention (design notes): utm_source = platform, utm_medium = social or
paid, utm_campaign = campaign slug, utm_content = post id, all lowercase
(GA4 reports are case-sensitive). Parameters already in a link are kept.
"""
from __future__ import annotations

import re
from collections import namedtuple
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex

from .finding_at import holds_any, matches, occurrences
from .patterns import WhenUsed

# http(s) links as written: up to whitespace, without trailing sentence punctuation (http_links finds
# what it finds, in time that grows with the text: tests hold the two together; compiled when used).
HTTP_LINK = WhenUsed(globals(), "HTTP_LINK", regex.compile,
                     r"(?i)\bhttps?://[^\s<>\"]+?(?=[.,;:!?)\]'\"…]*(?:\s|$))")
# Other schemes a link can carry. Anything written as scheme://... counts too.
OTHER_SCHEMES = ("javascript", "data", "vbscript", "file", "blob", "ftp", "ftps", "sftp", "ssh", "telnet",
                 "mailto", "tel", "sms", "intent", "chrome", "about", "ws", "wss", "irc", "market", "itms")
# Compiled when first used (patterns.py): copy seldom holds a colon that may end one of its schemes.
BAD_LINK = WhenUsed(globals(), "BAD_LINK", regex.compile, r"(?i)(?<![\w.+-])(?:(?:" + "|".join(OTHER_SCHEMES)
                    + r"):(?=\S)|(?!https?://)[a-z][a-z0-9+.-]{1,30}://)\S*")


class Link(namedtuple("Link", "start end url")):
    """A link found in a text: where it starts and ends, and its URL. A named tuple, made in a
    third of a frozen dataclass's time, for each link of each post (collections', not typing's:
    importing typing would cost a check's start 3 ms)."""

    __slots__ = ()


def http_links(text: str) -> list[Link]:
    """What HTTP_LINK.finditer finds, trying it only where a match can start: "http" or "https"
    (five characters at most, in any case) before a "://" (searching every position of 1,500
    characters of copy took 11 us). tests/test_voice_and_links.py holds it to finditer."""
    return [_link_of(text, run) for run in matches(_LINK_RUN, text, _http_starts(text))]


def _http_starts(text: str):
    for at in occurrences(text, "://"):
        if at >= 5:
            yield at - 5
        if at >= 4:
            yield at - 4


# HTTP_LINK's lazy run stops at the first place its look-ahead holds, trying it after each character
# of the link (2.8 us for a link of 30 characters, and time growing with the square of a run of
# punctuation that no space follows). _LINK_RUN takes the run of link characters whole, never giving
# any back, and asks the look-ahead once, at its end: it holds there exactly when it holds anywhere
# in the run (the run holds no space), and then first where the run's last characters are all the
# look-ahead's punctuation. The link is the run less those, but one character at least after "://"
# (what the run holds beyond the link is that punctuation, where no later link can start).
_LINK_RUN = WhenUsed(globals(), "_LINK_RUN", regex.compile,
                     r"(?i)\bhttps?://[^\s<>\"]++(?=[.,;:!?)\]'\"…]*(?:\s|$))")
_LINK_END_PUNCTUATION = ".,;:!?)]'\"…"


def _link_of(text: str, run) -> Link:
    start = run.start()
    after_scheme = text.index("://", start) + 4            # the run's first character, and one more
    end = max(after_scheme, start + len(run[0].rstrip(_LINK_END_PUNCTUATION)))
    return Link(start, end, text[start:end])


def _links(found) -> list[Link]:
    return [Link(match.start(), match.end(), match.group(0)) for match in found]


def bad_links(text: str) -> list[Link]:
    """What BAD_LINK.finditer finds, trying it only where a match can start (searching every
    position of a line of copy took 20 us): a match's scheme ends at a colon, and the match starts
    where the run of scheme characters before that colon does (its look-behind rejects a start
    inside the run). tests/test_voice_and_links.py holds it to finditer."""
    return _links(matches(BAD_LINK, text, _scheme_starts(text)))


# What BAD_LINK's scheme part, "[a-z][a-z0-9+.-]" with IGNORECASE, matches: the ASCII letters and
# digits, "+.-", and three letters that fold to ASCII ones (tests/test_voice_and_links.py holds this
# set to the pattern over every code point).
SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-\u0130\u017f\u212a")
_SCHEME_STRING = "".join(sorted(SCHEME_CHARACTERS))
_LONGEST_SCHEME = 31
# The colon ending a scheme BAD_LINK takes has something after it that is not a space ("//", or the
# look-ahead's \S): prose's colons ("Note: ", "train: ") are passed over in C, each a Python step
# (0.4 us) where a text has many. Only spaces that are \s to BAD_LINK too are named here.
_SCHEME_COLON = WhenUsed(globals(), "_SCHEME_COLON", re.compile, r":(?![ \n\t\r]|\Z)")


def _scheme_starts(text: str):
    for found in _SCHEME_COLON.finditer(text):
        colon = found.start()
        before = text[max(0, colon - _LONGEST_SCHEME - 1):colon]
        length = len(before) - len(before.rstrip(_SCHEME_STRING))     # the run of scheme characters
        if 0 < length <= _LONGEST_SCHEME:
            run = text[colon - length:colon]
            if text.startswith("//", colon + 1):
                if run.lower() not in _WEB_SCHEMES:       # "https://" is the link BAD_LINK leaves alone
                    yield colon - length
            elif _may_be_other_scheme(run):
                yield colon - length


_WEB_SCHEMES = ("http", "https")


_OTHER_SCHEMES = frozenset(OTHER_SCHEMES)


def _may_be_other_scheme(run: str) -> bool:
    """Whether BAD_LINK can take `run` before a colon as one of OTHER_SCHEMES: prose has many
    colons ("Note: 12:30"), and trying the pattern at each cost about 1 us. A run with a letter
    that folds to ASCII (SCHEME_CHARACTERS) is left to the pattern."""
    return run.lower() in _OTHER_SCHEMES if run.isascii() else True


@lru_cache(maxsize=1024)
def is_brand_link(url: str, domains: tuple) -> bool:
    """Whether `url`'s host is one of `domains` or below one; asked once for each link a post
    repeats (a campaign's landing page, the shop), each later time answered from the cache. A link
    that does not name a brand domain anywhere (names_a_domain) is not split: most links to other
    sites are each in one post, and splitting one took 4 us."""
    if not names_a_domain(url, domains):
        return False
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


def utm_parameters(platform: str, medium: str, campaign: str | None, post_id: str) -> dict:
    params = {"utm_source": platform, "utm_medium": medium}
    if campaign:
        params["utm_campaign"] = campaign
    params["utm_content"] = post_id
    return {k: v.lower() for k, v in params.items()}


_SPLIT_FIRST = frozenset("?#[]")     # a URL with any of these is split and joined again


def tag_url(url: str, params: dict) -> str:
    if _as_written(url):
        return f"{url}?{_query(params)}"    # what splitting and joining would give
    return _tag_url_split(url, params)


def _as_written(url: str) -> bool:
    """Whether the tagged URL is the URL, "?" and the query: no query, fragment or brackets to split."""
    return url.startswith(("http://", "https://")) and _SPLIT_FIRST.isdisjoint(url)


# what urlencode(..., safe="/:") leaves as it is: ASCII letters and digits, "_.-~" and the safe "/:"
_AS_IS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~/:-")


def _query(params: dict) -> str:
    if _AS_IS.issuperset("".join(params.values())):
        return "&".join(map("=".join, params.items()))
    return urlencode(params, safe="/:")


def _tag_url_split(url: str, params: dict) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k.lower() for k, _ in query}
    query += [(k, v) for k, v in params.items() if k not in present]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="/:"), parts.fragment))


def may_link_to(text: str, domains) -> bool:
    """False when `text` holds no http(s) link to one of `domains` for certain: such a link holds
    "://" (HTTP_LINK), which most copy does not (one search in C, where names_a_domain lower-cases
    the text or its UTF-8: 6 us for 1,500 characters beyond ASCII)."""
    return "://" in text and names_a_domain(text, domains)


def names_a_domain(text: str, domains) -> bool:
    """False when no link in `text` can point at one of `domains`: a brand link's host ends in a
    brand domain, so the text, lower-cased, holds it."""
    if not domains:
        return False
    in_bytes = None if text.isascii() or len(text) < _BYTES_FROM else _ascii_domains(tuple(domains))
    if in_bytes is None or holds_any(text, LOWER_TO_ASCII):
        return holds_any(text.lower(), domains)
    return holds_any(text.encode("utf-8", "surrogatepass").lower(), in_bytes)    # 1-3 us where str.lower took 9-15


# The characters beyond ASCII whose lower case holds ASCII (İ -> "i̇", the Kelvin sign -> "k"; tests/
# test_voice_and_links.py holds this to every code point). Without them in a text, an ASCII
# domain is in the text lower-cased exactly where its bytes are in the text's UTF-8 lower-cased
# (bytes.lower changes the ASCII letters only). Looked for one by one: 0.1-1 us, a set's isdisjoint 15-60.
LOWER_TO_ASCII = frozenset("\u0130\u212a")
_BYTES_FROM = 200        # characters of copy: shorter copy is lower-cased as fast


@lru_cache(maxsize=16)
def _ascii_domains(domains: tuple) -> tuple[bytes, ...] | None:
    return tuple(domain.encode("ascii") for domain in domains) if all(map(str.isascii, domains)) else None


@lru_cache(maxsize=256)
def brand_links(text: str, domains: tuple) -> tuple[Link, ...]:
    """The links in `text` to the brand's `domains`; found once for copy that goes to several
    platforms (each tags them with its own parameters)."""
    if not may_link_to(text, domains):
        return ()
    return tuple(link for link in http_links(text) if is_brand_link(link.url, domains))


def tagger(text: str, domains, medium: str, campaign: str | None, post_id: str):
    """f(platform) -> tag_text(text, domains, utm_parameters(platform, medium, campaign, post_id)),
    for copy that goes to several platforms: its brand links found, and the query's parameters
    that do not name the platform written, once. urlencode writes a query pair by pair, each pair
    alone, as _query's shortcut does, so the platform's pair and the others' are written apart."""
    found = brand_links(text, tuple(domains))
    if not found:
        return lambda platform: text
    others = utm_parameters("", medium, campaign, post_id)
    del others["utm_source"]
    rest = "&" + _query(others)
    if all(_as_written(link.url) for link in found):
        return _inserting_query(_cut_after(text, found), rest)

    def tagged(platform: str) -> str:
        query = _query({"utm_source": platform.lower()}) + rest
        return _with_links_tagged(text, found, lambda url: f"{url}?{query}" if _as_written(url)
                                  else _tag_url_split(url, utm_parameters(platform, medium, campaign, post_id)))
    return tagged


def _cut_after(text: str, found: tuple) -> list[str]:
    """`text` cut after each of the links `found` in it (in order)."""
    pieces, position = [], 0
    for link in found:
        pieces.append(text[position:link.end])
        position = link.end
    pieces.append(text[position:])
    return pieces


def _inserting_query(pieces: list[str], rest: str):
    """tagger's f(platform) for copy whose brand links each take their query as written (_as_written):
    the query, the same after each link, put between the pieces of the copy cut after them (one
    join: a platform's copy is made for each platform of each post with a brand link)."""
    def tagged(platform: str) -> str:
        return ("?" + _query({"utm_source": platform.lower()}) + rest).join(pieces)
    return tagged


def tag_text(text: str, domains, params: dict) -> str:
    """The text with every link to the brand's domains UTM-tagged."""
    found = brand_links(text, tuple(domains))
    if not found:
        return text
    return _with_links_tagged(text, found, lambda url: tag_url(url, params))


def _with_links_tagged(text: str, found: tuple, tagged_url) -> str:
    """`text` with each of the links `found` in it (in order) replaced by tagged_url(its URL)."""
    out, position = [], 0
    for link in found:
        out.append(text[position:link.start])
        out.append(tagged_url(link.url))
        position = link.end
    out.append(text[position:])
    return "".join(out)
