"""Strict YAML: LibYAML's parser, our own construction.

PyYAML's loaders accept duplicate keys (the last wins), expand aliases (a few
hundred bytes can expand to megabytes), honour tags, and apply YAML 1.1 typing
(`no` -> False, `12:30` -> 750, `2026-05-01` -> a date). We read the event
stream instead and build plain Python values ourselves:

* plain scalars become bool only for true/false, None for null/~/empty, int and
  float only for plain decimal numbers; everything else stays the text the
  author wrote;
* duplicate keys, anchors, aliases, tags and nesting deeper than MAX_DEPTH are
  findings, never surprises;
* every key and value gets its line and column, so a finding can point at it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import yaml

from . import findings as F

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 24

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_NULL = {"", "~", "null", "Null", "NULL"}


# Top-level places found in the text of one front matter, each by a search from its start, before
# the whole is placed at once: a finding for each of 50,000 unknown keys searched 50,000 times
# (16 s, growing with the square of the keys), where most front matter is asked for a place or two.
_FOUND_AT_MOST = 16


@dataclass
class Parsed:
    """A YAML value with the place of every key and value in its file.

    Front matter read one key a line (_top_level_lines) keeps its text instead of its places, and
    places it only when a place is asked for: a top-level key's place is found in the text (a
    search in C), any other place by reading the text again with places (_placed). Ten thousand
    posts kept 22 of their 39 MB in places, of which a check asks for a few thousand."""

    value: object = None
    _values: dict | None = field(default_factory=dict)   # path tuple -> (line, column); None: not placed yet
    _keys: dict | None = field(default_factory=dict)     # path tuple -> (line, column) of the key; the same
    blocks: set = field(default_factory=set)     # paths of block scalars (| or >): text starts a line later
    findings: list = field(default_factory=list)
    node: object = None                          # composed path: the tree, for places on demand
    offset: int = 0
    how: str = "strict"                          # which path parsed it: flat, composed or strict
    text: str | None = None                      # read one key a line and not placed yet: the text,
    found: dict | None = None                    # and the places of its top-level keys found in it so far
    asked: int = 0                               # top-level places found in the text so far (_FOUND_AT_MOST)

    @property
    def values(self) -> dict:
        if self._values is None:
            self._placed()
        return self._values

    @property
    def keys(self) -> dict:
        if self._keys is None:
            self._placed()
        return self._keys

    def _placed(self) -> None:
        """The places of front matter read one key a line, by reading its text again with them."""
        placed = _top_level_lines(self.text, self.offset, placing=True)
        self._values, self._keys, self.text, self.found = placed._values, placed._keys, None, None

    def is_block(self, path: tuple) -> bool:
        if self.node is not None:
            found = _node_at(self.node, tuple(path))
            return found is not None and getattr(found[1], "style", None) in ("|", ">")
        return tuple(path) in self.blocks

    def where(self, path: tuple) -> tuple[int, int] | None:
        """The place of the key at `path`, else of its value, else of its nearest parent."""
        path = tuple(path)
        if self.node is not None:
            return self._from_node(path, key_first=True)
        if self._keys is None and len(path) <= 1 and self.asked < _FOUND_AT_MOST:
            return self._top_level(path[0], key_first=True) if path else (self.offset + 1, 1)
        keys, values = self.keys, self.values
        while True:
            if path in keys:
                return keys[path]
            if path in values:
                return values[path]
            if not path:
                return None
            path = path[:-1]

    def value_at(self, path: tuple) -> tuple[int, int] | None:
        path = tuple(path)
        if self.node is not None:
            return self._from_node(path, key_first=False)
        known = self._values if self._values is not None else self.found     # the spacing rule asks
        place = known.get(path) if known is not None else None    # for 11,777 in a year of dense posts
        if place is not None:
            return place
        if self._values is None and len(path) == 1 and self.asked < _FOUND_AT_MOST:
            place = self._top_level(path[0], key_first=False)
            if place is not None:
                if self.found is None:
                    self.found = {}
                self.found[path] = place      # asked again for each finding about the post
                return place
        return self.values.get(path) or self.where(path)

    def _top_level(self, key, key_first: bool) -> tuple[int, int] | None:
        """The place of a top-level key of front matter not placed yet (or of its value, written on
        its line), found in the text as _top_level_lines places it; the place of the whole (its first
        line) when there is no such key; None when the key is alone on its line, its value below."""
        if key not in self.value:
            return self.offset + 1, 1
        self.asked += 1
        text = self.text
        start = text.find(f"\n{key}:") + 1        # 0: not after a line break, so the first line's key
        line = self.offset + 1 + text.count("\n", 0, start)
        if key_first:
            return line, 1
        after = start + len(key) + 1            # after the colon: one space or more, then the value
        if text[after:after + 1] != " ":
            return None                         # the key alone on its line, its value on the next
        if text[after + 1] != " ":
            return line, len(key) + 3
        return line, _SPACES.match(text, after).end() - start + 1

    def _from_node(self, path: tuple, key_first: bool):
        while True:
            found = _node_at(self.node, path)
            if found is not None:
                key, value = found
                mark = (key if key_first and key is not None else value).start_mark
                return (mark.line + 1 + self.offset, mark.column + 1)
            if not path:
                return None
            path = path[:-1]


_SPACES = re.compile(" *")


def _node_at(node, path: tuple):
    """(key node or None, value node) at `path` in a composed tree, or None."""
    key = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    key, node = key_node, value_node
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            key, node = None, node.value[part]
        else:
            return None
    return key, node


_TYPED_FIRST = frozenset("+-.0123456789~nNtTfF")      # what null, bool and number scalars can start with
_NUMBER_FIRST = frozenset("+-0123456789")              # what _INT and _FLOAT can start with
_LITERALS = {**dict.fromkeys(_NULL), **dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


def resolve_plain(text: str):
    """Type of a plain (unquoted) scalar under our small, predictable schema."""
    if text and text[0] not in _TYPED_FIRST:
        return text
    if text in _LITERALS:
        return _LITERALS[text]
    if text[0] not in _NUMBER_FIRST:       # "facebook", "The title": no regular expression tried
        return text
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        number = float(text)
        return number if math.isfinite(number) else text    # 1e400 stays the text written, not infinity
    return text


class _Frame:
    __slots__ = ("container", "path", "key", "skip")

    def __init__(self, container, path):
        self.container = container
        self.path = path
        self.key = None
        self.skip = False


class _Builder:
    def __init__(self, relpath: str, line_offset: int):
        self.relpath = relpath
        self.offset = line_offset
        self.out = Parsed()
        self.stack: list[_Frame] = []
        self.documents = 0

    def mark(self, event) -> tuple[int, int]:
        m = event.start_mark
        return (m.line + 1 + self.offset, m.column + 1)

    def report(self, rule, event, message, **context):
        self.out.findings.append(F.make(rule, self.relpath, self.mark(event), message, **context))

    def check_node(self, event):
        if getattr(event, "anchor", None):
            self.report("yaml.anchor", event, f'anchor "&{event.anchor}" is not allowed')
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.report("yaml.tag", event, f'tag "{tag}" is not allowed')

    def place(self, value, where: tuple[int, int]) -> None:
        """Put a finished value where it belongs (a key waiting for it, a list, or the root)."""
        path = self.current_path()
        self.out.values.setdefault(path, where)
        if not self.stack:
            self.out.value = value
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
            return
        if not top.skip:
            top.container[top.key] = value
        top.key = None
        top.skip = False

    def take_key(self, event, text: str):
        top = self.stack[-1]
        path = top.path + (text,)
        if text in top.container:
            self.report("yaml.duplicate-key", event,
                        f'key "{text}" appears twice (first on line {self.out.keys[path][0]})')
            top.skip = True
        else:
            self.out.keys[path] = self.mark(event)
        top.key = text

    def expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and self.stack[-1].key is None

    def scalar(self, event):
        self.check_node(event)
        if self.expecting_key():
            self.take_key(event, event.value)
            return
        plain = event.style in (None, "") and event.tag is None
        if event.style in ("|", ">"):
            self.out.blocks.add(self.current_path())
        self.place(resolve_plain(event.value) if plain else event.value, self.mark(event))

    def current_path(self) -> tuple:
        top = self.stack[-1] if self.stack else None
        if top is None:
            return ()
        if isinstance(top.container, list):
            return top.path + (len(top.container),)
        return top.path + (top.key,)

    def start(self, event, container):
        self.check_node(event)
        if self.expecting_key():
            self.report("yaml.key-not-string", event, "a list or mapping cannot be a key")
            raise _Abort
        if len(self.stack) >= MAX_DEPTH:
            self.report("yaml.too-deep", event, f"nesting deeper than {MAX_DEPTH} levels", limit=MAX_DEPTH)
            raise _Abort
        path = self.current_path()
        self.out.values.setdefault(path, self.mark(event))
        self.stack.append(_Frame(container, path))

    def end(self, event):
        frame = self.stack.pop()
        self.place(frame.container, self.out.values[frame.path])

    def alias(self, event):
        self.report("yaml.anchor", event, f'alias "*{event.anchor}" is not allowed')
        if self.expecting_key():
            self.take_key(event, "*" + event.anchor)
        else:
            self.place(None, self.mark(event))

    def feed(self, event):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            self.scalar(event)
        elif kind is yaml.MappingStartEvent:
            self.start(event, {})
        elif kind is yaml.SequenceStartEvent:
            self.start(event, [])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            self.end(event)
        elif kind is yaml.AliasEvent:
            self.alias(event)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.report("yaml.multiple-documents", event, "more than one YAML document")
                raise _Abort


class _Abort(Exception):
    pass


_FAST_MAX_CHARS = 32_000
_new = object.__new__


def parse(text: str, relpath: str, line_offset: int = 0) -> Parsed:
    """Parse one YAML document strictly. Never raises for bad input: problems become findings.

    Three paths, each taken only when the one before it declines:
    * flat: most front matter is one `key: value` per line (plain or quoted text, a flow
      list, or a block list of such values); a line-by-line reader takes exactly that
      subset and declines anything it is not sure of;
    * composed: no anchors, aliases or tags (no `&`, `*` or `!` at all) and little nesting:
      LibYAML composes it in C and we only walk the tree, keeping it for places asked later;
    * strict: everything else, event by event, reporting every problem with its place."""
    flat = _parse_flat(text, line_offset)
    if flat is not None:
        return flat
    if _fast_candidate(text):
        fast = _parse_fast(text, line_offset)
        if fast is not None:
            return fast
    return _parse_strict(text, relpath, line_offset)


def _fast_candidate(text: str) -> bool:
    return (len(text) <= _FAST_MAX_CHARS and "!" not in text and "&" not in text and "*" not in text
            and text.count("[") + text.count("{") <= MAX_DEPTH)


# The flat subset. Every character must be one YAML prints as itself: "\n", " " to "~", and from
# U+00A0 up, except the line breaks YAML 1.1 adds (U+2028, U+2029), surrogates, the BOM and the
# two noncharacters U+FFFE and U+FFFF. Written as the characters that are not (a small class:
# it compiles in 1 ms, the class of those that are takes 11 ms).
_FLAT_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def _flat_safe(text: str) -> bool:
    return _FLAT_UNSAFE.search(text) is None


# The lines are read without the spaces they end with, so each pattern runs to the end of the line
# greedily (a lazy match tried the end at every character: six times as slow); plain text is runs
# of anything but ":" and "#", joined by a ":" before a non-space or a "#" after one.
_FLAT_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +(\S.*))?\Z")
_FLAT_ITEM = re.compile(r"-( +)(\S.*)\Z")
# plain text: no indicator first, no ": " or " #" inside, no ":" last
_PLAIN = r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|-(?=[0-9]))[^:#]*(?:(?::(?=[^ ])|(?<! )#)[^:#]*)*"
_FLAT_PLAIN = re.compile(_PLAIN + r"\Z")
# the most common line of all, "key: plain text", in one match
_FLAT_KEY_PLAIN = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}): +(" + _PLAIN + r")\Z")
# quoted text on one line: double quotes with backslash escapes (what yaml.safe_dump writes for text
# that is not ASCII, and json.dumps for any text), single quotes with '' for a quote
_DOUBLE = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_SINGLE = r"'[^']*(?:''[^']*)*'"
_FLAT_DOUBLE = re.compile(_DOUBLE + r"\Z")
_FLAT_SINGLE = re.compile(_SINGLE + r"\Z")
# a flow list of words or quoted text: [x, linkedin], ["x", "linkedin"]
_FLOW_ITEM = rf"[A-Za-z0-9_][A-Za-z0-9_.+/@-]*|{_DOUBLE}|{_SINGLE}"
_FLAT_FLOW = re.compile(rf"\[ *(?:(?:{_FLOW_ITEM})(?: *, *(?:{_FLOW_ITEM}))*)? *\]\Z")
_FLAT_FLOW_ITEM = re.compile(_FLOW_ITEM)
_FLAT_MAX_DEPTH = 8


_NO_BLOCKS = frozenset()      # the block scalars of front matter read one key a line: none


class _NotFlat(Exception):
    pass


def _parse_flat(text: str, line_offset: int) -> Parsed | None:
    """Front matter in block style with one-line values, or None to let the other paths decide."""
    if not _flat_safe(text):
        return None
    top = _top_level_lines(text, line_offset)
    return top if top is not None else _flat_lines(text, line_offset)


# A whole line of the commonest front matter of all: a key at the start, a plain, quoted or flow
# list value (what _FlatReader takes), no space at the end
_TOP_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}): +(" + _PLAIN + "|" + _DOUBLE + "|" + _SINGLE + "|"
                       + _FLAT_FLOW.pattern.removesuffix(r"\Z") + r")\Z")


# A key written alone on its line, and an item of the block list that follows it at the start of
# the next lines (what yaml.dump writes for a list: "platforms:" then "- x"), plain or quoted
_TOP_KEY_ALONE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):\Z")
_TOP_ITEM = re.compile(r"- +(" + _PLAIN + "|" + _DOUBLE + "|" + _SINGLE + r")\Z")


def _top_level_lines(text: str, line_offset: int, placing: bool = False) -> Parsed | None:
    """Front matter whose every line is one `key: value` at the start of the line (the value may
    go on over the more indented lines after it, as yaml.dump writes long text), or a key alone
    followed by the items of a block list (no comment, no blank line, no nesting): what _FlatReader
    gives, one match a line instead of its line-by-line bookkeeping (20 us of a post's 60 us load,
    for the four lines of a core-key post; 35 of 100 for the lines yaml.dump writes), or None.
    Its places are left for when one is asked for (Parsed.text), unless `placing`."""
    if " \n" in text or text[:1] == " " or text[:1] == "-" or text[-1:] == " ":
        return None               # spaces _FlatReader strips and a plain value would keep, or nesting
    numbered = enumerate(text.split("\n"), line_offset + 1) if "\n " not in text else _going_on(text, line_offset)
    if numbered is None:
        return None
    out = _new(Parsed)       # as Parsed(how="flat") makes it, in half the time (fields in order, see
    keys, values, value = ({}, {(): (line_offset + 1, 1)}, {}) if placing else (None, None, {})   # repository._post)
    out.value, out._values, out._keys, out.blocks, out.findings = None, values, keys, _NO_BLOCKS, []
    out.node, out.offset, out.how, out.text, out.found = None, line_offset, "flat", None if placing else text, None
    alone = None                  # the key last written alone on its line, while its list may follow
    for number, line in numbered:
        match = _TOP_LINE.match(line)
        if match is None:
            alone = _top_alone_or_item(line, number, alone, keys, values, value)
            if alone is None:
                return None
            continue
        alone = None
        key, raw = match.groups()
        if key in value:
            return None
        if placing:
            keys[(key,)], values[(key,)] = (number, 1), (number, match.start(2) + 1)
        first = raw[0]
        if first in _NOT_AS_WRITTEN:
            if first != "[":
                raw = _line_scalar(raw)
            else:                 # placed in `values` when placing (else None: not placed)
                raw = _flow_items(raw, (key,), number, match.start(2) + 1, values)
            if raw is _NOT_FLAT:
                return None       # an escape the strict path reports
        value[key] = raw
    out.value = value
    return out


def _going_on(text: str, line_offset: int) -> list | None:
    """_joined's lines of front matter with more indented lines; None straight away for nesting (a
    key alone before them), which _joined would decline too."""
    if ":\n " in text:
        return None
    return _joined(list(enumerate(text.split("\n"), line_offset + 1)))


def _joined(numbered: list) -> list | None:
    """The (number, line) of each line, a line whose value goes on over the lines after it that
    start with a space joined with them into one, as _FlatReader joins them: plain text with spaces
    (each line plain text on its own), double-quoted text as YAML folds it (quotes_go_on). None for
    any other value that goes on, or a blank or comment line among them."""
    joined = []
    for number, line in numbered:
        if line[:1] != " ":
            joined.append([number, line])
            continue
        if not joined:
            return None
        first = _FLAT_KEY.match(joined[-1][1])
        raw, part = first[2] if first is not None else None, line.lstrip(" ")
        if raw is None or raw[0] in "'[" or not part:
            return None
        if raw[0] != '"':
            if _FLAT_PLAIN.match(raw) is None or _FLAT_PLAIN.match(part) is None:
                return None
            joined[-1][1] += " " + part
        elif part[0] == "#":
            return None
        else:
            joined[-1][1] = _quotes_folded(joined[-1][1], part)
    return joined


def _quotes_folded(line: str, going_on: str) -> str:
    """Double-quoted text on `line` going on at the next line's text: joined as it is after an
    escaping backslash (an odd number of them), which goes, else with a space."""
    escaped = (len(line) - len(line.rstrip("\\"))) % 2
    return line[:-1] + going_on if escaped else line + " " + going_on


_NOT_AS_WRITTEN = _TYPED_FIRST | frozenset("[\"'")     # a value that starts so is not its text as written


def _line_scalar(raw: str):
    """A plain or quoted value _TOP_LINE or _TOP_ITEM matched, as _FlatReader reads it (_NOT_FLAT:
    an escape the strict path reports)."""
    first = raw[0]
    if first == '"' or first == "'":
        return _quoted(raw)
    return raw if first not in _TYPED_FIRST else resolve_plain(raw)


def _top_alone_or_item(line: str, number: int, alone, keys: dict, values: dict, value: dict):
    """A line of _top_level_lines that is not `key: value`: a key alone (its value None, unless a
    block list follows), or an item of the list after one, placed as _FlatReader places them (unless
    `keys` and `values` are None). Returns the key's path, or None to decline."""
    if line[:1] == "-":
        item = _TOP_ITEM.match(line) if alone is not None else None
        if item is None:
            return None
        raw, items = item[1], value[alone[0]]
        if items is None:                            # the list's first item: the list starts here
            items = value[alone[0]] = []
            if values is not None:
                values[alone] = (number, 1)
        scalar = _line_scalar(raw)
        if scalar is _NOT_FLAT:
            return None
        if values is not None:
            values[alone + (len(items),)] = (number, item.start(1) + 1)
        items.append(scalar)
        return alone
    match = _TOP_KEY_ALONE.match(line)
    if match is None or match[1] in value:
        return None
    key = match[1]
    value[key] = None
    if values is not None:
        keys[(key,)], values[(key,)] = (number, 1), (number, len(key) + 2)
    return (key,)


def _flat_lines(text: str, line_offset: int) -> Parsed | None:
    lines = []                                     # [line number, indent, text], comments and blanks left out
    for number, line in enumerate(text.split("\n"), 1 + line_offset):
        stripped = line.lstrip(" ")
        if stripped and stripped[0] != "#":
            lines.append([number, len(line) - len(stripped), stripped.rstrip(" ")])
    out = Parsed(how="flat")
    if not lines:
        return out
    if lines[0][1] != 0:
        return None
    reader = _FlatReader(lines, out, " \n" in text or text[-1:] == " ")
    try:
        value = reader.mapping(0, ())
    except _NotFlat:
        return None
    if reader.at < len(lines):
        return None
    out.value = value
    return out


class _FlatReader:
    """Reads block mappings and block lists whose values each fit on their line, and declines
    (raises _NotFlat) at anything else: the composed or strict path then reads the text."""

    __slots__ = ("lines", "at", "keys", "values", "spaces_at_ends")

    def __init__(self, lines: list, out: Parsed, spaces_at_ends: bool = True):
        self.lines, self.at, self.keys, self.values = lines, 0, out.keys, out.values
        self.spaces_at_ends = spaces_at_ends

    def mapping(self, indent: int, path: tuple) -> dict:
        value, lines = {}, self.lines
        self.values.setdefault(path, (lines[self.at][0], indent + 1))
        while self.at < len(lines):
            number, at, text = lines[self.at]
            if at < indent:
                break
            if at > indent:
                raise _NotFlat
            match = _FLAT_KEY_PLAIN.match(text)
            if match is not None and match[1] not in value:
                key, raw = match[1], match[2]
                here = path + (key,)
                self.keys[here] = (number, indent + 1)
                self.values[here] = (number, indent + match.start(2) + 1)
                self.at += 1
                if self.at < len(lines) and lines[self.at][1] > indent:
                    raw = self.plain_goes_on(raw, number, indent)
                value[key] = raw if raw[0] not in _TYPED_FIRST else resolve_plain(raw)
                continue
            match = _FLAT_KEY.match(text)
            if match is None or match[1] in value:
                raise _NotFlat             # not flat, or a duplicate key the strict path reports
            key, raw = match[1], match[2]
            here = path + (key,)
            self.keys[here] = (number, indent + 1)
            self.at += 1
            if raw is None:
                value[key] = self.nested(indent, here, (number, indent + len(key) + 2))
                continue
            if raw[0] == '"' and self.at < len(lines) and lines[self.at][1] > indent:
                raw = self.quotes_go_on(raw, number, indent)
            value[key] = _flat_scalar(raw, here, number, indent + match.start(2) + 1, self.values, flow=True)
            if value[key] is _NOT_FLAT:
                raise _NotFlat
        return value

    def plain_goes_on(self, first: str, number: int, indent: int) -> str:
        """A plain value that goes on over the lines after its own, each indented more than its key
        (what yaml.dump writes for text longer than its width): the lines joined by spaces. Declines
        a blank or comment line among them, and a line that is not plain text on its own."""
        parts = [first]
        for text in self.lines_going_on(number, indent):
            if _FLAT_PLAIN.match(text) is None:
                raise _NotFlat
            parts.append(text)
        return " ".join(parts)

    def quotes_go_on(self, first: str, number: int, indent: int) -> str:
        """Double-quoted text that goes on over the lines after its own, each indented more than its
        key (what yaml.safe_dump writes for long escaped text), as the one line it reads as: a line
        ending in an escape (an odd number of backslashes) joins the next as it is, any other joins
        it with a space. Declines a blank or comment line among them, and spaces at any line's end,
        which the stored lines no longer show (one could follow an escaping backslash)."""
        if self.spaces_at_ends:
            raise _NotFlat
        joined = first
        for text in self.lines_going_on(number, indent):
            joined = _quotes_folded(joined, text)
        return joined

    def lines_going_on(self, number: int, indent: int):
        """The texts of the lines after line `number` indented more than `indent`, each taken as it
        is given (a value that goes on over them); declines a gap (a blank or comment line) among them."""
        lines = self.lines
        while self.at < len(lines) and lines[self.at][1] > indent:
            next_number, _, text = lines[self.at]
            if next_number != number + 1:
                raise _NotFlat
            number = next_number
            self.at += 1
            yield text

    def nested(self, indent: int, path: tuple, empty_at: tuple[int, int]):
        """The value of a key written alone on its line: a block list, a block mapping or nothing."""
        if len(path) > _FLAT_MAX_DEPTH:
            raise _NotFlat
        if self.at < len(self.lines):
            _, at, text = self.lines[self.at]
            if text[0] == "-" and at >= indent:
                return self.sequence(at, path, indentless=at == indent)
            if at > indent:
                return self.mapping(at, path)
        self.values[path] = empty_at
        return None

    def sequence(self, indent: int, path: tuple, indentless: bool) -> list:
        items, lines = [], self.lines
        self.values[path] = (lines[self.at][0], indent + 1)
        while self.at < len(lines):
            line = lines[self.at]
            number, at, text = line
            if at < indent:
                break
            match = _FLAT_ITEM.match(text) if at == indent else None
            if match is None:
                if indentless and at == indent:
                    break                  # the parent mapping's next key
                raise _NotFlat
            here = path + (len(items),)
            column = indent + 1 + len(match[1])
            if _FLAT_KEY.match(match[2]):  # "- key: ...": a mapping starting on the item's line
                line[1], line[2] = column, match[2]
                items.append(self.mapping(column, here))
                continue
            item = _flat_scalar(match[2], here, number, column + 1, self.values, flow=False)
            if item is _NOT_FLAT:
                raise _NotFlat
            items.append(item)
            self.at += 1
        return items


_NOT_FLAT = object()


def _flat_scalar(raw: str, path: tuple, line: int, column: int, values: dict, flow: bool):
    """A plain, quoted or (when `flow`) flow-list value written at (line, column)."""
    values[path] = (line, column)
    first = raw[0]
    if first == "[" and flow:
        return _flow_items(raw, path, line, column, values) if _FLAT_FLOW.match(raw) else _NOT_FLAT
    if first == '"' or first == "'":
        quoted = (_FLAT_DOUBLE if first == '"' else _FLAT_SINGLE).match(raw)
        return _NOT_FLAT if quoted is None else _quoted(raw)
    return resolve_plain(raw) if _FLAT_PLAIN.match(raw) else _NOT_FLAT


def _flow_items(raw: str, path: tuple = (), line: int = 0, column: int = 0, values: dict | None = None):
    """The items of a flow list of words or quoted text written at (line, column), each placed in
    `values` when given; _NOT_FLAT when an item holds an escape the strict path reports."""
    quoted = '"' in raw or "'" in raw        # the pattern that also takes quoted items is the slower
    if not quoted:
        return _flow_words(raw, path, line, column, values)
    found = []
    for item in _FLAT_FLOW_ITEM.finditer(raw):
        if values is not None:
            values[path + (len(found),)] = (line, column + item.start())
        text = item[0]
        found.append(_quoted(text) if text[0] in "\"'" else resolve_plain(text))
    return _NOT_FLAT if quoted and _NOT_FLAT in found else found


def _flow_words(raw: str, path: tuple, line: int, column: int, values: dict | None) -> list:
    """_flow_items of a flow list of words alone (no quotes), which _FLAT_FLOW matched: the words
    between its commas, each placed: 1.6 against 2.2 us for a list of one word found with a
    pattern, 3.9 against 5.4 for three (tests/test_loader.py holds the two to the same values and
    places)."""
    found, at = [], 1
    inner = raw[1:-1]
    if not inner.strip(" "):
        return found
    if values is None:
        words = [part.strip(" ") for part in inner.split(",")]
        return [word if word[0] not in _TYPED_FIRST else resolve_plain(word) for word in words]
    for part in inner.split(","):
        word = part.strip(" ")
        values[path + (len(found),)] = (line, column + at + len(part) - len(part.lstrip(" ")))
        found.append(word if word[0] not in _TYPED_FIRST else resolve_plain(word))
        at += len(part) + 1
    return found


# YAML's escapes in double quotes, as LibYAML reads them (scanner.c); any other is an error the
# strict path reports, and so is a code point that is a surrogate or beyond U+10FFFF
_ESCAPED = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
            "P": "\u2029"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


class _BadEscape(Exception):
    pass


def _escaped(match) -> str:
    code = match[1]
    if len(code) == 1:
        if code not in _ESCAPED:
            raise _BadEscape
        return _ESCAPED[code]
    point = int(code[1:], 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _BadEscape
    if len(_DECODED) >= 4096:
        _DECODED.clear()
        _DECODED.update(_ESCAPED)
    _DECODED[code] = chr(point)
    return _DECODED[code]


# The escapes decoded so far ("xBF" -> "¿"), looked up in C for text full of them (yaml.safe_dump
# and json.dumps escape every character beyond ASCII: a function called for each took 1.6 us)
_DECODED = dict(_ESCAPED)


def _quoted(raw: str):
    """The text of a quoted scalar written on one line (quotes included), else _NOT_FLAT."""
    inner = raw[1:-1]
    if raw[0] == "'":
        return inner.replace("''", "'") if "'" in inner else inner
    if "\\" not in inner:
        return inner
    parts = _ESCAPE.split(inner)        # the text between escapes, and each escape's code after its "\\"
    try:
        parts[1::2] = map(_DECODED.__getitem__, parts[1::2])
    except KeyError:                    # an escape not decoded yet in this process
        try:
            return _ESCAPE.sub(_escaped, inner)
        except _BadEscape:
            return _NOT_FLAT
    return "".join(parts)


class _Doubt(Exception):
    pass


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:          # PyYAML built without LibYAML: the strict path does all the work
    _CParser = None


class _Composer(_CParser or object):
    """LibYAML's composer with no tag resolution: we type plain scalars ourselves (resolve_plain)."""

    def resolve(self, kind, value, implicit):
        return "?"

    def descend_resolver(self, parent, index):
        pass

    def ascend_resolver(self):
        pass


def _compose(text: str):
    loader = _Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _parse_fast(text: str, line_offset: int) -> Parsed | None:
    if _CParser is None:
        return None
    try:
        node = _compose(text)
        value = None if node is None else _build(node, 0)
    except (yaml.YAMLError, _Doubt, RecursionError):
        return None
    return Parsed(value=value, node=node, offset=line_offset, how="composed")


def _build(node, depth: int):
    if depth > MAX_DEPTH:
        raise _Doubt
    kind = type(node)
    if kind is yaml.ScalarNode:
        return resolve_plain(node.value) if node.style in (None, "") else node.value
    if kind is yaml.SequenceNode:
        return [_build(item, depth + 1) for item in node.value]
    out = {}
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode or key_node.value in out:
            raise _Doubt              # complex or duplicate key: let the strict path say so, with its place
        out[key_node.value] = _build(value_node, depth + 1)
    return out


def _parse_strict(text: str, relpath: str, line_offset: int = 0) -> Parsed:
    builder = _Builder(relpath, line_offset)
    try:
        for event in yaml.parse(text, Loader=Loader):
            builder.feed(event)
    except _Abort:
        builder.out.value = None
    except yaml.YAMLError as error:
        if _too_deep_for_libyaml(error):
            return _parse_strict(text[: error.problem_mark.index], relpath, line_offset)
        builder.out.findings.append(_syntax_finding(error, relpath, line_offset, text))
        builder.out.value = None
    return builder.out


def _too_deep_for_libyaml(error) -> bool:
    """LibYAML 0.2.6 (PyYAML 6.0.4) stops at 1,000 levels in its scanner, which reads brackets ahead
    of the events the builder counts. The text up to that point is still deeper than MAX_DEPTH
    (1,000 levels), so parsing it again reports yaml.too-deep where the builder would have."""
    mark = getattr(error, "problem_mark", None)
    return mark is not None and mark.index > 0 and "maximum nesting depth" in str(error.problem)


def _syntax_finding(error, relpath, offset, text):
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if "end of stream" in str(getattr(error, "problem", "")) and getattr(error, "context_mark", None):
        mark = error.context_mark  # point at what was left open, not at the end of the text
    if mark is not None:
        where = (mark.line + 1 + offset, mark.column + 1)
    elif isinstance(error, yaml.reader.ReaderError):
        before = text[: error.position]
        where = (before.count("\n") + 1 + offset, len(before) - before.rfind("\n"))
    else:
        where = (1 + offset, 1)
    if isinstance(error, yaml.reader.ReaderError):
        problem = f"character U+{error.character:04X} is not allowed" if isinstance(error.character, int) \
            else f"character {error.character!r} is not allowed"
    else:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    return F.make("yaml.syntax", relpath, where, message)
