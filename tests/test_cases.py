"""Data-driven acceptance cases: tests/cases/{valid,invalid}/<kind>/<file>.

An invalid case is named `<rule>@<line>--<what>.<ext>` and must produce that
rule at that line. A valid case must produce no finding at all. A `.md` case
is one file placed in the repository by its kind; a `.yaml` case under repos/
lists files to write, files to delete and symlinks to make. Adding a case is
adding a file.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import CASE_TARGETS, CASES, check, make_repo, snapshot, write
from smm.findings import _wildcard, catalogue


def _cases(kind: str):
    return sorted(p for p in (CASES / kind).glob("*/*") if p.is_file())


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def place(root: Path, case: Path) -> str:
    """Put the case into the repository; return the path findings are expected in."""
    if case.parent.name in CASE_TARGETS:
        target = CASE_TARGETS[case.parent.name]
        write(root, target, case.read_bytes())
        return target
    spec = yaml.safe_load(case.read_text("utf-8"))
    for relpath in spec.get("delete", []):
        (root / relpath).unlink()
    for relpath, content in (spec.get("files") or {}).items():
        write(root, relpath, content)
    for relpath, target in (spec.get("symlinks") or {}).items():
        link = root / relpath
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
    return spec["expect_path"]


def expectation(case: Path) -> tuple[str, int]:
    rule, _, rest = case.name.partition("@")
    return rule, int(rest.split("--")[0])


def pin_today(case: Path, monkeypatch) -> None:
    """A repository case may fix the date the planning rules see (`today: YYYY-MM-DD`)."""
    if case.suffix == ".yaml":
        today = yaml.safe_load(case.read_text("utf-8")).get("today")
        if today:
            monkeypatch.setenv("SMM_TODAY", str(today))


@pytest.mark.parametrize("case", _cases("invalid"), ids=_id)
def test_invalid_case_reports_its_rule_at_its_line(case, tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo")
    pin_today(case, monkeypatch)
    target = place(root, case)
    before = snapshot(root)
    findings = check(root)
    rule, line = expectation(case)
    mine = [(f.rule, f.line) for f in findings if f.path == target]
    assert (rule, line) in mine, f"expected {rule} at line {line} in {target}, got {mine}"
    assert all(f.message and f.hint for f in findings), "every finding needs a message and a hint"
    assert snapshot(root) == before, "checking must not change any file"


@pytest.mark.parametrize("case", _cases("valid"), ids=_id)
def test_valid_case_has_no_findings(case, tmp_path, monkeypatch):
    root = make_repo(tmp_path / "repo")
    pin_today(case, monkeypatch)
    target = place(root, case)
    findings = [f for f in check(root) if f.path == target]
    assert findings == []


def test_fixture_repository_is_clean(repo):
    assert check(repo) == []


def test_every_rule_has_a_failing_case():
    covered = {rule for c in _cases("invalid") for rule in (expectation(c)[0], _wildcard(expectation(c)[0]))}
    exempt = {"load.too-large"}  # a 1 MB file is made in test_loader instead of committed
    missing = set(catalogue()) - covered - exempt - set(_rules_tested_elsewhere())
    assert not missing, f"rules without an invalid case: {sorted(missing)}"


def _rules_tested_elsewhere():
    """Rules of later layers, each with its own test module (their ids start with these)."""
    here = Path(__file__).parent
    text = "\n".join(p.read_text("utf-8") for p in here.glob("test_*.py") if p.name != "test_cases.py")
    found = []
    for rule in catalogue():
        pattern = re.escape(f'"{rule}"').replace(r"\*", "[a-z]+")
        if re.search(pattern, text):
            found.append(rule)
    return found
