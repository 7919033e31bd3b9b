"""Brand voice rules in Vale's format, links, disclosure and UTM tagging."""
from __future__ import annotations

import itertools
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest
import regex
from conftest import check, run_smm, write
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smm import links, voice


def _rules(repo, name, text):
    write(repo, f"strategy/voice/Fixture/{name}.yml", text)
    rules, problems = voice.load_styles(repo)
    assert problems == []
    return {r.id: r for r in rules}


def test_substitution_message_fills_replacement_then_match(repo):
    rule = _rules(repo, "Names", "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\n"
                                 "ignorecase: true\nlevel: error\nswap:\n  e-mail|email: mail|post\n")["Fixture.Names"]
    [match] = rule.check("Send an E-mail, or mail or post.")
    assert match.message == "Use 'mail' instead of 'E-mail'."


def test_existence_respects_word_boundaries_case_and_exceptions(repo):
    rule = _rules(repo, "Avoid", "extends: existence\nmessage: \"Avoid '%s'.\"\nlevel: warning\n"
                                 "tokens: [just]\nexceptions: [Just Eat]\n")["Fixture.Avoid"]
    assert [m.message for m in rule.check("It is just fine, adjust it. Just")] == ["Avoid 'just'."]
    assert rule.check("justice") == []


def test_voice_levels_set_the_finding_severity_and_exit_code(repo):
    write(repo, "strategy/voice/Fixture/Soft.yml",
          "extends: existence\nmessage: \"Maybe not '%s'.\"\nlevel: suggestion\ntokens: [basically]\n")
    write(repo, "content/posts/2026/12/01-soft.md", "---\ntitle: S\nstatus: draft\nplatforms: [x]\n---\n"
                                                    "It is basically a bottle.\n")
    [finding] = [f for f in check(repo) if f.path.endswith("01-soft.md")]
    assert (finding.rule, finding.severity, finding.line) == ("voice.Fixture.Soft", "suggestion", 6)
    assert run_smm("check", cwd=repo).returncode == 0


def test_sample_voice_rules_catch_unprovable_claims(sample):
    write(sample, "content/posts/2026/12/02-claim.md",
          "---\ntitle: Claim\nstatus: draft\nplatforms: [x]\n---\nOur bottle is 100% sustainable and eco-friendly.\n")
    result = run_smm("check", "content/posts/2026/12/02-claim.md", cwd=sample)
    assert result.returncode == 1
    assert result.stdout.count("voice.Kelda.Claims") == 2


def test_utm_tags_only_brand_links_lowercase_and_keeps_existing():
    params = links.utm_parameters("X", "social", "Winter-Blend", "2026-12-01-Teaser")
    text = "See https://Shop.Kelda.example/a?utm_source=newsletter#top and https://other.org/b."
    tagged = links.tag_text(text, ["kelda.example"], params)
    assert "https://Shop.Kelda.example/a?utm_source=newsletter&utm_medium=social&utm_campaign=winter-blend" \
           "&utm_content=2026-12-01-teaser#top" in tagged
    assert "https://other.org/b." in tagged


PARAM_TEXT = st.text(st.sampled_from(list("aZ09.-_~/:%?#[]=&@é+ ")), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTPS://", "http:///"]),
       st.text(st.sampled_from(list("aZ.-/:%?#[]=&@é~+ ")), max_size=25), PARAM_TEXT, st.none() | PARAM_TEXT)
def test_tagging_a_link_without_a_query_agrees_with_splitting_it(scheme, rest, post_id, campaign):
    params = links.utm_parameters("x", "social", campaign, post_id)
    url = "".join((scheme, "kelda.example", rest)).split(" ")[0]
    assert links.tag_url(url, params) == links._tag_url_split(url, params)


LINKED_COPY = st.lists(st.sampled_from(["See ", "https://kelda.example/a", "http://Shop.Kelda.example/b?x=1",
                                         "https://kelda.example/c#top", "https://other.org/d", "HTTPS://kelda.example",
                                         "https://kelda.example/[e]", ". ", "\n", "é", "kelda.example"]),
                      max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(LINKED_COPY, st.sampled_from(["social", "paid"]), st.none() | PARAM_TEXT, PARAM_TEXT,
       st.lists(st.sampled_from(["x", "bluesky", "LinkedIn", "a b", "é"]), min_size=1, max_size=3))
@example("See https://kelda.example/a and https://kelda.example/b#c.", "social", "Winter Blend", "P-1", ["LinkedIn", "é"])
def test_a_tagger_tags_copy_for_each_platform_as_tag_text_does(text, medium, campaign, post_id, platforms):
    """links.tagger, which writes the parameters that do not name the platform once a post, gives
    tag_text's copy on every platform."""
    domains = ["kelda.example", "shop.kelda.example"]
    tagged = links.tagger(text, domains, medium, campaign, post_id)
    for platform in platforms:
        assert tagged(platform) == links.tag_text(text, domains,
                                                  links.utm_parameters(platform, medium, campaign, post_id))


def test_utm_medium_is_paid_for_boosted_posts(sample):
    import json
    result = run_smm("preview", "content/posts/2026/12/01-trail-flask-veluwe-nl.md", "--format", "json", cwd=sample)
    text = json.loads(result.stdout)["platforms"]["instagram"]["parts"][0]["text"]
    assert "utm_medium=paid" in text and "utm_source=instagram" in text


def test_disclosure_must_be_a_whole_marker(repo):
    write(repo, "content/posts/2026/12/01-paid.md", "---\ntitle: P\nstatus: draft\nplatforms: [x]\n"
                                                    "sponsored: true\n---\nGreat #adventure!\n")
    assert "disclosure.missing" in {f.rule for f in check(repo)}
    write(repo, "content/posts/2026/12/01-paid.md", "---\ntitle: P\nstatus: draft\nplatforms: [x]\n"
                                                    "sponsored: true\n---\nGreat #adventure! #Ad\n")
    assert "disclosure.missing" not in {f.rule for f in check(repo)}


def test_bad_link_schemes_are_found_but_prose_with_colons_is_not():
    found = [l.url for l in links.bad_links("Note: 12:30 ratio 2:1 javascript:x mailto:a@b.c ftp://h/x ok")]
    assert found == ["javascript:x", "mailto:a@b.c", "ftp://h/x"]


# Needles: the fixed text every match of a voice pattern holds, which screens out copy no rule matches.

@pytest.mark.parametrize("pattern, needles", [
    ("100 ?% sustainable", [{"100", "% sustainable"}]),
    ("carbon[- ]neutral", [{"carbon", "neutral"}]),     # every run a match must hold
    ("eco-?friendly", [{"eco", "friendly"}]),
    ("colou?r", [{"colo"}]),                # the letter before "?" may be missing; "r" is too short to screen
    ("ab{2}c|x{0,2}yz", [{"ab"}, {"yz"}]),      # a set per branch
    ("(?:e-)?mail", [{"mail"}]),
    ("water ?point|refill", [{"water", "point"}, {"refill"}]),
    (r"ab\.cd", [{"ab.cd"}]),
    (r"\bword", None),                      # an escaped letter: not plain text
    ("(?i)Kelda", None),                    # inline flags change what matches
    ("[abc]", None), ("a|", None), ("(ab)", None), ("a*", None), ("ab)c", None), ("a{x}", None),
])
def test_needles_of_a_pattern(pattern, needles):
    assert voice.needles_of([pattern], ignorecase=False) == (_sets(needles) if needles else None)


def _sets(needles) -> frozenset:
    return frozenset(map(frozenset, needles))


def test_needles_are_casefolded_for_rules_that_ignore_case():
    assert voice.needles_of(["Straße", "KELDA"], ignorecase=True) == _sets([{"strasse"}, {"kelda"}])


ATOMS = st.one_of(st.sampled_from(list("abcßİKk -%.é") + ["[ab]", "[- ]", "[^x]", r"\.", r"\-", "(?:a|bc)", "(?:ß)"]))
QUANTIFIERS = st.sampled_from(["", "", "", "?", "*", "+", "{0,2}", "{2}", "{1,3}", "??", "+?"])
BRANCHES = st.lists(st.tuples(ATOMS, QUANTIFIERS).map("".join), min_size=1, max_size=6).map("".join)
PATTERNS = st.lists(BRANCHES, min_size=1, max_size=3).map("|".join)


@settings(max_examples=400, deadline=None)
@given(pattern=PATTERNS, data=st.data(), ignorecase=st.booleans())
def test_every_text_a_pattern_matches_holds_a_set_of_its_needles(pattern, data, ignorecase):
    needles = voice.needles_of([pattern], ignorecase)
    if needles is None:
        return
    text = data.draw(st.from_regex(pattern))       # text holding a match (the patterns are also re syntax)
    if ignorecase:
        text = data.draw(st.sampled_from([text, text.upper(), text.swapcase()]))
    flags = regex.IGNORECASE if ignorecase else 0
    if regex.search(pattern, text, flags):
        assert _holds_a_set(text.casefold() if ignorecase else text, needles), (pattern, text)


def test_the_screen_keeps_every_rule_that_matches_and_searches_rules_without_needles(repo):
    rules = _rules(repo, "Mixed", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\n"
                                  "tokens: [game-?changer, guys]\n")
    rules |= _rules(repo, "Raw", "extends: existence\nmessage: \"'%s'\"\nnonword: true\nraw: ['\\d{3}-\\d{4}']\n")
    mixed, raw = rules["Fixture.Mixed"], rules["Fixture.Raw"]
    assert mixed.needles == _sets([{"game", "changer"}, {"guys"}]) and raw.needles is None
    may_match = voice.screen([mixed, raw])
    assert may_match("A GAME CHANGER, call 555-1234") == [mixed, raw]
    assert may_match("Nothing to see") == [] and may_match("call 555-1234") == [raw]


def _screen_rules(repo):
    rules = _rules(repo, "Long", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\n"
                               "tokens: [abcd, Straße, 'abb ?kelda']\n")
    rules |= _rules(repo, "Short", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\ntokens: [bc]\n")
    rules |= _rules(repo, "Cased", "extends: existence\nmessage: \"'%s'\"\ntokens: [Kelda, 'ö']\n")
    return [rules["Fixture.Cased"], rules["Fixture.Long"], rules["Fixture.Short"]]


def test_the_screen_finds_needles_inside_other_needles_and_keeps_case_where_a_rule_does(repo):
    cased, long, short = _screen_rules(repo)
    may_match = voice.screen([cased, long, short])
    assert may_match("xABCDx") == [long, short]          # "bc" ends first, inside "abcd": both found
    assert may_match("kelda") == [] and may_match("Kelda") == [cased]
    assert may_match("STRASSE") == [long]                # casefolded, as the needles are
    assert may_match("abb") == [] and may_match("ABB, KELDA") == [long]     # a branch's whole set
    assert may_match("\ud800 bc \udfff ö") == [cased, short]   # a lone surrogate in copy: no error


@settings(max_examples=300, deadline=None)
@example("Straße")                     # each casefolded to "strasse", a needle
@example("\u017ftra\u017f\u017fe")
@example("STRA\u1e9eE")
@example("KELDA ab")                  # the longest needle of a set without the others
@given(text=st.text(alphabet=st.sampled_from(list("abcdKkeldaöÖßSsTtRrE \ud800ſ\u212aﬆẞ")), max_size=40))
def test_the_screen_keeps_exactly_the_rules_with_a_needle_in_the_text(text):
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder:
        rules = _screen_rules(Path(folder))
    held = [rule for rule in rules
            if _holds_a_set(text.casefold() if rule.ignorecase else text, rule.needles)]
    assert voice.screen(rules)(text) == held
    with patch.object(voice, "_LOWERED_FROM", 0):         # short copy found in its UTF-8 too
        assert voice.screen(rules)(text) == held


def test_the_scheme_characters_are_what_the_pattern_matches():
    scheme = regex.compile(r"(?i)[a-z0-9+.-]")
    matched = {chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and scheme.fullmatch(chr(c))}
    assert matched == links.SCHEME_CHARACTERS


LINK_PIECES = ["javascript:", "JavaScript:", "data:", "mailto:", "tel:+46", "ftp://", "https://", "HTTP://", "http:",
               "xhttps://", "a.b-c+d://", "ſms:", "\u212aelda://", "İ://", "é://", "_ftp://", ".ftp:", ":", "://",
               " ", "\n", "\u00a0", "\u2003", "\u0085", "\u200b", "(", "a" * 31, "b" * 32, "kelda.example/x", "1",
               "train:", "DATA:", "Mailto:", "httpſ://", "HTTPſ://", "?u=https://", "https://a.b/", ".", "…", "'",
               '"', "<", ">", ")", "]", "!?", "\r\n"]


@settings(max_examples=500, deadline=None)
@example("x " + "a" * 31 + "://y")     # the longest scheme the pattern takes
@example("x " + "a" * 32 + "://y")
@example("Note: mailto:\x1cx tel:\n ftp:")    # \x1c is no space to the pattern; the others end no scheme
@given(st.lists(st.one_of(st.sampled_from(LINK_PIECES), st.text(max_size=5)), max_size=10).map("".join))
def test_bad_links_finds_what_searching_every_position_finds(text):
    expected = [(m.start(), m.end(), m.group(0)) for m in links.BAD_LINK.finditer(text)]
    assert [(link.start, link.end, link.url) for link in links.bad_links(text)] == expected


@settings(max_examples=500, deadline=None)
@example("see https://kelda.example/map?u=https://other.example/x.")
@example("xhttps://a.b https://c.d")
@example("(see https://kelda.example/map) or https://kelda.example/x]!… and https://\"<a>")
@example("https://.,;:!?)]'\"…")
@given(st.lists(st.one_of(st.sampled_from(LINK_PIECES), st.text(max_size=5)), max_size=10).map("".join))
def test_http_links_finds_what_searching_every_position_finds(text):
    expected = [(m.start(), m.end(), m.group(0)) for m in links.HTTP_LINK.finditer(text)]
    assert [(link.start, link.end, link.url) for link in links.http_links(text)] == expected


def _swap_rules(folder):
    rules = _rules(folder, "Names", "extends: substitution\nmessage: \"Write '%s', not '%s'.\"\nignorecase: true\n"
                                    "swap:\n  trail ?flask|kelda flask: Kelda Trail Flask\n  water ?point: refill station\n"
                                    "  straße: Straße\n  '[a-z]+-station': refill station\n")
    rules |= _rules(folder, "Cased", "extends: existence\nmessage: \"'%s'\"\ntokens: [Kelda, 'ö']\nraw: ['\\d{3}']\n")
    return rules["Fixture.Names"], rules["Fixture.Cased"]


def _holds_a_set(text: str, needles) -> bool:
    return any(all(needle in text for needle in needle_set) for needle_set in needles)


def test_each_pattern_of_a_rule_has_its_own_needles(repo):
    names, cased = _swap_rules(repo)
    assert names.pattern_needles == (_sets([{"trail", "flask"}, {"kelda flask"}]), _sets([{"water", "point"}]),
                                     _sets([{"strasse"}]), _sets([{"-station"}]))
    assert cased.pattern_needles == (_sets([{"Kelda"}, {"ö"}]), None) and cased.needles is None
    assert names.needles == _sets([{"trail", "flask"}, {"kelda flask"}, {"water", "point"}, {"strasse"},
                                   {"-station"}])


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["trail", "Flask", "kelda", " ", "WATER", "point", "STRASSE", "ß", "-station",
                                      "ö", "Kelda", "123", "x"]), max_size=12).map("".join))
def test_a_rule_skips_only_the_patterns_whose_needles_the_text_lacks(text):
    import tempfile
    from dataclasses import replace
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder:
        for rule in _swap_rules(Path(folder)):
            every_pattern = replace(rule, pattern_needles=())
            assert rule.check(text) == every_pattern.check(text)


# Branches: a pattern's top-level branches, each searched on its own where the text holds its needles.

@pytest.mark.parametrize("pattern, branches", [
    ("refill ?point|water ?point", ["refill ?point", "water ?point"]),
    ("a(b|c)|d", ["a(b|c)", "d"]),                  # a "|" in a group is not a top-level one
    ("[|]|\\||x", ["[|]", "\\|", "x"]),            # nor one in a class, nor an escaped one
    ("a|", ["a", ""]), ("word", ["word"]), ("(?>ab)|c", ["(?>ab)", "c"]),
    ("[\\1(?{e]|b", ["[\\1(?{e]", "b"]),          # in a class these are characters
    ("(?:e-)?mail|(?=x)y|(?<!a)b", ["(?:e-)?mail", "(?=x)y", "(?<!a)b"]),
    ("(?i)a|b", None), ("(?P<n>a)|b", None), ("(a)\\1|b", None),   # flags, names and references
    ("\\Ga|b", None), ("a\\Kb|c", None), ("(?:ab){e<=1}|c", None),   # the search's start, a moved start, fuzzy
    ("(a|b", None), ("a)|b", None), ("[[a]b]|c", None),             # unbalanced, nested sets
])
def test_the_top_level_branches_of_a_pattern(pattern, branches):
    assert voice.top_level_branches(pattern) == branches


def test_a_rule_of_one_branch_is_not_split_and_the_sample_names_are(repo):
    names, cased = _swap_rules(repo)
    assert names.pattern_branches[1:] == (None, None, None)        # one branch each
    bounded = [source for source, _ in names.pattern_branches[0]]
    assert bounded == [r"(?<![\p{L}\p{N}_])(?:trail ?flask)(?![\p{L}\p{N}_])",
                       r"(?<![\p{L}\p{N}_])(?:kelda flask)(?![\p{L}\p{N}_])"]
    assert [needles for _, needles in names.pattern_branches[0]] == [_sets([{"trail", "flask"}]),
                                                                     _sets([{"kelda flask"}])]
    assert cased.pattern_branches == ((("(?<![\\p{L}\\p{N}_])(?:Kelda)(?![\\p{L}\\p{N}_])", _sets([{"Kelda"}])),
                                       ("(?<![\\p{L}\\p{N}_])(?:ö)(?![\\p{L}\\p{N}_])", _sets([{"ö"}]))), None)   # raw: whole


@settings(max_examples=500, deadline=None)
@given(tokens=st.lists(PATTERNS, min_size=1, max_size=3), ignorecase=st.booleans())
def test_a_pattern_has_the_needles_of_its_branches(tokens, ignorecase):
    branches = voice.branches_of(tokens, ("", ""), ignorecase)
    if branches is not None:
        assert voice.needles_of_branches(branches) == voice.needles_of(tokens, ignorecase)


def test_a_pattern_of_many_branches_is_searched_whole():
    bounds = ("", "")
    assert len(voice.branches_of([f"word{n}" for n in range(voice._MOST_BRANCHES)], bounds, False)) == 16
    assert voice.branches_of([f"word{n}" for n in range(voice._MOST_BRANCHES + 1)], bounds, False) is None
    assert voice.branches_of(["|".join(f"w{n}" for n in range(voice._MOST_BRANCHES + 1))], bounds, False) is None


TEXTS = st.lists(st.sampled_from(list("abcß -.xSé") + ["ab", "bc", "SS", "ss"]), max_size=16).map("".join)


@settings(max_examples=500, deadline=None)
@example(tokens=["a", "aa"], text="aaa", bounded=False, ignorecase=False)     # the second "aa" after "a"
@example(tokens=["xa", "aa"], text="xaaa", bounded=False, ignorecase=False)   # "aa" inside one not taken
@example(tokens=["a|", "b"], text="bab", bounded=True, ignorecase=False)      # a branch that matches empty
@given(tokens=st.lists(PATTERNS, min_size=1, max_size=3), text=TEXTS, bounded=st.booleans(), ignorecase=st.booleans())
def test_searching_the_branches_finds_what_the_pattern_finds(tokens, text, bounded, ignorecase):
    bounds = (r"(?<![\p{L}\p{N}_])", r"(?![\p{L}\p{N}_])") if bounded else ("", "")
    flags = regex.IGNORECASE if ignorecase else 0
    pattern = regex.compile(bounds[0] + "(?:" + "|".join(tokens) + ")" + bounds[1], flags)
    branches = voice.branches_of(tokens, bounds, ignorecase)
    if branches is None:
        return
    found = voice.leftmost(pattern, [regex.compile(source, flags) for source, _ in branches], text)
    found = itertools.islice(found, 2 * len(text) + 2)    # as many as finditer can find (an empty match and more)
    assert [(m.span(), m.group()) for m in found] == [(m.span(), m.group()) for m in pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["trail", "Flask", "kelda flask", " ", "WATER", "point", "Kelda", "ö", "x",
                                      "trail flask", "Trailflask", "-"]), max_size=12).map("".join))
def test_a_rule_searches_only_the_branches_whose_needles_the_text_holds(text):
    import tempfile
    from dataclasses import replace
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder, patch.object(voice, "_BRANCHES_FROM", 0):
        for rule in _swap_rules(Path(folder)):
            assert rule.check(text) == replace(rule, pattern_branches=()).check(text)


def test_long_copy_is_searched_through_the_branches_and_short_copy_whole(repo):
    names, _ = _swap_rules(repo)
    voice._BRANCH_PATTERNS.clear()
    short = "Meet us at the Trail Flask stand."
    assert [m.message for m in names.check(short)] == ["Write 'Kelda Trail Flask', not 'Trail Flask'."]
    assert voice._BRANCH_PATTERNS == {}
    long = "x " * voice._BRANCHES_FROM + short
    assert [m.message for m in names.check(long)] == ["Write 'Kelda Trail Flask', not 'Trail Flask'."]
    assert [source for source, _ in voice._BRANCH_PATTERNS] == [names.pattern_branches[0][0][0]]   # "trail" only
    voice._BRANCH_PATTERNS[names.pattern_branches[0][0][0], names.patterns[0][0].flags] = None   # did not compile
    assert [m.message for m in names.check(long)] == ["Write 'Kelda Trail Flask', not 'Trail Flask'."]


def test_the_characters_whose_lower_case_holds_ascii_are_known():
    found = {chr(c) for c in range(0x80, 0x110000)
             if not 0xD800 <= c < 0xE000 and any(ch.isascii() for ch in chr(c).lower())}
    assert found == links.LOWER_TO_ASCII == {"\u0130", "\u212a"}      # as names_a_domain looks for them


DOMAIN_PIECES = ["kelda.example", "KELDA.Example", "\u212aelda.example", "kelda.f\u0130", "kelda.fi", "ö", "Ö",
                 "kelda-ö.example", "KELDA-Ö.EXAMPLE", " ", "https://", "日本", "\ud800", "."]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(DOMAIN_PIECES) | st.text(max_size=3), max_size=8).map("".join),
       domains=st.sampled_from([("kelda.example",), ("kelda.fi", "kelda.example"), ("kelda-ö.example",), ()]))
def test_a_text_names_a_domain_when_its_lower_case_holds_one(text, domains):
    expected = any(domain in text.lower() for domain in domains)
    assert links.names_a_domain(text, domains) == expected
    with patch.object(links, "_BYTES_FROM", 0):         # short copy asked of its UTF-8 too
        assert links.names_a_domain(text, domains) == expected


LINK_PIECES = ["https://", "http://", "HTTPS://", "kelda.example", "KELDA.Example", "/shop", ":", "//", " ", ".",
               "\u212aelda.example", "sub.", "ö", "\n", "?a=1"]


@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(LINK_PIECES) | st.text(max_size=3), max_size=10).map("".join),
       domains=st.sampled_from([("kelda.example",), ("kelda.fi", "kelda.example"), ()]))
def test_copy_without_a_link_to_the_brand_is_told_without_looking_for_links(text, domains):
    """may_link_to is False only for copy holding no http(s) link to one of the domains: what
    render() would tag (brand_links) is what finding every link and asking each gives."""
    every = tuple(link for link in links.http_links(text) if links.is_brand_link(link.url, domains))
    assert links.brand_links(text, domains) == every
    if every:
        assert links.may_link_to(text, domains)


URL_PIECES = ["https://", "http://", "HTTPS://", "kelda.example", "KELDA.Example", "\u212aelda.example", "sub.",
              "shop.", "kelda.fi", "user@", ":8080", "/", "?q=kelda.example", "#kelda.example", "[::1]", "ö", "-", "."]


def _split_brand_link(url: str, domains: tuple) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


@settings(max_examples=500, deadline=None)
@given(url=st.lists(st.sampled_from(URL_PIECES) | st.text(max_size=2), max_size=8).map("".join),
       domains=st.sampled_from([("kelda.example",), ("kelda.fi", "kelda.example"), ("kelda-ö.example",), ()]))
def test_a_link_that_names_no_brand_domain_is_told_without_splitting_it(url, domains):
    """is_brand_link passes over links that do not name a brand domain without splitting them: its
    answer is the host's, found by splitting every link."""
    assert links.is_brand_link.__wrapped__(url, domains) == _split_brand_link(url, domains)


def test_the_characters_whose_casefold_holds_ascii_are_known():
    found = {chr(c) for c in range(0x80, 0x110000)
             if not 0xD800 <= c < 0xE000 and any(ch.isascii() for ch in chr(c).casefold())}
    assert found == voice.CASEFOLD_TO_ASCII


def test_the_screen_casefolds_copy_for_needles_beyond_ascii(repo):
    rules = _rules(repo, "Umlaut", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\ntokens: [Öl, ſtop]\n")
    umlaut = rules["Fixture.Umlaut"]
    assert umlaut.needles == _sets([{"öl"}, {"stop"}])
    may_match = voice.screen([umlaut])
    assert may_match("ÖL") == [umlaut] and may_match("STOP") == [umlaut] and may_match("Oel") == []


def _folded_rules(folder):
    rules = _rules(folder, "Green", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\n"
                                    "tokens: [Miljövänlig, Straße, öl, waste]\n")
    rules |= _rules(folder, "Kana", "extends: existence\nmessage: \"'%s'\"\nignorecase: true\ntokens: [日本, kelda]\n")
    return [rules["Fixture.Green"], rules["Fixture.Kana"]]


@settings(max_examples=400, deadline=None)
@example("MILJÖVÄNLIG")
@example("ÖL and WASTE")
@example("\u017ftra\u017f\u017fe 日本")
@given(text=st.lists(st.sampled_from(["MILJÖ", "miljö", "VÄNLIG", "vänlig", "Ö", "ö", "L", "l", "ß", "ſ", "STRA", "e",
                                      "WASTE", "日本", "KELDA", "\u212aelda", " ", "\ud800", "x"]), max_size=10).map("".join))
def test_the_screen_finds_casefolded_needles_beyond_ascii_as_casefolding_finds_them(text):
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as folder:
        for rules in (_folded_rules(Path(folder)), _folded_rules(Path(folder))[:1]):
            held = [rule for rule in rules if _holds_a_set(text.casefold(), rule.needles)]
            assert voice.screen(rules)(text) == held
            with patch.object(voice, "_LOWERED_FROM", 0):
                assert voice.screen(rules)(text) == held


@pytest.mark.parametrize("pattern, may", [
    ("(a|aa)+b", True), ("(a+)+", True), (r"(\w+\s?)+$", True), ("((a|b)c)+", True), ("(x{2,})*", True),
    ("(?:very )?unique", False), ("game[- ]changer", False), ("(ab)+", False), ("((ab)c)+", False),
    ("[(a+)]+", False), (r"\(a+\)+", False), ("[]a+]+", False), ("trail ?flask|kelda trail-flask", False),
    (r"(?<![\p{L}\p{N}_])(?:100 ?% sustainable|carbon[- ]neutral)(?![\p{L}\p{N}_])", False)])
def test_a_pattern_that_repeats_a_group_of_many_ways_is_searched_with_a_time_limit(pattern, may):
    assert voice.may_backtrack(pattern) is may


def test_a_rule_that_runs_past_the_time_limit_is_reported_once_and_not_used_again(repo):
    """Two posts whose copy makes "(a|aa)+b" try ways without end: the first gets voice.too-slow
    after voice.SEARCH_SECONDS (the search took hours), the second nothing from the stopped rule;
    the other rules go on."""
    _rules(repo, "Slow", 'extends: existence\nmessage: "Avoid \'%s\'."\nlevel: warning\ntokens: ["(a|aa)+b"]\n')
    _rules(repo, "Hype", 'extends: existence\nmessage: "Avoid \'%s\'."\nlevel: warning\ntokens: [insane]\n')
    slow = "a" * 60 + "c and b, insane"
    for day in ("20", "21"):
        write(repo, f"content/posts/2026/12/{day}-slow.md",
              f"---\ntitle: Slow\nstatus: draft\nplatforms: [linkedin]\n---\n{slow}\n")
    found = [f for f in check(repo) if f.path.startswith("content/posts/2026/12/2")]
    assert [(f.path, f.rule) for f in found if f.rule == "voice.too-slow"] == [
        ("content/posts/2026/12/20-slow.md", "voice.too-slow")]
    assert sorted(f.path for f in found if f.rule == "voice.Fixture.Hype") == [
        "content/posts/2026/12/20-slow.md", "content/posts/2026/12/21-slow.md"]
