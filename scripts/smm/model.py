"""The model every output reads: posts, campaigns, personas and the strategy."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .loader import Document

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")         # a file's name: lowercase letters, digits and hyphens
POST_PATH = re.compile(rf"^content/posts/(\d{{4}})/(\d{{2}})/(\d{{2}})-({SLUG.pattern})\.md$")
IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
VIDEO_EXT = {".mp4", ".mov", ".webm", ".m4v"}
GIF_EXT = {".gif"}


@dataclass
class Media:
    """A media file a post names: its path, its alt text, its kind and, for a video, its cover."""

    path: str
    alt: str = ""
    kind: str = "image"
    cover: str | None = None
    index: int = 0


@dataclass
class Variant:
    """The copy of a post on one platform."""

    platform: str
    text: str | None = None
    thread: list[str] | None = None
    title: str | None = None
    content_warning: str | None = None
    first_comment: str | None = None
    structured: bool = False


@dataclass
class Post:
    """A post as its file says it (content/posts/YYYY/MM/DD-slug.md): the front matter's fields
    and its body, the copy every platform posts unless a variant says otherwise."""

    doc: Document
    id: str
    title: str
    status: str
    platforms: list[str]
    body: str
    publish_at: datetime | None = None
    campaign: str | None = None
    personas: list[str] = field(default_factory=list)
    pillar: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    media: list[Media] = field(default_factory=list)
    thread: list[str] | None = None
    variants: dict[str, Variant] = field(default_factory=dict)
    sponsored: bool = False
    boost: dict | None = None
    legal_review: bool = False
    holiday_ok: bool = False
    tags: list[str] = field(default_factory=list)
    publish_time: object = None    # times.PublishTime, kept for the time rules
    renditions: dict = field(default_factory=dict, repr=False, compare=False)   # platform -> Rendition

    def __post_init__(self):
        # the document's path, kept as the post's own attribute (not a field), as repository._post
        # and slim.from_row set it too: the rules read it tens of thousands of times a check
        self.path = self.doc.path


@dataclass
class Campaign:
    """A campaign (content/campaigns/slug.md): its kind, goal, dates, budget and brief."""

    doc: Document
    slug: str
    title: str
    kind: str
    goal: str
    start: date | None
    end: date | None
    body: str = ""
    status: str = "planned"
    objective: str | None = None
    platforms: list[str] = field(default_factory=list)
    personas: list[str] = field(default_factory=list)
    pillars: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    owner: str | None = None
    legal_review: bool = False
    budget: dict | None = None
    kpis: list[dict] = field(default_factory=list)
    utm_campaign: str | None = None

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass
class Persona:
    """A persona (personas/slug.md): who the team writes for."""

    doc: Document
    slug: str
    name: str
    summary: str
    body: str = ""
    data: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass
class Strategy:
    """The structured parts of strategy/: settings, pillars, channels, team, objectives."""

    settings: dict = field(default_factory=dict)
    pillars: list[dict] = field(default_factory=list)
    channels: dict = field(default_factory=dict)
    team: dict = field(default_factory=dict)
    objectives: list[dict] = field(default_factory=list)
    approvals: dict = field(default_factory=dict)
    freezes: list[dict] = field(default_factory=list)
    docs: dict = field(default_factory=dict)     # file stem -> Document
    chapters: list[Path] = field(default_factory=list)
    voice: list = field(default_factory=list)    # the brand voice rules of strategy/voice (voice.py)

    @cached_property
    def voice_screen(self):
        """A test that is false only for copy no voice rule can match (voice.screen)."""
        from .voice import screen
        return screen(self.voice)

    @cached_property
    def brand_domains(self) -> tuple:
        """The brand's domains (settings.yaml): links to them are tagged (links.py). Read once."""
        return tuple(self.settings.get("domains", []))

    @cached_property
    def posting_windows(self) -> dict:
        """Platform id -> the posting windows of its channel that read, for the channels with any:
        worked out once, not for every chunk of posts a check hands out (planning.posting_windows)."""
        from .planning import posting_windows, windows_as_written
        found = {pid: posting_windows(windows_as_written(spec)) for pid, spec in self.channels.items()}
        return {pid: windows for pid, windows in found.items() if windows}

    @property
    def timezone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.settings.get("timezone") or "UTC")
        except (ValueError, KeyError, OSError):
            return ZoneInfo("UTC")

    @property
    def people(self) -> list[dict]:
        return self.team.get("people", [])


@dataclass
class Repository:
    """Everything smm read from one repository: the strategy, the posts, campaigns and personas,
    and the findings loading them gave."""

    root: Path
    strategy: Strategy
    posts: list[Post] = field(default_factory=list)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    findings: list = field(default_factory=list)
    invalid: set = field(default_factory=set)      # (kind, slug) of files that exist but failed their schema
    located: dict = field(default_factory=dict, repr=False)   # media path -> media.Located, per load
    regular_files: set = field(default_factory=set, repr=False)    # listed as plain regular files (markdown_files)

    @property
    def timezone(self) -> ZoneInfo:
        return self.strategy.timezone

    def campaign_of(self, post: Post) -> Campaign | None:
        return self.campaigns.get(post.campaign) if post.campaign else None


def media_kind(path: str, declared: str | None) -> str:
    if declared:
        return declared
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_EXT:
        return "video"
    if suffix in GIF_EXT:
        return "gif"
    return "image"


def default_post_id(relpath: str) -> str:
    match = POST_PATH.match(relpath)
    if match:
        year, month, day, slug = match.groups()
        return f"{year}-{month}-{day}-{slug}"
    stem = Path(relpath).stem.lower()
    return re.sub(r"[^a-z0-9-]+", "-", stem).strip("-") or "post"
