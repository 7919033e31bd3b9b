"""How the time of `smm check` grows with copy written to make it try too hard.

    python -m benchmarks.hostile [--chars 150000] [--runs 3] [--shapes NAME ...]

Each shape of SHAPES is the copy of one post, of `--chars` characters and of twice as many, in a
repository of the sample strategy and 20 generated posts, checked cold (`--no-cache`) `--runs`
times each, taking turns. The table gives the median time at each length and how the post's own
time grew: near 2 where it grows with the copy, near 4 where it grows with its square (a post may
hold 1,000,000 bytes, where the square of a run is hours). A run over `--limit` seconds is
stopped and shown as such. The post's own time is a check's beyond that of the same repository
with a post of short copy. tests/test_hostile_posts.py checks the same shapes for findings and
against a hang; this measures how the time grows.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .generate import generate
from .run import CHECK, ENV, compiled

# name -> the copy of `n` characters (about), and what it once made a pattern do
SHAPES = {
    "link-of-dots": lambda n: "see https://" + "." * n + "<",             # Mastodon's link pattern, HTTP links
    "link-of-labels": lambda n: "https://" + "a." * (n // 2) + "<",        # Mastodon's link pattern
    "labels-no-dot-follows": lambda n: "a-" * (n // 2) + "!kelda.nl",     # twitter-text's domain labels
    "japanese-labels": lambda n: "日本-" * (n // 3) + "!kelda.nl",
    "mention-without-host": lambda n: "@" + "a_" * (n // 2),               # Mastodon's mention pattern
    "colons": lambda n: "x" + ":" * n,
    "hashes": lambda n: "#" * n,
    "schemes": lambda n: ("a" * 30 + "://") * (n // 33),
    "many-voice-findings": lambda n: "insane\n" * (n // 7),                # a finding on each line
    "many-bad-links": lambda n: "javascript:x " * (n // 13),
}
POST = "content/posts/2027/01/01-hostile.md"


def post_text(copy: str) -> str:
    return f"---\ntitle: Hostile\nstatus: draft\nplatforms: [x, bluesky, mastodon, linkedin]\n---\n{copy}\n"


def timed_check(repo: Path, limit: float) -> float | None:
    """Seconds of a cold check of `repo`, or None past `limit`. The process is waited for in one
    blocking call, stopped by a timer past the limit: subprocess's own timeout waits in sleeps of
    up to 50 ms, and every time it measured was a multiple of them."""
    start = time.perf_counter()
    process = subprocess.Popen([*CHECK, "--no-cache"], cwd=repo, env=ENV, stdout=subprocess.DEVNULL)
    timer = threading.Timer(limit, process.kill)
    timer.start()
    try:
        process.wait()
    finally:
        timer.cancel()
    seconds = time.perf_counter() - start
    return None if seconds >= limit else seconds


def measure(repo: Path, shapes: list[str], chars: int, runs: int, limit: float) -> tuple[float, list[dict]]:
    """The median seconds of the repository with a post of short copy, and each shape's at `chars`
    and at twice as many, the lengths taking turns."""
    (repo / POST).write_text(post_text("Copy."), "utf-8")
    baseline = statistics.median(timed_check(repo, limit) for _ in range(runs))
    rows = []
    for name in shapes:
        times = {chars: [], 2 * chars: []}
        for turn in range(runs):
            for n in (sorted(times) if turn % 2 == 0 else sorted(times, reverse=True)):
                (repo / POST).write_text(post_text(SHAPES[name](n)), "utf-8")
                times[n].append(timed_check(repo, limit))
        medians = [None if None in times[n] else statistics.median(times[n]) for n in sorted(times)]
        rows.append({"shape": name, "seconds": medians, "growth": _growth(medians, baseline)})
    return baseline, rows


def _growth(medians: list, baseline: float) -> float | None:
    """How the post's own time (beyond the baseline's) grew from one length to twice it; None when
    a run was stopped, or the shorter copy cost too little to tell (under 5 ms)."""
    if None in medians or medians[0] - baseline < 0.005:
        return None
    return round((medians[1] - baseline) / (medians[0] - baseline), 2)


def table(baseline: float, rows: list[dict], chars: int) -> str:
    def shown(seconds):
        return "stopped" if seconds is None else f"{seconds:.2f} s"
    lines = [f"| copy | {chars:,} characters | {2 * chars:,} characters | the post's own time, grown |",
             "|---|---|---|---|", f"| (short copy) | {shown(baseline)} | | |"]
    lines += [f"| {row['shape']} | {shown(row['seconds'][0])} | {shown(row['seconds'][1])} | "
              f"{'-' if row['growth'] is None else row['growth']} |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=150_000, help="characters of the shorter copy")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds a check may take")
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=list(SHAPES))
    args = parser.parse_args(argv)
    compiled(ENV)
    with tempfile.TemporaryDirectory() as folder:
        repo = generate(20, Path(folder) / "repo", core_only=True)
        (repo / POST).parent.mkdir(parents=True, exist_ok=True)
        baseline, rows = measure(repo, args.shapes, args.chars, args.runs, args.limit)
    print(f"`smm check --no-cache` of 20 posts and one of hostile copy, median of {args.runs} runs "
          f"(`python -m benchmarks.hostile --chars {args.chars}`); the last column is the hostile post's "
          "time beyond the short copy's at twice the length over that at the length (2: linear, 4: square):\n")
    print(table(baseline, rows, args.chars))


if __name__ == "__main__":
    main()
