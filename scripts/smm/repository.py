"""Loading a content repository into the model, collecting every finding on the way."""
from __future__ import annotations

import os
from datetime import date
from functools import partial
from itertools import compress
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import findings as F
from . import prefetch, schemas, times, voice
from .loader import MAX_BYTES, Document, load_markdown, load_yaml
from .media import locate
from .model import (Campaign, Media, Persona, Post, Repository, Strategy, Variant, default_post_id,
                    media_kind)

STRATEGY_FILES = {  # file in strategy/ -> schema kind; each is required
    "settings.yaml": "settings",
    "pillars.yaml": "pillars",
    "channels.yaml": "channels",
    "team.yaml": "team",
    "objectives.yaml": "objectives",
    "approvals.yaml": "approvals",
}
OPTIONAL_STRATEGY_FILES = {"freezes.yaml": "freezes"}


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds mkdocs.yml (found as the reader of posts
    finds it: prefetch.root_at_or_above)."""
    found = prefetch.root_at_or_above(str(start))
    return None if found is None else Path(found)


def markdown_files(root: Path, folder: str, regular: set | None = None) -> list[str]:
    """Root-relative paths (with /) of the Markdown files under `folder`, in a stable order (each
    folder's files by name, then its subfolders by name; none whose name starts with a dot, no
    links to folders followed), as os.walk lists them (prefetch.markdown_listing, which the reader
    of posts lists them with too). Those that are plain regular files (not links, pipes or devices:
    what the listing says of each, with no call of its own) go into `regular`, if given:
    loader.read_regular need not ask again (Repository.regular_files)."""
    found, plain = prefetch.markdown_listing(os.path.join(root, ""), folder)
    if regular is not None:
        regular.update(compress(found, plain))
    return found


def load_repository(root: Path) -> Repository:
    repo = load_base(root)
    add_posts(repo, post_files(repo.root, repo.regular_files))
    return repo


def load_base(root: Path) -> Repository:
    """Everything but the posts: strategy, personas and campaigns."""
    root = root.resolve()
    strategy, findings = load_strategy(root)
    repo = Repository(root=root, strategy=strategy, findings=schemas.file_problems(root) + findings)
    for relpath in markdown_files(root, "personas", repo.regular_files):
        _add(repo, relpath, "persona", _persona)
    for relpath in markdown_files(root, "content/campaigns", repo.regular_files):
        _add(repo, relpath, "campaign", _campaign)
    return repo


def post_files(root: Path, regular: set | None = None) -> list[str]:
    return markdown_files(root, "content/posts", regular)


def add_posts(repo: Repository, relpaths: list[str], stamps: dict | None = None) -> None:
    """The posts at `relpaths` loaded into `repo`; `stamps`: see loader.read_text."""
    zone, folder = repo.timezone, os.path.join(repo.root, "")      # worked out once, not for every post
    build = partial(_post, zone=zone)
    for relpath in relpaths:
        _add(repo, relpath, "post", build, stamps, folder)


def _add(repo: Repository, relpath: str, kind: str, build, stamps: dict | None = None, folder: str = "") -> None:
    """Load the file at `relpath` and `build` what it holds into `repo`. `folder`: the root with a
    separator at its end (joining a Path and a name for each of 10,000 posts took 3 us a post)."""
    file = folder + relpath if folder else os.path.join(repo.root, relpath)
    doc = load_markdown(file, relpath, lambda: _outside(repo, relpath), relpath in repo.regular_files, stamps)
    repo.findings.extend(doc.findings)
    if not doc.ok:
        return
    problems = schemas.validate(doc, kind, repo.root)
    repo.findings.extend(problems)
    if problems and any(p.severity == "error" and p.rule.startswith(("schema.type", "schema.required"))
                        for p in problems):
        repo.invalid.add((kind, Path(relpath).stem))   # it exists, but its shape is wrong: reported above
        return
    build(repo, doc)


def _outside(repo: Repository, relpath: str) -> str | None:
    """Why the link at `relpath` is not followed, or None when it points inside the repository."""
    if locate(repo, relpath).problem in ("links-outside", "unresolvable"):
        return "the file is a link to outside the repository"
    return None


def post_from_bytes(repo: Repository, raw: bytes, relpath: str) -> Post | None:
    """A post as it was in another version (such as the base branch), read like any other."""
    from .loader import decode, parse_markdown
    if len(raw) > MAX_BYTES:
        return None
    text, problems = decode(raw, relpath)
    doc = parse_markdown(text, relpath, problems)
    if not doc.ok or schemas.validate(doc, "post", repo.root):
        return None
    scratch = Repository(root=repo.root, strategy=repo.strategy)
    _post(scratch, doc)
    return scratch.posts[0]


def load_strategy(root: Path) -> tuple[Strategy, list]:
    strategy, findings = Strategy(), []
    for name, kind in {**STRATEGY_FILES, **OPTIONAL_STRATEGY_FILES}.items():
        file = root / "strategy" / name
        relpath = f"strategy/{name}"
        if not file.exists() and name in OPTIONAL_STRATEGY_FILES:
            continue
        if not file.exists():
            findings.append(F.make("strategy.missing", relpath, None, f"{relpath} is missing", file=relpath))
            continue
        doc = load_yaml(file, relpath)
        findings.extend(doc.findings)
        if not doc.ok:
            continue
        problems = schemas.validate(doc, kind, root)
        findings.extend(problems)
        strategy.docs[kind] = doc
        if not problems:
            _set_strategy_part(strategy, kind, doc.data)
    findings.extend(_check_timezone(strategy))
    strategy.voice, problems = voice.load_styles(root)
    findings.extend(problems)
    strategy.chapters = _chapters(root, findings)
    return strategy, findings


def _chapters(root: Path, findings: list) -> list[Path]:
    """The handbook's chapters (strategy/*.md); a name that is not a regular file is reported."""
    chapters = []
    for file in sorted((root / "strategy").glob("*.md")) if (root / "strategy").is_dir() else []:
        if file.is_file():
            chapters.append(file)
        else:
            findings.append(F.make("load.unreadable", f"strategy/{file.name}", None, "not a regular file"))
    return chapters


def _set_strategy_part(strategy: Strategy, kind: str, data: dict) -> None:
    if kind == "settings":
        strategy.settings = data
    elif kind == "pillars":
        strategy.pillars = data["pillars"]
    elif kind == "channels":
        strategy.channels = data["channels"]
    elif kind == "team":
        strategy.team = data
    elif kind == "objectives":
        strategy.objectives = data["objectives"]
    elif kind == "approvals":
        strategy.approvals = data
    elif kind == "freezes":
        strategy.freezes = data["freezes"]


def _check_timezone(strategy: Strategy) -> list:
    name = strategy.settings.get("timezone")
    if not name:
        return []
    try:
        ZoneInfo(name)
        return []
    except (ZoneInfoNotFoundError, ValueError):
        doc = strategy.docs["settings"]
        strategy.settings = {**strategy.settings, "timezone": "UTC"}
        return [F.make("settings.timezone", doc.path, doc.value_at("timezone"),
                       f'"{name}" is not a known timezone')]


def _persona(repo: Repository, doc: Document) -> None:
    slug = Path(doc.path).stem
    data = doc.data
    repo.personas[slug] = Persona(doc=doc, slug=slug, name=data["name"], summary=data["summary"],
                                  body=doc.body, data=data)


def _campaign(repo: Repository, doc: Document) -> None:
    data = doc.data
    slug = Path(doc.path).stem
    repo.campaigns[slug] = Campaign(
        doc=doc, slug=slug, title=data["title"], kind=data["kind"], goal=data["goal"],
        start=_date(data.get("start")), end=_date(data.get("end")), body=doc.body,
        status=data.get("status", "planned"), objective=data.get("objective"),
        platforms=data.get("platforms", []), personas=data.get("personas", []),
        pillars=data.get("pillars", []), markets=data.get("markets", []), owner=data.get("owner"),
        legal_review=data.get("legal_review", False), budget=data.get("budget"),
        kpis=data.get("kpis", []), utm_campaign=data.get("utm_campaign"))


def _post(repo: Repository, doc: Document, zone: ZoneInfo | None = None) -> None:
    """The post of a document that passed the schema, made as Post(...) would make it: its fields
    set one by one, in their order, as the dataclass's __init__ does, without its 22 keyword
    arguments (14 us a post) nor a dictionary of its own: set so, an object's attributes share
    their names with every object of its class and keep only the values (about 600 bytes less a
    post than a dictionary filled in one go, and half its 3 us). tests/test_loader.py holds the
    fields to Post's. `zone`: the repository's time zone, when the caller has it at hand."""
    data = doc.data
    get = data.get
    publish = times.resolve(data["publish_at"], zone or repo.timezone) if "publish_at" in data else None
    post = _new(Post)
    post.doc = doc
    post.id = get("id") or default_post_id(doc.path)
    post.title = data["title"]
    post.status = data["status"]
    post.platforms = list(data["platforms"])
    post.body = doc.body
    post.publish_at = publish.when if publish else None
    post.campaign = get("campaign")
    post.personas = get("personas", [])
    post.pillar = get("pillar")
    post.authors = get("authors", [])
    post.language = get("language")
    post.media = [_media(i, m) for i, m in enumerate(data["media"])] if "media" in data else []
    post.thread = get("thread")
    post.variants = _variants(data["variants"]) if "variants" in data else {}
    post.sponsored = get("sponsored", False)
    post.boost = get("boost")
    post.legal_review = get("legal_review", False)
    post.holiday_ok = get("holiday_ok", False)
    post.tags = get("tags", [])
    post.publish_time = publish
    post.renditions = {}
    post.path = doc.path
    repo.posts.append(post)


_new = object.__new__


def _media(index: int, item: dict) -> Media:
    return Media(path=item["path"], alt=item.get("alt", ""), kind=media_kind(item["path"], item.get("kind")),
                 cover=item.get("cover"), index=index)


def _variants(data: dict) -> dict:
    out = {}
    for platform, value in data.items():
        if isinstance(value, str):
            out[platform] = Variant(platform=platform, text=value)
        else:
            out[platform] = Variant(platform=platform, text=value.get("text"), thread=value.get("thread"),
                                    title=value.get("title"), content_warning=value.get("content_warning"),
                                    first_comment=value.get("first_comment"), structured=True)
    return out


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
