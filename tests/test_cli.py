"""`smm check` run as a user runs it: a subprocess in a copy of a repository."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import run_smm, snapshot, write

BAD_POST = "---\ntitle: Bad\nstatus: sheduled\nplatforms: [twitter]\n---\nCopy\n"


def test_sample_repository_passes(sample):
    result = run_smm("check", cwd=sample)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout


def test_errors_exit_1_and_name_file_line_rule(repo):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    result = run_smm("check", cwd=repo)
    assert result.returncode == 1
    assert "content/posts/2026/12/01-bad.md:3:9: error schema.enum" in result.stdout
    assert "content/posts/2026/12/01-bad.md:4:13: error platform.unknown" in result.stdout
    assert 'hint: Use one of: idea, draft, scheduled, published, cancelled (did you mean "scheduled"?)' in result.stdout


def test_json_output_follows_the_contract(repo):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    result = run_smm("check", "--format", "json", cwd=repo)
    payload = json.loads(result.stdout)
    finding = payload["findings"][0]
    assert set(finding) >= {"path", "line", "column", "severity", "rule", "message", "hint"}
    assert finding["path"] == "content/posts/2026/12/01-bad.md"
    assert payload["summary"]["errors"] == 2


def test_github_format_writes_annotations_and_summary(repo, tmp_path):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST.replace("title: Bad", "title: '50% <b>|x</b>'"))
    write(repo, "content/posts/2026/12/02-worse.md", "---\ntitle: x\nstatus: draft\nplatforms: [x]\nfoo: 1\n---\n")
    summary = tmp_path / "summary.md"
    result = run_smm("check", "--format", "github", cwd=repo, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 1
    assert "::error file=content/posts/2026/12/01-bad.md,line=3,col=9,title=schema.enum::" in result.stdout
    assert "%0A" in result.stdout  # the hint follows the message on a new line, escaped
    text = summary.read_text()
    assert "| error | `content/posts/2026/12/01-bad.md` | 3 | `schema.enum` |" in text
    assert "foo" in text


def test_github_format_is_the_default_inside_actions(repo):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    result = run_smm("check", cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert "::error file=content/posts/2026/12/01-bad.md" in result.stdout


def test_paths_limit_the_report_but_references_still_resolve(repo):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    write(repo, "content/posts/2026/12/02-good.md",
          "---\ntitle: Good\nstatus: draft\nplatforms: [x]\ncampaign: spring\npersonas: [pat]\n---\nCopy\n")
    result = run_smm("check", "content/posts/2026/12/02-good.md", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert "1 file checked" in result.stdout


def test_runs_from_a_subfolder(repo):
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    result = run_smm("check", "01-bad.md", cwd=repo / "content" / "posts" / "2026" / "12")
    assert result.returncode == 1
    assert "content/posts/2026/12/01-bad.md:3:9" in result.stdout


def test_missing_path_is_a_usage_error(repo):
    result = run_smm("check", "nope.md", cwd=repo)
    assert result.returncode == 2
    assert "nope.md: no such file or folder" in result.stderr


def test_outside_a_repository_is_a_usage_error(tmp_path):
    result = run_smm("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "mkdocs.yml" in result.stderr


def test_unknown_format_is_a_usage_error(repo):
    assert run_smm("check", "--format", "xml", cwd=repo).returncode == 2


def test_check_changes_nothing_on_disk(sample):
    before = snapshot(sample)
    run_smm("check", "--format", "json", cwd=sample)
    assert snapshot(sample) == before


def test_terminal_control_characters_in_user_text_are_shown_not_obeyed(repo):
    write(repo, "content/posts/2026/12/01-esc.md",
          '---\ntitle: x\nstatus: draft\nplatforms: ["x\\e[2J"]\n---\n')
    result = run_smm("check", cwd=repo)
    assert result.returncode == 1
    assert "\x1b" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_the_command_leaves_what_the_check_built_to_the_system_at_exit(repo):
    """run() ends the process without freeing the findings and posts object by object (32 to 38
    ms for 10,000 posts); main() called in a process that goes on keeps nothing."""
    write(repo, "content/posts/2026/12/01-bad.md", BAD_POST)
    probe = ("import os, sys, smm.cli as cli\n"
             "cli.main(['check', '--no-cache']); assert cli._LEFT_AT_EXIT is None\n"
             "real_exit = os._exit\n"
             "def exit_(code):\n"
             "    left = cli._LEFT_AT_EXIT\n"
             "    sys.stderr.write(f'left {len(left)} {type(left[0]).__name__} {len(left[0].findings)} {code}')\n"
             "    sys.stderr.flush(); real_exit(code)\n"
             "os._exit = exit_\n"
             "sys.argv = ['smm', 'check', '--no-cache']\n"
             "cli.run()\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True)
    assert result.stderr.endswith("left 1 CheckResult 2 1"), result.stderr
