"""The strict loader: whatever bytes come in, findings come out, never an exception."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import run_smm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm import loader, yamlstrict
from smm.repository import load_repository

FENCE = "---\n"


def load_bytes(tmp_path: Path, raw: bytes) -> loader.Document:
    file = tmp_path / "post.md"
    file.write_bytes(raw)
    return loader.load_markdown(file, "post.md")


def test_oversized_file_is_a_finding_not_a_read(tmp_path):
    raw = (FENCE + "title: Big\n" + FENCE).encode() + b"x" * (loader.MAX_BYTES + 1)
    doc = load_bytes(tmp_path, raw)
    assert [f.rule for f in doc.findings] == ["load.too-large"]
    assert doc.data is None


def test_yaml11_surprises_keep_what_the_author_wrote(tmp_path):
    text = FENCE + "a: no\nb: on\nc: 12:30\nd: 2026-05-01\ne: 0755\nf: 1_000\ng: 0x1F\nh: .inf\n" + FENCE
    data = load_bytes(tmp_path, text.encode()).data
    assert data == {"a": "no", "b": "on", "c": "12:30", "d": "2026-05-01", "e": "0755", "f": "1_000",
                    "g": "0x1F", "h": ".inf"}


def test_plain_numbers_booleans_and_nulls_are_typed(tmp_path):
    text = FENCE + "a: 5\nb: -2.5\nc: true\nd: False\ne: ~\nf:\ng: '5'\n" + FENCE
    data = load_bytes(tmp_path, text.encode()).data
    assert data == {"a": 5, "b": -2.5, "c": True, "d": False, "e": None, "f": None, "g": "5"}


def test_alias_bomb_is_rejected_without_expanding(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc = load_bytes(tmp_path, (FENCE + "\n".join(lines) + "\n" + FENCE).encode())
    assert {f.rule for f in doc.findings} == {"yaml.anchor"}
    assert all(v is None for v in doc.data["a8"])  # aliases are never expanded


# Past 1,000 levels LibYAML 0.2.6 (PyYAML 6.0.4) stops in its scanner, ahead of the builder's
# own count: the finding must still be yaml.too-deep, at the level that first goes past MAX_DEPTH.
@pytest.mark.parametrize("nesting, column", [
    ("a: " + "[" * 5000 + "]" * 5000, 27),
    ("a: " + "[" * 30 + "]" * 30, 27),
    ("a: " + "{b: " * 1200 + "}" * 1200, 96),
    ("- " * 1500 + "x", 49),
])
def test_very_deep_nesting_is_a_finding_at_its_place(tmp_path, nesting, column):
    doc = load_bytes(tmp_path, (FENCE + nesting + "\n" + FENCE).encode())
    assert [(f.rule, f.line, f.column) for f in doc.findings] == [("yaml.too-deep", 2, column)]


def test_body_keeps_hash_lines_and_knows_its_first_line(tmp_path):
    doc = load_bytes(tmp_path, (FENCE + "title: T\n" + FENCE + "#hashtag first\nmore\n").encode())
    assert doc.body == "#hashtag first\nmore\n"
    assert doc.body_line == 4


def test_each_kind_of_front_matter_takes_its_path():
    flat = yamlstrict.parse("title: T\nplatforms: [x]\nalt:\n  - 'a: b'\n", "f.yaml")
    assert flat.how == "flat" and flat.value == {"title": "T", "platforms": ["x"], "alt": ["a: b"]}
    nested = yamlstrict.parse("media:\n  - path: a.jpg\n    alt: A\nvariants:\n  x: Hi\n", "f.yaml")
    assert nested.how == "flat" and nested.value == {"media": [{"path": "a.jpg", "alt": "A"}], "variants": {"x": "Hi"}}
    block = yamlstrict.parse("media:\n  - {path: a.jpg, alt: A}\ncopy: |\n  Hi\n", "f.yaml")
    assert block.how == "composed" and block.value == {"media": [{"path": "a.jpg", "alt": "A"}], "copy": "Hi\n"}
    assert yamlstrict.parse("title: !T\n", "f.yaml").how == "strict"      # a tag: reported by the strict path


def test_marks_point_at_keys_and_list_items():
    for text in ("title: T\nplatforms:\n  - x\n  - bluesky\n",      # flat path
                 "title: T\nplatforms:\n  - x\n  - {a: b}\n",        # composed path
                 "title: T!\nplatforms:\n  - x\n  - bluesky\n"):    # "!" sends it down the strict path
        parsed = yamlstrict.parse(text, "f.yaml")
        assert parsed.where(("platforms",)) == (2, 1)
        assert parsed.value_at(("platforms", 1)) == (4, 5)
        assert parsed.where(("nope", "deeper")) == (1, 1)


SCALARS = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans(), st.none(),
                    st.sampled_from(["no", "on", "12:30", "2026-05-01", "0755", "1_000", ".inf", "~", "True"]))
DOCS = st.dictionaries(st.text(min_size=1, max_size=8), st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=6), inner,
                                                                       max_size=4), max_leaves=12), max_size=6)


@settings(max_examples=300, deadline=None)
@given(DOCS, st.sampled_from([None, False, True]))
def test_fast_and_strict_paths_agree(doc, flow):
    import yaml
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow)
    fast = yamlstrict._parse_fast(text, 0)
    strict = yamlstrict._parse_strict(text, "f.yaml")
    if yamlstrict._fast_candidate(text) and not strict.findings:
        assert fast is not None, "the fast path must take plain front matter"
        assert fast.value == strict.value
        for path in list(strict.values)[:20]:
            assert fast.value_at(path) == strict.value_at(path), path


TRICKY_VALUES = ["x", "-1", "-x", "1.5", "no", "12:30", "a: b", "a #b", "a#b", "'q'", '"q"', "'it''s'", '"a\\"b"',
                 "[a, b]", "[a, [b]]", "[]", "[ ]", "[ a ,b ]", "[a,]", "[1, true, x]", "[x ,  y,z ]", "[~, 0x1, -2]", "~", "null", "- x", "|", ">-", "&a x", "*a", "!t x",
                 "%x", "@x", "`x", "x:", "x: ", "?x", ":x", "http://e.x/a?b=1#c", "🧑\u200d🚒 hi", "a\u2028b", "a\tb",
                 "x\u0085y", "x\ufeff", "  x", "x  ", "{a: b}", "a# b", "a:b", "a :b", "a: ", "a:", "x #", "#x",
                 # escapes in double quotes, good and bad; quoted items in a flow list
                 '"\\u00e9t\\u00e9"', '"a\\\\b"', '"\\x41\\t\\n\\0\\e\\ \\/"', '"\\N\\_\\L\\P"', '"\\U0001F600"',
                 '"\\ud83d\\ude00"', '"\\U00110000"', '"\\q"', '"\\x4G"', '"\\u12"', '"a\\"', '"\\"', '"a\\\\"', "'a''b''",
                 '["x", \'y\']', '["a, b", c]', '["\\u00e9", "]"]', '["\\q"]', "['it''s']", '[""]', '["a" , b ]']
FLAT_VALUES = st.one_of(st.text(max_size=12), st.sampled_from(TRICKY_VALUES))
FLAT_INDENTS = st.sampled_from(["", "", "", " ", "  ", "  ", "    ", "   ", "      "])
FLAT_LINES = st.one_of(
    st.tuples(FLAT_INDENTS, st.sampled_from(["a", "b", "c"]), st.sampled_from([":", ": x", ": 1", ": [p]"])).map("".join),
    st.tuples(FLAT_INDENTS, st.sampled_from(["- x", "- a: 1", "- b:"])).map("".join),
    st.tuples(FLAT_INDENTS, st.sampled_from(["title", "a", "b_c", "d-e", "on", "true", "1x", "a b"]),
              st.sampled_from([": ", ":  ", ":", ":\t"]), FLAT_VALUES).map("".join),
    st.tuples(FLAT_INDENTS, st.sampled_from(["- ", "-  ", "-", "- - ", "- a: ", "- b:", "-  c: "]),
              FLAT_VALUES).map("".join),
    st.sampled_from(["", "# comment", "  # c", "   ", "---", "...", "title: x", "  a:", "  b: x", "- a:"]))


def _flat_agrees_with_strict(text):
    flat = yamlstrict._parse_flat(text, 3)
    if flat is None:
        return False
    strict = yamlstrict._parse_strict(text, "f.yaml", 3)
    assert not strict.findings, strict.findings
    assert flat.value == strict.value
    assert flat.keys == strict.keys
    assert flat.values == strict.values
    _placed_on_demand_as(text, strict)
    return True


def _placed_on_demand_as(text, other):
    """Front matter read one key a line is placed when a place is asked for: a top-level key's place
    and its value's, found in the text (or where there is no such key), are those `other` gives."""
    for key in [*(yamlstrict._parse_flat(text, 3).value or {}), "no-such-key"]:
        fresh = yamlstrict._parse_flat(text, 3)
        assert fresh.value_at((key,)) == other.value_at((key,)), (key, text)
        fresh = yamlstrict._parse_flat(text, 3)
        assert fresh.where((key,)) == other.where((key,)), (key, text)
    assert yamlstrict._parse_flat(text, 3).where(()) == other.where(()), text
    once = yamlstrict._parse_flat(text, 3)          # asked for every place in turn, twice: past
    for key in [*(once.value or {}), "no-such-key"] * 2:     # _FOUND_AT_MOST it is placed whole
        assert (once.value_at((key,)), once.where((key,))) == (other.value_at((key,)), other.where((key,))), key


def test_front_matter_asked_for_many_places_is_placed_whole_once():
    """Each top-level place is found by a search from the start of the front matter, up to
    _FOUND_AT_MOST of them; then the whole is placed at once (a finding for each of 50,000 unknown
    keys searched 50,000 times: 16 s)."""
    text = "\n".join(f"k{i}: {i}" for i in range(3 * yamlstrict._FOUND_AT_MOST))
    parsed = yamlstrict._parse_flat(text, 1)
    assert [parsed.where((f"k{i}",)) for i in range(3 * yamlstrict._FOUND_AT_MOST)] == [
        (i + 2, 1) for i in range(3 * yamlstrict._FOUND_AT_MOST)]
    assert parsed.asked == yamlstrict._FOUND_AT_MOST and parsed.text is None       # placed whole, once


@pytest.mark.parametrize("value", TRICKY_VALUES)
@pytest.mark.parametrize("line", ["title: {}", "title:  {}   ", "- {}", "a:\n  - {} "])
def test_flat_path_reads_each_tricky_value_like_the_strict_path_or_declines(line, value):
    _flat_agrees_with_strict(line.format(value))


@settings(max_examples=1500, deadline=None)
@given(st.lists(FLAT_LINES, max_size=12).map("\n".join))
def test_flat_path_reads_what_the_strict_path_reads_or_declines(text):
    _flat_agrees_with_strict(text)


FLAT_KEYS = st.from_regex(r"[a-z_][a-z0-9_-]{0,5}", fullmatch=True)
FLAT_SCALARS = st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
                         st.from_regex(r"[A-Za-z][A-Za-z .,#:/-]{0,12}", fullmatch=True), st.integers(-999, 999),
                         st.booleans(), st.none(), st.sampled_from(["no", "12:30", "2026-05-01", "- x", "a: b"]))
NESTED_DOCS = st.dictionaries(FLAT_KEYS, st.recursive(
    FLAT_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FLAT_KEYS, inner, max_size=3),
    max_leaves=10), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(NESTED_DOCS, st.sampled_from([2, 3, 4]), st.booleans(), st.booleans(), st.sampled_from([10**6, 80, 12]))
def test_flat_path_reads_nested_block_documents_like_the_strict_path(doc, indent, indent_lists, unicode, width):
    import yaml

    class Dumper(yaml.SafeDumper):      # lists under a key written indented, or level with the key
        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, indentless and not indent_lists)

    text = yaml.dump(doc, Dumper=Dumper, allow_unicode=unicode, default_flow_style=False, indent=indent, width=width)
    _flat_agrees_with_strict(text)


def test_flat_path_takes_the_shapes_posts_use():
    text = ("title: T\nmedia:\n  - path: a.jpg\n    alt: A\n  -   path: b.jpg\n      tags: [x]\n"
            "variants:\n  x: Hi\n  bluesky:\n    thread:\n    - one\n    - two\n    text:\nboost:\n  budget: 10\n")
    assert _flat_agrees_with_strict(text)
    # lines ending in spaces, and plain text holding ":" and "#" where YAML allows them
    assert _flat_agrees_with_strict("title: At 12:30 we open#1   \nstatus: draft \ntags:  \n  - a:b  \n")
    # plain text going on over more indented lines, as yaml.dump writes text longer than its width
    assert _flat_agrees_with_strict("a: x\n  more\n   and more\nb:\n  c: y\n     z\n")
    for declined in ("a:\n  b: 1\n   c: 2\n", "a:\n  - x\n  b: 1\n", "a:\n  - - x\n", "a: x\n\n  more\n",
                     "a: x\n  # c\n  more\n", "a: x\n  - y\n", "a: 'x'\n  y\n",
                     " a: 1\n", "a:\n  - b: 1\n   c: 2\n", "a:\n  - x\n - y\n"):
        assert yamlstrict._parse_flat(declined, 0) is None, declined


def test_the_flat_path_takes_exactly_the_characters_yaml_prints_as_themselves():
    """Over every code point: the small class of characters the flat reader declines is the
    complement of those YAML prints as themselves ("\\n", " " to "~", U+00A0 on, without U+2028,
    U+2029, surrogates, the BOM, U+FFFE and U+FFFF)."""
    prints_as_itself = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                                  "\U00010000-\U0010ffff]")
    every = "".join(map(chr, range(0x110000)))
    taken = yamlstrict._FLAT_UNSAFE.sub("", every)
    assert taken == "".join(prints_as_itself.findall(every)) and len(taken) < len(every)
    assert not yamlstrict._flat_safe("status: draft\u2028") and yamlstrict._flat_safe("title: Hëllo 👋")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(tmp_path, raw):
    doc = load_bytes(tmp_path, raw)
    assert doc.data is None or isinstance(doc.data, dict)
    assert all(f.rule and f.message for f in doc.findings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=1500))
def test_arbitrary_front_matter_text_never_raises(tmp_path, text):
    doc = load_bytes(tmp_path, (FENCE + text + "\n" + FENCE + "body").encode("utf-8", "surrogatepass"))
    assert doc.data is None or isinstance(doc.data, dict)
    assert doc.ok or doc.findings


YAML_ALPHABET = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`, \n\t?~0129.") + ["\n  ", ": ", "- ", "---", "..."])


@settings(max_examples=500, deadline=None)
@given(st.lists(YAML_ALPHABET, max_size=80).map("".join))
def test_yaml_shaped_noise_never_raises(text):
    parsed = yamlstrict.parse(text, "noise.yaml")
    assert all(f.rule.startswith("yaml.") for f in parsed.findings)


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@needs_fifo
def test_read_regular_reads_regular_files_only_and_no_more_than_the_limit(tmp_path):
    """What read_regular promises the loader: at most limit + 1 bytes, and the size it saw."""
    file = tmp_path / "post.md"
    file.write_bytes(b"x" * 10)
    assert loader.read_regular(file, 100) == (b"x" * 10, 10)
    assert loader.read_regular(file, 5) == (b"", 10)              # too large: not read at all
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(loader.NotRegularFile):
        loader.read_regular(tmp_path / "pipe.md", 100)            # opening it would wait for a writer


@needs_fifo
def test_a_file_the_listing_saw_as_regular_reads_the_same_without_asking_again(tmp_path):
    """read_regular(listed=True) skips fstat: the same bytes and size for files of every length
    around its first read and the limit; what was put in the file's place since is still not
    waited on (a named pipe reads as empty), and a folder or a link is still told apart."""
    file = tmp_path / "post.md"
    first = loader._FIRST_READ
    for size in (0, 10, first - 1, first, first + 1, 3 * first, 100_000):
        file.write_bytes(b"x" * size)
        expected = (b"x" * size, size)
        assert loader.read_regular(file, 100_000, listed=True) == loader.read_regular(file, 100_000) == expected
        if size:
            assert loader.read_regular(file, size - 1, listed=True) == (b"", size)     # too large: its size
    file.unlink()
    os.mkfifo(file)
    assert loader.read_regular(file, 100, listed=True) == (b"", 0)     # no writer: nothing, at once
    (tmp_path / "gone").mkdir()
    with pytest.raises(IsADirectoryError):
        loader.read_regular(tmp_path / "gone", 100, listed=True)
    (tmp_path / "link.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text("x")
    with pytest.raises(loader.IsALink):
        loader.read_regular(tmp_path / "link.md", 100, follow_links=False, listed=True)


@needs_fifo
def test_the_listing_says_which_files_are_plain_regular_files_and_lists_as_os_walk(tmp_path):
    from smm.repository import markdown_files
    posts = tmp_path / "content/posts"
    for relpath in ("b/02-b.md", "b/01-a.md", "a.md", "_draft.md", ".hidden/x.md", "c/README.md", "c/d/e.md", "x.txt"):
        (posts / relpath).parent.mkdir(parents=True, exist_ok=True)
        (posts / relpath).write_text("---\ntitle: x\n---\n")
    os.mkfifo(posts / "pipe.md")
    (posts / "link.md").symlink_to(posts / "a.md")
    (posts / "linked").symlink_to(posts / "c")          # a link to a folder: listed, not followed
    regular = set()
    found = markdown_files(tmp_path, "content/posts", regular)
    walked = []
    for folder, names, files in os.walk(posts):
        names[:] = sorted(n for n in names if not n.startswith("."))
        prefix = os.path.relpath(folder, tmp_path).replace(os.sep, "/") + "/"
        walked += [prefix + n for n in sorted(files) if n.endswith(".md") and not n.startswith((".", "_"))
                   and n.lower() != "readme.md"]
    assert found == walked == ["content/posts/a.md", "content/posts/link.md", "content/posts/pipe.md",
                               "content/posts/b/01-a.md", "content/posts/b/02-b.md", "content/posts/c/d/e.md"]
    assert regular == {"content/posts/a.md", "content/posts/b/01-a.md", "content/posts/b/02-b.md",
                       "content/posts/c/d/e.md"}


@needs_fifo
def test_named_pipes_where_files_belong_are_findings_not_a_hang(repo):
    """A FIFO named like a post, a persona, a strategy chapter or a voice rule: reading it would
    block for ever. Each is reported, with and without the cache (whose fingerprint reads the
    strategy), and the handbook leaves the chapter out."""
    pipes = ["content/posts/2026/12/01-pipe.md", "personas/pipe.md", "strategy/pipe.md", "strategy/voice/X/Pipe.yml"]
    for relpath in pipes:
        (repo / relpath).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(repo / relpath)
    for flags in (["--no-cache"], []):
        result = run_smm("check", *flags, cwd=repo, env={"SMM_TODAY": "2026-11-22"})   # times out if it blocks
        for relpath in pipes:
            assert f"{relpath}:1:1: error load.unreadable not a regular file" in result.stdout
    assert repo / "strategy/pipe.md" not in load_repository(repo).strategy.chapters


TOP_LINES = st.tuples(st.sampled_from(["title", "a", "b_c", "d-e", "on", "true", "1x", "a b", "title"]),
                      st.sampled_from([": ", ":  ", ":", ":\t", ": \u2028"]), FLAT_VALUES).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(TOP_LINES, FLAT_LINES), min_size=1, max_size=8).map("\n".join))
def test_one_key_a_line_reads_what_the_line_reader_reads_or_declines(text):
    top = yamlstrict._top_level_lines(text, 3) if yamlstrict._flat_safe(text) else None   # as _parse_flat asks
    if top is None:
        return
    lines = yamlstrict._flat_lines(text, 3)
    assert lines is not None, text
    assert (top.value, list(top.keys.items()), list(top.values.items())) == \
        (lines.value, list(lines.keys.items()), list(lines.values.items()))
    _placed_on_demand_as(text, lines)


def test_a_core_key_post_is_read_one_key_a_line():
    text = 'title: Post 1145 at 12:30\nstatus: draft\npublish_at: "2027-01-01T11:40"\nplatforms: [bluesky, x]\nn: 3'
    top = yamlstrict._top_level_lines(text, 1)
    assert top is not None and top.value == {"title": "Post 1145 at 12:30", "status": "draft",
                                             "publish_at": "2027-01-01T11:40", "platforms": ["bluesky", "x"], "n": 3}
    assert _flat_agrees_with_strict(text)
    assert top.value_at(("publish_at",)) == (4, 13) and top.where(("status",)) == (3, 1)
    assert top._values is None and top._keys is None, "a top-level key is placed without placing the rest"
    assert top.value_at(("platforms", 1)) == (5, 22) and top.text is None      # placed now, the text let go
    assert top.keys[("n",)] == (6, 1) and top.value_at(("publish_at",)) == (4, 13)


def test_a_post_as_yaml_dump_writes_it_is_read_one_key_a_line():
    """A list written as a key alone and its items at the start of the next lines (yaml.dump's
    way, and python-frontmatter's), and a key with no value, are read by the one-key-a-line path
    as the line reader and the strict parser read them."""
    text = ("platforms:\n- bluesky\n- 'x'\n- \"mastodon\"\npublish_at: 2027-01-01T11:40\nstatus: draft\n"
            "tags:\ntitle: '1145: Nieuw tappunt'\nn:\n- 3\n- ~")
    top = yamlstrict._top_level_lines(text, 1)
    assert top is not None and top.value == {"platforms": ["bluesky", "x", "mastodon"], "publish_at": "2027-01-01T11:40",
                                             "status": "draft", "tags": None, "title": "1145: Nieuw tappunt",
                                             "n": [3, None]}
    assert top.value_at(("platforms", 1)) == (4, 3) and top.value_at(("tags",)) == (8, 6)
    assert _flat_agrees_with_strict(text)
    for declined in ("a: 1\n- x", "- x\na: 1", "a:\n- b: 1", "a:\n- [x]", "a:\n-x", "a:\n- x\n  y"):
        assert yamlstrict._top_level_lines(declined, 0) is None, declined


# Front matter as other tools write it: yaml.safe_dump escapes text that is not ASCII unless told
# otherwise, json.dumps (YAML takes JSON's strings) escapes it always and quotes every list item.
WRITTEN_BY = {
    "yaml.safe_dump": lambda data: __import__("yaml").safe_dump(data, sort_keys=False),
    "yaml.safe_dump, unicode": lambda data: __import__("yaml").safe_dump(data, sort_keys=False, allow_unicode=True),
    "json.dumps a value": lambda data: "".join(f"{key}: {json.dumps(value)}\n" for key, value in data.items()),
    # python-frontmatter's dumps(): block style, unicode, text longer than 80 characters goes on
    # over the next lines
    "python-frontmatter": lambda data: __import__("yaml").dump(data, Dumper=__import__("yaml").SafeDumper,
                                                               default_flow_style=False, allow_unicode=True),
}


@pytest.mark.parametrize("writer", WRITTEN_BY)
@pytest.mark.parametrize("title", ["Ny áfyllingarstöð 12", "給水ステーション: \"新\"", "It's 12:30 — go", "Tab\tand \\ slash",
                                   "Line\u2028break", "Ünïcödé ❄️ and 🥾",
                                   "Påfyllningsstation nummer 1234 öppnar i dag vid Medborgarplatsen i Stockholm, "
                                   "välkommen alla, ta med flaskan och fyll den gratis hela dagen lång!"])
def test_posts_written_by_other_tools_are_read_one_line_at_a_time(writer, title):
    """What a generator or a script writes takes the flat path (not LibYAML's composer, which costs
    as much as the floor's whole parse) and reads as the strict path reads it."""
    data = {"title": title, "status": "draft", "publish_at": "2027-01-01T11:40", "platforms": ["bluesky", "x"]}
    text = WRITTEN_BY[writer](data)
    if "\\ud83c" in text or "\\ud83e" in text:        # json.dumps writes surrogate pairs, which YAML refuses
        assert yamlstrict.parse(text, "f.yaml").findings
        return
    assert yamlstrict.parse(text, "f.yaml").value == data
    if yamlstrict._flat_safe(text):         # a line break written as itself is for the other paths
        assert _flat_agrees_with_strict(text), text


FOLDED_TEXT = st.lists(st.sampled_from(list("abcé給 \\\"'#:-,.!") + ["  ", "\u2028", "\t", "\x85"]), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "a", "b"]), FOLDED_TEXT, min_size=1), st.booleans(),
       st.sampled_from([80, 12, 20, 30]))
def test_text_yaml_dump_folds_over_lines_reads_as_the_strict_path_reads_it(doc, unicode, width):
    """Plain and double-quoted text that yaml.safe_dump folds over several lines (escaped line ends,
    escaped spaces, quotes, backslashes, characters it must escape) reads flat as strict reads it."""
    import yaml
    text = yaml.safe_dump(doc, allow_unicode=unicode, width=width)
    _flat_agrees_with_strict(text)
    top = yamlstrict._top_level_lines(text, 3) if yamlstrict._flat_safe(text) else None
    if top is not None:               # the one-key-a-line path joins the lines as the line reader does
        lines = yamlstrict._flat_lines(text, 3)
        assert (top.value, top.keys, top.values) == (lines.value, lines.keys, lines.values)


@pytest.mark.parametrize("writer, title", [
    ("yaml.safe_dump", "Påfyllningsstation nummer 1234 öppnar i dag vid Medborgarplatsen, ta med flaskan!"),
    ("yaml.safe_dump", "¿Dónde está la estación número 46? ¡Rellena tu botella aquí, \"ahora\" mismo!"),
    ("python-frontmatter", "Refill station number 1234 opens today at the square, so bring your bottle and fill it"),
    ("python-frontmatter", "Påfyllningsstation nummer 1234 öppnar i dag vid Medborgarplatsen, ta med flaskan och fyll")])
def test_a_title_that_goes_on_over_the_next_lines_is_read_one_key_a_line(writer, title):
    """yaml.safe_dump writes a long title beyond ASCII in double quotes over several lines, and
    python-frontmatter a long one as plain text over several: the one-key-a-line path joins them."""
    text = WRITTEN_BY[writer]({"title": title, "status": "draft", "platforms": ["x"]}).removesuffix("\n")
    assert "\n  " in text, text            # the title goes on over the next line
    top = yamlstrict._top_level_lines(text, 1)
    lines = yamlstrict._flat_lines(text, 1)
    assert top is not None and top.value["title"] == title
    assert (top.value, top.keys, top.values) == (lines.value, lines.keys, lines.values)
    assert _flat_agrees_with_strict(text)
    for declined in ('a: "x\n\n  y"', 'a: "x\n  # c\n  y"', "a: 'x'\n  y", "a: [x]\n  y", 'a: "x" y\n  z', "a: x\n  #y",
                     "a:\n  y", "- x\n  y", "a: x\n  - y", "a: x\n  [y]", "a: x\n  'y'", " a: x"):
        assert yamlstrict._top_level_lines(declined, 0) is None, declined


def test_a_loaded_post_has_every_field_of_a_post_and_no_other(sample):
    """repository._post fills a post's dictionary itself (not through Post's __init__): a field
    added to Post and not to it, or a key it adds that Post lacks, fails here."""
    from dataclasses import fields

    from smm.model import Post
    posts = load_repository(sample).posts
    assert posts
    names = [f.name for f in fields(Post)]
    for post in posts:
        assert list(post.__dict__) == [*names, "path"], post.path     # path: the document's, not a field
        assert post.path == post.doc.path
        assert post == Post(**{name: getattr(post, name) for name in names})
        assert list(Post(**{name: getattr(post, name) for name in names}).__dict__) == list(post.__dict__)
        assert post.renditions == {} and all(post.renditions is not other.renditions for other in posts if other is not post)



def _split_line_by_line(text: str) -> tuple:
    """split_front_matter as the loader wrote it before its shortcut: every line looked at."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return None, text, 1
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[:index]), "\n".join(lines[index + 1:]), index + 3
    return None, "", 1


FENCED_ALPHABET = st.sampled_from(["---", "...", "----", "--- ", "...\t", "\n", "\n\n", "a: b", " ", "-", ".",
                                   "\u3000", "x"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(FENCED_ALPHABET, max_size=30).map("".join))
def test_front_matter_is_split_where_its_first_closing_line_is(text):
    """The shortcut for the usual closing line splits every text as looking at each line does."""
    for whole in ("---\n" + text, "---\n" + text + "\n---\nbody\n", text):
        assert loader.split_front_matter(whole, "p.md")[:3] == _split_line_by_line(whole)
