"""The repository's own JSON Schemas (schemas/): a broken one is a finding, and the check goes on
with the schema smm ships for that kind."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import PROJECT, check, write

BROKEN = {
    "not-json": (b'{\n  "type": "object",\n  oops\n}\n', 3, "is not JSON"),
    "not-an-object": (b'["type", "object"]\n', 1, "a schema is a JSON object"),
    "not-a-schema": (b'{"type": 5}\n', 1, "is not a valid JSON Schema"),
    "not-utf8": (b'{"description": "\xff"}\n', 1, "cannot be read as UTF-8 text"),
}


@pytest.fixture
def own_schemas(repo):
    """The fixture repository with a copy of smm's schemas as its own."""
    shutil.copytree(PROJECT / "schemas", repo / "schemas")
    return repo


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_schema_file_is_a_finding_and_the_shipped_schema_checks_instead(own_schemas, case):
    content, line, words = BROKEN[case]
    (own_schemas / "schemas/campaign.schema.json").write_bytes(content)
    write(own_schemas, "content/campaigns/bad.md", "---\ntitle: Bad\nkind: nonsense\n---\n")
    found = check(own_schemas)
    [problem] = [f for f in found if f.rule == "schema.file"]
    assert (problem.path, problem.line, problem.severity) == ("schemas/campaign.schema.json", line, "error")
    assert words in problem.message and "campaign files against its own" in problem.hint
    assert {f.rule for f in found if f.path == "content/campaigns/bad.md"} & {"schema.required", "schema.enum"}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_for_a_schema_is_a_finding_not_a_hang(own_schemas):
    (own_schemas / "schemas/persona.schema.json").unlink()
    os.mkfifo(own_schemas / "schemas/persona.schema.json")
    [problem] = [f for f in check(own_schemas) if f.rule == "schema.file"]
    assert problem.path == "schemas/persona.schema.json" and "cannot be read" in problem.message


def test_a_kind_without_its_own_schema_uses_the_shipped_one_quietly(own_schemas):
    (own_schemas / "schemas/persona.schema.json").unlink()
    assert check(own_schemas) == []
