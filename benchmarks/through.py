"""One counted process of benchmarks/phases.py: a cold check, in this process, up to the end of a phase.

    python benchmarks/through.py PHASE ROOT

Run as a script, not with -m, so that it imports smm and nothing of the harness; like `smm check`,
it runs without the cyclic garbage collector and ends without freeing what it built (cli.py), and
starts the reader of posts first (prefetch.py), whose listing and bytes it takes as the command
does (the reader, another process, is not counted). The phases are benchmarks.phases.NAMES;
"python" and "report" are counted from other commands.
"""
import gc
import os
import sys
from pathlib import Path

ORDER = ["imports", "strategy", "listing", "posts read", "per-post rules", "holiday rule", "rules across posts"]


def run_through(phase: str, root: Path) -> int:
    """A cold check of `root` up to the end of `phase`; returns how many posts it made."""
    reached = ORDER.index(phase)
    from smm import prefetch
    from smm.__main__ import before_imports
    prefetch.start(["--root", str(root), "check", "--no-cache"])     # as `python -m smm check` does first
    before_imports()           # and then before it imports the rest
    import smm.cli  # noqa: F401  (what `python -m smm check` imports first)
    from smm import rules
    from smm.check import listed_posts
    from smm.repository import add_posts, load_base
    if reached < ORDER.index("strategy"):
        return 0
    repo = load_base(root)
    prefetch.take(repo.root)
    if reached >= ORDER.index("listing"):
        files = listed_posts(repo)
    if reached >= ORDER.index("posts read"):
        add_posts(repo, files)
    if reached >= ORDER.index("per-post rules"):
        rules.run(repo, "in-workers")
    if reached >= ORDER.index("holiday rule"):
        rules.run(repo, "in-parent")
    if reached >= ORDER.index("rules across posts"):
        rules.run(repo, "global")
    return len(repo.posts)


if __name__ == "__main__":
    gc.disable()
    print(run_through(sys.argv[1], Path(sys.argv[2])), flush=True)
    os._exit(0)
