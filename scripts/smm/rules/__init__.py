"""Rules: small functions over the model, each yielding findings with a stable rule id.

Every module here exposes RULES, a list of functions `rule(repo) -> iterable of Finding`.
A rule that looks at one post at a time is listed in PER_POST: `smm check` runs
those in worker processes, each on chunks of the posts (or, for the few in IN_PARENT,
in the parent on each chunk as it comes back), and keeps what they find about each
post in its cache; such a rule reports on its posts only. The others compare posts
with each other (or check the strategy) and run once over all of them.
"""
from __future__ import annotations

from . import copy_rules, media_rules, planning_rules, platform_rules, posts, references

MODULES = [references, posts, platform_rules, media_rules, copy_rules, planning_rules]
PER_POST = {
    references.post_references, posts.post_paths, posts.publish_times, posts.media_files,
    platform_rules.text_limits, platform_rules.variants, media_rules.media_files_readable,
    media_rules.media_per_platform, copy_rules.link_schemes, copy_rules.disclosure, copy_rules.brand_voice,
    planning_rules.windows, planning_rules.campaign_windows, planning_rules.freeze, planning_rules.holidays,
}


# Per-post rules whose set-up costs more than their checking: with workers, the parent runs these
# on each chunk of posts as it comes back, once, instead of every worker setting them up (the
# holiday rule imports the holidays package, about 0.2 s, unless its tables are in the cache).
IN_PARENT = {planning_rules.holidays}


# Per-post rules whose findings depend on the day the check runs: they look ahead from today (a
# post that went out yesterday is held to no posting window and warned of no holiday). What they
# find about a post is the same on every day up to its own (planning_rules.last_day_ahead) and
# nothing after it, so the cache keeps it with the day it was found and, on a later day, keeps it
# or drops it by the post's day; on an earlier day it runs them again on the posts' slim copies,
# so, like the rules across posts, they read only what a slim post keeps (slim.ACROSS_FIELDS).
# Every other per-post rule finds the same on any day. tests/test_cache.py holds them to all this.
ON_THE_DAY = {planning_rules.windows, planning_rules.holidays}
last_day_ahead = planning_rules.last_day_ahead


# Rules across posts whose findings on a later day are those they made on an earlier day about the
# posts that go out on the later day or after, as long as the posts are as they were (their slim
# copies) and so is what the rules read besides: the cache carries them over to a later day
# (cache.Store.carried_over) instead of running them again, each with the rule id of its findings.
# The spacing rule pairs posts whatever the day, and reports a pair whose later post goes out today
# or later; a year of densely planned posts gives 11,777 of its findings, made in 45 to 50 ms.
# tests/test_cache.py holds it to this.
CARRIED = {planning_rules.spacing: "cadence.spacing"}


def all_rules():
    for module in MODULES:
        yield from module.RULES


CHOICES = {
    "all": lambda rule: True,
    "per-post": lambda rule: rule in PER_POST,                        # one post at a time
    "global": lambda rule: rule not in PER_POST,                      # across posts
    "in-workers": lambda rule: rule in PER_POST and rule not in IN_PARENT,
    "in-parent": lambda rule: rule in IN_PARENT,
    "on-the-day": lambda rule: rule in ON_THE_DAY,
    "not-carried": lambda rule: rule not in PER_POST and rule not in CARRIED,     # across posts, but CARRIED
}


def _chosen(which: str) -> list:
    """The rules `which` chooses (see CHOICES), in their order."""
    return [rule for rule in all_rules() if CHOICES[which](rule)]


def run(repo, which: str = "all") -> list:
    """Run the rules `which` chooses (see CHOICES)."""
    found = []
    for rule in _chosen(which):
        found.extend(rule(repo))
    return found


def run_by_day(repo, which: str) -> tuple[list, list]:
    """run(), with what the ON_THE_DAY rules found apart: (the other rules' findings, theirs)."""
    found, on_the_day = [], []
    for rule in _chosen(which):
        (on_the_day if rule in ON_THE_DAY else found).extend(rule(repo))
    return found, on_the_day
