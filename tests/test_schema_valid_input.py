"""Whatever a schema accepts, `smm check` takes without an internal error.

The schemas say what each file may hold; the code must cope with all of it, not only with the
shapes the sample uses. hypothesis-jsonschema generates documents that satisfy each schema, each
goes into a small repository in place of that kind of file, and the check runs: it may report
findings, never raise (what `smm check` reports as an internal error, exit 2). The first run of
this test found posting windows that crashed the check (a window to "24:30", which the channels
schema let through) and led to `cadence.window-order`.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from conftest import make_repo, write
from smm.check import run_check

SCHEMAS = Path(__file__).parent.parent / "schemas"
TARGETS = {                     # schema -> the file a document of it replaces or adds
    "settings": "strategy/settings.yaml",
    "pillars": "strategy/pillars.yaml",
    "channels": "strategy/channels.yaml",
    "team": "strategy/team.yaml",
    "objectives": "strategy/objectives.yaml",
    "approvals": "strategy/approvals.yaml",
    "freezes": "strategy/freezes.yaml",
    "persona": "personas/generated.md",
    "campaign": "content/campaigns/generated.md",
    "post": "content/posts/2026/12/01-generated.md",
}


def _as_file(document: dict, target: str) -> str:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\nGenerated body.\n" if target.endswith(".md") else text


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_every_document_the_schema_accepts_is_checked_without_an_internal_error(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    repo = make_repo(tmp_path / "repo")
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8"))
    schema.pop("$schema", None)     # hypothesis-jsonschema reads the draft 2020-12 keywords the schemas use

    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(from_schema(schema))
    def checked_without_raising(document):
        write(repo, TARGETS[kind], _as_file(document, TARGETS[kind]))
        run_check(repo)

    checked_without_raising()
