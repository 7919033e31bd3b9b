"""The benchmark harness runs end to end on a tiny repository (benchmarks are not timed tests)."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys

import benchmarks.compare as compare
import benchmarks.run as harness
import pytest
from benchmarks.generate import WRITERS, generate
from conftest import PROJECT, run_smm

from smm import counting, loader


def test_generated_repository_is_deterministic_and_checks(tmp_path):
    first, second = generate(30, tmp_path / "a"), generate(30, tmp_path / "b")
    files = sorted(p.relative_to(first) for p in (first / "content" / "posts").rglob("*.md"))
    assert len(files) == 30
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    result = run_smm("check", "--format", "json", cwd=first, env={"SMM_TODAY": "2027-01-01"})
    assert json.loads(result.stdout)["summary"]["errors"] == 0, result.stdout[:2000]


@pytest.mark.parametrize("writer", WRITERS)
def test_each_writer_writes_posts_that_read_as_the_same_core_keys(tmp_path, writer):
    """The generator's writers (how other tools write front matter) write the same keys and values
    (the title in the post's language for all but `lines`), which smm reads line by line (the
    flat path, see yamlstrict.py), and long copy of the length asked for."""
    repo = generate(16, tmp_path / writer, core_only=True, writer=writer, copy_chars=300)
    reference = generate(16, tmp_path / "json-ref", core_only=True, writer="json", copy_chars=300)
    for post in sorted((repo / "content" / "posts").rglob("*.md")):
        doc = loader.load_markdown(post, post.name)
        same = loader.load_markdown(reference / post.relative_to(repo), post.name)
        assert doc.parsed.how == "flat" and not doc.findings, post.read_text("utf-8")
        assert set(doc.data) <= {"title", "status", "publish_at", "platforms"}
        assert (doc.data, doc.body) == (same.data, same.body) or writer == "lines"
        assert 280 <= len(doc.body.strip()) <= 300
    result = run_smm("check", "--format", "json", cwd=repo, env={"SMM_TODAY": "2027-01-01"})
    assert json.loads(result.stdout)["summary"]["files_checked"] > 16
    # all keys, nested ones too: the same values from every writer but `lines` (json.dumps writes a
    # mapping in flow style, which the line reader leaves to LibYAML)
    every_key = generate(16, tmp_path / f"{writer}-all", writer=writer)
    reference = generate(16, tmp_path / "yaml-all", writer="yaml")
    for post in sorted((every_key / "content" / "posts").rglob("*.md")):
        doc = loader.load_markdown(post, post.name)
        same = loader.load_markdown(reference / post.relative_to(every_key), post.name)
        assert "authors" in doc.data and not doc.findings
        assert doc.data == same.data or writer == "lines"
        assert doc.parsed.how == "flat" or (writer == "json" and {"media", "variants"} & set(doc.data))


def test_markdown_copy_holds_a_link_x_counts_as_one(tmp_path):
    repo = generate(8, tmp_path / "md", core_only=True, markdown=True)
    for post in (repo / "content" / "posts").rglob("*.md"):
        body = loader.load_markdown(post, post.name).body
        assert body.startswith("**") and counting.x_urls(body)[-1:] and "https://maps.example.org/kelda/" in body


def test_harness_runs_on_a_tiny_size(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "OUT", tmp_path / "out")
    assert harness.main(["--sizes", "20", "--site-sizes", "10", "20", "--runs", "1"]) == 0
    result = json.loads((tmp_path / "out" / "results.json").read_text())
    row = result["check"][0]
    assert row["posts"] == 20 and row["smm_check"]["seconds"] > 0 and row["floor"]["peak_mb"] > 0
    assert row["ratio_to_floor"] > 0 and row["check_jsonschema"]["seconds"] > 0
    assert row["smm_check_warm"]["seconds"] > 0 and list((tmp_path / "out" / "cache").glob("*.pickle"))
    assert row["smm_check_first"]["seconds"] > 0 and row["first_ratio_to_floor"] > 0
    assert list((tmp_path / "out" / "cache-first").glob("*.pickle"))     # the first run wrote its cache
    assert row["smm_check_restored"]["seconds"] > 0 and row["restored_ratio_to_floor"] > 0
    assert row["smm_check_pull_request"]["seconds"] > 0 and row["pull_request_ratio_to_floor"] > 0
    assert row["smm_check_pull_request_moved"]["seconds"] > 0 and row["pull_request_moved_ratio_to_floor"] > 0
    assert row["smm_check_next_day"]["seconds"] > 0 and row["next_day_ratio_to_floor"] > 0
    kept = next((tmp_path / "out" / "cache-next_day-kept").glob("*.pickle"))     # each run starts from it
    assert pickle.loads(kept.read_bytes())["day"] == harness.DAY_BEFORE < harness.ENV["SMM_TODAY"]
    lines = harness.table(result).splitlines()
    header, rule = lines[lines.index("") + 1:lines.index("") + 3]
    size = next(line for line in lines if line.startswith("| 20 |"))
    assert "restored from the day before" in header and header.count("|") == rule.count("|") == size.count("|")
    assert (tmp_path / "out" / "pull-request-20" / ".git").is_dir()
    assert result["site"][1]["growth_vs_first"] > 0 and result["site"][1]["plain_growth_vs_first"] > 0
    assert [len(row["handbook"]["runs"]) for row in result["site"]] == [1, 1]
    assert (PROJECT / "benchmarks" / "run.py").is_file()


def test_harness_measures_posts_written_each_way(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "OUT", tmp_path / "out")
    assert harness.main(["--sizes", "--site-sizes", "--runs", "1", "--core-only", "--shapes", "12"]) == 0
    result = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [(row["writer"], row["copy_chars"], row["markdown"]) for row in result["shapes"]] == harness.SHAPES
    assert all(row["smm_check"]["seconds"] > 0 and row["ratio_to_floor"] > 0 for row in result["shapes"])
    lines = harness.table(result).splitlines()
    rows = [line for line in lines if line.startswith("| 12 |")]
    assert len(rows) == len(harness.SHAPES) and "| 12 | json | short (60 to 90) |" in rows[2]
    assert "| 12 | lines | 1500 |" in rows[-2] and "| 12 | lines | short (60 to 90), Markdown with a link |" in rows[-1]


def test_the_pull_request_edits_change_what_they_say():
    text = '---\ntitle: A\nstatus: draft\npublish_at: "2027-03-01T10:49"\nplatforms: [x]\n---\nCopy.\n'
    assert harness.move_a_minute(text) == text.replace("T10:49", "T10:40")
    assert harness.move_a_minute(text.replace("T10:49", "T10:05")) == text.replace("T10:49", "T10:06")
    assert harness.add_line(text) == text + "\nOne more line.\n"


def test_a_run_without_check_sizes_prints_no_empty_check_table():
    machine = {"cpu": "CPU", "cores": 2, "python": "3.11"}
    site = [{"posts": 10, "handbook": {"seconds": 1.0, "peak_mb": 5}, "plain_site": {"seconds": 0.5, "peak_mb": 4},
             "ratio_to_plain": 2.0}]
    printed = harness.table({"machine": machine, "runs": 1, "check": [], "site": site})
    assert "handbook build" in printed and "smm check" not in printed and "| 10 | 1.0 s | 0.5 s | 2.0 |" in printed


def test_compare_runs_two_trees_in_turn_on_a_tiny_size(tmp_path):
    summary, numbers = tmp_path / "summary.md", tmp_path / "numbers.json"
    assert compare.main(["HEAD", "--posts", "20", "--runs", "2", "--summary", str(summary),
                         "--json", str(numbers)]) == 0
    result = json.loads(numbers.read_text())
    assert [row["scenario"] for row in result["scenarios"]] == ["cold", "warm", "first run"]
    for row in result["scenarios"]:
        for what in ("wall", "cpu"):
            assert row[what]["base"] > 0 and row[what]["head"] > 0 and row[what]["ratio"] > 0
            assert row[what]["pairs"][0] <= row[what]["pairs"][1]
    text = summary.read_text()
    assert "this tree against `HEAD`" in text and "| cold |" in text and "| warm |" in text and "| first run |" in text
    assert f"Output: {result['output']}." in text


def test_compare_with_ci_also_times_the_cached_runs_ci_sees(tmp_path):
    """A fresh clone with main's cache, and the two pull requests, each tree with its own clone and
    cache: the scenarios run (a tree that failed on one would stop the comparison)."""
    numbers = tmp_path / "numbers.json"
    assert compare.main(["HEAD", "--posts", "12", "--runs", "1", "--core-only", "--ci", "--json", str(numbers)]) == 0
    result = json.loads(numbers.read_text())
    assert [row["scenario"] for row in result["scenarios"]] == ["cold", "warm", "first run", "restored",
                                                                  "pull request (copy)", "pull request (time)"]
    assert result["ci"] is True and all(row["wall"]["base"] > 0 and row["wall"]["head"] > 0
                                        for row in result["scenarios"])


@pytest.mark.skipif(shutil.which("valgrind") is None and not os.environ.get("SMM_REQUIRE_VALGRIND"),
                    reason="needs valgrind (apt install valgrind; .ci/run installs it and requires this test)")
def test_compare_counts_the_same_instructions_for_the_same_code(tmp_path):
    """--instructions: callgrind's count of a cold check in one process, each tree counted once.
    Both trees hold this code here, so the counts agree but for the trees' folders (their paths'
    lengths, 0.07 % on a tiny repository): the number a reviewer reads does not drift as the
    timed runs do, by 20 to 50 % from run to run on this machine."""
    numbers, summary = tmp_path / "numbers.json", tmp_path / "summary.md"
    assert compare.main(["HEAD", "--posts", "5", "--runs", "1", "--core-only", "--instructions", "--fail-above", "1.01",
                         "--json", str(numbers), "--summary", str(summary)]) == 0
    result = json.loads(numbers.read_text())
    counts = result["instructions"]
    assert counts["base"] > 100_000_000 and abs(counts["head"] / counts["base"] - 1) < 0.005
    assert result["gate"] is None
    assert "Instructions of a cold `smm check` in one process" in summary.read_text()


@pytest.mark.skipif(shutil.which("valgrind") is None and not os.environ.get("SMM_REQUIRE_VALGRIND"),
                    reason="needs valgrind (apt install valgrind; .ci/run installs it and requires this test)")
def test_compare_fails_a_tree_that_runs_more_instructions_without_the_readme_saying_so(tmp_path, capsys):
    """--fail-above: the same code counts within 0.1 % of itself here (the trees' paths), so a
    limit of 0.99 finds this tree slower; its README (HEAD's, as given) has the base's
    Performance section, so the comparison ends with status 1 and says why, on the summary too."""
    readme, summary, numbers = tmp_path / "README.md", tmp_path / "summary.md", tmp_path / "numbers.json"
    readme.write_text(compare.readme_at("HEAD"), "utf-8")
    assert compare.main(["HEAD", "--posts", "5", "--runs", "1", "--core-only", "--instructions", "--fail-above", "0.99",
                         "--readme", str(readme), "--summary", str(summary), "--json", str(numbers)]) == 1
    assert "times the base's instructions (more than 0.99)" in capsys.readouterr().err
    assert "**Slower without saying so:**" in summary.read_text()
    assert "README.md's Performance section is the base's" in json.loads(numbers.read_text())["gate"]


README = "# smm\n\nIntro.\n\n## Performance\n\n| Posts | floor |\n|---|---|\n| 10 | 1 s |\n\n### Detail\n\nText.\n\n## Tests\n\nRun.\n"


def test_the_performance_section_runs_to_the_next_heading_of_its_level():
    assert compare.performance_section(README) == "## Performance\n\n| Posts | floor |\n|---|---|\n| 10 | 1 s |\n\n### Detail\n\nText."
    assert compare.performance_section(README.split("## Tests")[0]).endswith("Text.")
    assert compare.performance_section("# smm\n\n## Performances\n") is None and compare.performance_section(None) is None


@pytest.mark.parametrize("head, limit, readme, passes", [
    (1_010, 1.01, README, True),                                     # at the limit
    (1_011, 1.01, README, False),                                    # over it, the README as the base's
    (1_011, 1.01, README.replace("| 10 | 1 s |", "| 10 | 1.2 s |"), True),   # over it, and the table says so
    (1_011, 1.01, README.replace("Run.", "Run it."), False),        # another section changed: not the tables
    (1_011, 1.01, None, False),                                      # no README to say so
    (1_011, 1.01, README.replace("## Performance", "## Speed"), False),
    (900, 1.01, None, True),                                         # faster: nothing to say
])
def test_the_gate_passes_a_slower_tree_only_when_its_readme_says_so(head, limit, readme, passes):
    failed = compare.gate({"base": 1_000, "head": head}, limit, README, readme)
    assert (failed is None) is passes
    if not passes:
        assert f"runs {head / 1000:.4f} times the base's instructions (more than {limit})" in failed


def test_the_gate_takes_a_readme_when_the_base_had_none():
    assert compare.gate({"base": 1_000, "head": 2_000}, 1.01, None, README) is None


def test_fail_above_needs_the_instructions_counted(capsys):
    with pytest.raises(SystemExit):
        compare.main(["HEAD", "--posts", "5", "--runs", "1", "--fail-above", "1.01"])
    assert "--fail-above needs --instructions" in capsys.readouterr().err


def test_compare_says_what_counting_instructions_needs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))          # no valgrind on it
    assert compare.main(["HEAD", "--posts", "5", "--runs", "1", "--instructions"]) == 2
    assert "needs valgrind" in capsys.readouterr().err


def test_compare_takes_posts_written_another_way(tmp_path):
    numbers = tmp_path / "numbers.json"
    assert compare.main(["HEAD", "--posts", "12", "--runs", "1", "--core-only", "--writer", "yaml", "--copy", "600",
                         "--json", str(numbers)]) == 0
    result = json.loads(numbers.read_text())
    assert (result["writer"], result["copy_chars"], result["output"]) == ("yaml", 600, "the same report, byte for byte")
    assert compare.shape_of("yaml", 600) == " (front matter by yaml, 600 characters of copy)"
    assert compare.shape_of("lines", 1500) == " (1500 characters of copy)" and compare.shape_of("lines", None) == ""
    assert compare.shape_of("lines", None, True) == " (copy in Markdown with a link)"


def test_compare_reports_medians_fastest_runs_and_pairs():
    timed = {("cold", "base"): {"runs": [1.0, 2.0, 1.5], "cpu_runs": [2.0, 2.0, 2.0]},
             ("cold", "head"): {"runs": [0.9, 3.0, 1.0], "cpu_runs": [1.0, 3.0, 2.0]},
             ("warm", "base"): {"runs": [1.0], "cpu_runs": [1.0]}, ("warm", "head"): {"runs": [1.0], "cpu_runs": [1.0]}}
    cold = compare.summarise(timed)[0]
    assert cold["wall"] == {"base": 1.5, "head": 1.0, "ratio": 0.667, "fastest": 0.9, "pairs": [0.67, 1.5]}
    assert cold["cpu"] == {"base": 2.0, "head": 2.0, "ratio": 1.0, "fastest": 0.5, "pairs": [0.5, 1.5]}


def test_compare_runs_the_tree_it_names(tmp_path):
    """The base tree is the one on PYTHONPATH: a copy of HEAD whose report was edited writes it."""
    base = compare.export_tree("HEAD", tmp_path / "base")
    report = base / "smm" / "report.py"
    report.write_text(report.read_text("utf-8").replace('"files_checked": files', '"edited": files'), "utf-8")
    repo = generate(20, tmp_path / "repo")
    edited, ours = compare.report_of(base, repo), compare.report_of(PROJECT / "scripts", repo)
    assert b'"edited": ' in edited and b'"edited": ' not in ours and b'"files_checked": ' in ours
    assert compare.same_report(edited, ours).startswith("different reports (")
    assert compare.same_report(ours, ours) == "the same report, byte for byte"
    assert compare.same_report(b"not json", ours).startswith("different reports (no readable findings")


def test_compare_says_when_git_does_not_know_the_revision(capsys):
    assert compare.main(["no-such-revision-anywhere", "--posts", "5", "--runs", "1"]) == 2
    assert "git archive no-such-revision-anywhere" in capsys.readouterr().err


def test_compare_says_when_the_other_trees_smm_fails(tmp_path, monkeypatch, capsys):
    def broken(ref, dest):
        (dest / "scripts" / "smm").mkdir(parents=True)
        (dest / "scripts" / "smm" / "__init__.py").write_text("")
        (dest / "scripts" / "smm" / "__main__.py").write_text("raise SystemExit(3)\n")
        return dest / "scripts"
    monkeypatch.setattr(compare, "export_tree", broken)
    assert compare.main(["HEAD", "--posts", "5", "--runs", "1"]) == 2
    assert "exited 3" in capsys.readouterr().err


_COUNT_COMPILED = """
import importlib._bootstrap_external as external
compiled = []
source_to_code = external.SourceLoader.source_to_code
def counting(self, data, path, **options):
    compiled.append(path)
    return source_to_code(self, data, path, **options)
external.SourceLoader.source_to_code = counting
import smm.cli, smm.rules, smm.site.hook
print(sum(path.startswith(FOLDER) for path in compiled))
"""


def _modules_compiled_from_source(tree) -> int:
    """How many of smm's modules a fresh process under PYTHONDONTWRITEBYTECODE=1 compiles from source."""
    code = _COUNT_COMPILED.replace("FOLDER", repr(str(tree)))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"})
    return int(done.stdout)


def test_the_harness_measures_smm_from_bytecode_as_pip_installs_it(tmp_path):
    """Where Python writes no bytecode, an editable install would compile smm's modules on every
    run; the harness compiles them first, as pip does for the libraries it compares smm with."""
    tree = tmp_path / "scripts"
    shutil.copytree(PROJECT / "scripts", tree, ignore=shutil.ignore_patterns("__pycache__"))
    assert _modules_compiled_from_source(tree) > 20
    assert harness.compiled({"PYTHONPATH": str(tree)}) == tree / "smm"
    assert _modules_compiled_from_source(tree) == 0


def test_the_site_sizes_are_built_in_turn_round_by_round(tmp_path, monkeypatch):
    """The growth from the first size compares builds made in the same stretches of the machine's
    speed: every size is built once per round (the builds themselves run in the test above)."""
    monkeypatch.setattr(harness, "OUT", tmp_path / "out")
    built = []
    monkeypatch.setattr(harness, "measure", lambda cmd, cwd, env=None: built.append(cmd[-1]) or harness.Run(1.0, 1, 1.0))
    rows = harness.site_sizes([5, 6], 2, core_only=True)
    sizes = [name.rsplit("-", 1)[1] for name in built]
    assert sizes == ["5", "5", "6", "6"] * 2
    assert rows[1]["growth_vs_first"] == 1.0 and rows[1]["plain_growth_vs_first"] == 1.0


def test_each_phase_of_a_check_runs_through_to_its_end(tmp_path):
    """benchmarks/through.py, what benchmarks.phases counts: each phase a cold check goes through,
    in this process (the posts made from "posts read" on), and as the script it is run as."""
    from benchmarks import through
    repo = generate(12, tmp_path / "repo", core_only=True)
    from smm import prefetch
    try:
        made = {phase: through.run_through(phase, repo) for phase in through.ORDER}
    finally:
        prefetch.drop()                            # the reader it starts, as the command does
    assert made == {phase: 12 if through.ORDER.index(phase) >= through.ORDER.index("posts read") else 0
                    for phase in through.ORDER}
    done = subprocess.run([sys.executable, str(PROJECT / "benchmarks" / "through.py"), "rules across posts", str(repo)],
                          capture_output=True, text=True, env={**os.environ, "SMM_NO_CACHE": "1"})
    assert (done.returncode, done.stdout, done.stderr) == (0, "12\n", "")


@pytest.mark.skipif(shutil.which("valgrind") is None and not os.environ.get("SMM_REQUIRE_VALGRIND"),
                    reason="needs valgrind (apt install valgrind; .ci/run installs it and requires this test)")
def test_phases_counts_the_instructions_of_each_phase_against_the_floor(tmp_path, capsys):
    """Up to the strategy: starting Python, smm's imports (hundreds of millions of instructions,
    whatever the repository) and reading the strategy, each counted apart, and the floor's."""
    import benchmarks.phases as phases
    repo = generate(6, tmp_path / "repo", core_only=True)
    counts = phases.count(repo, through="strategy")
    assert list(counts) == ["python", "imports", "strategy", "floor"]
    assert counts["imports"] > 100_000_000 and 0 < counts["strategy"] < counts["imports"]
    assert 10_000_000 < counts["python"] < counts["floor"]
    summary = tmp_path / "summary.md"
    summary.write_text("before\n")
    assert phases.main(["--repo", str(repo), "--through", "strategy", "--summary", str(summary)]) == 0
    table = capsys.readouterr().out
    assert "| imports | import smm's command and rules |" in table and "| listing |" not in table
    assert "With the posts shared evenly by this machine's" in table
    assert summary.read_text() == "before\n\n" + table         # appended, as $GITHUB_STEP_SUMMARY wants


def test_phases_says_what_counting_needs(tmp_path, monkeypatch, capsys):
    import benchmarks.phases as phases
    monkeypatch.setenv("PATH", str(tmp_path))          # no valgrind on it
    assert phases.main(["--posts", "3"]) == 2
    assert "needs valgrind" in capsys.readouterr().err
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/valgrind")   # past that test: the folder's
    assert phases.main(["--repo", str(tmp_path)]) == 2
    assert "has no content/posts folder" in capsys.readouterr().err


def test_the_hostile_copy_benchmark_times_each_shape_at_two_lengths(capsys):
    from benchmarks import hostile
    hostile.main(["--chars", "60", "--runs", "1", "--shapes", "colons", "link-of-dots"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| copy | 60 characters | 120 characters | the post's own time, grown |"
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| (short copy)", "| colons", "| link-of-dots"]
    assert all(row.count(" s |") == 2 for row in rows[2:])


def test_the_hostile_copy_benchmark_shows_a_check_past_its_limit_as_stopped():
    from benchmarks import hostile
    rows = [{"shape": "slow", "seconds": [1.0, None], "growth": hostile._growth([1.0, None], 0.5)}]
    assert hostile.table(0.5, rows, 10).splitlines()[-1] == "| slow | 1.00 s | stopped | - |"
    assert hostile._growth([0.7, 1.3], 0.5) == 4.0 and hostile._growth([0.502, 0.6], 0.5) is None
