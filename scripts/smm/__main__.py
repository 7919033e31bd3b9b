"""`python -m smm` and the `smm` command. The reader of posts (prefetch.py) is started before
smm's modules are imported, so that it reads while they are."""
import sys
import types

from . import patterns, prefetch


class _InspectWhenUsed(types.ModuleType):
    """Stands in for the standard library's `inspect` until a name of it is first asked for, then
    imports it, gives it its place in sys.modules and answers from it. `dataclasses` imports
    `inspect` (8 ms: `ast`, `dis`, `tokenize` with it) only to write a docstring for a class that
    has none, and smm's classes each have one: the command's every run spent those 8 ms for
    nothing (of about 70 ms of imports, before the other core has posts to check)."""

    def __getattr__(self, name):
        if sys.modules.get("inspect") is self:
            del sys.modules["inspect"]
        return getattr(__import__("inspect"), name)


def inspect_when_used() -> None:
    """Put the stand-in in place, unless `inspect` is imported already."""
    sys.modules.setdefault("inspect", _InspectWhenUsed("inspect"))


def before_imports() -> None:
    """What the command does before it imports smm's modules: `inspect`'s stand-in put in place,
    and PyYAML imported with its reader's pattern left until used (patterns.py)."""
    inspect_when_used()
    patterns.yaml_imported()


def main() -> None:
    prefetch.start(sys.argv[1:])
    before_imports()
    from .cli import run
    run()


if __name__ == "__main__":
    main()
