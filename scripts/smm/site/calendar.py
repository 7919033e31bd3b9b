"""The calendar: a page per month with a week-by-week grid (Monday first, ISO weeks) and a list by week."""
from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from datetime import date, timedelta

from .html import block, esc, href, status_badge
from .pages import HTML_MARK, page_title, post_row

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NAV_BEFORE, NAV_AFTER = 1, 3


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months(ctx) -> list[date]:
    """Every month from the first dated post (or today) to the last, without gaps."""
    this = ctx.today.replace(day=1)
    dated = [ctx.local(p.publish_at).date().replace(day=1) for p in ctx.dated()]
    first, last = min(dated + [this]), max(dated + [this])
    out, month = [], first
    while month <= last:
        out.append(month)
        month = _add_months(month, 1)
    return out


def nav_months(ctx, all_months) -> list[date]:
    this = ctx.today.replace(day=1)
    low, high = _add_months(this, -NAV_BEFORE), _add_months(this, NAV_AFTER)
    return [m for m in all_months if low <= m <= high]


def by_day(ctx, start: date, end: date) -> dict:
    days = defaultdict(list)
    for post in ctx.between(start, end):
        days[ctx.local(post.publish_at).date()].append(post)
    return days


def _weeks(month: date) -> list[list[date]]:
    first = month - timedelta(days=month.weekday())
    last_day = month.replace(day=pycal.monthrange(month.year, month.month)[1])
    weeks, day = [], first
    while day <= last_day:
        weeks.append([day + timedelta(days=i) for i in range(7)])
        day += timedelta(days=7)
    return weeks


def grid(ctx, month: date, here: str) -> str:
    weeks = _weeks(month)
    days = by_day(ctx, weeks[0][0], weeks[-1][-1])
    head = '<th scope="col">Week</th>' + "".join(f'<th scope="col"><abbr title="{d}">{d[:3]}</abbr></th>'
                                                  for d in WEEKDAYS)
    rows = []
    for week in weeks:
        cells = [f'<th scope="row">W{week[0].isocalendar().week:02d}</th>']
        for day in week:
            classes = ["smm-day"] + (["smm-day--outside"] if day.month != month.month else []) + \
                      (["smm-day--today"] if day == ctx.today else [])
            today_label = ' <span class="smm-today">today</span>' if day == ctx.today else ""
            posts = "".join(post_row(ctx, p, here, "%H:%M", pillar=True) for p in days.get(day, []))
            cells.append(f'<td class="{" ".join(classes)}"><span class="smm-daynum">{day.day}{today_label}</span>'
                         + holiday_note(ctx, day)
                         + (f'<ul class="smm-entries">{posts}</ul>' if posts else "") + "</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="smm-calendar-wrap"><table class="smm-calendar"><caption>{month:%B %Y}, week by week '
            f"(times in {esc(ctx.repo.timezone.key)})</caption><thead><tr>{head}</tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def holiday_note(ctx, day: date) -> str:
    """Public holidays of the strategy's markets on `day`, named with their markets."""
    from .. import planning
    found = planning.holidays_on(day, ctx.repo.strategy.settings.get("markets", []))
    if not found:
        return ""
    names = {}
    for market, name in found:
        names.setdefault(name, []).append(market)
    text = "; ".join(f"{name} ({', '.join(markets)})" for name, markets in names.items())
    return f'<span class="smm-holiday"><span aria-hidden="true">⚑</span> Holiday: {esc(text)}</span>'


def week_list(ctx, month: date, here: str) -> str:
    out = []
    for week in _weeks(month):
        posts = ctx.between(week[0], week[-1])
        iso = week[0].isocalendar()
        title = f"Week {iso.week}, {week[0]:%d %b} – {week[-1]:%d %b %Y}"
        body = ('<ul class="smm-list">' + "".join(post_row(ctx, p, here, "%a %d %H:%M", pillar=True) for p in posts)
                + "</ul>") if posts \
            else '<p class="smm-empty">Nothing planned.</p>'
        out.append(f'<h3 id="week-{iso.year}-{iso.week:02d}">{esc(title)}</h3>{body}')
    return "".join(out)


def month_nav(month: date, all_months, here: str, where: str = "top") -> str:
    index = all_months.index(month)
    prev = all_months[index - 1] if index > 0 else None
    nxt = all_months[index + 1] if index + 1 < len(all_months) else None
    links = [f'<a href="{href(here, f"calendar/{prev:%Y-%m}.md")}" rel="prev">← {prev:%B %Y}</a>' if prev else "",
             f'<a href="{href(here, "calendar/index.md")}">All months</a>',
             f'<a href="{href(here, f"calendar/{nxt:%Y-%m}.md")}" rel="next">{nxt:%B %Y} →</a>' if nxt else ""]
    return (f'<nav class="smm-month-nav" aria-label="Months ({where} of page)">' + " · ".join(l for l in links if l)
            + "</nav>")


def legend() -> str:
    return ('<p class="smm-legend">Status: ' + " ".join(status_badge(s) for s in
            ("idea", "draft", "scheduled", "published", "cancelled")) + "</p>")


def month_page(ctx, month: date, all_months) -> str:
    here = f"calendar/{month:%Y-%m}.md"
    return page_title(f"{month:%B %Y}", wide=True, searchable=False) + HTML_MARK + block(f"<h1>{month:%B %Y}</h1>",
        month_nav(month, all_months, here), legend(), grid(ctx, month, here),
        "<h2>By week</h2>", week_list(ctx, month, here), month_nav(month, all_months, here, "bottom"))


def index_page(ctx, all_months) -> str:
    here = "calendar/index.md"
    rows = []
    for month in reversed(all_months):
        last = month.replace(day=pycal.monthrange(month.year, month.month)[1])
        posts = [p for p in ctx.between(month, last) if p.status != "cancelled"]
        counts = defaultdict(int)
        for p in posts:
            counts[p.status] += 1
        detail = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing planned"
        rows.append(f'<li><a href="{href(here, f"calendar/{month:%Y-%m}.md")}">{month:%B %Y}</a>: {esc(detail)}</li>')
    return page_title("Calendar") + "# Calendar\n\n" + block(
        f'<p>Subscribe in your calendar app: <a href="{href(here, "calendar.ics")}">calendar.ics</a>.</p>',
        '<ul class="smm-list">' + "".join(rows) + "</ul>")
