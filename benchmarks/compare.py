"""Side by side: `smm check` from this working tree against the same command from another
Git revision, on one generated repository, in the same minutes.

    python -m benchmarks.compare REF [--posts 4000] [--runs 8] [--core-only] [--writer W] [--copy CHARS]
                                     [--markdown] [--ci] [--instructions [--fail-above RATIO]]
                                     [--readme FILE] [--summary FILE] [--json FILE]

The machines this runs on drift in speed by up to 2x within minutes, so two benchmark
runs made at different times cannot tell a change of a few per cent from the drift. Here
the two source trees take turns, run by run (in the order AB, BA, AB...), on the same
posts: cold (`--no-cache`, every post checked), first run (an empty cache folder: every post
checked and the cache written) and warm (the cache of an earlier run of the same tree,
nothing changed). Each is reported as the median wall and CPU time (user
and system, the forked workers' included) of each tree, the ratio of the medians, and the
range of the ratios of the pairs, and the ratio of each tree's fastest run (drift only
ever adds time, so the fastest runs are the least disturbed). Whether the two trees write
the same report is checked too. With --ci, also the runs CI sees with the cache (as
benchmarks.run measures them): a fresh clone with main's cache ("restored"), and pull requests
that edit a post's copy or move a post by a minute, checked with --base main. No timed number is
judged: a reviewer reads them (benchmarks are not tests).

With --instructions, also the instructions a cold check from each tree runs, in one process,
counted by valgrind's callgrind: the same count, to a few thousand in a billion, run after
run and whatever else the machine is doing, so a change of one per cent shows where the
timed runs cannot tell it from the drift. What it does not count: system calls, page
faults, the second core.

With --fail-above RATIO too, the count is a gate: the command ends with exit status 1 when
this tree's cold check runs more than RATIO times the base's instructions and the Performance
section of README.md (the one given with --readme, by default this tree's) is as the base
has it. A change that makes the check slower says so in the README's tables, or does not
pass: the issue's "nothing gets slower without the README table saying so", held by a
number that does not drift (the benchmark workflow gates every pull request at 1.01).
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .generate import WRITERS, generate
from .run import CHECK, ENV, add_line, cached_run, compiled, interleaved, move_a_minute, origin_of, prime
from .run import ONE_PROCESS, append_summary
from .run import instructions as count_instructions

PROJECT = Path(__file__).resolve().parent.parent
SCENARIOS = {"cold": ["--no-cache"], "warm": []}
# With --ci: name -> the edit of the pull request's branch (None: main itself, a fresh clone)
CI_SCENARIOS = {"restored": None, "pull request (copy)": add_line, "pull request (time)": move_a_minute}


def export_tree(ref: str, dest: Path) -> Path:
    """`scripts/` and `schemas/` as they are at `ref`, written under `dest`; returns the folder
    to put on PYTHONPATH. Raises ValueError when Git does not know `ref`."""
    done = subprocess.run(["git", "archive", "--format=tar", ref, "scripts", "schemas"], cwd=PROJECT,
                          capture_output=True)
    if done.returncode != 0:
        raise ValueError(f"git archive {ref}: {done.stderr.decode(errors='replace').strip()[-300:]}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(dest, filter="data")
    return dest / "scripts"


def report_of(tree: Path, repo: Path) -> bytes:
    """The JSON report a cold check from `tree` writes on `repo`."""
    env = {**ENV, "PYTHONPATH": str(tree)}
    return subprocess.run(CHECK + ["--no-cache"], cwd=repo, env=env, capture_output=True).stdout


def same_report(base: bytes, head: bytes) -> str:
    if base == head:
        return "the same report, byte for byte"
    counts = []
    for report in (base, head):
        try:
            counts.append(str(len(json.loads(report)["findings"])))
        except (ValueError, KeyError, TypeError):
            counts.append("no readable")
    return f"different reports ({counts[0]} findings from the base, {counts[1]} from this tree)"


def alternate(runs: int, trees: dict, repo: Path, caches: dict, ci: Path | None = None) -> dict:
    """(scenario, tree name) -> the interleaved runs, every other round in the reverse order; with
    `ci` (a folder for the clones and their caches), the CI_SCENARIOS too."""
    commands = {(scenario, name): (CHECK + extra, repo, {"PYTHONPATH": str(tree), "SMM_CACHE_DIR": str(caches[name])})
                for scenario, extra in SCENARIOS.items() for name, tree in trees.items()}
    for name, tree in trees.items():
        empty = f"{caches[name]}-first"
        commands[("first run", name)] = (CHECK, repo, {"PYTHONPATH": str(tree), "SMM_CACHE_DIR": empty},
                                         lambda folder=empty: shutil.rmtree(folder, ignore_errors=True))
    if ci is not None:
        commands.update(ci_commands(trees, origin_of(repo), ci))
    return interleaved(runs, commands, turns=True)


def ci_commands(trees: dict, origin: Path, work: Path) -> dict:
    """Each tree's runs of each CI scenario: its own clone of `origin` and its own cache, primed by
    that tree as main's last run, put back before every run (benchmarks.run.restored)."""
    commands = {}
    for number, (scenario, edit) in enumerate(CI_SCENARIOS.items()):
        for name, tree in trees.items():
            env = {"PYTHONPATH": str(tree), "SMM_CACHE_DIR": str(work / f"cache-{number}-{name}")}
            commands[(scenario, name)] = cached_run(origin, work / f"clone-{number}-{name}", env, edit=edit)
    return commands


def summarise(timed: dict) -> list[dict]:
    rows = []
    for scenario in dict.fromkeys(scenario for scenario, _ in timed):
        base, head = timed[(scenario, "base")], timed[(scenario, "head")]
        row = {"scenario": scenario}
        for key, what in (("runs", "wall"), ("cpu_runs", "cpu")):
            b, h = statistics.median(base[key]), statistics.median(head[key])
            pairs = [y / x for x, y in zip(base[key], head[key])]
            row[what] = {"base": round(b, 3), "head": round(h, 3), "ratio": round(h / b, 3),
                         "fastest": round(min(head[key]) / min(base[key]), 3),
                         "pairs": [round(min(pairs), 2), round(max(pairs), 2)]}
        rows.append(row)
    return rows


def table(ref: str, posts: int, runs: int, rows: list[dict], report: str, shape: str = "") -> str:
    lines = [f"`smm check` on {posts:,} generated posts{shape}: this tree against `{ref}`, {runs} runs each, "
             "taking turns (medians; ratio = this tree / base).", "",
             "| | base wall | this tree wall | ratio | fastest | pairs | base CPU | this tree CPU | ratio | fastest | "
             "pairs |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        wall, cpu = row["wall"], row["cpu"]
        lines.append(f"| {row['scenario']} | {wall['base']} s | {wall['head']} s | {wall['ratio']} | {wall['fastest']} | "
                     f"{wall['pairs'][0]} to {wall['pairs'][1]} | {cpu['base']} s | {cpu['head']} s | "
                     f"{cpu['ratio']} | {cpu['fastest']} | {cpu['pairs'][0]} to {cpu['pairs'][1]} |")
    lines += ["", f"Output: {report}."]
    return "\n".join(lines) + "\n"


def compare(ref: str, posts: int, runs: int, core_only: bool, work: Path, writer: str = "lines",
            copy_chars: int | None = None, markdown: bool = False, ci: bool = False,
            count: bool = False) -> tuple[str, dict]:
    trees = {"base": export_tree(ref, work / "base"), "head": PROJECT / "scripts"}
    repo = generate(posts, work / "repo", core_only, writer, copy_chars, markdown)
    caches = {name: work / f"cache-{name}" for name in trees}
    for name, tree in trees.items():
        compiled({"PYTHONPATH": str(tree)})
        prime(repo, CHECK, {"PYTHONPATH": str(tree), "SMM_CACHE_DIR": str(caches[name])})
    report = same_report(report_of(trees["base"], repo), report_of(trees["head"], repo))
    rows = summarise(alternate(runs, trees, repo, caches, work / "ci" if ci else None))
    result = {"ref": ref, "posts": posts, "runs": runs, "core_only": core_only, "writer": writer,
              "copy_chars": copy_chars, "markdown": markdown, "ci": ci, "scenarios": rows, "output": report}
    text = table(ref, posts, runs, rows, report, shape_of(writer, copy_chars, markdown))
    if count:
        result["instructions"] = counted(trees, repo)
        text += "\n" + instructions_table(ref, result["instructions"])
    return text, result


def instructions(tree: Path, repo: Path) -> int:
    """The instructions a cold check from `tree` runs on `repo`, in one process (callgrind)."""
    try:
        return count_instructions([*CHECK, "--no-cache"], repo, {**ENV, **ONE_PROCESS, "PYTHONPATH": str(tree)})
    except RuntimeError as error:
        raise RuntimeError(f"on the {tree} tree: {error}") from None


def counted(trees: dict, repo: Path) -> dict:
    """Each tree's instructions, both counted at once (the counts do not depend on what else runs)."""
    with ThreadPoolExecutor(max_workers=len(trees)) as pool:
        counts = {name: pool.submit(instructions, tree, repo) for name, tree in trees.items()}
        return {name: future.result() for name, future in counts.items()}


def instructions_table(ref: str, counts: dict) -> str:
    base, head = counts["base"], counts["head"]
    return "\n".join([
        f"Instructions of a cold `smm check` in one process (valgrind --tool=callgrind), this tree against `{ref}`:",
        "", "| | base | this tree | ratio |", "|---|---|---|---|",
        f"| cold | {base / 1e6:,.1f} M | {head / 1e6:,.1f} M | {head / base:.4f} |"]) + "\n"


PERFORMANCE = "## Performance"


def performance_section(readme: str | None) -> str | None:
    """The README's Performance section (its heading to the next heading of its level), or None."""
    lines = [] if readme is None else readme.split("\n")
    if PERFORMANCE not in lines:
        return None
    start = lines.index(PERFORMANCE)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def readme_at(ref: str) -> str | None:
    """README.md as it is at the Git revision `ref`, or None when it has none."""
    done = subprocess.run(["git", "show", f"{ref}:README.md"], cwd=PROJECT, capture_output=True)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def gate(counts: dict, limit: float, base_readme: str | None, readme: str | None) -> str | None:
    """Why this tree does not pass (--fail-above): it runs more than `limit` times the base's
    instructions, and its README's Performance section is the base's; else None."""
    ratio = counts["head"] / counts["base"]
    if ratio <= limit:
        return None
    section = performance_section(readme)
    if section is not None and section != performance_section(base_readme):
        return None
    return (f"this tree's cold check runs {ratio:.4f} times the base's instructions (more than {limit}), and "
            "README.md's Performance section is the base's: a change that makes `smm check` slower says so "
            "in the README's tables (and benchmarks/HISTORY.md), or makes it as fast again")


def shape_of(writer: str, copy_chars: int | None, markdown: bool = False) -> str:
    """How the posts were written, for the table's heading ("" for the generator's defaults)."""
    parts = ([f"front matter by {writer}"] if writer != "lines" else []) + \
        ([f"{copy_chars} characters of copy"] if copy_chars else []) + \
        (["copy in Markdown with a link"] if markdown else [])
    return f" ({', '.join(parts)})" if parts else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the Git revision to compare with (a branch, a tag, a commit)")
    parser.add_argument("--posts", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--core-only", action="store_true", help="posts with only the core keys")
    parser.add_argument("--writer", choices=WRITERS, default="lines", help="how the front matter is written")
    parser.add_argument("--copy", type=int, metavar="CHARS", help="characters of copy in each post")
    parser.add_argument("--markdown", action="store_true", help="copy in Markdown, with a link to a real domain")
    parser.add_argument("--ci", action="store_true",
                        help="also a fresh clone with main's cache, and pull requests editing or moving a post")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of a cold check from each tree (needs valgrind)")
    parser.add_argument("--fail-above", type=float, metavar="RATIO",
                        help="with --instructions: exit 1 when this tree runs more than RATIO times the base's "
                             "instructions and README.md's Performance section is the base's")
    parser.add_argument("--readme", type=Path, default=PROJECT / "README.md",
                        help="the README this change brings, for --fail-above (default: this tree's)")
    parser.add_argument("--summary", type=Path, help="also append the table to this file ($GITHUB_STEP_SUMMARY)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    if args.posts < 1 or args.runs < 1:
        parser.error("--posts and --runs must be at least 1")
    if args.fail_above is not None and (not args.instructions or not args.fail_above > 0):
        parser.error("--fail-above needs --instructions and a ratio above 0")
    if args.instructions and shutil.which("valgrind") is None:
        sys.stderr.write("compare: --instructions needs valgrind (Debian and Ubuntu: apt install valgrind)\n")
        return 2
    work = Path(tempfile.mkdtemp(prefix="smm-compare-"))
    try:
        text, result = compare(args.ref, args.posts, args.runs, args.core_only, work, args.writer, args.copy,
                               args.markdown, args.ci, args.instructions)
    except (ValueError, RuntimeError) as error:     # an unknown revision; a tree whose smm fails
        sys.stderr.write(f"compare: {error}\n")
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = None if args.fail_above is None else gate(result["instructions"], args.fail_above,
                                                        readme_at(args.ref), _read_or_none(args.readme))
    if failed:
        text += f"\n**Slower without saying so:** {failed}.\n"
        sys.stderr.write(f"compare: {failed}\n")
    print(text)
    append_summary(args.summary, text)
    if args.json:
        args.json.write_text(json.dumps({**result, "gate": failed}, indent=2), "utf-8")
    return 1 if failed else 0


def _read_or_none(file: Path) -> str | None:
    try:
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":
    sys.exit(main())
