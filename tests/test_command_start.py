"""What the `smm` command does before it does anything: `inspect` waits until it is used, and so
do the patterns a check of short copy never uses (patterns.py); argparse is told the terminal's
width, so it does not import shutil (with bz2 and lzma) to ask for it (cli._Help).

`dataclasses` imports the standard library's `inspect` (with `ast`, `dis` and `tokenize`: 8 ms of
the command's 70 ms of imports) only to write a docstring for a class that has none. The command
puts a stand-in in its place (smm.__main__) and every smm class has a docstring of its own, so no
command loads it; code that does use it gets the real module."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import subprocess
import sys

import pytest

import smm


def _imported(args: list[str], cwd) -> list[str]:
    """The modules `python -X importtime -m smm ARGS` imports, by name, as Python logs them."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "smm", *args], cwd=cwd,
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-500:]
    return [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]


@pytest.mark.parametrize("args", [["check"], ["check", "--no-cache", "--format", "json"], ["calendar"],
                                  ["freeze"], ["codeowners", "--check"]])
def test_no_command_imports_inspect_or_shutil(sample, args, tmp_path, monkeypatch):
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path / "cache"))
    imported = _imported(args, sample)
    assert "smm.cli" in imported and "dataclasses" in imported       # the log is read, and the classes made
    assert "inspect" not in imported and "ast" not in imported
    assert "shutil" not in imported and "bz2" not in imported


@pytest.mark.parametrize("columns", ["44", "200", "", "x"])
def test_help_is_as_wide_as_argparse_makes_it(columns, monkeypatch):
    """smm's help wraps where argparse's own formatter would (it asks shutil for the width)."""
    import argparse

    from smm import cli
    monkeypatch.setenv("COLUMNS", columns)
    built = cli.build_parser()
    plain = cli.build_parser()
    for parser in (plain, *plain._subparsers._group_actions[0].choices.values()):
        parser.formatter_class = argparse.HelpFormatter
    assert built.format_help() == plain.format_help()
    for name, parser in built._subparsers._group_actions[0].choices.items():
        assert parser.format_help() == plain._subparsers._group_actions[0].choices[name].format_help(), name


def test_the_stand_in_answers_from_the_real_module_once_asked():
    probe = ("import sys\nfrom smm.__main__ import inspect_when_used\ninspect_when_used()\nimport inspect\n"
             "print(type(inspect).__name__, 'ast' in sys.modules)\n"
             "print(inspect.signature(lambda a, b=1: a))\nfrom inspect import isclass\n"
             "print(isclass(int), type(sys.modules['inspect']).__name__, sys.modules['inspect'].__file__.endswith('inspect.py'))\n"
             "import dataclasses\n@dataclasses.dataclass\nclass NoDoc:\n    a: int\nprint(NoDoc.__doc__)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["_InspectWhenUsed False", "(a, b=1)", "True module True", "NoDoc(a: int)"]


def test_a_process_that_imported_inspect_keeps_it():
    probe = ("import inspect, sys\nfrom smm.__main__ import inspect_when_used\ninspect_when_used()\n"
             "print(sys.modules['inspect'] is inspect)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_every_class_of_smm_made_by_dataclass_has_a_docstring_of_its_own():
    """Without one, dataclass asks inspect for the class's signature to write one: each command
    would import inspect again."""
    for info in pkgutil.walk_packages(smm.__path__, "smm."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    made = [value for name, module in list(sys.modules.items()) if name.startswith("smm")
            for value in vars(module).values()
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name]
    assert len(made) >= 25                     # the walk found them (29 when written)
    assert [c.__qualname__ for c in made if (c.__dict__.get("__doc__") or c.__name__ + "(").startswith(c.__name__ + "(")] == []


def test_a_pattern_stand_in_compiles_once_and_takes_its_place():
    """patterns.WhenUsed compiles its pattern when first asked, puts it in its place in the module's
    namespace, and compiles it no more."""
    import re

    from smm.patterns import WhenUsed
    made = []

    def compile(*args):
        made.append(args)
        return re.compile(*args)
    namespace = {}
    namespace["WORD"] = stand_in = WhenUsed(namespace, "WORD", compile, r"\w+", re.ASCII)
    assert made == []                                     # nothing compiled until used
    assert stand_in.findall("a é b") == ["a", "b"]       # the flags reach the pattern
    assert namespace["WORD"].pattern == r"\w+" and not isinstance(namespace["WORD"], WhenUsed)
    assert stand_in.match("x") and made == [(r"\w+", re.ASCII)]     # a kept reference asks it again


def test_a_check_of_short_copy_compiles_no_pattern_it_does_not_use(repo):
    """PyYAML's pattern for its pure-Python reader, and counting's patterns for exact counts, are
    never compiled by a check of copy within every limit; the pure-Python reader still refuses
    what it refused (its pattern compiled once it reads)."""
    probe = ("import os, sys\nsys.argv = ['smm', 'check', '--no-cache', '--format', 'json']\n"
             "from smm import __main__ as command\nexit = os._exit\n"
             "def told(code):\n"
             "    import yaml\n    from smm import counting\n"
             "    reader, grapheme = yaml.reader.Reader.NON_PRINTABLE, counting._GRAPHEME\n"
             "    print(type(reader).__name__, reader._compiled, type(grapheme).__name__, grapheme._compiled, file=sys.stderr)\n"
             "    try:\n        yaml.safe_load('a: \\x07')\n    except yaml.reader.ReaderError:\n"
             "        print('refused', type(reader._compiled).__name__, file=sys.stderr)\n"
             "    exit(code)\n"
             "os._exit = told\ncommand.main()\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-800:]
    assert done.stderr.splitlines()[-2:] == ["WhenUsed None WhenUsed None", "refused Pattern"]
