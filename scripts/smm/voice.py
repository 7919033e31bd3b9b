"""Brand voice rules in Vale's format (existence and substitution), applied without Vale.

Styles live in strategy/voice/<Style>/<Rule>.yml, the layout Vale reads from its
StylesPath, so the same files work with Vale where it is installed (.vale.ini).
Supported keys, after Vale's documentation of these checks: extends, message,
level (suggestion | warning | error), ignorecase, nonword, tokens, raw,
exceptions (existence) and swap (substitution), plus description and link.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import ahocorasick_rs
import regex

from . import findings as F
from .counting import CASEFOLD_TO_ASCII
from .loader import load_yaml

LEVELS = ("suggestion", "warning", "error")
EXTENDS = ("existence", "substitution")


@dataclass
class Match:
    """Where a voice rule matches in a text, and what it says there."""

    start: int
    end: int
    message: str
    hint: str


@dataclass
class VoiceRule:
    """A brand-voice rule (strategy/voice/Style/Rule.yml, in Vale's format), compiled once."""

    id: str                     # Style.Rule
    path: str
    extends: str
    message: str
    level: str = "suggestion"
    description: str = ""
    link: str = ""
    patterns: list = field(default_factory=list)    # (compiled pattern, replacement or None)
    exceptions: frozenset = frozenset()
    ignorecase: bool = False
    needles: frozenset | None = None    # sets of text, each match holding all of one (see needles_of); None: unknown
    pattern_needles: tuple = ()         # the needles of each pattern, in order; () or None: unknown
    pattern_branches: tuple = ()        # the branches of each pattern, in order (see branches_of); ()/None: none
    may_backtrack: bool = False         # a pattern may try ways without end (see may_backtrack): searched timed
    stopped: bool = False               # it took longer than SEARCH_SECONDS on some copy: not used again

    def check(self, text: str) -> list[Match]:
        found = []
        haystack = casefolded(text) if self.ignorecase else text
        for index, ((pattern, replacement), needles) in enumerate(zip(self.patterns,
                                                                      self.pattern_needles or repeat(None))):
            if needles is not None and not holds_a_set(haystack, needles):
                continue                # another pattern of the rule brought it here (a search: 2-100 us)
            for m in self._matches(index, pattern, text, haystack):
                word = m.group(0)
                if word.lower() in self.exceptions or _is_allowed(word, replacement):
                    continue
                found.append(Match(m.start(), m.end(), self._message(word, replacement), self._hint(replacement)))
        return sorted(found, key=lambda x: x.start)

    def _matches(self, index: int, pattern, text: str, haystack: str):
        """pattern.finditer(text), found through the pattern's branches where it has some (see
        leftmost): those whose needles the text (as `haystack`, casefolded with ignorecase) lacks
        cannot match, and are not searched."""
        if self.may_backtrack:
            return pattern.finditer(text, timeout=SEARCH_SECONDS)       # TimeoutError past it
        branches = self.pattern_branches[index] if self.pattern_branches and len(text) >= _BRANCHES_FROM else None
        if not branches:
            return pattern.finditer(text)
        searched = [_compiled(source, pattern.flags) for source, needles in branches
                    if needles is None or holds_a_set(haystack, needles)]
        return pattern.finditer(text) if None in searched else leftmost(pattern, searched, text)

    def _message(self, word: str, replacement: str | None) -> str:
        values = [replacement.split("|")[0], word] if replacement is not None else [word]
        message = self.message
        for value in values:
            message = message.replace("%s", value, 1)
        return message

    def _hint(self, replacement: str | None) -> str:
        if replacement is not None:
            return f'Write "{replacement.split("|")[0]}". ({self.path})'
        return (self.description or "This is on the team's list of words to avoid.") + \
            (f" See {self.link}" if self.link else f" ({self.path})")


def leftmost(pattern, branches: list, text: str):
    """What pattern.finditer(text) finds, where `branches` are the patterns of its top-level
    branches (each with the pattern's bounds, see branches_of) that may match `text`: the pattern
    matches where one of them does, so the next match starts where the first of them matches,
    and is the pattern's match there. An alternation of words searches every position of the
    text (the regex module finds no text it must hold: 43 us over 1,500 characters for three
    branches), a branch only where its fixed text is (1-2 us). An empty match (a pattern that
    allows one) ends it: from there the pattern's own search goes on, as finditer would."""
    ahead = [branch.search(text) for branch in branches]
    while True:
        at = min([match.start() for match in ahead if match is not None], default=None)
        if at is None:
            return
        match = pattern.match(text, at)
        if match is None or match.end() == at:
            yield from pattern.finditer(text, at)
            return
        yield match
        end = match.end()
        ahead = [found if found is None or found.start() >= end else branch.search(text, end)
                 for found, branch in zip(ahead, branches)]


# Copy this long or longer is searched through branches: in shorter copy the whole pattern is
# searched as fast (7.1 us a check of 80 characters either way, 8.4 against 12.7 for 200, 19 against
# 70 for 1,500), and a branch's pattern is compiled only once it is searched (0.65 ms each).
_BRANCHES_FROM = 200
_BRANCH_PATTERNS: dict = {}           # (source, flags) -> a branch's pattern, compiled when first searched


def _compiled(source: str, flags: int):
    """A branch's pattern; None should it not compile alone (the whole pattern is then searched)."""
    key = (source, flags)
    if key not in _BRANCH_PATTERNS:
        try:
            _BRANCH_PATTERNS[key] = regex.compile(source, flags)
        except regex.error:
            _BRANCH_PATTERNS[key] = None
    return _BRANCH_PATTERNS[key]


def holds_a_set(text: str, needles: frozenset) -> bool:
    """Whether `text` holds every needle of one of the sets `needles` (see needles_of)."""
    for needle_set in needles:
        for needle in needle_set:
            if needle not in text:
                break
        else:
            return True
    return False


# The last text casefolded, and its casefold: the screen and a rule both ask. Not counting's memo of
# the last text (counting.LastText), which a cold check of 2,000 posts ran 4.7 M more instructions with: the
# screen and counting ask about different texts in turn, and each clears the other's.
_FOLDED = [None, ""]


def casefolded(text: str) -> str:
    if text is not _FOLDED[0]:
        _FOLDED[:] = text, text.casefold()
    return _FOLDED[1]


def _is_allowed(word: str, replacement: str | None) -> bool:
    return replacement is not None and word in replacement.split("|")


def load_styles(root: Path) -> tuple[list[VoiceRule], list]:
    base = root / "strategy" / "voice"
    rules, problems = [], []
    if not base.is_dir():
        return rules, problems
    for file in sorted(base.glob("*/*.yml")) + sorted(base.glob("*/*.yaml")):
        relpath = file.relative_to(root).as_posix()
        doc = load_yaml(file, relpath)
        problems += doc.findings
        if doc.ok:
            rule, issue = _build(doc, f"{file.parent.name}.{file.stem}")
            if rule:
                rules.append(rule)
            else:
                problems.append(issue)
    return rules, problems


def _build(doc, rule_id: str):
    data = doc.data
    extends = data.get("extends")
    if extends not in EXTENDS:
        return None, F.make("voice.rule-file", doc.path, doc.value_at("extends"),
                            f'"extends: {extends}" is not supported here (use existence or substitution)')
    level = data.get("level", "suggestion")
    if level not in LEVELS or not isinstance(data.get("message"), str):
        return None, F.make("voice.rule-file", doc.path, doc.value_at("level"),
                            "level must be suggestion, warning or error, and message must be text")
    ignorecase, bounds = bool(data.get("ignorecase")), _bounds(data)
    try:
        written = _written_patterns(data, extends)
        patterns = [(_pattern_of(tokens, bounded, bounds, ignorecase), replacement)
                    for tokens, bounded, replacement in written]
        pattern_branches = tuple(branches_of(tokens, bounds, ignorecase) if bounded else None
                                 for tokens, bounded, _ in written)
        pattern_needles = tuple(needles_of_branches(branches) if branches else needles_of(tokens, ignorecase)
                                for (tokens, _, _), branches in zip(written, pattern_branches))
    except (regex.error, TypeError, AttributeError) as error:
        return None, F.make("voice.rule-file", doc.path, doc.where("swap" if extends == "substitution" else "tokens"),
                            f"a pattern does not compile: {error}")
    if not patterns:
        return None, F.make("voice.rule-file", doc.path, (1, 1), "the rule has no tokens or swap entries")
    return VoiceRule(id=rule_id, path=doc.path, extends=extends, message=data["message"], level=level,
                     description=str(data.get("description", "")), link=str(data.get("link", "")),
                     patterns=patterns, ignorecase=ignorecase,
                     may_backtrack=any(may_backtrack(pattern.pattern) for pattern, _ in patterns),
                     needles=None if None in pattern_needles else frozenset().union(*pattern_needles),
                     pattern_needles=pattern_needles, pattern_branches=pattern_branches,
                     exceptions=frozenset(str(e).lower() for e in data.get("exceptions", []) or [])), None


def _existence(data: dict) -> tuple[list[str], str]:
    """An existence rule's tokens, and its raw pattern ("" for none), as written."""
    return [str(t) for t in data.get("tokens", []) or []], "".join(str(r) for r in data.get("raw", []) or [])


def _written_patterns(data: dict, extends: str) -> list[tuple[list[str], bool, str | None]]:
    """Each of the rule's patterns as written: the tokens it is made of, whether they sit between
    _bounds (a raw pattern does not), and its replacement (a swap's; None for existence)."""
    if extends == "substitution":
        return [([str(k)], True, str(v)) for k, v in (data.get("swap") or {}).items()]
    tokens, raw = _existence(data)
    return ([(tokens, True, None)] if tokens else []) + ([([raw], False, None)] if raw else [])


def _bounds(data: dict) -> tuple[str, str]:
    """What a match must have before and after it: no letter, digit or "_" (unless `nonword`)."""
    return ("", "") if data.get("nonword") else (r"(?<![\p{L}\p{N}_])", r"(?![\p{L}\p{N}_])")


def _pattern_of(tokens: list[str], bounded: bool, bounds: tuple[str, str], ignorecase: bool):
    """The pattern of `tokens`: one alternation between `bounds`, or a raw pattern as written."""
    source = bounds[0] + "(?:" + "|".join(tokens) + ")" + bounds[1] if bounded else tokens[0]
    return regex.compile(source, regex.IGNORECASE if ignorecase else 0)


# What a pattern may not hold to be joined with others: global or named-group syntax and
# back-references, whose meaning would change inside a larger pattern.
_NOT_JOINABLE = regex.compile(r"\(\?[A-Za-z^]|\\[1-9g]|\(\?P")


def screen(rules: list[VoiceRule]):
    """A function giving the rules that may match a text, in order: most texts match none.
    A rule with needles (see needles_of) may match only a text that holds each needle of one of its
    sets; which needles a text holds is found in one pass over it (_Needles); the rules without are screened
    together, by one search over all their patterns (per set of flags)."""
    search = _joined_search([rule for rule in rules if rule.needles is None and not rule.may_backtrack])
    folded, plain = (_Needles([(i, rule) for i, rule in enumerate(rules)
                               if rule.needles is not None and rule.ignorecase == fold], fold) for fold in (True, False))

    unscreened = frozenset(i for i, rule in enumerate(rules) if rule.needles is None and not rule.may_backtrack)
    timed = frozenset(i for i, rule in enumerate(rules) if rule.needles is None and rule.may_backtrack)

    def may_match(text: str) -> list[VoiceRule]:
        held = plain.held(text)
        if timed:
            held |= timed               # a rule searched with a time limit is not searched here without one
        if folded.finder is not None:
            held |= folded.held_casefolded(text) if len(text) >= _LOWERED_FROM else folded.held(casefolded(text))
        if unscreened and search(text):
            held |= unscreened
        return [rules[index] for index in sorted(held)] if held else []
    return may_match


class _Needles:
    """The needles of some rules, found in a text in one pass (Aho-Corasick, ahocorasick_rs), every
    occurrence, overlapping ones too: with one search per needle (`needle in text`), the 33 of
    the sample strategy took 11 us a post with short copy and 43 with 1,500 characters; in one
    pass 1.4 and 9.5 (3,000 posts). Texts go in as UTF-8 (with surrogatepass: copy may hold
    a lone surrogate), where a needle's bytes occur exactly where its characters do. The pass looks
    for the longest needle of each set; the others of a set (words such as "point" or "free", found
    all over copy) are looked for only where it is found."""

    def __init__(self, indexed: list[tuple[int, VoiceRule]], folded: bool = False):
        sets = [(i, max(needle_set, key=_longest), needle_set) for i, rule in indexed for needle_set in rule.needles]
        needles = sorted({first for _, first, _ in sets})
        self.owners = _owners_of(needles, sets, _utf8)
        self.lowered_owners = _owners_of(needles, sets, _lowered_needle)
        self.finder = ahocorasick_rs.BytesAhoCorasick([_utf8(needle) for needle in needles]) if needles else None
        self.lowered = _lowered_finder(needles) if folded and needles else None
        self.proxied = frozenset(i for i, needle in enumerate(needles) if not needle.isascii())

    def held(self, text: str) -> set[int]:
        """The indexes of the rules with a set of needles all in `text`."""
        if self.finder is None:
            return set()
        haystack = _utf8(text)
        found = self.finder.find_matches_as_indexes(haystack, overlapping=True)
        return _owners({match[0] for match in found}, self.owners, haystack) if found else set()

    def held_casefolded(self, text: str) -> set[int]:
        """held(text.casefold()). Where the text holds no character of CASEFOLD_TO_ASCII, an ASCII
        needle is in the casefold exactly where its bytes are in the text's UTF-8 lower-cased
        (bytes.lower changes the ASCII letters only, and no other character folds to ASCII), and a
        needle beyond ASCII only where the longest ASCII run of it is: 1-4 us for 1,500
        characters, where casefold took 8-16. The text is casefolded only when one of those is
        found (a needle beyond ASCII that is not the longest of its set is looked for as its
        longest ASCII run: the set may then bring a rule whose own check finds nothing)."""
        if self.lowered is not None and not text.isascii():
            haystack = _utf8(text).lower()
            found = {match[0] for match in self.lowered.find_matches_as_indexes(haystack, overlapping=True)}
            if max(found, default=-1) < len(self.owners) and self.proxied.isdisjoint(found):
                return _owners(found, self.lowered_owners, haystack)
        return self.held(casefolded(text))


def _longest(needle: str) -> tuple[int, str]:
    return len(needle), needle


def _owners_of(needles: list[str], sets: list, as_bytes) -> list:
    """For each needle, the rules it may bring, each with the rest of the set to find with it (as
    `as_bytes` gives each)."""
    return [[(i, tuple(as_bytes(other) for other in sorted(needle_set) if other != first))
             for i, first, needle_set in sets if first == needle] for needle in needles]


def _lowered_needle(needle: str) -> bytes:
    """What a needle is looked for as in copy's UTF-8 lower-cased (see held_casefolded)."""
    return _utf8(_stand_in(needle))


def _stand_in(needle: str) -> str:
    """The needle where it is ASCII, else its longest ASCII run ("" for none)."""
    return needle if needle.isascii() else max(_ASCII_RUN.findall(needle), key=len, default="")


def _owners(found: set[int], owners: list, haystack: bytes) -> set[int]:
    """The rules of the needles `found` (their numbers) whose sets' other needles are in `haystack`."""
    held = set()
    for number in found:
        for rule, others in owners[number]:
            if rule not in held and (not others or all(other in haystack for other in others)):
                held.add(rule)
    return held


def _lowered_finder(needles: list[str]):
    """A finder over copy's UTF-8 lower-cased: the casefolded needles, each beyond ASCII as the
    longest ASCII run of it, then the characters of CASEFOLD_TO_ASCII; None when a needle has
    no ASCII run."""
    stand_ins = list(map(_stand_in, needles))
    if not all(stand_ins):
        return None
    return ahocorasick_rs.BytesAhoCorasick([_utf8(stand_in) for stand_in in stand_ins]
                                           + [_utf8(character) for character in sorted(CASEFOLD_TO_ASCII)])


_ASCII_RUN = regex.compile(r"[\x00-\x7f]+")
_LOWERED_FROM = 200     # characters of copy: shorter copy casefolds as fast (1.7 against 1.9 us for 80)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# Vale searches with Go's regular expressions, which never go back to try another way; the regex
# module does, and a pattern that repeats a group able to match the same text in more than one way,
# such as "(a|aa)+b", has ways that multiply with the copy's length (40 characters of "a": more than
# a minute). Such a pattern is searched with a time limit; a rule whose search runs past it gets a
# finding on that copy (voice.too-slow) and is not used again in the run.
SEARCH_SECONDS = 1.0


def may_backtrack(source: str) -> bool:
    """Whether the pattern `source` repeats a group (with *, + or {...}) whose content repeats too or
    holds alternatives: the shape whose ways of matching multiply. A few patterns it names are
    safe, and they are only searched a little slower (with a time limit)."""
    inner = [False]                  # for each group open at `at`: whether its content repeats or branches
    at = 0
    while at < len(source):
        character = source[at]
        if character == "\\":
            at += 2
            continue
        if character == "[":
            at = _class_end(source, at)
            continue
        at += 1
        if character == "(":
            inner.append(False)
            at += source.startswith("?", at)         # "(?:", "(?<!"...: not a quantifier
        elif character == ")" and len(inner) > 1:
            varied = inner.pop()
            repeated = source.startswith(("*", "+", "{"), at)
            if varied and repeated:
                return True
            inner[-1] = inner[-1] or varied or repeated
        elif character in "*+?|{":
            inner[-1] = True
    return False


def _class_end(source: str, at: int) -> int:
    """Where the character class opening at `at` ends (after its "]"; a "]" first in it is a member)."""
    at += 1
    at += source.startswith("^", at)
    at += source.startswith("]", at)
    while at < len(source) and source[at] != "]":
        at += 2 if source[at] == "\\" else 1
    return at + 1


def _joined_search(rules: list[VoiceRule]):
    groups: dict[int, list[str]] = {}
    for rule in rules:
        for pattern, _ in rule.patterns:
            if _NOT_JOINABLE.search(pattern.pattern):
                return lambda text: True
            groups.setdefault(pattern.flags, []).append(f"(?:{pattern.pattern})")
    try:
        joined = [regex.compile("|".join(parts), flags) for flags, parts in groups.items()]
    except regex.error:
        return lambda text: True
    return lambda text: any(pattern.search(text) for pattern in joined)


# A needle of a pattern's branch is text every match of the branch holds: a run of plain characters
# outside groups and classes that no quantifier makes optional. Each top-level branch has a set of
# them (its longest run and its others of a few characters), and a text can match the pattern only
# where it holds a whole set: "water ?point" is not searched in copy that says "water" only.
# A pattern with syntax this reading does not follow (escapes of letters, inline flags, other
# groups, nested classes, fuzzy matching) has none, and is searched.
_QUANTIFIER = regex.compile(r"[?*+]|\{(\d*)(?:,\d*)?\}")
_OPEN = ("(?:", "(?=", "(?!", "(?<=", "(?<!")


def needles_of(tokens: list[str], ignorecase: bool) -> frozenset | None:
    """Sets of text (casefolded with `ignorecase`), one for each top-level branch of `tokens`, every
    match of the branch holding all of its set; None where some branch has none."""
    found = set()
    for token in tokens:
        needles = _branch_needles(token)
        if needles is None:
            return None
        found |= {frozenset(needle.casefold() for needle in needle_set) for needle_set in needles} \
            if ignorecase else needles
    return frozenset(found) or None


def _branch_needles(pattern: str) -> set | None:
    needles, runs, run, depth, i = set(), [], "", 0, 0
    while i < len(pattern):
        char, quantifier = pattern[i], _QUANTIFIER.match(pattern, i)
        if quantifier:
            optional = char in "?*" or (char == "{" and not int(quantifier.group(1) or 0))
            runs.append(run[:-1] if optional else run)
            run, i = "", quantifier.end()
            while i < len(pattern) and pattern[i] in "?+":       # lazy and possessive forms
                i += 1
            continue
        if char == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1].isalnum():
                return None                  # a class, an anchor, a code or a back-reference
            i += 1
            run = run + pattern[i] if depth == 0 else ""
        elif char == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            runs.append(run)
            run, i = "", end
        elif char == "(":
            opener = next((o for o in _OPEN if pattern.startswith(o, i)), "(")
            if opener == "(" and pattern.startswith("(?", i):
                return None                  # inline flags and other groups change what matches
            runs.append(run)
            run, depth, i = "", depth + 1, i + len(opener)
            continue
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "|" and depth == 0:
            runs.append(run)
            if not _add_runs(needles, runs):
                return None
            runs, run = [], ""
        elif char in "{}":
            return None
        elif char in ".^$|" or depth:
            runs.append(run)
            run = ""
        else:
            run += char
        i += 1
    runs.append(run)
    if depth or not _add_runs(needles, runs):
        return None
    return needles


# What a branch may not hold to be searched on its own: what refers to the search's start (\G),
# moves a match's start (\K), names or refers to a group (\g, \k, \1), or changes flags or the
# syntax (any "(?" but these groups); fuzzy matching ({e<=1}). A pattern holding any of them is
# searched whole.
_UNSPLIT_ESCAPES = frozenset("GKgk123456789")
# A pattern of more branches is searched whole: a long list of words (a team's banned terms) would
# have each branch compiled (0.65 ms) once some copy holds its needle, and copy searched once for
# each branch without needles.
_MOST_BRANCHES = 16
_SPLIT_GROUPS = ("(?:", "(?=", "(?!", "(?>", "(?<=", "(?<!")


def branches_of(tokens: list[str], bounds: tuple[str, str], ignorecase: bool) -> tuple | None:
    """The top-level branches of the pattern made of `tokens` (_pattern_of: the tokens as one
    alternation, between `bounds`), each between the bounds, with its needles (None: unknown);
    None where there are fewer than two or more than _MOST_BRANCHES, or a token is not split (see
    top_level_branches)."""
    branches = []
    for token in tokens:
        parts = top_level_branches(token)
        if parts is None:
            return None
        branches += parts
    if not 2 <= len(branches) <= _MOST_BRANCHES:
        return None
    return tuple((f"{bounds[0]}(?:{branch}){bounds[1]}", needles_of([branch], ignorecase)) for branch in branches)


def needles_of_branches(branches: tuple) -> frozenset | None:
    """needles_of the tokens split into `branches` (branches_of), from the branches' own sets."""
    each = [needles for _, needles in branches]
    return None if None in each else frozenset().union(*each)


def top_level_branches(pattern: str) -> list[str] | None:
    """`pattern` split at each "|" outside groups and classes; None for syntax this reading does not
    follow (nested classes, unbalanced groups, and what a branch may not hold alone, above)."""
    branches, start, depth, i = [], 0, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if pattern[i + 1:i + 2] in _UNSPLIT_ESCAPES:
                return None
            i += 2
            continue
        if char == "[":
            end = _class_end(pattern, i)
            if end is None:
                return None
            i = end + 1
            continue
        if char == "{" and pattern[i + 1:i + 2].islower():
            return None
        if char == "(":
            if pattern.startswith("(?", i) and not pattern.startswith(_SPLIT_GROUPS, i):
                return None
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif char == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
        i += 1
    return None if depth else branches + [pattern[start:]]


def _add_runs(needles: set, runs: list) -> bool:
    """Add a branch's set of needles: its longest run and every other of _SHORTEST_NEEDLE or more
    characters (one of a letter or two, found all over copy, would only slow the screen)."""
    longest = max(runs, key=len)
    needles.add(frozenset([longest, *(run for run in runs if len(run) >= _SHORTEST_NEEDLE)]))
    return bool(longest)


_SHORTEST_NEEDLE = 3


def _class_end(pattern: str, start: int) -> int | None:
    """The index of the "]" that closes the character class opened at `start`."""
    i = start + 1 + pattern.startswith("^", start + 1)
    i += pattern.startswith("]", i)                  # a "]" first in a class is the character
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
        elif pattern[i] == "[":
            return None                              # nested sets (regex's version 1)
        elif pattern[i] == "]":
            return i
        else:
            i += 1
    return None
