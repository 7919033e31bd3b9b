"""Deterministic synthetic repositories: the sample strategy, personas, campaigns and media,
plus N generated posts in several languages on several platforms, spread over a year.

    python -m benchmarks.generate N OUT_DIR [--core-only] [--writer lines|yaml|json|frontmatter] [--copy CHARS]
                                            [--markdown]

--core-only writes posts with only the core keys (title, status, publish_at,
platforms and the body), the shape an independent comparison would use.
--writer says how the front matter is written, as the tools a generator would use
write it: `lines` (the default: one f-string a key, flow lists, like a person
writes it), `yaml` (yaml.safe_dump: text that is not ASCII escaped, long text
folded over lines), `json` (each value by json.dumps: every string quoted and
escaped) or `frontmatter` (python-frontmatter's dumps: yaml.dump with unicode,
block lists, long text going on over lines); with a writer other than `lines` the
title is in the post's language. --copy makes each post's copy that many
characters long, words of its language in a deterministic order (and its link, if
it has one, at the end). --markdown writes the copy in Markdown, its first word in
bold and a link to another site (a real top-level domain, which the generator's
kelda.example is not) after it.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
COPY = [
    ("en", "Fill your bottle before the train: {n} stations on the map. https://kelda.example/map"),
    ("nl", "Nieuw tappunt bij station {n}. Vul je fles en pak de trein! https://kelda.example/nl/kaart"),
    ("sv", "Påfyllningsstation nummer {n} öppnar i dag vid Medborgarplatsen. Välkommen!"),
    ("is", "Ný áfyllingarstöð númer {n} opnar í dag á Laugavegi. Þið eruð velkomin."),
    ("az", "Dənizkənarı bulvarda {n} nömrəli yeni su məntəqəsi açıldı. Şüşəni doldur!"),
    ("en", "Winter walk, {n} km, −12 °C, and the water did not freeze. ❄️ 🥾 #outdoors"),
    ("es", "¿Dónde está la estación número {n}? ¡Rellena tu botella aquí!"),
    ("ja", "{n}番目の給水ステーションがオープンしました。ボトルを持ってきてね！"),
]
PLATFORMS = ["x", "bluesky", "mastodon", "linkedin", "facebook", "threads"]
STATUSES = ["draft", "scheduled", "scheduled", "published", "idea"]
PILLARS = ["refill-culture", "product", "outdoors", "impact", "community"]


def copy_base(out: Path) -> None:
    for name in ("strategy", "personas", "content/campaigns", "media", "docs", "schemas", "scripts"):
        source = PROJECT / name
        if source.exists():
            shutil.copytree(source, out / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    for name in ("mkdocs.yml", "pyproject.toml", ".vale.ini"):
        shutil.copy2(PROJECT / name, out / name)


WRITERS = ("lines", "yaml", "json", "frontmatter")


def post_text(i: int, rng: random.Random, core_only: bool, writer: str = "lines",
              copy_chars: int | None = None, markdown: bool = False) -> tuple[str, str]:
    moment = datetime(2027, 1, 1, 8, 0) + timedelta(minutes=rng.randrange(0, 365 * 24 * 60 // 5) * 5)
    language, body = COPY[i % len(COPY)]
    status = STATUSES[i % len(STATUSES)]
    chosen = sorted(rng.sample(PLATFORMS, rng.randint(1, 3)), key=PLATFORMS.index)
    body = body.format(n=i)
    copy = body if copy_chars is None else long_copy(body, copy_chars, rng)
    if markdown:
        copy = in_markdown(copy, i)
    path = f"content/posts/{moment:%Y/%m/%d}-post-{i}.md"
    if writer != "lines":
        return path, written_by(writer, _data(i, body, status, moment, chosen, language, core_only), copy)
    lines = ["---", f"title: Post {i} about refill station {i}", f"status: {status}"]
    if status != "idea":
        lines.append(f'publish_at: "{moment:%Y-%m-%dT%H:%M}"')
    lines.append(f"platforms: [{', '.join(chosen)}]")
    if not core_only:
        more = _more_keys(i, language)
        lines += [f"language: {more['language']}", f"pillar: {more['pillar']}",
                  f"personas: [{', '.join(more['personas'])}]", f"authors: [{', '.join(more['authors'])}]"]
        if "media" in more:
            lines += ["media:"] + [line for item in more["media"]
                                   for line in (f"  - path: {item['path']}", f"    alt: {item['alt']}")]
        if "variants" in more:
            lines += ["variants:"] + [f'  {pid}: "{text}"' for pid, text in more["variants"].items()]
    lines += ["---", copy, ""]
    return path, "\n".join(lines)


def _data(i: int, body: str, status: str, moment: datetime, platforms: list, language: str,
          core_only: bool) -> dict:
    """The keys `lines` writes, with a title in the post's language (the start of its copy)."""
    data = {"title": f"{i}: {body.split(' http')[0][:70]}", "status": status}
    if status != "idea":
        data["publish_at"] = f"{moment:%Y-%m-%dT%H:%M}"
    data["platforms"] = platforms
    if not core_only:
        data.update(_more_keys(i, language))
    return data


def _more_keys(i: int, language: str) -> dict:
    """The keys beyond the core ones, which every writer writes without --core-only."""
    more = {"language": language, "pillar": PILLARS[i % len(PILLARS)], "personas": ["commuting-cas"],
            "authors": ["daan-visser"]}
    if i % 7 == 0:
        more["media"] = [{"path": "media/trail-flask-abisko.jpg", "alt": "A bottle in the snow by a trail marker."}]
    if i % 5 == 0:
        more["variants"] = {"x": f"Short copy for X, number {i}. https://kelda.example/map"}
    return more


def written_by(writer: str, data: dict, copy: str) -> str:
    """A post file whose front matter `writer` wrote (see the module's docstring)."""
    if writer == "yaml":
        front = yaml.safe_dump(data, sort_keys=False)
    elif writer == "json":       # YAML has no surrogate escapes: characters beyond U+FFFF as themselves
        front = "".join(f"{key}: {_ASTRAL_ESCAPED.sub(_astral, json.dumps(value))}\n" for key, value in data.items())
    elif writer == "frontmatter":     # what python-frontmatter's YAMLHandler.export passes to yaml.dump
        front = yaml.dump(data, Dumper=yaml.SafeDumper, default_flow_style=False, allow_unicode=True)
    else:
        raise ValueError(f"unknown writer {writer!r}: one of {', '.join(WRITERS)}")
    return f"---\n{front}---\n{copy}\n"


_ASTRAL_ESCAPED = re.compile(r"\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}")


def _astral(match) -> str:
    return json.loads(f'"{match[0]}"')


def in_markdown(copy: str, i: int) -> str:
    """`copy` in Markdown: its first word in bold, and a link to another site after it."""
    first, _, rest = copy.partition(" ")
    return f"**{first}** {rest} See [the map](https://maps.example.org/kelda/{i}) and _more_."


def long_copy(body: str, chars: int, rng: random.Random) -> str:
    """Copy of `chars` characters: the words of `body` in a random order, its link (if any) last."""
    words = body.split()
    links = [word for word in words if "://" in word]
    words = [word for word in words if "://" not in word] or ["word"]
    tail = (" " + links[0]) if links else ""
    picked, length = [], 0
    while length < chars - len(tail):
        word = words[rng.randrange(len(words))]
        picked.append(word)
        length += len(word) + 1
    return " ".join(picked)[:max(0, chars - len(tail))].rstrip() + tail


def generate(n: int, out: Path, core_only: bool = False, writer: str = "lines", copy_chars: int | None = None,
             markdown: bool = False) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_base(out)
    rng = random.Random(n)
    for i in range(n):
        relpath, text = post_text(i, rng, core_only, writer, copy_chars, markdown)
        file = out / relpath
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
    return out


def plain_site(n: int, out: Path) -> Path:
    """The baseline: a plain mkdocs-material site with n short pages and a small navigation."""
    if out.exists():
        shutil.rmtree(out)
    docs = out / "docs"
    (docs / "pages").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nThe baseline site.\n", "utf-8")
    for i in range(n):
        (docs / "pages" / f"page-{i}.md").write_text(f"# Page {i}\n\nA short page, number {i}, with a sentence.\n",
                                                      "utf-8")
    (out / "mkdocs.yml").write_text("site_name: Baseline\nuse_directory_urls: false\ntheme:\n  name: material\n"
                                    "  font: false\nnav:\n  - Home: index.md\n  - First: pages/page-0.md\n"
                                    "not_in_nav: |\n  /pages/*\n", "utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--core-only", action="store_true")
    parser.add_argument("--writer", choices=WRITERS, default="lines")
    parser.add_argument("--copy", type=int, metavar="CHARS")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    generate(args.n, args.out, args.core_only, args.writer, args.copy, args.markdown)
    print(f"wrote {args.n} posts to {args.out}")


if __name__ == "__main__":
    main()
