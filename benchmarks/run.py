"""The benchmark harness: smm check (cold and with its cache) against its floor and against
check-jsonschema, and the handbook build against a plain mkdocs-material site, with peak
memory, in one run.

    python -m benchmarks.run [--sizes 1000 4000 10000] [--site-sizes 1000 4000] [--runs 3] [--core-only]
                             [--shapes [POSTS]]

Every number is the median of --runs runs of a fresh process; the commands compared
are interleaved run by run, and ratios compare numbers measured in the same run on
the same machine. Results are printed as a
Markdown table and written to benchmarks/out/results.json.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import NamedTuple

from smm.cache import RACY_NS

from .generate import generate, plain_site

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SMM_TODAY": "2027-01-01", "PYTHONHASHSEED": "0"}
CHECK = [PYTHON, "-m", "smm", "check", "--format", "json"]
ONE_PROCESS = {"SMM_PARALLEL_FROM": "1000000000"}   # no worker (ENV fixes the hash order: PYTHONHASHSEED)


class Run(NamedTuple):
    seconds: float          # wall clock
    peak_mb: int
    cpu_seconds: float      # user and system, of the process and of every process it waited for


def compiled(env: dict | None = None) -> Path:
    """Compile the smm package that `python -m smm` imports under `env` to bytecode, as pip does
    for every package it installs; returns its folder. An editable install runs from source, and
    where PYTHONDONTWRITEBYTECODE is set (common in containers, and set on this project's
    machines) Python never writes the bytecode itself: every run would compile smm's modules
    again (0.1 s and more) while the floor's and check-jsonschema's libraries load theirs."""
    done = subprocess.run([PYTHON, "-c", "import os, smm; print(os.path.dirname(smm.__file__))"],
                          env={**ENV, **(env or {})}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"cannot import smm: {done.stderr.strip()[-500:]}")
    folder = Path(done.stdout.strip())
    compileall.compile_dir(folder, quiet=1)
    return folder


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> Run:
    """One run of `cmd` in a fresh process.

    The peak is what wait4 reports: the largest resident set of the process or of
    any process it waited for (smm's forked workers share the parent's pages)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env={**ENV, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {process.returncode}: {process.stderr.read().decode()[-500:]}")
    return Run(elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime)


def instructions(cmd: list[str], cwd: Path, env: dict) -> int:
    """The instructions `cmd` runs, counted by valgrind's callgrind: the same count, to a few
    thousand in a billion, whatever else the machine is doing."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                          cwd=cwd, env=env, capture_output=True, text=True)
    total = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode not in (0, 1) or total is None:
        raise RuntimeError(f"valgrind {' '.join(map(str, cmd[:4]))}...: {done.stderr.strip()[-300:]}")
    return int(total[1])


def append_summary(file: Path | None, text: str) -> None:
    """Append `text` to `file` (GitHub's $GITHUB_STEP_SUMMARY), after a blank line, when a file is given."""
    if file:
        with file.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text)


def interleaved(runs: int, commands: dict, turns: bool = False) -> dict:
    """Run each command once per round, `runs` rounds, so that a machine slowing down or
    speeding up during the run affects every command alike (with `turns`, every other round runs
    them in the reverse order, so that none always goes first). name -> median, peak and each
    run's wall and CPU seconds. A command is (argv, folder[, environment[, what to do before each
    run, untimed]])."""
    results = {name: [] for name in commands}
    for round_ in range(runs):
        names = list(commands)[::-1] if turns and round_ % 2 else list(commands)
        for name in names:
            cmd, cwd, *more = commands[name]
            if len(more) > 1:
                more[1]()
            results[name].append(measure(cmd, cwd, *more[:1]))
    return {name: {"seconds": round(statistics.median(r.seconds for r in rows), 3),
                   "peak_mb": max(r.peak_mb for r in rows), "runs": [round(r.seconds, 3) for r in rows],
                   "cpu_runs": [round(r.cpu_seconds, 3) for r in rows]}
            for name, rows in results.items()}


def front_matter_files(repo: Path, out: Path) -> list[str]:
    """The posts' front matter saved as YAML files, for check-jsonschema."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    names = []
    for i, post in enumerate(sorted((repo / "content" / "posts").rglob("*.md"))):
        front = post.read_text("utf-8").split("---\n", 2)[1]
        target = out / f"{i}.yaml"
        target.write_text(front, "utf-8")
        names.append(target.name)
    return names


def tool(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else (shutil.which(name) or name)


# The commands each size measures against the floor: (name in the printout, key of its numbers in
# results.json, key of its ratio to the floor, heading in the table).
MEASURED = [
    ("cold", "smm_check", "ratio_to_floor", "smm check, cold"),
    ("first", "smm_check_first", "first_ratio_to_floor", "smm check, first run"),
    ("warm", "smm_check_warm", "warm_ratio_to_floor", "smm check, warm"),
    ("restored", "smm_check_restored", "restored_ratio_to_floor", "smm check, restored"),
    ("next_day", "smm_check_next_day", "next_day_ratio_to_floor", "smm check, restored from the day before"),
    ("pull_request", "smm_check_pull_request", "pull_request_ratio_to_floor", "smm check, pull request (copy)"),
    ("pull_request_moved", "smm_check_pull_request_moved", "pull_request_moved_ratio_to_floor",
     "smm check, pull request (time)"),
    ("cjs", "check_jsonschema", "check_jsonschema_ratio_to_floor", "check-jsonschema"),
]
DAY_BEFORE = "2026-12-31"       # ENV's SMM_TODAY, less a day


def check_sizes(sizes, runs: int, core_only: bool) -> list[dict]:
    """smm check cold (--no-cache: every post checked), first run (an empty cache folder: every
    post checked, and the cache written), warm (the cache of an earlier run, no file changed),
    restored (a fresh clone at the same path, every stat new, with the cache of main's last run:
    what CI sees), the same with the cache of a run the day before (CI's first
    run of a day), and pull request (the same, on a branch that edits one post's copy, with --base
    main; and one that moves a post by a minute, which the rules across posts read), the floor,
    and check-jsonschema, on repositories of each size."""
    rows = []
    for n in sizes:
        repo = generate(n, OUT / f"repo-{n}", core_only)
        names = front_matter_files(repo, OUT / f"front-matter-{n}")
        check = CHECK
        warm_env = {"SMM_CACHE_DIR": str(OUT / "cache")}
        first_env = {"SMM_CACHE_DIR": str(OUT / "cache-first")}
        prime(repo, check, warm_env)
        origin = origin_of(repo)
        env = {name: {"SMM_CACHE_DIR": str(OUT / f"cache-{name}")}
               for name in ("restored", "next_day", "pull_request", "pull_request_moved")}
        clone, day_after = OUT / f"clone-{n}", OUT / f"next-day-{n}"
        pr, moved = OUT / f"pull-request-{n}", OUT / f"pull-request-moved-{n}"
        timed = interleaved(runs, {
            "cold": (check + ["--no-cache"], repo),
            "first": (check, repo, first_env, lambda: shutil.rmtree(first_env["SMM_CACHE_DIR"], ignore_errors=True)),
            "warm": (check, repo, warm_env),
            "restored": cached_run(origin, clone, env["restored"]),
            "next_day": cached_run(origin, day_after, env["next_day"], primed_on=DAY_BEFORE),
            "pull_request": cached_run(origin, pr, env["pull_request"], edit=add_line),
            "pull_request_moved": cached_run(origin, moved, env["pull_request_moved"], edit=move_a_minute),
            "floor": ([PYTHON, str(HERE / "floor.py"), str(repo)], repo),
            "cjs": ([tool("check-jsonschema"), "--schemafile", str(repo / "schemas" / "post.schema.json"), *names],
                    OUT / f"front-matter-{n}")})
        floor = timed["floor"]
        row = {"posts": n, "floor": floor}
        for name, key, ratio, _ in MEASURED:
            row[key], row[ratio] = timed[name], round(timed[name]["seconds"] / floor["seconds"], 2)
        rows.append(row)
        print(f"  {n} posts: floor {floor['seconds']} s, "
              + ", ".join(f"{name} {timed[name]['seconds']} s" for name, *_ in MEASURED), flush=True)
    return rows


# How the posts of a repository are written: (front-matter writer, characters of copy or None for
# the generator's short copy, Markdown copy with a link to a real domain). What an independent
# comparison's own generator might write.
SHAPES = [("lines", None, False), ("yaml", None, False), ("json", None, False), ("frontmatter", None, False),
          ("lines", 600, False), ("lines", 1500, False), ("lines", None, True)]


def check_shapes(n: int, runs: int, core_only: bool) -> list[dict]:
    """smm check, cold, against the floor on repositories of `n` posts written each way of SHAPES,
    every command interleaved run by run."""
    commands = {}
    for shape in SHAPES:
        writer, chars, markdown = shape
        repo = generate(n, OUT / f"shape-{writer}-{chars or 'short'}{'-markdown' * markdown}", core_only, *shape)
        commands[("floor", *shape)] = ([PYTHON, str(HERE / "floor.py"), str(repo)], repo)
        commands[("cold", *shape)] = (CHECK + ["--no-cache"], repo)
    timed = interleaved(runs, commands)
    rows = []
    for shape in SHAPES:
        floor, cold = timed[("floor", *shape)], timed[("cold", *shape)]
        rows.append({"posts": n, "writer": shape[0], "copy_chars": shape[1], "markdown": shape[2], "floor": floor,
                     "smm_check": cold, "ratio_to_floor": round(cold["seconds"] / floor["seconds"], 2)})
        print(f"  {n} posts by {shape[0]}, copy {_copy_of(rows[-1])}: floor {floor['seconds']} s, "
              f"cold {cold['seconds']} s", flush=True)
    return rows


def _copy_of(row: dict) -> str:
    size = str(row["copy_chars"]) if row["copy_chars"] else "short (60 to 90)"
    return size + (", Markdown with a link" if row.get("markdown") else "")


def prime(repo: Path, check: list[str], env: dict) -> None:
    """Fill the cache as a first run would. Files written in the last seconds are not stored
    (see scripts/smm/cache.py), so wait until the newest file is old enough."""
    newest = max(p.stat().st_mtime for p in (repo / "content" / "posts").rglob("*.md"))
    time.sleep(max(0.0, newest + RACY_NS / 1e9 + 0.5 - time.time()))
    measure(check, repo, env)


GIT = ["git", "-c", "user.name=Benchmark", "-c", "user.email=benchmark@example.invalid", "-c", "gc.auto=0"]


def git(*args, cwd: Path) -> None:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {args[0]} exited {done.returncode}: {done.stderr.strip()[-500:]}")


def origin_of(repo: Path) -> Path:
    """A Git repository holding `repo` on `main`, cloned afresh before each restored run."""
    origin = repo.parent / f"{repo.name}-origin"
    shutil.rmtree(origin, ignore_errors=True)
    shutil.copytree(repo, origin)
    git("init", "-q", "-b", "main", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "Posts", cwd=origin)
    git("gc", "-q", cwd=origin)      # packed now, in the foreground: an automatic gc in the background
    return origin                    # would move objects while a clone copies them


def add_line(text: str) -> str:
    return text + "\nOne more line.\n"


def move_a_minute(text: str) -> str:
    """The post a minute later (the same day: its file's date still holds)."""
    return re.sub(r'(publish_at: "?[0-9-]{10}T[0-9]{2}:[0-9])([0-9])',
                  lambda m: m[1] + str((int(m[2]) + 1) % 10), text, count=1)


def cached_run(origin: Path, clone: Path, env: dict, edit=None, primed_on: str | None = None) -> tuple:
    """A command of interleaved() for a run CI sees with the cache (see restored): with `edit`, a
    pull request's, checked with --base main."""
    return (CHECK + (["--base", "main"] if edit else []), clone, env,
            restored(origin, clone, CHECK, env, edit=edit, primed_on=primed_on))


def restored(origin: Path, clone: Path, check: list[str], env: dict, edit=None, primed_on: str | None = None):
    """What a CI run sees once check.yml restores the cache: prime a cache on a clone of `origin`
    (main's last run; on the day `primed_on`, when given), and return what to do before each
    timed run: clone it again at the same path (new inodes and times, the same bytes, aged like
    a checkout made before the install step), with `edit` (text -> text) on a branch that changes
    one post (a pull request), and put back the cache as main's run left it."""
    cache, kept = Path(env["SMM_CACHE_DIR"]), Path(env["SMM_CACHE_DIR"] + "-kept")

    def checkout(change: bool) -> None:
        shutil.rmtree(clone, ignore_errors=True)
        git("clone", "-q", str(origin), str(clone), cwd=origin.parent)
        if change:
            git("checkout", "-q", "-b", "change", cwd=clone)
            posts = sorted((clone / "content" / "posts").rglob("*.md"))
            post = next(p for p in posts[len(posts) // 2:] if edit(p.read_text("utf-8")) != p.read_text("utf-8"))
            post.write_text(edit(post.read_text("utf-8")), "utf-8")
        hour_ago = time.time() - 3600
        for folder, dirs, names in os.walk(clone):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in names:
                os.utime(os.path.join(folder, name), (hour_ago, hour_ago))
        git("update-index", "-q", "--refresh", cwd=clone)    # as after a real checkout: git's index is fresh

    def before() -> None:
        checkout(edit is not None)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(kept, cache)

    checkout(False)
    shutil.rmtree(cache, ignore_errors=True)
    measure(check, clone, {**env, "SMM_TODAY": primed_on} if primed_on else env)
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(cache, kept)
    return before


def site_sizes(sizes, runs: int, core_only: bool) -> list[dict]:
    """The handbook against the plain site, at every size, all interleaved run by run: the growth
    from the first size to the others compares builds made in the same stretches of the machine's
    speed (measured one size after the other, a slow stretch during the larger size once made the
    plain site itself grow 7-fold for 4 times the pages). Each build writes into a folder emptied
    before it, untimed, as a fresh checkout's build does: MkDocs first deletes what the build before
    left there, and on a file system that discards freed blocks as files are deleted (ext4 mounted
    with `discard`, as on this project's machines) deleting 4,000 pages took up to 3.5 s of system
    time, more with each run, which then made most of the growth measured."""
    commands = {}
    for n in sizes:
        repo = OUT / f"repo-{n}"
        if not repo.exists():
            generate(n, repo, core_only)
        plain = plain_site(n, OUT / f"plain-{n}")
        for key, folder, out in (("site", repo, OUT / f"site-{n}"), ("base", plain, OUT / f"plain-site-{n}")):
            commands[(key, n)] = ([PYTHON, "-m", "mkdocs", "build", "-q", "-d", str(out)], folder, {},
                                  partial(shutil.rmtree, out, ignore_errors=True))
    timed = interleaved(runs, commands)
    rows = []
    for n in sizes:
        site, base = timed[("site", n)], timed[("base", n)]
        rows.append({"posts": n, "handbook": site, "plain_site": base,
                     "ratio_to_plain": round(site["seconds"] / base["seconds"], 2)})
        print(f"  site, {n} posts: handbook {site['seconds']} s, plain {base['seconds']} s", flush=True)
    if len(rows) >= 2:
        first = rows[0]
        for row in rows[1:]:
            row["growth_vs_first"] = round(row["handbook"]["seconds"] / first["handbook"]["seconds"], 2)
            row["plain_growth_vs_first"] = round(row["plain_site"]["seconds"] / first["plain_site"]["seconds"], 2)
            row["size_vs_first"] = round(row["posts"] / first["posts"], 2)
    return rows


def machine() -> dict:
    return {"python": platform.python_version(), "cpu": _cpu(), "cores": os.cpu_count(),
            "system": f"{platform.system()} {platform.release()}"}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(result: dict) -> str:
    lines = [f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores, "
             f"Python {result['machine']['python']}; median of {result['runs']} runs."]
    if result["check"]:
        lines += _check_table(result["check"])
    if result["site"]:
        lines += _site_table(result["site"])
    if result.get("shapes"):
        lines += _shapes_table(result["shapes"])
    return "\n".join(lines) + "\n"


def _shapes_table(rows: list) -> list[str]:
    lines = ["", "| Posts | front matter written by | copy (characters) | floor (read + LibYAML) | smm check, cold | "
             "ratio | peak MB (cold / floor) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['posts']:,} | {r['writer']} | {_copy_of(r)} | "
                     f"{r['floor']['seconds']} s | {r['smm_check']['seconds']} s | {r['ratio_to_floor']} | "
                     f"{r['smm_check']['peak_mb']} / {r['floor']['peak_mb']} |")
    return lines


def _check_table(rows: list) -> list[str]:
    """One row per size: the floor, then each of MEASURED and its ratio to the floor, then the
    peak memory of each (the floor's last)."""
    headings = "".join(f" {heading} | ratio |" for *_, heading in MEASURED)
    peaks = " / ".join(name.replace("_", " ") for name, *_ in MEASURED)
    lines = ["", f"| Posts | floor (read + LibYAML) |{headings} peak MB ({peaks} / floor) |",
             "|---|---|" + "---|---|" * len(MEASURED) + "---|"]
    for r in rows:
        cells = "".join(f" {r[key]['seconds']} s | {r[ratio]} |" for _, key, ratio, _ in MEASURED)
        peak = " / ".join(str(r[key]["peak_mb"]) for _, key, *_ in MEASURED)
        lines.append(f"| {r['posts']:,} | {r['floor']['seconds']} s |{cells} {peak} / {r['floor']['peak_mb']} |")
    return lines


def _site_table(rows: list) -> list[str]:
    lines = ["", "| Posts | handbook build | plain mkdocs-material site | ratio | growth vs first size | "
             "peak MB (handbook / plain) |", "|---|---|---|---|---|---|"]
    for r in rows:
        growth = (f"{r['growth_vs_first']} for {r['size_vs_first']}x posts (plain site "
                  f"{r['plain_growth_vs_first']})" if "growth_vs_first" in r else "—")
        lines.append(f"| {r['posts']:,} | {r['handbook']['seconds']} s | {r['plain_site']['seconds']} s | "
                     f"{r['ratio_to_plain']} | {growth} | {r['handbook']['peak_mb']} / "
                     f"{r['plain_site']['peak_mb']} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 4000, 10000])
    parser.add_argument("--site-sizes", type=int, nargs="*", default=[1000, 4000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--core-only", action="store_true", help="posts with only the core keys")
    parser.add_argument("--shapes", type=int, nargs="?", const=10000, metavar="POSTS",
                        help="also: cold against the floor for posts written in other ways (default 10,000 posts)")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"benchmarks in {OUT}; smm from {compiled()}", flush=True)
    result = {"machine": machine(), "runs": args.runs, "core_only": args.core_only,
              "check": check_sizes(args.sizes, args.runs, args.core_only),
              "site": site_sizes(args.site_sizes, args.runs, args.core_only),
              "shapes": check_shapes(args.shapes, args.runs, args.core_only) if args.shapes else []}
    (OUT / "results.json").write_text(json.dumps(result, indent=2), "utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
