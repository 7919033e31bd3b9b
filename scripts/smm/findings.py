"""Findings: what a rule reports, and the catalogue of rules they come from."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter

import yaml

from . import DATA

SEVERITIES = ("error", "warning", "suggestion")


@dataclass(frozen=True, order=True, slots=True)
class Finding:
    """One problem in one file, at one place, with what to do about it. Its fields are slots, not a
    dictionary: a check makes tens of thousands (17,000 for 10,000 posts), each 105 bytes against
    336, made in 0.76 against 1.17 us (see _finding)."""

    path: str
    line: int
    column: int
    rule: str
    severity: str = field(compare=False)
    message: str = field(compare=True)
    hint: str = field(default="", compare=False)
    platform: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict:
        data = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }
        if self.platform:
            data["platform"] = self.platform
        return data

    def __reduce__(self):
        # Pickled as its fields and made again by from_fields: read back in half the time of the
        # default (a new object whose dictionary is filled from a dictionary read first). The cache
        # holds tens of thousands of findings, and the workers send theirs through a pipe.
        return from_fields, FIELDS_OF(self)


# The order findings are reported in: by file, place, rule and message (their compared fields).
# A getter in C: a check can sort tens of thousands of findings.
ORDER = attrgetter("path", "line", "column", "rule", "message")
FIELDS_OF = attrgetter(*(f.name for f in fields(Finding)))     # every field, in the order from_fields takes them


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """The rule catalogue shipped in data/rules.yaml: id -> severity and hint."""
    text = (DATA / "rules.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))   # our own file: trusted


class _Lenient(dict):
    def __missing__(self, key):
        return "{" + key + "}"


_new_finding = object.__new__
# Each slot's own setter: it sets the field of a new finding past the frozen class's __setattr__
_SET_PATH, _SET_LINE, _SET_COLUMN, _SET_RULE, _SET_SEVERITY, _SET_MESSAGE, _SET_HINT, _SET_PLATFORM = (
    getattr(Finding, f.name).__set__ for f in fields(Finding))
_FILLED: dict = {}            # (hint, context, its types) -> the hint filled in: rules repeat contexts


def _filled(hint: str, context: dict) -> str:
    """The catalogue's hint with the finding's context filled in (a name missing stays as {name})."""
    key = (hint, *context.items(), *map(type, context.values()))   # types: 1 and 1.0 are equal keys
    try:
        filled = _FILLED.get(key)     # not [key] and KeyError: contexts that vary miss (a count over)
    except TypeError:         # a value that cannot be part of a key (a list)
        return shortened(hint.format_map(_Lenient(context)))
    if filled is None:
        if len(_FILLED) >= 4096:
            _FILLED.clear()
        filled = _FILLED[key] = shortened(hint.format_map(_Lenient(context)))    # a value may be a file's worth
    return filled


def make(rule: str, path: str, where: tuple[int, int] | None, message: str,
         severity: str | None = None, platform: str | None = None, **context) -> Finding:
    """Build a finding for `rule`, taking severity and hint from the catalogue."""
    entry = _entry(rule)
    message = message if len(message) <= SHOWN else shortened(message)     # most are short: no call
    return _finding(path, where, rule, severity or entry["severity"], message, _hint(entry, context), platform)


SHOWN = 100     # characters of a value a message quotes: the rest is cut, and "…" says so
_WORD_SHOWN = 3 * SHOWN         # characters of a word a message holds unquoted (a path, a name)
_LONG_WORD = rf"\S{{{_WORD_SHOWN + 1},}}"        # compiled when first used (re's cache): not at every start


def shortened(text: str) -> str:
    """`text` with each value quoted in it ("...") longer than SHOWN characters, and each word
    longer than _WORD_SHOWN, cut to its start and "…". A message quotes what a file says (a key, a
    path, a time), which can be as long as the file: a report line of 100,000 characters shows
    nothing. Quotes are paired from the start."""
    if len(text) <= SHOWN:
        return text
    parts = text.split('"')
    for index in range(1, len(parts) - 1, 2):         # the quoted ones: each has a quote after it
        if len(parts[index]) > SHOWN:
            parts[index] = parts[index][:SHOWN - 1] + "…"
    text = '"'.join(parts)
    return re.sub(_LONG_WORD, _cut_word, text) if len(text) > _WORD_SHOWN else text


def _cut_word(word) -> str:
    return word[0][:_WORD_SHOWN - 1] + "…"


def maker(rule: str, severity: str | None = None, platform: str | None = None, **context):
    """make() for the many findings of one rule that share their context (a platform, a limit):
    the catalogue is read and the hint filled in once. Returns f(path, where, message)."""
    entry = _entry(rule)
    severity, hint = severity or entry["severity"], _hint(entry, context)

    def finding(path: str, where, message: str) -> Finding:       # _finding's work, a call fewer
        line, column = where if where is not None else (1, 1)
        if len(message) > SHOWN:
            message = shortened(message)
        return from_fields(path, line, column, rule, severity, message, hint, platform)
    return finding


@lru_cache(maxsize=1024)
def _entry(rule: str) -> dict:
    """The catalogue's entry for `rule`, looked up once per rule (1.2 us, where a check makes tens of
    thousands of findings of a few rules: `limit.x.length` is found as `limit.*.length`)."""
    entry = catalogue().get(rule) or catalogue().get(_wildcard(rule))
    if entry is None:
        raise KeyError(f"rule {rule!r} is not in the catalogue")
    return entry


def _hint(entry: dict, context: dict) -> str:
    hint = entry.get("hint", "")
    return _filled(hint, context) if "{" in hint else hint


def _finding(path, where, rule, severity, message, hint, platform) -> Finding:
    line, column = tuple(where) if where is not None else (1, 1)
    return from_fields(path, line, column, rule, severity, message, hint, platform)


def from_fields(path, line, column, rule, severity, message, hint, platform) -> Finding:
    """Finding(...), each slot set by its own setter instead of the frozen dataclass's __init__,
    which sets each field through object.__setattr__ (as frozen classes must). Every finding is
    made here."""
    finding = _new_finding(Finding)
    _SET_PATH(finding, path)
    _SET_LINE(finding, line)
    _SET_COLUMN(finding, column)
    _SET_RULE(finding, rule)
    _SET_SEVERITY(finding, severity)
    _SET_MESSAGE(finding, message)
    _SET_HINT(finding, hint)
    _SET_PLATFORM(finding, platform)
    return finding


class Lazy:
    """A place (line, column) computed on first use: most checks pass, and finding a line costs."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __iter__(self):
        return iter(self.function(*self.args))


def _wildcard(rule: str) -> str:
    """`limit.x.length` -> `limit.*.length`; `voice.Kelda.Names` -> `voice.*`."""
    parts = rule.split(".")
    if parts[0] == "voice":
        return "voice.*"
    return ".".join([parts[0], "*", *parts[2:]]) if len(parts) == 3 else rule


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)
