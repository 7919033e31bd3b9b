"""The handbook site: generation without MkDocs, a strict MkDocs build, escaping, the .ics feed."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from icalendar import Calendar

from conftest import PROJECT, write
from smm.site.build import generate

TODAY = date(2026, 11, 22)
HOSTILE_TITLE = '<script>alert("title")</script> & "quotes"'
HOSTILE_BODY = ('<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold** {{ config }}\n\n'
                '</div><script>alert(3)</script>')


def hostile_post(root: Path) -> None:
    write(root, "content/posts/2026/11/24-hostile.md",
          f"---\ntitle: '{HOSTILE_TITLE}'\nstatus: scheduled\npublish_at: \"2026-11-24T10:00\"\n"
          f"platforms: [x, instagram]\nmedia: [{{path: media/photo.jpg, alt: '\"><script>alert(4)</script>'}}]\n---\n"
          f"{HOSTILE_BODY}\n")


def test_generation_is_deterministic(sample):
    first, second = generate(sample, TODAY), generate(sample, TODAY)
    assert first.pages == second.pages and first.files == second.files and first.nav == second.nav


def test_home_lists_the_next_seven_days_and_active_campaigns(sample):
    home = generate(sample, TODAY).pages["index.md"]
    assert "Stockholm stations, winter opening hours" in home        # 23 November
    assert "Teaser, a lid you open with gloves on" in home           # 26 November
    assert "Trail Flask launch day" not in home                      # 30 November: day 9
    assert "Kelda Trail Flask launch" not in home                    # starts 30 November
    later = generate(sample, date(2026, 12, 8)).pages["index.md"]
    assert "Winter Refill Week" in later and "Kelda Trail Flask launch" in later


def test_drafts_due_soon_appear_on_home(sample):
    home = generate(sample, date(2026, 12, 10)).pages["index.md"]
    assert "Refill Week, the total" in home and "Drafts due" in home


def test_calendar_month_has_iso_weeks_monday_first_and_entries(sample):
    site = generate(sample, TODAY)
    page = site.pages["calendar/2026-12.md"]
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in page.split("<tbody>")[0].split("Week</th>")[1][:60]
    assert '<th scope="row">W49</th>' in page and '<th scope="row">W53</th>' in page
    assert "Refill Week, the total" in page and "smm-entry--draft" in page
    assert "Draft</span>" in page                        # status as text, not colour alone
    assert 'href="../posts/2026-12-07-refill-week-map.html"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page


def test_per_post_pages_are_out_of_the_navigation(sample):
    site = generate(sample, TODAY)
    flat = repr(site.nav)
    assert "posts/" not in flat
    assert "posts/2026-11-30-trail-flask-launch-day.md" in site.pages


def test_post_page_shows_copy_per_platform_with_length_and_alt_text(sample):
    page = generate(sample, TODAY).pages["posts/2026-11-30-trail-flask-launch-day.md"]
    assert "utm_source=bluesky" in page and "/ 300" in page and "/ 280" in page
    assert "Alt text:</strong> The Kelda Trail Flask in a test chamber" in page
    assert "No findings" in page


def test_hostile_post_is_escaped_everywhere(sample):
    hostile_post(sample)
    site = generate(sample, TODAY)
    for uri, page in site.pages.items():
        assert "<script>alert" not in page, uri
        assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), uri
        assert 'href="javascript:' not in page, uri
    page = site.pages["posts/2026-11-24-hostile.md"]
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "\n\n" not in page.split("<h1>")[1].rstrip("\n")  # one raw HTML block: Markdown never parses copy


def test_strategy_chapters_and_data_tables(sample):
    site = generate(sample, TODAY)
    assert site.pages["strategy/channels.md"].startswith("# Channels and posting cadence")
    assert "From strategy/channels.yaml" in site.pages["strategy/channels.md"]
    assert "Saga Lind" in site.pages["strategy/team.md"] and "On-duty rota" in site.pages["strategy/team.md"]
    titles = [list(item)[0] for item in site.nav[1]["Strategy"]]
    assert titles[:3] == ["Kelda social media handbook", "Brand identity and value proposition", "Target audiences"]


def test_personas_show_their_campaigns_and_upcoming_posts(sample):
    page = generate(sample, TODAY).pages["personas/host-hrafn.md"]
    assert "Winter Refill Week" in page and "What a refill station does for a café" in page
    for day in range(1, 31):
        write(sample, f"content/posts/2026/12/{day:02d}-more.md",
              f"---\ntitle: More {day}\nstatus: draft\nplatforms: [x]\npublish_at: \"2026-12-{day:02d}T09:00\"\n"
              "personas: [host-hrafn]\n---\nCopy.\n")
    page = generate(sample, TODAY).pages["personas/host-hrafn.md"]
    assert page.count('class="smm-entry') == 25 and "more in the" in page


def test_campaign_page_has_budget_kpis_and_timeline(sample):
    page = generate(sample, TODAY).pages["campaigns/trail-flask-launch.md"]
    assert "EUR 18,000" in page and "EUR 9,000" in page and "roas" in page
    assert page.index("Trail Flask launch day") < page.index("Trail Flask, last week of the launch offer")


def test_ics_feed_parses_with_stable_uids(sample):
    hostile_post(sample)
    data = generate(sample, TODAY).files["calendar.ics"]
    assert data == generate(sample, TODAY).files["calendar.ics"]
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) and "2026-11-30-trail-flask-launch-day@handbook.kelda.example" in uids
    hostile = next(e for e in events if str(e["UID"]).startswith("2026-11-24-hostile"))
    assert str(hostile["SUMMARY"]).startswith(HOSTILE_TITLE)
    assert hostile.decoded("DTSTART").isoformat() == "2026-11-24T09:00:00+00:00"


def mkdocs_build(root: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SMM_TODAY": TODAY.isoformat(),
           "PYTHONPATH": str(PROJECT / "scripts")}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          capture_output=True, text=True, env=env, timeout=300)


def test_mkdocs_strict_build_of_the_sample(sample, tmp_path):
    result = mkdocs_build(sample, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = tmp_path / "site"
    for path in ["index.html", "calendar/2026-11.html", "posts/2026-11-30-trail-flask-launch-day.html",
                 "calendar.ics", "media/trail-flask-abisko.jpg", "strategy/crisis.html"]:
        assert (site / path).is_file(), path


def test_feed_made_in_the_background_is_the_feed(sample, tmp_path, monkeypatch):
    """With many posts the hook has the feed made while MkDocs renders; the file is the same."""
    monkeypatch.setenv("SMM_PARALLEL_FROM", "1")
    result = mkdocs_build(sample, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "calendar.ics").read_bytes() == generate(sample, TODAY).files["calendar.ics"]


def test_built_site_loads_nothing_from_other_hosts(sample, tmp_path):
    assert mkdocs_build(sample, tmp_path / "site").returncode == 0
    import re
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text("utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|video|source)\b[^>]*>", text):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), (page, tag)


def test_mkdocs_build_escapes_a_hostile_post(sample, tmp_path):
    hostile_post(sample)
    result = mkdocs_build(sample, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text("utf-8")
        assert "<script>alert" not in text, page
        assert "<img src=x onerror" not in text, page
    title = (tmp_path / "site" / "posts" / "2026-11-24-hostile.html").read_text("utf-8").split("<title>")[1]
    assert title.startswith("&lt;script&gt;")
