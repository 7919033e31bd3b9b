"""Findings as rules make them: severity and hint from the catalogue, the hint filled in."""
from __future__ import annotations

import io
import json
import os
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm import check, posting
from smm import findings as F
from smm import report
from smm.findings import Finding


def test_a_made_finding_is_the_finding_its_fields_describe():
    made = F.make("cadence.spacing", "content/posts/a.md", (4, 13), "1.0 hours after b", platform="x",
                  hours=4, network="X")
    assert made == Finding("content/posts/a.md", 4, 13, "cadence.spacing", "warning", "1.0 hours after b",
                           "Keep 4 hours between X posts (strategy/channels.yaml); move one of them.", "x")
    assert hash(made) == hash(Finding("content/posts/a.md", 4, 13, "cadence.spacing", "error", "1.0 hours after b"))
    with pytest.raises(AttributeError):
        made.line = 5                                        # still frozen


@pytest.mark.parametrize("context", [{"hours": 4, "network": "X"}, {"hours": [1, 2]}, {}])
def test_a_maker_makes_what_make_makes(context):
    """F.maker (the catalogue read and the hint filled once, for the many findings of one rule)."""
    made = F.make("cadence.spacing", "a.md", (3, 1), "m", platform="x", **context)
    assert F.FIELDS_OF(F.maker("cadence.spacing", platform="x", **context)("a.md", (3, 1), "m")) == F.FIELDS_OF(made)
    assert F.maker("cadence.spacing", severity="error")("a.md", None, "m").severity == "error"
    with pytest.raises(KeyError):
        F.maker("no.such-rule")


@pytest.mark.parametrize("hours, shown", [(1, "Keep 1 hours"), (1.0, "Keep 1.0 hours"), (True, "Keep True hours"),
                                          (1, "Keep 1 hours"), ([1, 2], "Keep [1, 2] hours")])
def test_hints_are_filled_with_each_findings_own_values(hours, shown):
    """Filled hints are kept for reuse; values that are equal but written differently stay apart."""
    made = F.make("cadence.spacing", "a.md", None, "m", hours=hours, network="X")
    assert made.hint.startswith(shown + " between X posts")


def test_a_name_missing_from_the_context_stays_in_braces():
    assert F.make("cadence.spacing", "a.md", None, "m", network="X").hint.startswith("Keep {hours} hours")


TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20)
FINDINGS = st.builds(Finding, path=TEXT, line=st.integers(0, 10**6), column=st.integers(0, 10**4), rule=TEXT,
                     severity=st.sampled_from(F.SEVERITIES), message=TEXT, hint=TEXT,
                     platform=st.none() | st.just("") | TEXT)


@settings(max_examples=300, deadline=None)
@given(st.lists(FINDINGS, max_size=6))
def test_findings_json_is_what_json_dumps_writes(found):
    """Quotes, backslashes, control characters, any script: the same bytes as the json module."""
    assert report.findings_json(found) == json.dumps([f.as_dict() for f in found], ensure_ascii=False)


class _Writes(io.StringIO):
    def __init__(self):
        super().__init__()
        self.sizes = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(FINDINGS, max_size=9), st.integers(1, 4))
def test_the_json_report_is_written_in_pieces_that_make_the_whole(found, piece):
    """However the findings fall into pieces, the report is the one json.dumps writes."""
    original = report.PIECE
    report.PIECE = piece
    try:
        stream = _Writes()
        report.as_json(found, 3, stream=stream)
        assert report.findings_json(found) == json.dumps([f.as_dict() for f in found], ensure_ascii=False)
    finally:
        report.PIECE = original
    summary = {"errors": sum(f.severity == "error" for f in found), "warnings": sum(f.severity == "warning" for f in found),
               "suggestions": sum(f.severity == "suggestion" for f in found), "files_checked": 3}
    whole = json.dumps({"findings": [f.as_dict() for f in found], "summary": summary}, ensure_ascii=False)
    assert stream.getvalue() == whole + "\n"
    assert len(stream.sizes) >= 4 + len(found) // piece       # never one string of the whole report


@settings(max_examples=100, deadline=None)
@given(st.lists(FINDINGS, max_size=9), st.integers(1, 4), st.sampled_from(["text", "github"]))
def test_text_and_annotations_are_written_a_piece_at_a_time_not_a_line_at_a_time(found, piece, fmt):
    """Unbuffered output (PYTHONUNBUFFERED) makes every write a system call: a piece of findings is
    one write, and the pieces make what one write a line made."""
    lines_of = {"text": lambda f: report._text_lines(f, False), "github": lambda f: report.annotation(f) + "\n"}[fmt]
    original, summary = report.PIECE, os.environ.pop("GITHUB_STEP_SUMMARY", None)   # not this job's summary
    report.PIECE = piece
    try:
        stream = _Writes()
        report.REPORTERS[fmt](found, 3, stream=stream)
    finally:
        report.PIECE = original
        if summary is not None:
            os.environ["GITHUB_STEP_SUMMARY"] = summary
    assert stream.getvalue() == "".join(map(lines_of, found)) + report.summary_line(found, 3) + "\n"
    assert len(stream.sizes) == -(-len(found) // piece) + 1


def test_a_terminal_gets_colour_and_user_text_escaped_and_a_pipe_plain_text(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    found = [F.make("cadence.spacing", "content/posts/\x1b[2Jx.md", (4, 13), "1.0 hours after a.md", platform="x",
                    hours=4, network="X")]
    terminal, pipe = _Terminal(), io.StringIO()
    report.text(found, 1, terminal)
    report.text(found, 1, pipe)
    assert terminal.getvalue().startswith("\x1b[1mcontent/posts/\\x1b[2Jx.md:4:13:\x1b[0m \x1b[33mwarning\x1b[0m ")
    assert "\x1b" not in pipe.getvalue() and pipe.getvalue().startswith("content/posts/\\x1b[2Jx.md:4:13: warning ")
    assert "\n\x1b[2m  hint: " in terminal.getvalue() and "\n  hint: " in pipe.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_json_report_is_indented_on_a_terminal_and_one_line_in_a_pipe():
    found = [F.make("cadence.spacing", "content/posts/é.md", (4, 13), 'say "hi"\n', platform="x", hours=4,
                    network="X"), F.make("post.path", "b.md", None, "the file is misplaced")]
    terminal, pipe = _Terminal(), io.StringIO()
    report.as_json(found, 2, terminal)
    report.as_json(found, 2, pipe)
    assert json.loads(terminal.getvalue()) == json.loads(pipe.getvalue())
    assert json.loads(pipe.getvalue())["summary"] == {"errors": 0, "warnings": 2, "suggestions": 0, "files_checked": 2}
    assert terminal.getvalue().startswith('{\n  "findings": [\n') and pipe.getvalue().count("\n") == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a.md", "b.md"]).flatmap(
    lambda path: st.builds(Finding, path=st.just(path), line=st.integers(1, 3), column=st.just(1),
                           rule=st.sampled_from(["r.one", "r.two"]), severity=st.sampled_from(F.SEVERITIES),
                           message=st.sampled_from(["m", "n"]), hint=TEXT)), max_size=30))
def test_a_finding_reported_twice_is_reported_once_and_first_as_through_a_set(found):
    """Equal findings (the fields a finding compares) are one finding: the first of them is kept,
    as a set keeps the first it was given, in the report's order (ORDER)."""
    kept = set()
    expected = [f for f in found if not (f in kept or kept.add(f))]
    expected.sort(key=F.ORDER)
    assert check._each_once_in_order(found) == expected == sorted(set(found))
    assert [(f.severity, f.hint) for f in check._each_once_in_order(found)] == [(f.severity, f.hint) for f in expected]


@settings(max_examples=200, deadline=None)
@given(st.lists(FINDINGS, max_size=5))
def test_a_finding_read_back_from_a_pickle_is_the_same_finding(found):
    """The cache and the workers' pipe carry findings as pickles of their fields: every field comes
    back, the ones a finding does not compare (severity, hint, platform) too."""
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(found, protocol=protocol))
        assert [type(f) for f in back] == [Finding] * len(found)
        assert [F.FIELDS_OF(f) for f in back] == [F.FIELDS_OF(f) for f in found]


BODY_PIECES = ["\n", " ", "\t", "Fill your bottle", "Fill", "bottle", "\u00a0", "\u2003", "x", "\n\n"]


@settings(max_examples=400, deadline=None)
@given(body=st.lists(st.sampled_from(BODY_PIECES), max_size=10).map("".join), data=st.data())
def test_a_copy_is_placed_where_it_first_occurs_in_the_body(body, data):
    """Copy is placed in the body where a search finds it first, the stripped body included
    (found without a search); copy the body does not hold (its links tagged) where the body's
    copy starts, after its leading spaces and blank lines."""
    start = data.draw(st.integers(0, len(body)))
    text = data.draw(st.sampled_from([body.strip(), body, body[start:], body[start:].strip(), "", "absent",
                                      " " + body.strip()]))
    lead = len(body) - len(body.lstrip())
    assert posting._first_place(body, text) == (0 if not text else body.find(text) if text in body else lead)


def _placed_by_slicing(post, source: tuple, text: str, offset: int) -> tuple[int, int]:
    """copy_location as first written: the copy up to `offset` sliced off and its line breaks counted."""
    doc = post.doc
    if source == ():
        before = post.body[:posting._first_place(post.body, text)] + (text[:offset] if text else "")
        return doc.body_line + before.count("\n"), len(before) - before.rfind("\n")
    line, column = doc.value_at(*source)
    if doc.parsed.is_block(source):
        before = text[:offset]
        return line + 1 + before.count("\n"), len(before) - before.rfind("\n") + 2
    return line, column + offset if offset and "\n" not in text[:offset] else column


LINES = st.lists(st.sampled_from(["Fill", "your bottle", "x"]), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(body=st.lists(st.sampled_from(BODY_PIECES), max_size=10).map("".join),
       block=st.lists(LINES, min_size=1, max_size=4), data=st.data())
def test_a_place_in_copy_is_found_from_the_line_breaks_found_once(body, block, data):
    """copy_location finds the line breaks of a piece of copy once (posting._newlines), and places
    every offset in it where slicing the copy up to it and counting its line breaks does."""
    from types import SimpleNamespace

    from smm.loader import parse_markdown
    variant = "".join(f"    {line}\n" for line in block)
    doc = parse_markdown(f"---\ntitle: t\nvariants:\n  x: |\n{variant}  bluesky: {block[0]}\n---\n{body}",
                         "content/posts/p.md")
    post = SimpleNamespace(doc=doc, body=doc.body)
    start = data.draw(st.integers(0, len(body)))
    pieces = [((), text) for text in (body, body.strip(), body[start:], "absent")]
    pieces += [(("variants", pid), doc.data["variants"][pid]) for pid in ("x", "bluesky")]
    for source, text in pieces:
        for offset in range(len(text) + 1):
            assert posting.copy_location(post, source, text, offset) == _placed_by_slicing(post, source, text, offset)
