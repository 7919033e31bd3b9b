"""Planning facts derived from the strategy: today, the horizon, windows, holidays, who is on duty, freezes."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from . import holidaytables, times

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTED = ("draft", "scheduled", "published")       # posts that count toward the cadence


def today(repo) -> date:
    """SMM_TODAY (YYYY-MM-DD) when set, so checks and builds can be reproduced; else today locally."""
    value = os.environ.get("SMM_TODAY")
    return date.fromisoformat(value) if value else datetime.now(repo.timezone).date()


def horizon(repo, start: date | None = None) -> tuple[date, date]:
    start = start or today(repo)
    weeks = repo.strategy.settings.get("planning_horizon_weeks", 4)
    return start, start + timedelta(days=7 * weeks - 1)


def local(repo, moment: datetime) -> datetime:
    return moment.astimezone(repo.timezone)


@dataclass(frozen=True)
class Window:
    """A posting window of a channel (channels.yaml), read once: its days, its first and last minute
    of the day (both within it) and how it is written."""

    days: frozenset
    start: int
    end: int
    label: str           # "mon/tue 08:00–20:00"


def windows_as_written(channel) -> list[dict]:
    """A channel's windows, each a mapping ({} for an item that is not one: the schema reports it)."""
    windows = channel.get("windows") if isinstance(channel, dict) else None
    return [window if isinstance(window, dict) else {} for window in windows] if isinstance(windows, list) else []


def posting_windows(windows: list[dict]) -> tuple[Window, ...]:
    """The windows with days and times that read ("24:00" is the end of the day); the schema reports
    the others, which no post is held to."""
    found = []
    for window in windows:
        days = window.get("days")
        days = [day for day in days if day in WEEKDAYS] if isinstance(days, list) else []
        start, end = clock_minutes(window.get("from")), clock_minutes(window.get("to"))
        if days and start is not None and end is not None:
            label = f"{'/'.join(days)} {window['from'].strip()}–{window['to'].strip()}"
            found.append(Window(frozenset(days), start, min(end, 24 * 60 - 1), label))
    return tuple(found)


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|(24):(00)")     # channels.schema.json's times


def clock_minutes(text) -> int | None:
    """Minutes since midnight of "HH:MM" (00:00 to 24:00), else None; with a final line break too,
    as the schema's pattern takes it ("$" matches before one)."""
    match = _CLOCK.fullmatch(text.removesuffix("\n")) if isinstance(text, str) else None
    if match is None:
        return None
    hours, minutes = match[1] or match[3], match[2] or match[4]
    return int(hours) * 60 + int(minutes)


def in_windows(moment: datetime, windows: tuple[Window, ...]) -> bool:
    day, clock = WEEKDAYS[moment.weekday()], moment.hour * 60 + moment.minute
    for window in windows:         # a loop, not any() over a generator: asked for each post and platform
        if day in window.days and window.start <= clock <= window.end:
            return True
    return False


@lru_cache(maxsize=64)
def _holidays(market: str, year: int) -> dict:
    return holidaytables.table(market, year)


def holidays_on(day: date, markets) -> list[tuple[str, str]]:
    """(market, holiday name) for each market with a public holiday on `day`."""
    found = []
    for market in sorted(markets):
        name = _holidays(market, day.year).get(day)
        if name:
            found.append((market, name))
    return found


def markets_of(repo, post) -> list[str]:
    campaign = repo.campaign_of(post)
    if campaign and campaign.markets:
        return list(campaign.markets)
    by_language = repo.strategy.settings.get("language_markets", {})
    language = post.language or repo.strategy.settings.get("default_language")
    if language in by_language:
        return by_language[language]
    if language and language.split("-")[0] in by_language:
        return by_language[language.split("-")[0]]
    return list(repo.strategy.settings.get("markets", []))


def on_duty(repo, day: date) -> list[str]:
    team = repo.strategy.team
    away = {t["handle"] for t in team.get("time_off", [])
            if date.fromisoformat(t["from"]) <= day <= date.fromisoformat(t["to"])}
    duty = []
    for entry in team.get("rota", []):
        if not (date.fromisoformat(entry["from"]) <= day <= date.fromisoformat(entry["to"])):
            continue
        if entry.get("days") and WEEKDAYS[day.weekday()] not in entry["days"]:
            continue
        if entry["handle"] not in away:
            duty.append(entry["handle"])
    return sorted(set(duty))


@dataclass(frozen=True)
class Freeze:
    """A crisis freeze (strategy/freezes.yaml): from when, until when and on which platforms
    nothing scheduled goes out."""

    index: int
    reason: str
    declared_by: str
    start: datetime
    end: datetime | None
    platforms: tuple

    def covers(self, moment: datetime, platforms) -> bool:
        if moment < self.start or (self.end is not None and moment >= self.end):
            return False
        return not self.platforms or bool(set(platforms) & set(self.platforms))

    def active_on(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)


def freezes(repo) -> tuple[list[Freeze], list[tuple[int, str, str]]]:
    """The freezes that parse, and (index, key, problem) for those that do not."""
    out, problems = [], []
    for i, item in enumerate(repo.strategy.freezes):
        start = times.resolve(item["from"], repo.timezone)
        end = times.resolve(item["until"], repo.timezone) if item.get("until") else None
        if start.when is None:
            problems.append((i, "from", start.detail))
            continue
        if end is not None and end.when is None:
            problems.append((i, "until", end.detail))
            continue
        out.append(Freeze(i, item["reason"], item["declared_by"], start.when, end.when if end else None,
                          tuple(item.get("platforms", []))))
    return out, problems


def affected_by(repo, freeze: Freeze) -> list:
    return [p for p in repo.posts if p.status == "scheduled" and p.publish_at
            and freeze.covers(p.publish_at, p.platforms)]
