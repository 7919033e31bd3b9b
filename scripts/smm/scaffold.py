"""`smm new post|campaign|persona`: a valid file at the right path, never over an existing one."""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, timedelta

from . import platforms, schemas, times
from .agenda import parse_day
from .check import UsageError
from .loader import parse_markdown
from .model import SLUG


def slugify(text: str) -> str:
    """ASCII slug from any title: 'Þingvellir på vintern!' -> 'thingvellir-pa-vintern'."""
    text = text.replace("Þ", "Th").replace("þ", "th").replace("Ð", "D").replace("ð", "d").replace("ə", "e") \
        .replace("Ə", "E").replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ı", "i")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "untitled"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar; JSON string syntax is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def _platform_list(raw: str | None) -> list[str]:
    chosen = [p.strip() for p in (raw or "").split(",") if p.strip()]
    unknown = [p for p in chosen if p not in platforms.IDS]
    if unknown:
        raise UsageError(f"unknown platform(s): {', '.join(unknown)}; known: {', '.join(platforms.IDS)}")
    return chosen


def new_post(repo, args) -> tuple[str, str]:
    chosen = _platform_list(args.platforms) or ["x"]
    if args.campaign and args.campaign not in repo.campaigns:
        raise UsageError(f"campaign {args.campaign!r} does not exist; known: {', '.join(sorted(repo.campaigns))}")
    when = None
    if args.at:
        when = times.resolve(args.at, repo.timezone)
        if when.when is None:
            raise UsageError(f"--at {args.at}: {when.detail}")
    local = when.when.astimezone(repo.timezone) if when else None
    day = local.date() if local else date.today()
    slug = args.slug or slugify(args.title)
    relpath = f"content/posts/{day:%Y/%m/%d}-{slug}.md"
    status = args.status or ("draft" if local else "idea")
    lines = ["---", f"title: {_quoted(args.title)}", f"status: {status}"]
    if local:
        lines.append(f'publish_at: "{local:%Y-%m-%dT%H:%M:%S}{times.offset_text(local)}"')
    lines.append(f"platforms: [{', '.join(chosen)}]")
    if args.campaign:
        lines.append(f"campaign: {args.campaign}")
    if args.language:
        lines.append(f"language: {args.language}")
    lines += ["---", "Write the copy here. Run `smm preview " + relpath + "` to see it on each platform.", ""]
    return relpath, "\n".join(lines)


def new_campaign(repo, args) -> tuple[str, str]:
    slug = args.slug or slugify(args.title)
    start = parse_day(args.start, "--start") or date.today()
    end = parse_day(args.end, "--end") or start + timedelta(days=13)
    if end < start:
        raise UsageError("--end comes before --start")
    lines = ["---", f"title: {_quoted(args.title)}", f"kind: {'paid' if args.budget else 'organic'}",
             "status: planned", f"goal: {_quoted(args.goal or 'Say what this campaign must achieve.')}",
             f'start: "{start}"', f'end: "{end}"']
    chosen = _platform_list(args.platforms)
    if chosen:
        lines.append(f"platforms: [{', '.join(chosen)}]")
    if args.budget:
        lines += ["budget:", f"  total: {args.budget}", f"  currency: {args.currency}"]
    lines += ["---", "Describe the idea, the plan and how success is measured.", ""]
    return f"content/campaigns/{slug}.md", "\n".join(lines)


def new_persona(repo, args) -> tuple[str, str]:
    slug = args.slug or slugify(args.title)
    lines = ["---", f"name: {_quoted(args.title)}",
             f"summary: {_quoted(args.goal or 'Who they are, in one sentence.')}", "---",
             "Tell their story: what they do, what they want, what gets in their way.", ""]
    return f"personas/{slug}.md", "\n".join(lines)


MAKERS = {"post": new_post, "campaign": new_campaign, "persona": new_persona}


def _refuse_invalid(repo, kind: str, relpath: str, text: str) -> None:
    """Stop before writing a file its own schema would reject (an empty or overlong title, a
    language that is no language tag)."""
    doc = parse_markdown(text, relpath)
    problems = [f for f in doc.findings + (schemas.validate(doc, kind, repo.root) if doc.ok else [])
                if f.severity == "error"]
    if problems:
        raise UsageError(f"the {kind} would not be valid: {problems[0].message}; nothing was written")


def run(repo, args) -> str:
    if args.slug is not None and not SLUG.fullmatch(args.slug):
        raise UsageError(f"--slug {args.slug!r}: use lowercase letters, digits and hyphens")
    relpath, text = MAKERS[args.kind](repo, args)
    _refuse_invalid(repo, args.kind, relpath, text)
    target = repo.root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as out:   # "x": never overwrite
            out.write(text)
    except FileExistsError:
        raise UsageError(f"{relpath} already exists; choose another --slug or title") from None
    return relpath
