"""Findings: what a rule reports, and the catalogue of rules they come from."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from . import DATA

SEVERITIES = ("error", "warning", "suggestion")


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file, at one place, with what to do about it."""

    path: str
    line: int
    column: int
    rule: str
    severity: str = field(compare=False)
    message: str = field(compare=True)
    hint: str = field(default="", compare=False)
    platform: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.message)

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


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """The rule catalogue shipped in data/rules.yaml: id -> severity and hint."""
    text = (DATA / "rules.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))   # our own file: trusted


class _Lenient(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def make(rule: str, path: str, where: tuple[int, int] | None, message: str,
         severity: str | None = None, platform: str | None = None, **context) -> Finding:
    """Build a finding for `rule`, taking severity and hint from the catalogue."""
    entry = catalogue().get(rule) or catalogue().get(_wildcard(rule))
    if entry is None:
        raise KeyError(f"rule {rule!r} is not in the catalogue")
    line, column = tuple(where) if where is not None else (1, 1)
    hint = entry.get("hint", "")
    if "{" in hint:
        hint = hint.format_map(_Lenient(context))
    return Finding(path=path, line=line, column=column, rule=rule,
                   severity=severity or entry["severity"], message=message,
                   hint=hint, platform=platform)


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
