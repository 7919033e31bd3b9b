"""The GitHub workflows, audited as a security reviewer would: zizmor and the workflow schema."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; it is in the test extras (pip install -e '.[test]')")
    return found


def test_zizmor_finds_nothing_even_pedantic():
    result = subprocess.run([tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                             str(PROJECT / ".github")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings" in result.stdout


def test_workflows_match_the_github_workflow_schema():
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_matches_its_schema():
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
                             str(PROJECT / ".github" / "dependabot.yml")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_hardening(workflow):
    text = workflow.read_text("utf-8")
    data = yaml.safe_load(text)
    triggers = data.get(True) or data.get("on")           # PyYAML reads the key `on` as True
    assert "pull_request_target" not in (triggers or {}), "never run pull request code with secrets"
    assert "permissions" in data, "set least-privilege permissions at the top"
    for line in re.findall(r"uses:\s*(\S+)(.*)", text):
        ref, comment = line
        assert re.search(r"@[0-9a-f]{40}$", ref), f"{ref} is not pinned to a full commit SHA"
        assert re.search(r"#\s*v\d", comment), f"{ref} needs its version in a comment"
    for job in data["jobs"].values():
        for step in job.get("steps", []):
            if "actions/checkout@" in step.get("uses", ""):
                assert step.get("with", {}).get("persist-credentials") is False
            assert "${{" not in step.get("run", ""), "pass expressions through env:, not into run scripts"
