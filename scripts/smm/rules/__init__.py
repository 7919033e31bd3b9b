"""Rules: small functions over the model, each yielding findings with a stable rule id.

Every module here exposes RULES, a list of functions `rule(repo) -> iterable of Finding`.
"""
from __future__ import annotations

from . import copy_rules, media_rules, planning_rules, platform_rules, posts, references

MODULES = [references, posts, platform_rules, media_rules, copy_rules, planning_rules]


def all_rules():
    for module in MODULES:
        yield from module.RULES


def run(repo) -> list:
    found = []
    for rule in all_rules():
        found.extend(rule(repo))
    return found
