"""Counting the way each platform counts: golden tests against the reference implementations."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from smm import counting
from smm.finding_at import occurrences, substituted

CORPUS = [line.replace("\\n", "\n").replace("\\t", "\t")
          for line in (Path(__file__).parent / "data" / "x_corpus.txt").read_text("utf-8").splitlines()
          if line and not line.startswith("#")]


@pytest.mark.parametrize("text", CORPUS, ids=[t[:30] for t in CORPUS])
def test_x_length_matches_twitter_text(text):
    assert counting.x_length(text) == parse_tweet(text).weightedLength


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(CORPUS + [" ", "\n", "kelda.nl", "https://a.se/x", "🇳🇱", "é", "日本"]),
                min_size=1, max_size=6).map(" ".join))
def test_x_length_matches_twitter_text_on_mixed_copy(text):
    assert counting.x_length(text) == parse_tweet(text).weightedLength


# Emoji sequences added after Emoji 12.0 (twitter-text-parser's emoji list) count 2 on
# X today; the reference package still counts their parts, so they are tested by value.
@pytest.mark.parametrize("text, expected", [
    ("❤️‍🔥", 2),      # Emoji 13.1
    ("🐦‍🔥", 2),      # Emoji 15.1
    ("🧑‍🚒", 2),      # Emoji 12.1
    ("a" * 280, 280),
    ("日" * 140, 280),
    ("https://example.com/" + "x" * 100, 23),
])
def test_x_length_known_values(text, expected):
    assert counting.x_length(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Þingvellir", 10),
    ("Åsa", 3),
    ("A\u030asa", 3),                    # decomposed Å is one grapheme
    ("👨‍👩‍👧‍👦", 1),
    ("🇳🇱🇸🇪", 2),
    ("👍🏽", 1),
    ("Azərbaycan", 10),
    ("مرحبا", 5),
    ("日本語", 3),
    ("https://kelda.example/" + "x" * 50, 72),   # Bluesky counts a URL in full
])
def test_bluesky_counts_graphemes(text, expected):
    assert counting.graphemes(text) == expected


@pytest.mark.parametrize("text, cw, expected", [
    ("https://kelda.nl/" + "x" * 200, "", 23),
    ("see https://kelda.se/a.", "", 4 + 23 + 1),
    ("https://kelda.example/" + "x" * 10, "", 32),      # .example is no TLD: Mastodon does not link it
    ("gemini://kelda.is/winter", "", 23),
    ("https://münchen.de/wasser", "", 23),
    ("hi @saga@mastodon.social!", "", len("hi @saga!")),
    ("@saga@mastodon.social", "", 5),
    ("email saga@kelda.example", "", len("email saga@kelda.example")),
    ("👨‍👩‍👧‍👦 Åsa", "", 5),
    ("text", "Spoiler", 11),
    ("kelda.nl without scheme", "", len("kelda.nl without scheme")),
])
def test_mastodon_counts(text, cw, expected):
    assert counting.mastodon_length(text, cw) == expected


def test_other_countings():
    assert counting.COUNTERS["code_points"]("Åsa 👍🏽", "") == 6
    assert counting.COUNTERS["utf16"]("Åsa 👍🏽", "") == 8
    assert counting.COUNTERS["utf8_bytes"]("Åsa 👍🏽", "") == 13


SHORTCUT_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\u0301", "\u200d", "\ufe0f", "\U0001f3fd", "\U0001f1f3", "\u1100", "\u1161", "\uac00",
                     "\u0915", "\u094d", "\u0e33", "\r", "\n", "©", "❄", "👍", "日", "#", "9"]))


@settings(max_examples=500, deadline=None)
@given(st.lists(SHORTCUT_ALPHABET, max_size=30).map("".join))
def test_counting_without_segmenting_agrees_with_segmenting(text):
    """The shortcut for text with one grapheme cluster per code point gives the segmented count."""
    assert counting.graphemes(text) == len(counting._GRAPHEME.findall(text))
    assert counting._weigh_plain(text) == counting._weigh_clusters(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(SHORTCUT_ALPHABET | st.sampled_from(["Fill your bottle ", "日本語の", "Åsa och ", "👨‍👩‍👧", "🇳🇱🇸🇪", "👍🏽",
                                                     "क्षि", "\r\n"]), max_size=60).map("".join))
def test_segmenting_around_the_joining_characters_only_agrees_with_segmenting_it_all(text):
    """Long copy with a few emoji is segmented only where clusters can join code points (stretches
    that touch, runs of regional indicators, CR LF, conjuncts): the counts are those of segmenting
    the whole text."""
    assert counting.graphemes(text) == len(counting._GRAPHEME.findall(text))
    assert counting._weigh_plain(text) == counting._weigh_clusters(text)
    again = text + " " + text       # the same stretches again, found in the cache the second time
    assert counting._weigh_plain(again) == counting._weigh_clusters(again)
    assert counting.graphemes(again) == len(counting._GRAPHEME.findall(again))


def test_the_stretches_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(counting, "_STRETCHES", {})
    monkeypatch.setattr(counting, "_STRETCHES_KEPT", 3)
    for letter in "abcdefghij":
        assert counting.graphemes(f"{letter}e\u0301{letter} 👍🏽") == 5
    assert 0 < len(counting._STRETCHES) <= 3
    long = "e\u0301" * 40                  # one stretch of 80 characters: counted, not kept
    assert counting.graphemes(long) == 40 and long not in counting._STRETCHES


def test_joining_stretches_hold_each_run_of_joining_characters_with_its_neighbours():
    text = "Winter ❄\ufe0f walk, 🇳🇱🇸🇪 and e\u0301!"
    stretches = [text[start:end] for start, end in counting._joining_stretches(text)]
    assert stretches == ["❄\ufe0f ", " 🇳🇱🇸🇪 ", "e\u0301!"]
    assert counting._joining_stretches("\u0301ab\u0301") == [(0, 2), (2, 4)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30) | st.sampled_from(["👍🏽", "👨‍👩‍👧", "🇳🇱", "e\u0301", "한국어", "\r\n", "नमस्ते", "x"]),
                max_size=8).map("".join))
def test_character_properties_kept_per_character_agree_with_the_patterns(text):
    """The look-ups that replace a search per text give what the search gives, for any text and
    whatever characters earlier texts taught them."""
    assert counting._one_cluster_per_code_point(text) == (counting._JOINING.search(text) is None)
    heavy = counting._HEAVY_ALONE.among(set(text))
    assert sorted(heavy) == sorted(set(counting._X_HEAVY_ALONE.findall(text)))
    assert counting._heavy_alone(text) == len(counting._X_HEAVY_ALONE.findall(text))
    assert counting._one_cluster_per_code_point(text) == (counting._JOINING.search(text) is None)   # asked again


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30) | st.sampled_from(["日本語の", "한국어", "e\u0301", "\r\n", "नमस्ते", "❄\ufe0f", "\u2013",
                                                       "ж", "©", "\u200d", "\uff9e", "👍🏽", "x"]),
                max_size=8).map("".join))
def test_long_copy_is_told_apart_without_its_distinct_characters(text):
    """From _SEARCH.length characters, copy of the Basic Multilingual Plane is searched for joining
    characters with data/joining-bmp.txt, and the code points that weigh 2 on X are counted
    without the distinct characters: each gives what the patterns give (the threshold set to 0)."""
    with mock.patch.object(counting._SEARCH, "length", 0):
        counting._LAST.about(None)          # nothing known about the text yet
        assert counting._one_cluster_per_code_point(text) == (counting._JOINING.search(text) is None)
        counting._LAST.about(None)
        assert counting._heavy_alone(text) == len(counting._X_HEAVY_ALONE.findall(text))


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.text(max_size=20) | st.sampled_from(["Winter walk ", "❄\ufe0f", "👍🏽", "👨‍👩‍👧", "🇳🇱🇸🇪", "🥾", "\r\n",
                                                          "e\u0301" * 5, "한국어", "नमस्ते", "日本語", "x"]),
                     max_size=10).map("".join), few=st.sampled_from([0, 1, 3, 64]))
def test_long_copy_beyond_the_plane_is_segmented_where_its_joining_characters_are(text, few):
    """Copy with characters beyond the Basic Multilingual Plane, from _SEARCH.length characters
    (set to 0 here), is segmented around the joining characters found in place, or, with more
    than _FEW_JOINING of them, found through its distinct characters: the counts are those of
    segmenting the whole text either way."""
    with mock.patch.object(counting._SEARCH, "length", 0), mock.patch.object(counting, "_FEW_JOINING", few):
        counting._LAST.about(None)
        assert counting.graphemes(text) == len(counting._GRAPHEME.findall(text))
        counting._LAST.about(None)
        assert counting._weigh_plain(text) == counting._weigh_clusters(text)
        counting._LAST.about(None)
        assert counting._one_cluster_per_code_point(text) == (counting._JOINING.search(text) is None)


def test_long_copy_with_emoji_is_counted_without_its_distinct_characters():
    text = "Winter walk. " * 80 + "❄\ufe0f, 🥾 and 👍🏽 " * 3      # 1,079 characters, 6 joining
    counting._LAST.about(None)
    assert counting.graphemes(text) == len(counting._GRAPHEME.findall(text)) == len(text) - 6
    facts = counting._LAST.about(text)
    assert "distinct" not in facts
    assert facts["places"] == [1041, 1051, 1054, 1064, 1067, 1077]
    assert counting.x_length(text) == counting._weigh_clusters(text) and "distinct" not in facts


def test_copy_from_200_characters_is_searched_once_sets_have_cost_what_compiling_does():
    """Copy shorter than _SEARCHED_FROM has the set of its distinct characters taken, until copy of
    200 characters or more has been taken that way for _PAID_BACK characters; from then on copy of
    200 characters or more is searched, and counted as before."""
    japanese = "{}番目の給水ステーションがオープンしました。ボトルを持ってきてね！"
    copy = "".join(japanese.format(n) for n in range(18))[:600]
    with mock.patch.object(counting, "_SEARCH", counting._SearchFrom()):
        for _ in range(counting._PAID_BACK // 199 + 1):
            counting._LAST.about(None)
            counting.graphemes(copy[:199])           # shorter than 200: never counted towards it
        assert counting._SEARCH.length == counting._SEARCHED_FROM
        for _ in range(counting._PAID_BACK // 600):
            assert counting._SEARCH.length == counting._SEARCHED_FROM
            counting._LAST.about(None)
            assert counting.graphemes(copy) == 600 and "distinct" in counting._LAST.about(copy)
        assert counting._SEARCH.length == counting._SEARCHED_FROM_ONCE_PAID
        counting._LAST.about(None)
        assert counting.graphemes(copy) == 600 and "distinct" not in counting._LAST.about(copy)
        assert counting.x_length(copy) == counting._weigh_clusters(copy) and "distinct" not in counting._LAST.about(copy)


def test_the_joining_characters_of_the_basic_multilingual_plane_are_those_of_the_pattern():
    """data/joining-bmp.txt lists what counting._JOINING matches below U+10000; when the regex
    module's Unicode data changes, this prints the list to write there."""
    ranges = []
    for point in range(0x10000):
        if counting._JOINING.match(chr(point)):
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1][1] = point
            else:
                ranges.append([point, point])
    expected = [f"{low:04X}..{high:04X}" if high > low else f"{low:04X}" for low, high in ranges]
    written = [line for line in (counting.DATA / "joining-bmp.txt").read_text("utf-8").splitlines()
               if line and not line.startswith("#")]
    assert written == expected, "write these lines to scripts/smm/data/joining-bmp.txt:\n" + "\n".join(expected)
    assert counting._joining_in_bmp().search("日本語の文") is None and counting._joining_in_bmp().search("한")


def test_the_shortcuts_for_latin_copy_hold_for_every_code_point_they_cover():
    """Below U+0300 only CR joins a neighbour in a cluster, and below U+1100 only the characters
    of _HEAVY_LIGHT weigh 2 on X alone: what lets copy in the Latin alphabets skip the look-ups."""
    below_latin = [chr(point) for point in range(0x300) if counting._JOINING.match(chr(point))]
    below_light = [chr(point) for point in range(0x1100) if counting._X_HEAVY_ALONE.match(chr(point))]
    assert below_latin == ["\r"] and "".join(below_light) == counting._HEAVY_LIGHT
    assert counting._heavy_alone("© Åsa ® ©") == 3 and counting._heavy_alone("日本 ©") == 3
    assert counting._heavy_alone("日本 ©\u2013ж\u2212") == 4      # 日 本 © −; the dash and ж are light


def test_a_code_point_weighs_2_alone_exactly_outside_the_light_ranges_or_as_copyright_or_registered():
    """What _heavy_alone counts in C, for every code point."""
    light = regex.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in counting.X_LIGHT_RANGES) + "]")
    for point in range(0x110000):
        character = chr(point)
        assert bool(counting._X_HEAVY_ALONE.match(character)) == \
            (not light.match(character) or character in counting._HEAVY_LIGHT), hex(point)
    assert not counting._one_cluster_per_code_point("Åsa\r\n") and counting._one_cluster_per_code_point("Åsa ð")


# What the bounds must hold for: copy in several scripts, links with and without a scheme, remote
# mentions, CRLF, emoji sequences, decomposed letters and code points NFC makes longer (U+0958
# becomes two, U+FB2C three).
PIECES = CORPUS + [" ", "\n", "\r\n", ".", "kelda.nl", "https://a.se/x", "gemini://kelda.is/w", "@saga@mastodon.social",
                   "🇳🇱", "1\ufe0f\u20e3", "👨‍👩‍👧‍👦", "A\u030a", "é", "日本", "\u0958", "\ufb2c", "©", "\u2014", "ok. Then",
                   "a.co", "x.io/a ", "t.co", ".com", "ﬁ.ﬆ", "xn--p1ai", "a.b.se"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), min_size=1, max_size=8).map("".join),
       st.sampled_from(["", "CW", "Spoilers: 日本"]))
def test_each_ceiling_is_at_least_the_count(text, content_warning):
    for name, count in counting.COUNTERS.items():
        assert counting.CEILINGS[name](text, content_warning) >= count(text, content_warning), name


@pytest.mark.parametrize("name, text, limit, over", [
    ("twitter", "日" * 141, 280, True),               # bound 282, count 282
    ("twitter", "Åsa " * 70, 280, False),             # bound 350, count 280: counted exactly, within
    ("twitter", "see kelda.nl " + "a" * 250, 280, False),     # the link counts 23, not its 8 characters
    ("mastodon", "https://kelda.nl/" + "x" * 480, 500, False),
    ("graphemes", "👍🏽" * 200, 300, False),            # 400 code points, 200 graphemes
])
def test_a_part_is_over_its_limit_only_when_its_count_is(name, text, limit, over):
    from smm.posting import Part
    part = Part(text=text, limit=limit, source=(), counting=name)
    assert part.over_limit is over
    assert (part.length > limit) is over


def _x_urls_the_long_way(text: str) -> list:
    """x_urls as first written: twitter-text's pattern (a label that may give back characters, the
    top-level domains as one alternation) over the whole text."""
    label = rf"(?:{counting._DOMAIN_CHAR}(?:[_-]|{counting._DOMAIN_CHAR})*)?{counting._DOMAIN_CHAR}"
    tld = "(?:" + "|".join(regex.escape(t) for t in counting.tlds()) + r"|xn--[\-0-9a-z]+)(?=[^a-z0-9@+\-]|$)"
    pattern = regex.compile(rf"(?:^|(?<=[^a-z0-9@＠$#＃]))(?P<url>(?P<scheme>https?://)?(?P<domain>(?:{label}\.)+{tld})"
                            rf"(?::[0-9]+)?(?:/{counting._PATH}*)?(?:\?{counting._QUERY})?)", regex.IGNORECASE | regex.VERSION1)
    spans = []
    for match in pattern.finditer(text):
        start, end = match.span("url")
        if not match.group("scheme"):
            if (start > 0 and text[start - 1] in "-_./") or not counting._ASCII_DOMAIN.match(match.group("domain")):
                continue
        elif counting._TCO.match(match.group("url")):
            end = start + counting._TCO.match(match.group("url")).end()
        if not (spans and start < spans[-1][1]):
            spans.append((start, end))
    return spans


URL_PIECES = ["https://", "http://", "www.", "example", ".com", ".co.uk", ".org", ".community", ".comx", ".xn--p1ai",
              ".XN--", ".İn", ".eſ", ".\u212aiwi", ".ıo", ".ΕΛ", ".ελλ", ".РФа", "co_x", "+", ".com@", ".com+", "HTTPS://",
              "t.co/", "T.CO/x1", ".中国", ".中国abc", "xn--a", "1.2.3", ".ß", "ß", ".comß", "ﬆ", "ẖ", ".ﬁ",
              ".рф", "кто", "t.co/", "abc", "/path", "/a(b)c", "(", ")", "?q=1&r=2", "#frag", ":8080", "-", "_", ".",
              " ", "\n", "\u3000", "\xa0", "é", "@", "$", "＃", "[", "](", "Ünïcödé", "日本", "❄️", ",", "!", "..."]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES) | st.text(max_size=4), max_size=24).map("".join))
def test_urls_found_word_by_word_are_those_of_the_whole_text(text):
    """x_urls runs twitter-text's pattern only over the words that may hold a URL, with a label
    that gives back nothing and the top-level domains as a tree: it finds the spans the pattern as
    first written finds over the whole text."""
    assert counting.x_urls(text) == _x_urls_the_long_way(text)


@pytest.mark.parametrize("text", ["a-.com b_-c.com d--e.org", "a_b.com", "x.co.uk. y.co.ukk", "https://t.co/abc123xyz!",
                                  "(example.com)", "See [the map](https://maps.example.org/kelda) and _more_.",
                                  "foo.comx bar.com", "日本.com é.com kto.рф", "www.example.com:8080/a(b)?q=1#f",
                                  "-example.com .example.com", "mail@example.com $example.com ＃example.com",
                                  "http://B.\ufb01кто)", "x.İn y.eſ z.\u212aiwi", "1.2.3.РФа.İné.ß\u3000",
                                  "HTTPS://ẖ.\ufb01\ufb06 "])
def test_urls_found_word_by_word_in_known_texts(text):
    assert counting.x_urls(text) == _x_urls_the_long_way(text)



def test_the_letters_a_top_level_domain_is_matched_against_are_known():
    """A run of the characters the pattern's [a-z0-9-] takes (ASCII ones and three that fold to
    ASCII) is a top-level domain's letters, unless a character whose casefold is several letters
    follows it (_FOLDS_TO_MANY), which the pattern matches against as many."""
    letters = regex.compile(r"[a-z0-9\-]", regex.IGNORECASE | regex.VERSION1)
    beyond = {chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000 and letters.fullmatch(chr(c))}
    assert beyond == {"\u0130", "\u017f", "\u212a"} == {chr(point) for point in counting._TO_ASCII}
    to_many = {chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000
               and len(chr(c).casefold()) > 1 and any(ch.isascii() for ch in chr(c).casefold())} - beyond
    assert to_many == counting._FOLDS_TO_MANY
    assert counting.x_urls("see clasß.comß now") == [(4, 13)] == _x_urls_the_long_way("see clasß.comß now")
    assert counting.x_urls("see https://example.ß") == [(4, 21)] == _x_urls_the_long_way("see https://example.ß")  # .ss
    assert counting.x_urls("https://kelda.co\ufb00ee/") == [(0, 20)] == _x_urls_the_long_way("https://kelda.co\ufb00ee/")


HEAD_PIECES = ["https://", "HTTP://", "httpſ://", "://", "https", "http", "x", "a-", "b_", "-", "_", "--", ".", "..",
               "kelda", ".com", "日本", "é", " ", "@", "#", "$", "/", ":", "1", "ß", "\u212a"]


@settings(max_examples=800, deadline=None)
@example("xx-https://a.com", 0)
@example("a-b_c-https://kelda.com", 2)
@given(st.lists(st.sampled_from(HEAD_PIECES) | st.text(max_size=3), max_size=16).map("".join), st.integers(0, 4))
def test_the_head_of_a_url_is_found_where_the_search_finds_it(text, position):
    """_head_search skips the places of a run of labels' characters once labels failed at one of
    them: it finds what the head pattern's search finds, from every place and to every end."""
    parts = counting._url_parts()
    for end in {len(text), max(position, len(text) - 2)}:
        expected = parts.head.search(text, position, end)
        found = counting._head_search(parts, text, position, end)
        seen = [(head.span(), head.group("scheme")) if head else None for head in (found, expected)]
        assert seen[0] == seen[1]


@pytest.mark.parametrize("copy, weight", [("a-" * 150_000 + "!kelda.nl", 300_001 + 23),
                                          ("日本-" * 100_000 + "!kelda.nl", 2 * 200_000 + 100_000 + 1 + 23),
                                          ("x_" * 150_000 + "://a", 300_004)])
def test_copy_of_a_long_run_of_labels_that_no_dot_follows_is_counted_at_once(copy, weight):
    """A run of labels' characters is looked at once, not from each of its places (the search
    took 20 s for 30,000 characters of "a-", and more by the square)."""
    assert counting.x_length(copy) == weight
    assert counting.x_urls(copy) == ([(len(copy) - 8, len(copy))] if copy.endswith("kelda.nl") else [])


def test_copy_of_thousands_of_labels_without_a_domain_is_counted_at_once():
    """After the labels from one place give no top-level domain, the places within them are not
    tried again (the pattern tried them all: 7.6 s for 2,000 labels, and more by the square)."""
    text = "x.com." + "a." * 20_000 + "a"
    assert counting.x_urls(text) == [(0, 5)]
    assert counting.x_length(text) == 23 + 1 + 40_001
    assert counting.x_urls(text[:406]) == _x_urls_the_long_way(text[:406])


MASTODON_PIECES = ["https://", "http://", "HTTPS://", "httpſ://", "HTTPſ://", "\u0130pfs://", "dat://", "ssb://",
                   "gopher://", "GEMINI://", "dweb://", "ipfs://", "ftp://", "://", "kelda.nl", "kelda.nl.", "a.b", "/x",
                   "?q=1", ".", ",", ")", "…", "\"", "'", "<", ">", ":", "#", " ", "\n", "\u3000", "@", "@saga",
                   "@saga@mastodon.social", "@a@b", "x@", "/", "é", "日本", "❄️", "ab", "1", "_", "-", "a_", ".-", "@-a",
                   "@a.", "ſ", "\u212a"]


# Mastodon's link pattern as it writes it (a lazy run that looks ahead at each character), tried at
# every position: what counting._MASTODON_URL, tried before each "://", must find the same as.
MASTODON_URL_AS_WRITTEN = regex.compile(
    r"(?:^|(?<=[^\p{L}\p{N}/@]))(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://"
    r"(?P<host>[^\s<>\"/?#:]+)[^\s<>\"]*?(?=[.,;:!?)\]'\"…]*(?:\s|$))", regex.IGNORECASE)
# and its mention pattern as it writes it
MASTODON_MENTION_AS_WRITTEN = regex.compile(
    r"(?:^|(?<=[^/\w]))@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[a-z0-9.-]+[a-z0-9]+", regex.IGNORECASE)


@settings(max_examples=800, deadline=None)
@example("hi @a.@kelda.social, @-a@kelda.social and @a_b.c-d@kelda.social @é@x.yz")
@example("@a@b.c@d.e @@a@b.cd x@a@b.cd /@a@b.cd")
@given(st.lists(st.sampled_from(MASTODON_PIECES) | st.text(max_size=3), max_size=16).map("".join))
def test_mastodon_links_and_mentions_tried_where_they_start_are_those_of_the_whole_text(text):
    """mastodon_length tries its link pattern only before a "://" and its mention pattern at an
    "@": it counts what substituting Mastodon's patterns over the whole text counts."""
    countable = MASTODON_URL_AS_WRITTEN.sub(counting._mastodon_url, text)
    countable = MASTODON_MENTION_AS_WRITTEN.sub(lambda match: "@" + match.group(1), countable)
    assert counting.mastodon_length(text) == counting.graphemes(countable)
    spans = lambda match: f"<{match.span()} {match.group('host')}>"       # every match shows, whatever its host
    assert substituted(counting._MASTODON_URL, text, counting._mastodon_starts(text), spans) \
        == MASTODON_URL_AS_WRITTEN.sub(spans, text)
    marked = lambda match: f"<{match.group(0)} {match.group(1)}>"
    assert substituted(counting._MASTODON_MENTION, text, occurrences(text, "@"), marked) \
        == MASTODON_MENTION_AS_WRITTEN.sub(marked, text)


@pytest.mark.parametrize("text, expected", [
    ("dat://kelda.nl ssb://kelda.nl", 23 + 1 + 23), ("(gopher://a.se/x).", 1 + 23 + 2), ("GEMINI://kelda.is/w", 23),
    ("httpſ://kelda.nl", 23), ("xhttps://kelda.nl", 17), ("hi @saga@mastodon.social and https://kelda.nl/x", 13 + 23), ("a@b@c.d", 7)])
def test_mastodon_counts_links_of_every_scheme_and_mentions(text, expected):
    assert counting.mastodon_length(text) == expected
