"""Planning commands: smm new, smm calendar, smm export, smm freeze; holidays and freezes on the site."""
from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from icalendar import Calendar

from conftest import check, run_smm, snapshot, write
from smm import planning
from smm.repository import load_repository
from smm.rules.planning_rules import _today_bounds
from smm.site.build import generate

TODAY = {"SMM_TODAY": "2026-11-22"}


def test_new_post_is_valid_and_never_overwrites(repo):
    result = run_smm("new", "post", "--title", "Þingvellir på vintern: 50% off?", "--platforms", "x,instagram",
                     "--at", "2026-12-03T09:30", "--campaign", "spring", "--language", "is", cwd=repo)
    assert result.returncode == 0, result.stderr
    path = "content/posts/2026/12/03-thingvellir-pa-vintern-50-off.md"
    assert f"created {path}" in result.stdout
    text = (repo / path).read_text("utf-8")
    assert 'title: "Þingvellir på vintern: 50% off?"' in text and 'publish_at: "2026-12-03T09:30:00+01:00"' in text
    check = run_smm("check", path, "--format", "json", cwd=repo)
    errors = [f for f in json.loads(check.stdout)["findings"] if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == ["media.instagram.required"]   # the scaffold is valid; Instagram wants media
    before = snapshot(repo)
    again = run_smm("new", "post", "--title", "Þingvellir på vintern: 50% off?", "--platforms", "x",
                    "--at", "2026-12-03T09:30", cwd=repo)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert snapshot(repo) == before


def test_new_campaign_and_persona_pass_check(repo):
    assert run_smm("new", "campaign", "--title", "Summer Trails", "--start", "2027-06-01", "--end", "2027-06-30",
                   "--budget", "2500", "--platforms", "instagram", cwd=repo).returncode == 0
    assert run_smm("new", "persona", "--title", "Festival Frida", "--goal", "Goes to every summer festival.",
                   cwd=repo).returncode == 0
    result = run_smm("check", "content/campaigns/summer-trails.md", "personas/festival-frida.md", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert "kind: paid" in (repo / "content/campaigns/summer-trails.md").read_text()


def test_new_rejects_bad_input_clearly(repo):
    assert "unknown platform" in run_smm("new", "post", "--title", "T", "--platforms", "twitter", cwd=repo).stderr
    assert "does not exist" in run_smm("new", "post", "--title", "T", "--campaign", "nope", cwd=repo).stderr
    result = run_smm("new", "post", "--title", "T", "--at", "tomorrow", cwd=repo)
    assert result.returncode == 2 and "--at tomorrow" in result.stderr


def test_calendar_filters_and_formats(sample):
    result = run_smm("calendar", "--from", "2026-12-07", "--to", "2026-12-13", "--platform", "tiktok",
                     "--format", "json", cwd=sample)
    posts = json.loads(result.stdout)["posts"]
    assert [p["id"] for p in posts] == ["2026-12-10-refill-week-video"]
    table = run_smm("calendar", "--campaign", "winter-refill-week", cwd=sample).stdout
    assert table.splitlines()[0].startswith("DATE") and "Winter Refill Week opens" in table
    rows = list(csv.DictReader(io.StringIO(run_smm("calendar", "--format", "csv", cwd=sample).stdout)))
    assert rows[0]["date"] == "2026-11-16" and {"title", "status", "platforms"} <= set(rows[0])
    ics = run_smm("calendar", "--from", "2026-12-01", "--to", "2026-12-31", "--format", "ics", cwd=sample).stdout
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == len(json.loads(run_smm("calendar", "--from", "2026-12-01", "--to", "2026-12-31",
                                                 "--format", "json", cwd=sample).stdout)["posts"])


def test_buffer_export_parses_back(sample, tmp_path):
    out = tmp_path / "buffer.csv"
    result = run_smm("export", "buffer", "--platform", "instagram", "--out", str(out), cwd=sample, env=TODAY)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert list(rows[0]) == ["Text", "Image URL", "Tags", "Posting Time"]
    first = rows[0]
    assert first["Posting Time"] == "2026-11-24 08:15"
    assert first["Image URL"] == "https://cdn.kelda.example/social/station-rotterdam-centraal.jpg"
    assert "utm_source=instagram&utm_medium=social" in first["Text"]
    assert "left out content/posts/2026/11/28-tap-in-ten-seconds.md: has a video" in result.stdout
    assert all(r["Posting Time"] >= "2026-11-22" for r in rows)


def test_hootsuite_export_moves_the_link_and_splits_at_350(repo, tmp_path):
    for i in range(351):
        day = 1 + i // 12
        write(repo, f"content/posts/2027/01/{day:02d}-p{i}.md",
              f"---\ntitle: P{i}\nstatus: scheduled\npublish_at: \"2027-01-{day:02d}T{8 + i % 12:02d}:05\"\n"
              f"platforms: [x]\n---\nPost {i} https://fixture.example/p{i}\n")
    write(repo, "content/posts/2027/01/01-odd-minute.md",
          "---\ntitle: Odd\nstatus: scheduled\npublish_at: \"2027-01-01T21:07\"\nplatforms: [x]\n---\nOdd\n")
    out = tmp_path / "x.csv"
    result = run_smm("export", "hootsuite", "--platform", "x", "--out", str(out), cwd=repo, env=TODAY)
    assert result.returncode == 0, result.stderr
    first, second = tmp_path / "x-1.csv", tmp_path / "x-2.csv"
    rows = list(csv.reader(first.open(encoding="utf-8", newline=""))) + \
        list(csv.reader(second.open(encoding="utf-8", newline="")))
    assert len(rows) == 351 and len(list(csv.reader(first.open(encoding="utf-8", newline="")))) == 350
    assert rows[0][0] == "01/01/2027 08:05" and rows[0][1] == "Post 0"
    assert rows[0][2].startswith("https://fixture.example/p0?utm_source=x&utm_medium=social")
    assert "21:07 is not on a 5-minute mark" in result.stdout


def test_export_never_overwrites_without_force(sample, tmp_path):
    out = tmp_path / "keep.csv"
    out.write_text("precious", "utf-8")
    result = run_smm("export", "buffer", "--platform", "x", "--out", str(out), cwd=sample, env=TODAY)
    assert result.returncode == 2 and out.read_text("utf-8") == "precious"
    assert run_smm("export", "buffer", "--platform", "x", "--out", str(out), "--force", cwd=sample,
                   env=TODAY).returncode == 0
    assert out.read_text("utf-8").startswith("Text,Image URL,Tags,Posting Time")


def test_export_writes_beside_nothing_of_the_users_and_says_what_it_cannot_write(sample, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    mine = exports / "out.csv.tmp"                  # a file of the user's, named like a temporary file
    mine.write_text("mine", "utf-8")
    out = exports / "out.csv"
    assert run_smm("export", "buffer", "--platform", "x", "--out", str(out), cwd=sample, env=TODAY).returncode == 0
    assert mine.read_text("utf-8") == "mine" and sorted(p.name for p in exports.iterdir()) == ["out.csv", "out.csv.tmp"]
    folder = run_smm("export", "buffer", "--platform", "x", "--out", str(exports), "--force", cwd=sample, env=TODAY)
    assert folder.returncode == 2 and "is not a file" in folder.stderr and "internal error" not in folder.stderr
    (tmp_path / "locked").mkdir(mode=0o500)
    locked = run_smm("export", "buffer", "--platform", "x", "--out", str(tmp_path / "locked" / "x.csv"), cwd=sample,
                     env=TODAY)
    if os.geteuid() != 0:                           # root writes anywhere
        assert locked.returncode == 2 and "cannot write" in locked.stderr and "internal error" not in locked.stderr


@pytest.mark.parametrize("date_format", ["%", "%Q %Y", "%d/%m/%Y", "%d/%m %H:%M", "%I:%M %d/%m/%Y"])
def test_hootsuite_export_refuses_a_date_format_that_loses_the_time(sample, tmp_path, date_format):
    out = tmp_path / "h.csv"
    result = run_smm("export", "hootsuite", "--platform", "x", "--out", str(out), "--date-format", date_format,
                     cwd=sample, env=TODAY)
    assert result.returncode == 2 and "--date-format" in result.stderr and not out.exists()


def test_freeze_command_lists_affected_posts(sample):
    write(sample, "strategy/freezes.yaml", "freezes:\n  - reason: 'Station contamination'\n    declared_by: saga-lind\n"
                                            "    from: '2026-12-07T00:00'\n    until: '2026-12-09T00:00'\n")
    result = run_smm("freeze", "--format", "json", cwd=sample)
    assert result.returncode == 1
    [freeze] = json.loads(result.stdout)["freezes"]
    assert [p["path"] for p in freeze["posts"]] == ["content/posts/2026/12/07-refill-week-map.md",
                                                     "content/posts/2026/12/08-refill-week-amsterdam-host.md"]
    check = run_smm("check", "--format", "json", cwd=sample, env=TODAY)
    assert check.returncode == 1
    assert sum(f["rule"] == "freeze.active" for f in json.loads(check.stdout)["findings"]) == 2


def test_home_page_shows_an_active_freeze(sample):
    write(sample, "strategy/freezes.yaml", "freezes:\n  - reason: 'Contaminated <water> at a station'\n"
                                            "    declared_by: saga-lind\n    from: '2026-11-21T10:00'\n")
    home = generate(sample, date(2026, 11, 22)).pages["index.md"]
    assert 'role="alert"' in home and "Publishing freeze in force" in home
    assert "Contaminated &lt;water&gt; at a station" in home and "until further notice" in home
    later = generate(sample, date(2026, 11, 20)).pages["index.md"]
    assert "Publishing freeze" not in later


def test_calendar_shows_public_holidays_of_the_markets(sample):
    page = generate(sample, date(2026, 11, 22)).pages["calendar/2026-12.md"]
    assert "Holiday: Christmas Day (GB, IS, NL, SE)" in page
    assert "International Azerbaijanis Solidarity Day (AZ)" in page


def test_on_duty_respects_rota_days_and_time_off(sample):
    repo = load_repository(sample)
    assert planning.on_duty(repo, date(2026, 12, 1)) == ["daan-visser"]           # a Tuesday
    assert planning.on_duty(repo, date(2026, 12, 5)) == ["bjork-sigurdsdottir"]   # a Saturday
    assert planning.on_duty(repo, date(2026, 12, 29)) == ["leyla-aliyeva"]        # Daan is away


ZONES = ["Pacific/Kiritimati", "Pacific/Niue", "Europe/Berlin", "America/Goose_Bay", "Asia/Kathmandu", "UTC",
         "America/Sitka", "Australia/Lord_Howe", "Pacific/Apia"]


@settings(max_examples=400, deadline=None)
@given(zone=st.sampled_from(ZONES), day=st.dates(date(1860, 1, 1), date(2040, 12, 31)),
       minutes=st.integers(-5 * 24 * 60, 5 * 24 * 60))
# clocks back from 00:01 to 23:01: at 03:30 UTC it is 23:30 on the 31st, after the 1st began
@example(zone="America/Goose_Bay", day=date(2009, 11, 1), minutes=3 * 60 + 30)
def test_the_spacing_rules_day_test_is_the_local_date(zone, day, minutes):
    """The spacing rule reports only on posts from today on, telling most of them by their
    timestamp alone: it must agree with the local date, whatever the zone's offsets did."""
    tz = ZoneInfo(zone)
    moment = (datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(minutes=minutes)).astimezone(tz)

    class Post:
        publish_at = moment
    lower, upper, on_or_after = _today_bounds(day, tz)
    stamp = moment.timestamp()
    # as the rule takes them: the posts before `lower` skipped in one search, those from `upper` on
    # kept, the local date worked out for those between
    assert (stamp >= lower and (stamp >= upper or on_or_after(Post))) == (moment.date() >= day)


@pytest.mark.parametrize("text, minutes", [
    ("00:00", 0), ("08:30", 510), ("23:59", 1439), ("24:00", 1440),
    ("20:00\n", 1200),                  # a block scalar's line break: the schema's "$" takes it too
    ("24:30", None), ("25:00", None), ("8:30", None), ("08:60", None), (" 08:00", None), ("08:00\n\n", None),
    ("١٢:٠٠", None), (None, None), (800, None),
])
def test_clock_times_of_posting_windows_read_as_the_schema_takes_them(text, minutes):
    from smm.planning import clock_minutes
    assert clock_minutes(text) == minutes


def test_the_strategy_reads_each_channels_posting_windows_once_and_leaves_out_channels_without():
    from smm.model import Strategy
    strategy = Strategy(channels={
        "x": {"windows": [{"days": ["mon", "tue"], "from": "08:00", "to": "24:00"}, "not a window"]},
        "bluesky": {"windows": [{"days": ["funday"], "from": "08:00", "to": "20:00"}]},   # no day reads
        "mastodon": {}, "tiktok": "not a channel"})
    windows = strategy.posting_windows
    assert list(windows) == ["x"]
    assert [(sorted(w.days), w.start, w.end, w.label) for w in windows["x"]] == [
        (["mon", "tue"], 480, 1439, "mon/tue 08:00–24:00")]
    assert strategy.posting_windows is windows          # worked out once, not for every chunk of posts


def test_the_calendar_feed_takes_a_brand_name_written_over_two_lines(sample):
    settings = sample / "strategy" / "settings.yaml"
    settings.write_text(settings.read_text("utf-8").replace("brand: Kelda", 'brand: "Kelda\\nRefill"'), "utf-8")
    result = run_smm("calendar", "--format", "ics", cwd=sample)
    assert result.returncode == 0, result.stderr
    assert Calendar.from_ical(result.stdout)["X-WR-CALNAME"] == "Kelda Refill social media calendar"


@pytest.mark.parametrize("args, says", [
    (["post", "--title", ""], '"title": must not be empty'),
    (["post", "--title", "x" * 201], '"title": is 201 characters; at most 200 allowed'),
    (["post", "--title", "T", "--language", "not a language"], '"language"'),
    (["post", "--title", "T", "--slug", "Bad Slug"], "--slug 'Bad Slug'"),
    (["campaign", "--title", ""], '"title": must not be empty'),
    (["persona", "--title", "P", "--slug", "p_1"], "--slug 'p_1'"),
])
def test_new_writes_nothing_its_schema_would_reject(repo, args, says):
    before = snapshot(repo)
    result = run_smm("new", *args, cwd=repo)
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert snapshot(repo) == before


def _scheduled(day_and_time: str, slug: str, status: str = "scheduled") -> tuple[str, str]:
    path = f"content/posts/{day_and_time[:4]}/{day_and_time[5:7]}/{day_and_time[8:10]}-{slug}.md"
    return path, (f"---\ntitle: {slug}\nstatus: {status}\npublish_at: \"{day_and_time}\"\n"
                  f"platforms: [x]\n---\nCopy {slug}\n")


def test_the_cadence_counts_the_weeks_from_this_monday_to_the_sunday_after_the_horizon(repo, monkeypatch):
    """Today Wednesday 25 November, a horizon of four weeks (to Tuesday 22 December): the weeks
    counted start on Monday 23 November and Monday 21 December; a post on the Sunday before the
    first or the Monday after the last counts toward no week, one on their first or last day does."""
    write(repo, "strategy/channels.yaml", "channels:\n  x: {handle: \"@fixture\", posts_per_week: 1}\n")
    for when, slug in [("2026-11-22T23:30", "sunday-before"), ("2026-11-23T00:30", "first-monday"),
                       ("2026-12-27T23:30", "last-sunday"), ("2026-12-28T00:30", "monday-after")]:
        write(repo, *_scheduled(when, slug))
    monkeypatch.setenv("SMM_TODAY", "2026-11-25")
    under = [f.message for f in check(repo) if f.rule == "cadence.under-target"]
    assert [message.split(" (")[0] for message in under] == ["week 49", "week 50", "week 51"]
    assert all("0 of 1" in message for message in under)


def test_a_day_with_nobody_on_duty_lists_its_scheduled_posts_only_within_the_horizon(repo, monkeypatch):
    write(repo, "strategy/team.yaml", "people:\n  - {handle: ben, name: Ben, roles: [community-manager]}\n"
                                      "rota:\n  - {handle: ben, from: \"2026-11-26\", to: \"2026-12-22\"}\n")
    for when, slug in [("2026-11-25T12:00", "today"), ("2026-12-23T12:00", "after-the-horizon"),
                       ("2026-11-24T12:00", "yesterday")]:
        write(repo, *_scheduled(when, slug))
    monkeypatch.setenv("SMM_TODAY", "2026-11-25")
    gaps = [f.path for f in check(repo) if f.rule == "coverage.gap"]
    assert gaps == ["content/posts/2026/11/25-today.md"]


def test_every_repeat_of_a_post_id_names_the_first_post_that_has_it(repo):
    for day in ("01", "02", "03"):
        write(repo, f"content/posts/2026/12/{day}-p.md",
              f"---\nid: same\ntitle: P{day}\nstatus: draft\nplatforms: [x]\n---\nCopy {day}\n")
    repeats = [(f.path, f.message) for f in check(repo) if f.rule == "post.id-duplicate"]
    assert repeats == [(f"content/posts/2026/12/{day}-p.md", 'post id "same" is also used by content/posts/2026/12/01-p.md')
                       for day in ("02", "03")]


def test_a_window_finding_writes_the_day_and_clock_as_strftime_does():
    from smm.rules.planning_rules import _day_and_clock
    start = datetime(2027, 3, 1, 0, 0)
    for step in range(0, 7 * 24 * 60, 97):        # every weekday, hours and minutes of all kinds
        moment = start + timedelta(minutes=step)
        assert _day_and_clock(moment) == moment.strftime("%a %H:%M")


@pytest.mark.parametrize("reason, written", [("Water test failed", "Water test failed."), ("Paused.", "Paused."),
                                             ("Why? ", "Why?"), ("Hold…", "Hold…")])
def test_a_freeze_reason_ends_as_a_sentence_before_the_hint_goes_on(reason, written):
    from smm.rules.planning_rules import _sentence
    assert _sentence(reason) == written
