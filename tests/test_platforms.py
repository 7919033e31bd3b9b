"""Every platform, every limit: a case exactly at the limit passes, one over it fails.

The cases are generated from the platform table itself (scripts/smm/data/platforms.yaml),
so a limit changed in the data is tested at its new value.
"""
from __future__ import annotations

import io
import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import check, run_smm, write
from smm import platforms

TABLE = platforms.table()
POST = "content/posts/2026/12/01-limit.md"


def post_text(pid: str, body: str = "Copy", media=None, variant=None, title=None) -> str:
    spec = TABLE[pid]
    needs = spec.spec["media"].get("requires", "none")
    if media is None:
        media = [{"path": "media/clip.mp4" if needs == "video" else "media/photo.jpg", "alt": "A test"}] \
            if needs != "none" else []
    front = {"title": "Limit", "status": "draft", "platforms": [pid]}
    if media:
        front["media"] = media
    variant = dict(variant or {})
    if title or spec.section("title").get("required"):
        variant["title"] = title or "A title"
    if variant:
        variant.setdefault("text", body)
        front["variants"] = {pid: variant}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


def findings_for(repo, text: str, rule_prefix: str):
    write(repo, POST, text)
    found = [f for f in check(repo) if f.path == POST]
    return found, [f for f in found if f.rule == rule_prefix]


def _text_unit(pid: str) -> str:
    return "a"  # one unit in every counting method


@pytest.mark.parametrize("pid", sorted(TABLE))
def test_text_limit_at_and_over(repo, pid):
    limit = TABLE[pid].text_limit
    found, hits = findings_for(repo, post_text(pid, body="a" * limit), f"limit.{pid}.length")
    assert not hits and not [f for f in found if f.severity == "error"], found
    _, hits = findings_for(repo, post_text(pid, body="a" * (limit + 1)), f"limit.{pid}.length")
    assert hits and hits[0].severity == "error"


@pytest.mark.parametrize("pid", sorted(p for p in TABLE if TABLE[p].section("title")))
def test_title_limit_at_and_over(repo, pid):
    limit = TABLE[pid].section("title")["limit"]
    _, hits = findings_for(repo, post_text(pid, title="t" * limit), f"limit.{pid}.title")
    assert not hits
    _, hits = findings_for(repo, post_text(pid, title="t" * (limit + 1)), f"limit.{pid}.title")
    assert hits


@pytest.mark.parametrize("pid", sorted(p for p in TABLE if TABLE[p].section("alt_text")))
def test_alt_text_limit_at_and_over(repo, pid):
    limit = TABLE[pid].section("alt_text")["limit"]
    at = [{"path": "media/photo.jpg", "alt": "d" * limit}]
    _, hits = findings_for(repo, post_text(pid, media=at), f"limit.{pid}.alt")
    assert not hits
    over = [{"path": "media/photo.jpg", "alt": "d" * (limit + 1)}]
    _, hits = findings_for(repo, post_text(pid, media=over), f"limit.{pid}.alt")
    assert hits


@pytest.mark.parametrize("pid", sorted(p for p in TABLE if TABLE[p].section("hashtags")))
def test_hashtag_limit_at_and_over(repo, pid):
    limit = TABLE[pid].section("hashtags")["limit"]
    tags = lambda n: " ".join(f"#t{i}x" for i in range(n))  # noqa: E731
    _, hits = findings_for(repo, post_text(pid, body=tags(limit)), f"limit.{pid}.hashtags")
    assert not hits
    _, hits = findings_for(repo, post_text(pid, body=tags(limit + 1)), f"limit.{pid}.hashtags")
    assert hits


@pytest.mark.parametrize("pid", sorted(p for p in TABLE if TABLE[p].section("text").get("bytes_limit")))
def test_byte_limit_at_and_over(repo, pid):
    limit = TABLE[pid].section("text")["bytes_limit"]
    family = "👨‍👩‍👧‍👦"  # 25 bytes, one grapheme
    at = family * (limit // 25)
    _, hits = findings_for(repo, post_text(pid, body=at), f"limit.{pid}.bytes")
    assert not hits
    _, hits = findings_for(repo, post_text(pid, body=at + "a"), f"limit.{pid}.bytes")
    assert hits


def _media_cases():
    for pid, platform in sorted(TABLE.items()):
        spec = platform.section("media")
        for kind in ("image", "video"):
            limit = spec.get(f"max_{kind}s", 0)
            if limit and not (spec.get("max_items") and spec["max_items"] < limit + 1 and kind == "image"):
                yield pid, kind, limit


@pytest.mark.parametrize("pid, kind, limit", list(_media_cases()))
def test_media_count_at_and_over(repo, pid, kind, limit):
    path = "media/photo.jpg" if kind == "image" else "media/clip.mp4"
    item = {"path": path, "alt": "A test", "cover": "media/photo.jpg"} if kind == "video" else {"path": path,
                                                                                                 "alt": "A test"}
    found, hits = findings_for(repo, post_text(pid, media=[dict(item) for _ in range(limit)]), f"media.{pid}.count")
    assert not hits and not [f for f in found if f.rule.startswith("yaml.")]
    _, hits = findings_for(repo, post_text(pid, media=[dict(item) for _ in range(limit + 1)]), f"media.{pid}.count")
    assert hits


@pytest.mark.parametrize("pid", ["instagram", "tiktok", "pinterest"])
def test_a_post_without_media_where_the_platform_needs_some_is_told_so_each_time(repo, pid):
    """Posts without media share one empty tally of media kinds: asking it for a kind stores no
    count, so the next post without media is told the same."""
    from smm.rules import media_rules
    for _ in range(2):
        found, hits = findings_for(repo, post_text(pid, media=[]), f"media.{pid}.required")
        assert len(hits) == 1, found
    assert media_rules._NO_MEDIA == {} and not media_rules._NO_MEDIA


def png_of_size(width: int, height: int, size: int | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    data = buffer.getvalue()
    return data + b"\0" * (size - len(data)) if size else data


def test_bluesky_image_size_at_and_over(repo):
    limit = TABLE["bluesky"].section("media")["image_max_bytes"]
    media = [{"path": "media/big.png", "alt": "A test"}]
    write(repo, "media/big.png", png_of_size(10, 10, limit))
    _, hits = findings_for(repo, post_text("bluesky", media=media), "media.bluesky.size")
    assert not hits
    write(repo, "media/big.png", png_of_size(10, 10, limit + 1))
    _, hits = findings_for(repo, post_text("bluesky", media=media), "media.bluesky.size")
    assert hits and "1,000,001 bytes" in hits[0].message


@pytest.mark.parametrize("width, height, ok", [(400, 500, True), (955, 500, True), (1080, 1080, True),
                                               (395, 500, False), (960, 500, False)])
def test_instagram_aspect_ratio(repo, width, height, ok):
    write(repo, "media/shape.png", png_of_size(width, height))
    media = [{"path": "media/shape.png", "alt": "A test"}]
    _, hits = findings_for(repo, post_text("instagram", media=media), "media.instagram.aspect")
    assert (not hits) == ok


def test_over_limit_is_only_a_warning_for_ideas(repo):
    text = post_text("x", body="a" * 281).replace("status: draft", "status: idea")
    _, hits = findings_for(repo, text, "limit.x.length")
    assert hits and hits[0].severity == "warning"


@pytest.mark.parametrize("link", ["", " https://fixture.example/map"])     # a brand link is tagged when posted
def test_copy_over_the_limit_is_placed_where_it_starts_below_blank_lines(repo, link):
    text = post_text("x", body="a" * 281 + link).replace("---\na", "---\n\n\n  a")
    _, [hit] = findings_for(repo, text, "limit.x.length")
    body_line = text.splitlines().index("---", 1) + 2
    assert (hit.line, hit.column) == (body_line + 2, 3)


def test_a_broken_platform_table_is_reported(tmp_path):
    broken = tmp_path / "platforms.yaml"
    broken.write_text("x:\n  name: X\n  text: {limit: lots, counting: twitter, source: s}\n", "utf-8")
    table, problems = platforms.load(str(broken))
    assert table == {}
    assert {p.rule for p in problems} >= {"schema.type", "schema.required"}


def test_platform_table_rule_id_is_catalogued():
    from smm.findings import catalogue
    assert "platforms.table" in catalogue()  # reported through schema rules, under this heading


def test_schema_platform_enum_matches_the_table():
    schema = json.loads((platforms.DATA.parents[3] / "schemas" / "post.schema.json").read_text("utf-8"))
    assert schema["$defs"]["platform"]["enum"] == list(platforms.IDS)
    assert sorted(TABLE) == sorted(platforms.IDS)


def test_every_value_has_a_source():
    for pid, platform in TABLE.items():
        for name, section in platform.spec.items():
            if isinstance(section, dict):
                assert section.get("source"), f"{pid}.{name} has no source"


def test_preview_json_contract_counts_after_utm(sample):
    path = "content/posts/2026/11/30-trail-flask-launch-day.md"
    result = run_smm("preview", path, "--format", "json", cwd=sample)
    assert result.returncode == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["path"] == path and preview["title"] == "Trail Flask launch day"
    bluesky = preview["platforms"]["bluesky"]["parts"][0]
    assert "utm_source=bluesky&utm_medium=paid&utm_campaign=trail-flask-launch" in bluesky["text"]
    assert "utm_content=2026-11-30-trail-flask-launch-day" in bluesky["text"]
    from smm.counting import graphemes, x_length
    assert bluesky["length"] == graphemes(bluesky["text"]) and bluesky["limit"] == 300
    x = preview["platforms"]["x"]["parts"][0]
    assert x["length"] == x_length(x["text"]) and x["limit"] == 280


def test_preview_shows_thread_parts(sample):
    result = run_smm("preview", "content/posts/2027/01/14-bottle-care-thread.md", "--format", "json", cwd=sample)
    preview = json.loads(result.stdout)
    assert len(preview["platforms"]["x"]["parts"]) == 5
    assert all(p["length"] <= p["limit"] for p in preview["platforms"]["mastodon"]["parts"])


def test_preview_text_has_a_meter(sample):
    result = run_smm("preview", "content/posts/2026/11/17-rotterdam-centraal-station.md", cwd=sample)
    assert result.returncode == 0
    assert "── X " in result.stdout and "/280" in result.stdout and "[#" in result.stdout


def test_preview_of_a_missing_file_is_a_usage_error(sample):
    assert run_smm("preview", "content/posts/nope.md", cwd=sample).returncode == 2


def test_preview_shows_a_post_with_errors_and_its_findings(sample):
    write(sample, "content/posts/2026/12/09-no-media.md",
          "---\ntitle: No media\nstatus: draft\nplatforms: [instagram, x]\n---\nHei! 👋🏽 Þetta er próf.\n")
    result = run_smm("preview", "content/posts/2026/12/09-no-media.md", "--format", "json", cwd=sample)
    assert result.returncode == 0
    preview = json.loads(result.stdout)
    assert preview["platforms"]["x"]["parts"][0]["length"] == 22     # twitter-text-parser agrees
    assert [f["rule"] for f in preview["platforms"]["instagram"]["findings"]] == ["media.instagram.required"]


BODIES = ["Copy", "", "   ", "a" * 600, "é" * 301, "👨‍👩‍👧‍👦" * 13, "👨‍👩‍👧‍👦" * 121, "#a #b #c #d #e #f #g #h #i #j #k #l #m #n #o #p #q #r #s #t #u #v #w #x #y #z #aa #bb #cc #dd #ee",
          "See https://example.org/" + "x" * 300, "Read " + "www.example.com " * 40, "Mixed 中文 " * 60]


def _rendered_limits(repo):
    """What text_limits finds, written plainly: every post rendered on each of its platforms, every
    part checked by _copy and the title by _title (the rule skips rendering where it can, and _copy
    where _within tells it keeps the limits)."""
    from smm.posting import render
    from smm.rules import platform_rules
    for post in repo.posts:
        for pid in post.platforms:
            platform = platforms.get(pid)
            if platform is None:
                continue
            rendition = render(post, pid, repo)
            for index, part in enumerate(rendition.parts):
                label = f"part {index + 1} of the thread" if rendition.is_thread else "the copy"
                yield from platform_rules._copy(post, platform, part.text, part.source, label, part.content_warning)
            yield from platform_rules._title(post, platform, rendition.title)


def test_copy_posted_as_written_is_checked_as_rendering_it_checks(repo):
    """The rule checks a body that every platform posts unchanged, or with only its brand links
    tagged, without rendering it, and skips _copy where a few comparisons tell: the same findings,
    in the same order, as rendering every post and checking every part."""
    from smm.repository import load_repository
    from smm.rules import platform_rules
    bodies = BODIES + [f"{body} https://fixture.example/a" for body in BODIES]
    for number, body in enumerate(bodies):
        for status in ("scheduled", "idea"):
            front = {"title": "T", "status": status, "platforms": sorted(TABLE), "id": f"p-{number}-{status}"}
            write(repo, f"content/posts/2026/12/{number + 1:02d}-{status}.md",
                  "---\n" + yaml.safe_dump(front) + "---\n" + body + "\n")
    loaded = load_repository(repo)
    assert [p for p in loaded.posts if "fixture.example/a" in p.body]      # brand links, tagged
    found = list(platform_rules.text_limits(loaded))
    rendered = list(_rendered_limits(load_repository(repo)))
    assert found == rendered
    assert {f.rule.split(".")[-1] for f in rendered} >= {"length", "bytes", "hashtags", "empty", "missing"}


@settings(max_examples=400, deadline=None)
@given(text=st.text(st.sampled_from("a é中👨\u200d#＃.:/ \n") | st.characters(blacklist_categories=("Cs",)), max_size=120).map(lambda t: t * 30),
       media=st.booleans(), status=st.sampled_from(["idea", "draft", "scheduled", "published"]),
       cw=st.sampled_from(["", "cw"]))
def test_copy_said_to_keep_the_limits_keeps_them(text, media, status, cw):
    """_within answers True only for copy in which _copy finds nothing, on every platform (copy holds
    no lone surrogate: YAML refuses their escapes, and a file's bytes are decoded strictly)."""
    from types import SimpleNamespace

    from smm.rules import platform_rules
    post = SimpleNamespace(media=["m"] if media else [], status=status, path="p.md", doc=None)
    for length in (0, 1, 7, 60, 301, len(text)):
        for platform in TABLE.values():
            if platform_rules._within(post, platform, text[:length], cw):
                assert list(platform_rules._copy(post, platform, text[:length], (), "the copy", cw)) == []