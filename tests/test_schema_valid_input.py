"""Whatever a schema accepts, `smm check` and the other commands take without an internal error.

The schemas say what each file may hold; the code must cope with all of it, not only with the
shapes the sample uses. Documents are generated from each schema (by `documents` below, for the
keywords our schemas use; each is held to the schema with jsonschema), each goes into a small
repository in place of that kind of file, and the check runs: it may report findings, never
raise (what `smm check` reports as an internal error, exit 2). Then the commands that read the
same files run on some of them. Its first runs found a posting window to "24:30", which the
channels schema let through, stopping the check, and a brand name over two lines stopping the
calendar feed; each has a test of its own since (the examples drawn here are fixed, so that CI is
repeatable, and change whenever this file does).
"""
from __future__ import annotations

import contextlib
import io
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import make_repo, write
from smm import cli
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
TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "Two\nlines", "2026-12-01T09:00", "24:00", "#ad", "x",
                                                          "kelda.example"]))


# Keys whose values the code reads further than the schema does: mostly good ones, so that the rest
# of a document gets as far as the code that uses it
BY_KEY = {"timezone": st.sampled_from(["UTC", "Europe/Amsterdam", "Pacific/Kiritimati", "Not/AZone"])}


def documents(schema: dict, root: dict):
    """Values for `schema` (a part of `root`, whose $defs it may name), loosely: a value that
    misses the schema (a branch of oneOf that another also takes, an if/then) is filtered out."""
    if "$ref" in schema:
        return documents(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "oneOf" in schema:
        return st.one_of([documents(branch, root) for branch in schema["oneOf"]])
    kinds = schema.get("type", "string")
    return st.one_of([_of_type(kind, schema, root) for kind in ([kinds] if isinstance(kinds, str) else kinds)])


def _of_type(kind: str, schema: dict, root: dict):
    if kind == "object":
        return _objects(schema, root)
    if kind == "array":
        return st.lists(documents(schema.get("items", {}), root), min_size=schema.get("minItems", 0), max_size=4)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", -10))
        values = st.integers(int(low), int(schema.get("maximum", 10**6)))
        return values if kind == "integer" else st.one_of(values, st.floats(float(low), float(schema.get("maximum", 1e6))))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if schema.get("format") == "date":
        return st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(date.isoformat)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"])
    return TEXT


def _objects(schema: dict, root: dict):
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    values = {key: BY_KEY[key] if key in BY_KEY else documents(value, root) for key, value in properties.items()}
    known = st.fixed_dictionaries({key: values[key] for key in required if key in values},
                                  optional={key: value for key, value in values.items() if key not in required})
    extra = schema.get("additionalProperties", True)
    if not isinstance(extra, dict):
        return known
    names = schema.get("propertyNames", {})
    keys = st.sampled_from(names["enum"]) if "enum" in names else st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
    more = st.dictionaries(keys, documents(extra, root), min_size=schema.get("minProperties", 0), max_size=4)
    return st.tuples(known, more).map(lambda pair: {**pair[1], **pair[0]})


# A post beside the generated file, so that the rules about posts run too (they do not without posts)
UPCOMING_POST = ("---\ntitle: Fixed\nstatus: scheduled\npublish_at: \"2026-12-02T09:00\"\n"
                 "platforms: [x, bluesky, mastodon, linkedin, instagram, tiktok, youtube]\nlanguage: en\n"
                 "campaign: spring\nboost: {budget: 10, currency: EUR}\n---\nCopy with https://kelda.example/a #ad\n")


def _as_file(document: dict, target: str) -> str:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\nGenerated body.\n" if target.endswith(".md") else text


GENERATED = {"deadline": None, "derandomize": True,       # the same examples on every run
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]}


def _each_valid_document(kind: str, tmp_path: Path, monkeypatch, examples: int, act) -> None:
    """Put each generated document of `kind` that its schema accepts in place of its file, in the
    fixture repository beside an upcoming post, and call act(repository)."""
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    repo = make_repo(tmp_path / "repo")
    write(repo, "content/posts/2026/12/02-fixed.md", UPCOMING_POST)
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text("utf-8"))
    valid = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).is_valid

    @settings(max_examples=examples, **GENERATED)
    @given(documents(schema, schema))
    def each(document):
        assume(valid(document))
        write(repo, TARGETS[kind], _as_file(document, TARGETS[kind]))
        act(repo)

    each()


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_every_document_the_schema_accepts_is_checked_without_an_internal_error(kind, tmp_path, monkeypatch):
    _each_valid_document(kind, tmp_path, monkeypatch, 40, run_check)


def _commands(repo: Path, kind: str) -> list[list[str]]:
    posts = ["content/posts/2026/12/02-fixed.md"] + ([TARGETS["post"]] if kind == "post" else [])
    return ([["calendar", "--format", form, "--from", "2026-01-01", "--to", "2028-12-31"] for form in ("json", "ics")]
            + [["export", "buffer", "--platform", "x", "--from", "2026-01-01", "--out", str(repo / "out.csv"), "--force"],
               ["freeze", "--format", "json"], ["codeowners"]]
            + [["preview", str(repo / post), "--format", "json"] for post in posts])


@pytest.mark.parametrize("kind", ["post", "settings", "channels", "team", "freezes", "campaign"])
def test_the_other_commands_take_every_document_the_schema_accepts(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("SMM_DEBUG", "1")          # an internal error raises instead of becoming exit 2

    def run_commands(repo):
        for args in _commands(repo, kind):
            with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())), contextlib.redirect_stderr(io.StringIO()):
                cli.main(["--root", str(repo), *args])

    _each_valid_document(kind, tmp_path, monkeypatch, 40, run_commands)
