"""Where a cold `smm check` spends its work: the instructions of each phase, in one process, against
the floor's (valgrind's callgrind).

    python -m benchmarks.phases [--posts 4000] [--core-only] [--repo DIR] [--through PHASE] [--summary FILE]

Timed runs on this project's machines drift by up to 2x within minutes; an instruction count is
the same, to a few thousand in a billion, whatever else the machine does. Each phase is counted as
the difference between two runs of one process, one going up to the end of the phase and one up
to the end of the phase before (the whole check is the real command, with its report). What the
counts leave out: system calls, page faults, cache misses (an instruction of LibYAML's C loop
takes less time than one of Python's interpreter), and the workers, which share the phases of the
posts ("posts read" to "holiday rule") with the main process.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .generate import PROJECT, generate
from .run import CHECK, ENV, ONE_PROCESS, OUT, PYTHON, append_summary, compiled, instructions
from .through import ORDER

# What each phase does, in the order a check does them (through.ORDER, between starting Python and
# the report); each is counted up to its end
DOES = {
    "python": "start the interpreter",
    "imports": "import smm's command and rules",
    "strategy": "read and check strategy/, personas/, campaigns (repository.load_base)",
    "listing": "list the post files",
    "posts read": "read each post, parse its front matter, check it against the schema, make the post",
    "per-post rules": "run the rules on each post, but the holiday rule",
    "holiday rule": "the holiday rule: the holidays package imported, its tables worked out",
    "rules across posts": "spacing, cadence, coverage, ids",
    "report": "the findings in order, written as JSON (the whole `smm check --no-cache`)",
}
NAMES = ["python", *ORDER, "report"]
_POSTS, _AFTER = NAMES.index("posts read"), NAMES.index("rules across posts")
BEFORE, PER_POST, AFTER = NAMES[:_POSTS], NAMES[_POSTS:_AFTER], NAMES[_AFTER:]   # the workers share PER_POST
THROUGH = Path(__file__).resolve().parent / "through.py"     # run as a script: it imports smm alone


def command(phase: str, root: Path) -> list[str]:
    if phase == "python":
        return [PYTHON, "-c", "pass"]
    if phase == "report":
        return [*CHECK, "--no-cache"]
    return [PYTHON, str(THROUGH), phase, str(root)]


def count(root: Path, through: str = NAMES[-1]) -> dict:
    """Phase -> instructions (of it alone), up to `through`, and "floor" -> the floor's, all counted
    at once, as many at a time as there are cores (a count does not depend on what else runs)."""
    env = {**ENV, **ONE_PROCESS, "SMM_NO_CACHE": "1", "PYTHONPATH": str(PROJECT)}
    wanted = NAMES[:NAMES.index(through) + 1]
    runs = {phase: command(phase, root) for phase in wanted}
    runs["floor"] = [PYTHON, "-m", "benchmarks.floor", str(root)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        totals = {name: pool.submit(instructions, cmd, root, env) for name, cmd in runs.items()}
        totals = {name: future.result() for name, future in totals.items()}
    upto = [totals[phase] for phase in wanted]
    phases = {phase: upto[i] - (upto[i - 1] if i else 0) for i, phase in enumerate(wanted)}
    return {**phases, "floor": totals["floor"]}


def table(counts: dict, posts: int) -> str:
    floor = counts["floor"]
    lines = [f"Instructions of a cold `smm check` in one process, by phase, on {posts:,} posts "
             f"(valgrind --tool=callgrind; the floor: {floor / 1e6:,.0f} M, {floor / posts / 1e3:,.1f} k a post):", "",
             "| phase | what it does | instructions | a post | of the floor's |", "|---|---|---|---|---|"]
    for phase in NAMES:
        if phase in counts:
            n = counts[phase]
            lines.append(f"| {phase} | {DOES[phase]} | {n / 1e6:,.0f} M | {n / posts / 1e3:,.1f} k | "
                         f"{n / floor:.2f} |")
    lines += ["", _shares(counts, floor)]
    return "\n".join(lines) + "\n"


def _shares(counts: dict, floor: int) -> str:
    """The phases before the posts, those of the posts, those after, each as a share of the floor's
    instructions, and the three with the posts' shared evenly by this machine's cores: the least a
    check could take beside the floor, instruction for instruction."""
    before, shared, after = (sum(counts.get(phase, 0) for phase in part) for part in (BEFORE, PER_POST, AFTER))
    cores = os.cpu_count() or 1
    return (f"Of the floor's: before the posts (one core) {before / floor:.2f}, the posts (shared by the cores) "
            f"{shared / floor:.2f}, after them (one core) {after / floor:.2f}; in all "
            f"{(before + shared + after) / floor:.2f}. With the posts shared evenly by this machine's {cores} cores: "
            f"{(before + shared / cores + after) / floor:.2f}.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--core-only", action="store_true", help="posts with only the core keys")
    parser.add_argument("--repo", type=Path, help="count on this repository instead of a generated one")
    parser.add_argument("--through", choices=NAMES, default=NAMES[-1], help="count the phases up to this one")
    parser.add_argument("--summary", type=Path, help="also append the table to this file ($GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.stderr.write("phases: needs valgrind (Debian and Ubuntu: apt install valgrind)\n")
        return 2
    if args.repo and not (args.repo / "content" / "posts").is_dir():
        sys.stderr.write(f"phases: {args.repo} has no content/posts folder\n")
        return 2
    compiled()
    root = args.repo or generate(args.posts, OUT / f"phases-{args.posts}{'-core' if args.core_only else ''}",
                                 core_only=args.core_only)
    posts = sum(1 for _ in (root / "content" / "posts").rglob("*.md")) or 1
    text = table(count(root.resolve(), args.through), posts)
    print(text, end="")
    append_summary(args.summary, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
