"""Brand voice rules in Vale's format (existence and substitution), applied without Vale.

Styles live in strategy/voice/<Style>/<Rule>.yml, the layout Vale reads from its
StylesPath, so the same files work with Vale where it is installed (.vale.ini).
Supported keys, after Vale's documentation of these checks: extends, message,
level (suggestion | warning | error), ignorecase, nonword, tokens, raw,
exceptions (existence) and swap (substitution), plus description and link.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from . import findings as F
from .loader import load_yaml

LEVELS = ("suggestion", "warning", "error")
EXTENDS = ("existence", "substitution")


@dataclass
class Match:
    start: int
    end: int
    message: str
    hint: str


@dataclass
class VoiceRule:
    id: str                     # Style.Rule
    path: str
    extends: str
    message: str
    level: str = "suggestion"
    description: str = ""
    link: str = ""
    patterns: list = field(default_factory=list)    # (compiled pattern, replacement or None)
    exceptions: frozenset = frozenset()

    def check(self, text: str) -> list[Match]:
        found = []
        for pattern, replacement in self.patterns:
            for m in pattern.finditer(text):
                word = m.group(0)
                if word.lower() in self.exceptions or _is_allowed(word, replacement):
                    continue
                found.append(Match(m.start(), m.end(), self._message(word, replacement), self._hint(replacement)))
        return sorted(found, key=lambda x: x.start)

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
    try:
        patterns = _patterns(data, extends)
    except (regex.error, TypeError, AttributeError) as error:
        return None, F.make("voice.rule-file", doc.path, doc.where("swap" if extends == "substitution" else "tokens"),
                            f"a pattern does not compile: {error}")
    if not patterns:
        return None, F.make("voice.rule-file", doc.path, (1, 1), "the rule has no tokens or swap entries")
    return VoiceRule(id=rule_id, path=doc.path, extends=extends, message=data["message"], level=level,
                     description=str(data.get("description", "")), link=str(data.get("link", "")),
                     patterns=patterns,
                     exceptions=frozenset(str(e).lower() for e in data.get("exceptions", []) or [])), None


def _patterns(data: dict, extends: str) -> list:
    flags = regex.IGNORECASE if data.get("ignorecase") else 0
    bounds = ("", "") if data.get("nonword") else (r"(?<![\p{L}\p{N}_])", r"(?![\p{L}\p{N}_])")
    if extends == "existence":
        tokens = [str(t) for t in data.get("tokens", []) or []]
        raw = "".join(str(r) for r in data.get("raw", []) or [])
        pieces = []
        if tokens:
            pieces.append(regex.compile(bounds[0] + "(?:" + "|".join(tokens) + ")" + bounds[1], flags))
        if raw:
            pieces.append(regex.compile(raw, flags))
        return [(p, None) for p in pieces]
    swap = data.get("swap") or {}
    return [(regex.compile(bounds[0] + "(?:" + str(k) + ")" + bounds[1], flags), str(v)) for k, v in swap.items()]


# What a pattern may not hold to be joined with others: global or named-group syntax and
# back-references, whose meaning would change inside a larger pattern.
_NOT_JOINABLE = regex.compile(r"\(\?[A-Za-z^]|\\[1-9g]|\(\?P")


def screen(rules: list[VoiceRule]):
    """A test that is false only for text no rule can match: one search over all patterns
    (per set of flags) instead of one per pattern, for the many texts that match none."""
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

