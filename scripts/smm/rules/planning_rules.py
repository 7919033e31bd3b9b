"""Planning rules: cadence, posting windows and spacing, campaign windows and budgets,
crisis freezes, on-duty coverage and public holidays."""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, time, timedelta
from operator import itemgetter

from .. import findings as F
from .. import planning, platforms


def _channels_doc(repo):
    return repo.strategy.docs.get("channels")


def _local_time_ahead(post, zone):
    """The local time of a draft or scheduled post with a time: one _upcoming may yield; else None."""
    if post.publish_at and post.status in ("draft", "scheduled"):
        return post.publish_at.astimezone(zone)
    return None


def _upcoming(repo):
    """(post, its local time) for each draft or scheduled post that goes out today or later."""
    start, zone = planning.today(repo), repo.timezone
    for post in repo.posts:
        moment = _local_time_ahead(post, zone)
        if moment is not None and moment.date() >= start:
            yield post, moment


def last_day_ahead(post, zone):
    """The last day _upcoming yields `post` (its own day), else None, in the repository's time
    `zone`. What the rules that look ahead from today (windows, holidays) find about a post is the
    same on every day up to that one, and nothing after it: the cache relies on it."""
    moment = _local_time_ahead(post, zone)
    return moment.date() if moment is not None else None


def cadence(repo):
    doc = _channels_doc(repo)
    if doc is None:
        return
    start, end = planning.horizon(repo)
    monday = start - timedelta(days=start.weekday())
    sunday = end + timedelta(days=6 - end.weekday())       # the last day of the last week counted
    counts, zone = defaultdict(int), repo.timezone
    for post in repo.posts:
        if post.publish_at and post.status in planning.COUNTED:
            day = post.publish_at.astimezone(zone).date()
            if monday <= day <= sunday:            # a year of posts, a few weeks counted
                for pid in post.platforms:
                    counts[(pid, day - timedelta(days=day.weekday()))] += 1
    for pid, channel in repo.strategy.channels.items():
        target = channel.get("posts_per_week")
        if not target:
            continue
        week = monday
        while week <= end:
            planned = counts[(pid, week)]
            if planned < target:
                iso = week.isocalendar()
                network = platforms.name(pid)
                yield F.make("cadence.under-target", doc.path, doc.value_at("channels", pid, "posts_per_week"),
                             f"week {iso.week} ({week:%d %b}–{week + timedelta(days=6):%d %b}): {planned} of "
                             f"{target} {network} posts planned", missing=target - planned, network=network)
            week += timedelta(days=7)


def windows(repo):
    held = {}             # platform -> (its windows, a maker of its findings, the rest of their message)
    for pid, found in repo.strategy.posting_windows.items():
        network = platforms.name(pid)
        held[pid] = (found, F.maker("cadence.window", platform=pid, network=network,
                                    windows="; ".join(window.label for window in found)),
                     f" is outside the {network} posting windows")
    if not held:
        return
    for post, moment in _upcoming(repo):
        for pid in post.platforms:
            if pid in held and not planning.in_windows(moment, held[pid][0]):
                _, finding, outside = held[pid]
                yield finding(post.path, post.doc.value_at("publish_at"), _day_and_clock(moment) + outside)


_DAYS = tuple(day.title() for day in planning.WEEKDAYS)      # Mon ... Sun


def _day_and_clock(moment) -> str:
    """The day and the clock as strftime's "%a %H:%M" writes them in the C locale smm runs in
    ("Fri 11:40"), in a third of its time: half the posts of a repository can be outside their
    platforms' windows."""
    return f"{_DAYS[moment.weekday()]} {moment.hour:02}:{moment.minute:02}"


def window_order(repo):
    """A posting window that ends before it starts holds no post at all (windows do not run past
    midnight)."""
    doc = _channels_doc(repo)
    if doc is None:
        return
    for pid, channel in repo.strategy.channels.items():
        for index, window in enumerate(planning.windows_as_written(channel)):
            start, end = planning.clock_minutes(window.get("from")), planning.clock_minutes(window.get("to"))
            if start is not None and end is not None and start > end:
                yield F.make("cadence.window-order", doc.path, doc.value_at("channels", pid, "windows", index, "to"),
                             f"the {platforms.name(pid)} window from {window['from'].strip()} to "
                             f"{window['to'].strip()} ends before it starts", platform=pid)


_SPACED = ("draft", "scheduled", "published")       # the posts spacing counts


def spacing(repo):
    least = {pid: hours for pid, channel in repo.strategy.channels.items()
             if (hours := (channel or {}).get("min_spacing_hours"))}
    if not least:
        return
    # seconds since the epoch: the time that really passes, also across a clock change (two times
    # in one zone subtract as the clock faces show them); one timeline, split by platform in order
    timeline = sorted([(post.publish_at.timestamp(), post.id, post) for post in repo.posts
                       if post.publish_at and post.status in _SPACED], key=_TIME_AND_ID)
    by_platform = {pid: [] for pid in least}
    for moment in timeline:
        for pid in moment[2].platforms:
            if pid in by_platform:
                by_platform[pid].append(moment)
    today = _today_bounds(planning.today(repo), repo.timezone)
    for pid, moments in by_platform.items():
        yield from _too_close(pid, least[pid], moments, today)


def _too_close(pid: str, hours, moments: list, today: tuple):
    """The spacing findings of one platform's timeline: a repository of a year's posts on a few
    platforms has thousands, so the pairs before today's are skipped in one search, and each
    finding's place and path are read from the document, not through a post's properties."""
    lower, upper, on_or_after = today
    network, least = platforms.name(pid), hours * 3600
    finding = F.maker("cadence.spacing", platform=pid, hours=hours, network=network)
    first = max(1, bisect_left(moments, lower, key=_TIME))        # the pairs whose later post may be ahead
    for (was, _, earlier), (now, _, later) in zip(moments[first - 1:], moments[first:]):
        if now - was < least and (now >= upper or on_or_after(later)):
            doc = later.doc
            yield finding(doc.path, doc.value_at("publish_at"),
                          f"{(now - was) / 3600:.1f} hours after {earlier.doc.path} on {network}")


_TIME_AND_ID = itemgetter(0, 1)         # a timeline's order (never comparing the posts themselves)
_TIME = itemgetter(0)


def _today_bounds(day, zone) -> tuple:
    """(lower, upper, on_or_after): a post whose time as a timestamp is `upper` or later goes out on
    `day` or later in `zone`, one before `lower` does not, and on_or_after(post) tells for those
    between, working the local date out (no two offsets of a zone differ by two days)."""
    start = datetime.combine(day, time(0), zone).timestamp()
    return start - 2 * 86400, start + 2 * 86400, lambda post: post.publish_at.astimezone(zone).date() >= day


def campaign_windows(repo):
    for post in repo.posts:
        campaign = repo.campaign_of(post)
        if not (campaign and post.publish_at and campaign.start and campaign.end) or post.status in ("idea", "cancelled"):
            continue
        day = planning.local(repo, post.publish_at).date()
        if not campaign.start <= day <= campaign.end:
            yield F.make("campaign.post-outside", post.path, post.doc.value_at("publish_at"),
                         f"{day} is outside campaign {campaign.slug} ({campaign.start} – {campaign.end})",
                         start=campaign.start, end=campaign.end)


def budgets(repo):
    spend = defaultdict(float)
    for post in repo.posts:
        if not post.boost or post.status == "cancelled":
            continue
        campaign = repo.campaign_of(post)
        where = post.doc.value_at("boost")
        if campaign is None or not campaign.budget:
            yield F.make("campaign.no-budget", post.path, where, "a boosted post outside any campaign with a budget")
            continue
        if post.boost["currency"] != campaign.budget["currency"]:
            yield F.make("campaign.currency", post.path, post.doc.value_at("boost", "currency"),
                         f"boost in {post.boost['currency']}, campaign budget in {campaign.budget['currency']}",
                         currency=campaign.budget["currency"])
            continue
        spend[(campaign.slug, None)] += post.boost["amount"]
        pid = post.boost.get("platform") or (post.platforms[0] if len(post.platforms) == 1 else None)
        if pid:
            spend[(campaign.slug, pid)] += post.boost["amount"]
    yield from _over_budget(repo, spend)


def _over_budget(repo, spend):
    for (slug, pid), amount in sorted(spend.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        campaign = repo.campaigns[slug]
        budget = campaign.budget
        limit = budget["total"] if pid is None else budget.get("platforms", {}).get(pid)
        if limit is None or amount <= limit:
            continue
        what = "total" if pid is None else platforms.name(pid)
        where = campaign.doc.value_at("budget", "total") if pid is None else \
            campaign.doc.value_at("budget", "platforms", pid)
        yield F.make("campaign.budget", campaign.path, where,
                     f"boosts add up to {budget['currency']} {amount:,.2f}, over the {what} budget of "
                     f"{budget['currency']} {limit:,.2f}", campaign=campaign.path)


def ended_campaigns(repo):
    today = planning.today(repo)
    for campaign in repo.campaigns.values():
        if not campaign.end or campaign.end >= today:
            continue
        left = [p for p in repo.posts if p.campaign == campaign.slug and p.status == "scheduled"]
        if left:
            yield F.make("campaign.ended", campaign.path, campaign.doc.value_at("end"),
                         f"the campaign ended on {campaign.end} with {len(left)} post(s) still scheduled: "
                         + ", ".join(p.id for p in left[:3]) + ("..." if len(left) > 3 else ""))


def freeze_definitions(repo):
    _, problems = planning.freezes(repo)
    doc = repo.strategy.docs.get("freezes")
    for index, key, detail in problems:
        yield F.make("freeze.invalid", doc.path, doc.value_at("freezes", index, key), f"freeze {key}: {detail}")


def freeze(repo):
    active, _ = planning.freezes(repo)
    for item in active:
        for post in planning.affected_by(repo, item):
            until = f"until {item.end.isoformat()}" if item.end else "with no end set"
            yield F.make("freeze.active", post.path, post.doc.value_at("publish_at"),
                         f"scheduled inside a publishing freeze (from {item.start.isoformat()}, {until})",
                         by=item.declared_by, reason=_sentence(item.reason))


def _sentence(text: str) -> str:
    """`text` ending as a sentence does, for a hint that goes on after it."""
    text = str(text).strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def coverage(repo):
    doc = repo.strategy.docs.get("team")
    if doc is None:
        return
    start, end = planning.horizon(repo)
    scheduled = defaultdict(list)
    for post in repo.posts:
        if post.publish_at and post.status == "scheduled":
            day = planning.local(repo, post.publish_at).date()
            if start <= day <= end:
                scheduled[day].append(post)
    day = start
    while day <= end:
        if not planning.on_duty(repo, day):
            if scheduled[day]:
                for post in scheduled[day]:
                    yield F.make("coverage.gap", post.path, post.doc.value_at("publish_at"),
                                 f"nobody is on duty on {day:%a %d %b %Y} to answer comments on this post",
                                 day=f"{day}")
            else:
                yield F.make("coverage.nobody", doc.path, doc.where("rota"),
                             f"nobody is on duty on {day:%a %d %b %Y}", day=f"{day}")
        day += timedelta(days=1)


def holidays(repo):
    for post, moment in _upcoming(repo):
        if post.holiday_ok:
            continue
        day = moment.date()
        found = planning.holidays_on(day, planning.markets_of(repo, post))
        if found:
            names = "; ".join(f"{name} ({market})" for market, name in found)
            yield F.make("calendar.holiday", post.path, post.doc.value_at("publish_at"), f"{day} is a public holiday: {names}")


RULES = [cadence, windows, window_order, spacing, campaign_windows, budgets, ended_campaigns, freeze_definitions,
         freeze, coverage, holidays]
