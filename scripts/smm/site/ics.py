"""The calendar feed: an iCalendar (RFC 5545) file of every dated post, built with `icalendar`.

UIDs are the post id at the site's host, DTSTAMP is the post's own time, and
events are sorted, so the same content always gives the same bytes.
"""
from __future__ import annotations

from datetime import timedelta, timezone
from urllib.parse import urlsplit

from .html import platform_name

EVENT_LENGTH = timedelta(minutes=15)
STATUS = {"scheduled": "CONFIRMED", "published": "CONFIRMED", "draft": "TENTATIVE", "idea": "TENTATIVE",
          "cancelled": "CANCELLED"}


def _host(repo) -> str:
    url = repo.strategy.settings.get("site_url") or ""
    return (urlsplit(url).hostname or "smm.invalid").lower()


def calendar(repo) -> bytes:
    """Every dated post."""
    return calendar_for(repo, [p for p in repo.posts if p.publish_at])


def calendar_for(repo, posts) -> bytes:
    from icalendar import Calendar     # imported here: a build makes the feed in a background process

    host = _host(repo)
    base = (repo.strategy.settings.get("site_url") or "").rstrip("/")
    cal = Calendar()
    cal.add("prodid", "-//smm//social media calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    brand = " ".join(str(repo.strategy.settings.get("brand", "Social")).split())    # a property's value is one line
    cal.add("x-wr-calname", f"{brand} social media calendar")
    cal.add("x-wr-timezone", repo.timezone.key)
    for post in sorted((p for p in posts if p.publish_at), key=lambda p: (p.publish_at, p.id)):
        cal.add_component(_event(post, host, base))
    return cal.to_ical()


def _event(post, host: str, base: str):
    from icalendar import Event

    start = post.publish_at.astimezone(timezone.utc)
    event = Event()
    event.add("uid", f"{post.id}@{host}")
    event.add("dtstamp", start)
    event.add("dtstart", start)
    event.add("dtend", start + EVENT_LENGTH)
    event.add("summary", f"{post.title} ({', '.join(platform_name(p) for p in post.platforms)})")
    event.add("status", STATUS.get(post.status, "TENTATIVE"))
    event.add("categories", [post.status] + ([post.pillar] if post.pillar else []))
    description = f"Status: {post.status}\nPlatforms: {', '.join(post.platforms)}\nFile: {post.path}\n\n{post.body.strip()}"
    event.add("description", description)
    if base:
        event.add("url", f"{base}/posts/{post.id}.html")
    return event
