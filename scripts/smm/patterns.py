"""Patterns compiled when first used.

Compiling a pattern costs 0.1 to 7 ms, and a module that compiles its patterns as it is imported
pays that on every start of the command, before the other core has posts to check. Most of
counting's patterns serve only exact counts, which copy within a platform's cheap bound never
needs (a cold check of short copy used one of them), and PyYAML's reader compiles a pattern for
its pure-Python reader, which smm never runs (it reads YAML with LibYAML). Such a pattern is
made a stand-in that compiles it when one of its attributes is first asked for.
"""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager


class WhenUsed:
    """Stands in for `compile(*args)` until one of its attributes is asked for: then compiles it,
    puts it in the stand-in's place in `namespace` under `name` (a module's globals: later uses
    find the pattern itself), and answers from it. Where a reference to the stand-in was kept
    elsewhere, each use asks it again, at the cost of a Python call."""

    __slots__ = ("_make", "_namespace", "_name", "_compiled")

    def __init__(self, namespace: dict | None, name: str, compile, *args):
        self._make, self._namespace, self._name, self._compiled = (lambda: compile(*args)), namespace, name, None

    def __getattr__(self, attribute: str):
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._make()
            if self._namespace is not None and self._namespace.get(self._name) is self:
                self._namespace[self._name] = compiled
        return getattr(compiled, attribute)


# PyYAML's reader.py: the characters its pure-Python Reader refuses (6.6 ms to compile, in every
# process that imports yaml; the floor pays it too)
YAML_NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"


@contextmanager
def compiled_when_used(sources: tuple):
    """While it lasts, re.compile of one of `sources` (with no flags) gives a stand-in instead."""
    compile = re.compile

    def standing_in(pattern, flags=0):
        if flags == 0 and isinstance(pattern, str) and pattern in sources:
            return WhenUsed(None, pattern, compile, pattern)
        return compile(pattern, flags)
    re.compile = standing_in
    try:
        yield
    finally:
        re.compile = compile


def yaml_imported() -> None:
    """Import PyYAML, its reader's pattern left to be compiled when used (see above)."""
    if "yaml" not in sys.modules:
        with compiled_when_used((YAML_NON_PRINTABLE,)):
            import yaml  # noqa: F401
