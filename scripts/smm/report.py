"""Reporters: the same findings as text, JSON or GitHub annotations."""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from json.encoder import encode_basestring   # the C encoder json.dumps uses for text

SUMMARY_LIMIT = 1024 * 1024  # GitHub caps a step summary at 1 MiB
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "suggestion": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def counts(findings) -> Counter:
    return Counter(f.severity for f in findings)


def summary_line(findings, files: int) -> str:
    c = counts(findings)
    parts = [f"{c['error']} error{'s' * (c['error'] != 1)}", f"{c['warning']} warning{'s' * (c['warning'] != 1)}"]
    if c["suggestion"]:
        parts.append(f"{c['suggestion']} suggestion{'s' * (c['suggestion'] != 1)}")
    return f"{', '.join(parts)} in {files} file{'s' * (files != 1)} checked"


def use_colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def printable(text: str) -> str:
    """User text made safe for a terminal: control characters shown, not obeyed."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" if ord(ch) < 256
                   else f"\\u{ord(ch):04x}" for ch in text)


def text(findings, files: int, stream=sys.stdout, changes=None, repo=None) -> None:
    colour = use_colour(stream)
    write_in_pieces(stream, findings, lambda f: _text_lines(f, colour))
    stream.write(summary_line(findings, files) + "\n")
    if changes is not None:
        stream.write(calendar_text(changes, repo))


def _text_lines(f, colour: bool) -> str:
    if colour:
        return _coloured_lines(f)
    lines = f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message}"
    if not lines.isprintable():          # one test for the whole line: the pieces are escaped only then
        lines = f"{printable(f'{f.path}:{f.line}:{f.column}:')} {f.severity} {f.rule} {printable(f.message)}"
    if f.hint:
        return f"{lines}\n  hint: {printable(f.hint)}\n"
    return lines + "\n"


def _coloured_lines(f) -> str:
    """For a terminal: the place in bold (its text escaped, not the bold), the severity in colour."""
    loc = printable(f"{f.path}:{f.line}:{f.column}:")
    lines = f"{_BOLD}{loc}{_RESET} {_COLOURS[f.severity]}{f.severity}{_RESET} {f.rule} {printable(f.message)}\n"
    if f.hint:
        lines += f"{_DIM}  hint: {printable(f.hint)}{_RESET}\n"
    return lines


def write_in_pieces(stream, findings: list, lines_of) -> None:
    """Each finding's lines (`lines_of(finding)`), written PIECE findings at a time: where output is
    unbuffered (PYTHONUNBUFFERED, which some CI images and containers set), a write a line was a
    system call a line, 33,675 of them for the 16,837 findings of 10,000 posts."""
    for start in range(0, len(findings), PIECE):
        stream.write("".join(map(lines_of, findings[start:start + PIECE])))


def as_json(findings, files: int, stream=sys.stdout, changes=None, repo=None) -> None:
    c = counts(findings)
    summary = {"errors": c["error"], "warnings": c["warning"], "suggestions": c["suggestion"], "files_checked": files}
    calendar = None if changes is None else [change.as_dict(repo.timezone) for change in changes]
    if hasattr(stream, "isatty") and stream.isatty():        # for people: indented
        payload = {"findings": [f.as_dict() for f in findings], "summary": summary}
        if calendar is not None:
            payload["calendar_changes"] = calendar
        stream.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    stream.write('{"findings": ')
    for piece in findings_json_pieces(findings):
        stream.write(piece)
    stream.write(f', "summary": {json.dumps(summary)}')
    if calendar is not None:
        stream.write(f', "calendar_changes": {json.dumps(calendar, ensure_ascii=False)}')
    stream.write("}\n")


def findings_json(findings) -> str:
    """The findings as json.dumps([f.as_dict() ...], ensure_ascii=False) writes them."""
    return "".join(findings_json_pieces(findings))


PIECE = 512           # findings written at a time: about 170 kB of JSON


def findings_json_pieces(findings):
    """findings_json in pieces, to be written one after the other: the JSON of 16,837 findings is
    5.7 MB, and made in one piece (then copied into the report, then encoded) it took 45 MB of new
    memory, 22,000 page faults; pieces reuse the memory of those written before. Three times as
    fast as json.dumps: what repeats across thousands of findings (paths; severity and rule; hint
    and platform) is encoded once."""
    findings = findings if isinstance(findings, list) else list(findings)
    path, middle, end = _Quoted(), _Middle(), _End()
    yield "["
    for start in range(0, len(findings), PIECE):
        yield (", " if start else "") + ", ".join([
            f'{{"path": {path[f.path]}, "line": {f.line}, "column": {f.column}, '
            f'{middle[f.severity, f.rule]}{encode_basestring(f.message)}{end[f.hint, f.platform]}'
            for f in findings[start:start + PIECE]])
    yield "]"


class _Quoted(dict):
    def __missing__(self, text: str) -> str:
        encoded = self[text] = encode_basestring(text)
        return encoded


class _Middle(dict):
    """(severity, rule) -> their JSON, up to the message's value."""

    def __missing__(self, key: tuple) -> str:
        severity, rule = key
        encoded = self[key] = f'"severity": {encode_basestring(severity)}, "rule": {encode_basestring(rule)}, "message": '
        return encoded


class _End(dict):
    """(hint, platform) -> their JSON after the message, to the closing brace (no platform: none)."""

    def __missing__(self, key: tuple) -> str:
        hint, platform = key
        encoded = self[key] = (f', "hint": {encode_basestring(hint)}'
                               + (f', "platform": {encode_basestring(platform)}}}' if platform else "}"))
        return encoded


def _escape_data(value: str) -> str:
    return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(f) -> str:
    level = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
    props = f"file={_escape_property(f.path)},line={f.line},col={f.column},title={_escape_property(f.rule)}"
    body = f.message + (f"\n{f.hint}" if f.hint else "")
    return f"::{level} {props}::{_escape_data(body)}"


def github(findings, files: int, stream=sys.stdout, changes=None, repo=None) -> None:
    write_in_pieces(stream, findings, lambda f: annotation(f) + "\n")
    stream.write(summary_line(findings, files) + "\n")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        markdown = markdown_summary(findings, files)
        if changes is not None:
            markdown += calendar_markdown(changes, repo)
        write_summary(target, markdown)


_SIGNS = {"added": "+", "removed": "-", "changed": "~"}


def _when(post, repo) -> str:
    return f"{post.publish_at.astimezone(repo.timezone):%Y-%m-%d %H:%M}" if post.publish_at else "no date"


def calendar_text(changes, repo) -> str:
    if not changes:
        return "Calendar: no posts added, changed or removed.\n"
    lines = ["Calendar changes:"]
    for c in changes:
        what = f" ({', '.join(c.fields)})" if c.fields else ""
        lines.append(f"  {_SIGNS[c.change]} {_when(c.post, repo)} [{', '.join(c.post.platforms)}] "
                     f"{printable(c.post.title)} ({c.post.status}){what}")
    return "\n".join(lines) + "\n"


def calendar_markdown(changes, repo) -> str:
    """The calendar diff, then a preview of every added or changed post on each platform."""
    from .posting import render
    out = ["\n## Calendar changes\n"]
    if not changes:
        return out[0] + "\nNo posts added, changed or removed.\n"
    out.append("| | When | Platforms | Post | Status | What changed |\n|---|---|---|---|---|---|")
    out += [f"| {_SIGNS[c.change]} | {_when(c.post, repo)} | {cell(', '.join(c.post.platforms))} | "
            f"{cell(c.post.title)} | {c.post.status} | {cell(', '.join(c.fields) or c.change)} |" for c in changes]
    out.append("\n## Previews\n")
    for c in changes:
        if c.change == "removed":
            continue
        out.append(f"### {cell(c.post.title)}\n\n`{cell(c.path)}`\n")
        for pid in c.post.platforms:
            rendition = render(c.post, pid, repo)
            for i, part in enumerate(rendition.parts):
                label = f" ({i + 1}/{len(rendition.parts)})" if rendition.is_thread else ""
                flag = " **over the limit**" if part.length > part.limit else ""
                out.append(f"**{pid}**{label}: {part.length}/{part.limit}{flag}\n\n<pre>{_escape(part.text)}</pre>\n")
    return "\n".join(out) + "\n"



def _escape(text: str) -> str:
    from html import escape        # imported for the Markdown reports only
    return escape(text)


def cell(value) -> str:
    """User text made safe inside a Markdown table cell."""
    return _escape(str(value)).replace("|", "&#124;").replace("\n", " ").replace("\r", " ")


def markdown_summary(findings, files: int, title: str = "smm check") -> str:
    lines = [f"## {title}", "", summary_line(findings, files), ""]
    if findings:
        lines += ["| Severity | File | Line | Rule | Message | Hint |", "|---|---|---|---|---|---|"]
        lines += [f"| {f.severity} | `{cell(f.path)}` | {f.line} | `{f.rule}` | {cell(f.message)} | {cell(f.hint)} |"
                  for f in findings]
    return "\n".join(lines) + "\n"


def write_summary(target: str, markdown: str) -> None:
    data = markdown.encode("utf-8")
    if len(data) > SUMMARY_LIMIT - 1024:
        note = "\n\n*Summary cut at GitHub's 1 MiB limit; run `smm check` locally for the full list.*\n"
        data = data[: SUMMARY_LIMIT - 1024].decode("utf-8", "ignore").rsplit("\n", 1)[0].encode() + note.encode()
    with open(target, "ab") as out:
        out.write(data)


REPORTERS = {"text": text, "json": as_json, "github": github}
