"""The platform table (data/platforms.yaml), loaded once and checked against its schema."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from . import DATA as PACKAGE_DATA
from . import counting, schemas
from .loader import load_yaml

DATA = PACKAGE_DATA / "platforms.yaml"
IDS = ("x", "bluesky", "mastodon", "threads", "linkedin", "instagram", "facebook", "tiktok", "youtube", "pinterest")


@dataclass(frozen=True)
class Platform:
    """A platform as data/platforms.yaml describes it: its limits, how it counts, its sources."""

    id: str
    spec: dict

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def text_limit(self) -> int:
        return self.spec["text"]["limit"]

    @property
    def counting(self) -> str:
        return self.spec["text"]["counting"]

    @property
    def has_threads(self) -> bool:
        return bool(self.spec.get("thread"))

    @cached_property
    def copy_limits(self) -> tuple:
        """(text limit, an upper bound of the count, the count, byte limit, hashtag limit) of a piece
        of copy, looked up once: every post is checked against them on each of its platforms."""
        return (self.text_limit, counting.CEILINGS[self.counting], counting.COUNTERS[self.counting],
                self.section("text").get("bytes_limit"), self.section("hashtags").get("limit"))

    @cached_property
    def media_needed(self) -> str:
        """What media a post needs on the platform: "none", "image", "video" or "any"."""
        return self.section("media").get("requires", "none")

    @cached_property
    def title_required(self) -> bool:
        """Whether a post on the platform needs a title (YouTube's videos do)."""
        return bool(self.section("title").get("required"))

    def section(self, name: str) -> dict:
        return self.spec.get(name) or {}


@lru_cache(maxsize=4)
def load(path: str = str(DATA)) -> tuple[dict, tuple]:
    """(platform id -> Platform, findings about the table itself)."""
    file = Path(path)
    doc = load_yaml(file, _display(file))
    problems = list(doc.findings)
    if doc.ok:
        problems += schemas.validate(doc, "platforms", schemas.SCHEMA_DIR.parent)
    if problems:
        return {}, tuple(problems)
    return {pid: Platform(pid, spec) for pid, spec in doc.data.items()}, ()


def _display(file: Path) -> str:
    parts = file.resolve().parts
    return "/".join(parts[parts.index("scripts"):]) if "scripts" in parts else file.name


_TABLE: dict = {}            # the shipped table, once loaded: looked up for every post on each of its platforms


def table() -> dict:
    if not _TABLE:
        _TABLE.update(load()[0])
    return _TABLE


def get(platform_id: str) -> Platform | None:
    return (_TABLE or table()).get(platform_id)


def name(platform_id: str) -> str:
    """The platform's display name ("X", "LinkedIn"), or its id when the table does not know it."""
    platform = get(platform_id)
    return platform.name if platform else platform_id
