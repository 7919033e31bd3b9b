"""Page bodies: home, strategy data, personas, campaigns and one page per post."""
from __future__ import annotations

import calendar as pycal
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta

from .. import links
from ..posting import render
from .html import block, esc, href, meter, platform_icons, platform_name, status_badge

UPCOMING_DAYS = 7
PERSONA_UPCOMING = 25      # a persona page lists the next posts for it; the calendar has the rest
DUE_SOON_DAYS = 14


@dataclass
class Context:
    """What every generated page reads: the repository, today, and the findings by file."""

    repo: object
    today: date
    findings: dict

    def local(self, moment):
        return moment.astimezone(self.repo.timezone)

    def dated(self):
        return self._by_day[1]

    @cached_property
    def _by_day(self) -> tuple[list, list]:
        """(local day of each dated post, the posts), in time order: local days never go backwards."""
        posts = sorted((p for p in self.repo.posts if p.publish_at), key=lambda p: (p.publish_at, p.id))
        return [self.local(p.publish_at).date() for p in posts], posts

    def between(self, start: date, end: date, statuses=None):
        days, posts = self._by_day
        found = posts[bisect_left(days, start):bisect_right(days, end)]
        return found if statuses is None else [p for p in found if p.status in statuses]


def page_title(title: str, wide: bool = False, post: bool = False, searchable: bool = True) -> str:
    """Markdown front matter giving a page its (escaped) title.
    A wide page hides the side navigation and table of contents (the calendar grid needs the room);
    a post page uses the post template. Post and month pages stay out of the search index (its
    cost grows with every post); posts are found by title through campaign and persona pages."""
    hide = "hide:\n  - navigation\n  - toc\n" if wide else ""
    extra = "template: post.html\n" if post else ""
    if post or not searchable:
        extra += "search:\n  exclude: true\n"
    return "---\ntitle: " + _yaml_quote(esc(title)) + "\n" + hide + extra + "---\n\n"


HTML_MARK = "<!-- smm:html -->\n"     # a page whose body is finished HTML: the hook skips Markdown for it


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def post_row(ctx, post, here: str, when: str = "%a %d %b %H:%M", pillar: bool = False) -> str:
    """One post in a list or a calendar cell: local time, platforms, title, status (and pillar)."""
    if post.publish_at:
        moment = ctx.local(post.publish_at)
        time_html = f'<time datetime="{esc(moment.isoformat())}" class="smm-time">{esc(moment.strftime(when))}</time>'
    else:
        time_html = '<span class="smm-time">no date</span>'
    pillar_html = f' <span class="smm-pillar">{esc(post.pillar)}</span>' if pillar and post.pillar else ""
    return (f'<li class="smm-entry smm-entry--{esc(post.status)}">{time_html} {platform_icons(post.platforms)} '
            f'<a href="{esc(href(here, f"posts/{post.id}.md"))}">{esc(post.title)}</a> {status_badge(post.status)}'
            f"{pillar_html}</li>")


def post_list(ctx, posts, here: str, empty: str) -> str:
    if not posts:
        return f'<p class="smm-empty">{esc(empty)}</p>'
    return '<ul class="smm-list">' + "".join(post_row(ctx, p, here) for p in posts) + "</ul>"


# ---- home -------------------------------------------------------------------------------

def home(ctx) -> str:
    here, repo, today = "index.md", ctx.repo, ctx.today
    brand = repo.strategy.settings.get("brand", "Our")
    upcoming = ctx.between(today, today + timedelta(days=UPCOMING_DAYS - 1), ("scheduled", "published"))
    due = ctx.between(today, today + timedelta(days=DUE_SOON_DAYS - 1), ("draft", "idea"))
    return page_title("Home") + f"# {esc(brand)} social media handbook\n\n" + block(
        freeze_banner(ctx),
        f'<p class="smm-asof">As of {today:%A %d %B %Y} ({esc(repo.timezone.key)}).</p>',
        f"<h2>Going out in the next {UPCOMING_DAYS} days</h2>",
        post_list(ctx, upcoming, here, "Nothing is scheduled for the next seven days."),
        f"<h2>Drafts due in the next {DUE_SOON_DAYS} days</h2>",
        post_list(ctx, due, here, "No drafts are due soon."),
        "<h2>This month against the cadence</h2>", cadence_table(ctx),
        "<h2>Active campaigns</h2>", active_campaigns(ctx, here),
        f'<p><a href="{href(here, "calendar/index.md")}">Open the calendar</a> or subscribe to '
        f'<a href="{href(here, "calendar.ics")}">calendar.ics</a> in your calendar app.</p>')


def freeze_banner(ctx) -> str:
    """Every freeze in force on the build day, at the top of the home page."""
    from datetime import datetime, time
    from .. import planning
    start = datetime.combine(ctx.today, time(0), ctx.repo.timezone)
    end = datetime.combine(ctx.today, time(23, 59), ctx.repo.timezone)
    active = [f for f in planning.freezes(ctx.repo)[0]
              if f.start <= end and (f.end is None or f.end > start)]
    out = []
    for item in active:
        stopped = len(planning.affected_by(ctx.repo, item))
        until = f"until {ctx.local(item.end):%a %d %b %H:%M}" if item.end else "until further notice"
        out.append(f'<div class="smm-freeze" role="alert"><p><strong>Publishing freeze in force</strong> '
                   f'{esc(until)}, declared by {esc(item.declared_by)}.</p><p>{esc(item.reason)}</p>'
                   f"<p>{stopped} scheduled post(s) inside it are blocked; see the crisis chapter.</p></div>")
    return "".join(out)


def cadence_table(ctx) -> str:
    first = ctx.today.replace(day=1)
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    posts = [p for p in ctx.between(first, last) if p.status != "cancelled"]
    channels = ctx.repo.strategy.channels
    rows = []
    for pid in sorted(set(channels) | {pid for p in posts for pid in p.platforms}):
        planned = sum(1 for p in posts if pid in p.platforms)
        weekly = (channels.get(pid) or {}).get("posts_per_week")
        target = round(weekly * last.day / 7) if weekly is not None else None
        state = "no target" if target is None else ("on target" if planned >= target else f"{target - planned} short")
        rows.append(f"<tr><th scope=\"row\">{esc(platform_name(pid))}</th><td>{planned}</td>"
                    f"<td>{'' if target is None else target}</td><td>{esc(state)}</td></tr>")
    return (f'<table class="smm-table"><caption>Posts planned in {first:%B %Y} per platform, '
            f'against posts a week × weeks in the month</caption><thead><tr><th scope="col">Platform</th>'
            f'<th scope="col">Planned</th><th scope="col">Target</th><th scope="col">Status</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def active_campaigns(ctx, here: str) -> str:
    active = [c for c in ctx.repo.campaigns.values()
              if c.start and c.end and c.start <= ctx.today <= c.end and c.status != "cancelled"]
    if not active:
        return '<p class="smm-empty">No campaign is running today.</p>'
    items = "".join(f'<li><a href="{esc(href(here, f"campaigns/{c.slug}.md"))}">{esc(c.title)}</a> '
                    f'({esc(c.kind)}, {c.start:%d %b} – {c.end:%d %b %Y}): {esc(c.goal)}</li>'
                    for c in sorted(active, key=lambda c: c.start))
    return f'<ul class="smm-list">{items}</ul>'


# ---- strategy data ----------------------------------------------------------------------

def strategy_data(repo, chapter: str) -> str:
    tables = {"pillars": _pillars_table, "channels": _channels_table, "team": _team_table,
              "objectives": _objectives_table}
    make = tables.get(chapter)
    if make is None:
        return ""
    return block(f'<h2 id="data">From strategy/{esc(chapter)}.yaml</h2>', make(repo))


def _table(caption: str, headers, rows) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (f'<table class="smm-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _pillars_table(repo) -> str:
    rows = [[esc(p["name"]), f'<code>{esc(p["id"])}</code>', esc(f"{p['share']:.0%}" if "share" in p else ""),
             esc(p["description"])] for p in repo.strategy.pillars]
    return _table("Content pillars", ["Pillar", "Id", "Target share", "What belongs here"], rows)


def _channels_table(repo) -> str:
    rows = []
    for pid, ch in repo.strategy.channels.items():
        windows = "; ".join(f"{'/'.join(w['days'])} {w['from']}–{w['to']}" for w in ch.get("windows", []))
        rows.append([platform_icons([pid]) + " " + esc(platform_name(pid)), esc(ch["handle"]),
                     esc(ch.get("posts_per_week", "")), esc(ch.get("min_spacing_hours", "")), esc(windows)])
    return _table("Channels, cadence and posting windows (repository timezone)",
                  ["Channel", "Handle", "Posts a week", "Min. hours apart", "Windows"], rows)


def _team_table(repo) -> str:
    rows = [[esc(p["name"]), f'<code>@{esc(p["handle"])}</code>', esc(", ".join(p["roles"])),
             esc(", ".join(p.get("markets", []))), esc(", ".join(p.get("areas", [])))] for p in repo.strategy.people]
    rota = [[esc(r["handle"]), esc(r["from"]), esc(r["to"]), esc(", ".join(r.get("days", [])) or "every day")]
            for r in repo.strategy.team.get("rota", [])]
    return _table("People and roles", ["Name", "GitHub", "Roles", "Markets", "Owns"], rows) + \
        (_table("On-duty rota", ["Who", "From", "To", "Days"], rota) if rota else "")


def _objectives_table(repo) -> str:
    rows = [[esc(o["title"]), esc(k["metric"]), esc(k.get("baseline", "")), esc(k["target"]),
             esc(k.get("platform", "all")), esc(k.get("by", ""))]
            for o in repo.strategy.objectives for k in o["kpis"]]
    return _table("Objectives and KPI targets", ["Objective", "KPI", "Baseline", "Target", "Platform", "By"], rows)


# ---- personas and campaigns -------------------------------------------------------------

def _body(text: str) -> str:
    """Team-written Markdown, with raw HTML neutralised."""
    return text.replace("&", "&amp;").replace("<", "&lt;").strip() + "\n\n"


def personas(ctx) -> dict:
    here = "personas/index.md"
    items = "".join(f'<li><a href="{esc(href(here, f"personas/{s}.md"))}">{esc(p.name)}</a>: {esc(p.summary)}</li>'
                    for s, p in sorted(ctx.repo.personas.items()))
    out = {here: page_title("Personas") + "# Personas\n\n" + block(f'<ul class="smm-list">{items}</ul>')}
    for slug, persona in ctx.repo.personas.items():
        out[f"personas/{slug}.md"] = persona_page(ctx, slug, persona)
    return out


def persona_page(ctx, slug, persona) -> str:
    here, data = f"personas/{slug}.md", persona.data
    facts = [("Age", data.get("age")), ("Markets", ", ".join(data.get("markets", []))),
             ("Languages", ", ".join(data.get("languages", []))), ("Quote", data.get("quote"))]
    lists = [("Goals", data.get("goals")), ("Pains", data.get("pains")), ("Content that works", data.get("content"))]
    campaigns = [c for c in ctx.repo.campaigns.values() if slug in c.personas]
    upcoming = [p for p in ctx.dated() if slug in p.personas and ctx.local(p.publish_at).date() >= ctx.today
                and p.status != "cancelled"]
    return page_title(persona.name) + f"# {esc(persona.name)}\n\n" + block(
        f'<p class="smm-lead">{esc(persona.summary)}</p>',
        "<dl class=\"smm-facts\">" + "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in facts if v) + "</dl>",
        f'<p>Platforms: {platform_icons(data.get("platforms", []))}</p>',
        *[f"<h2>{k}</h2><ul>" + "".join(f"<li>{esc(i)}</li>" for i in v) + "</ul>" for k, v in lists if v],
    ) + _body(persona.body) + block(
        "<h2>Campaigns for this persona</h2>",
        ('<ul class="smm-list">' + "".join(f'<li><a href="{esc(href(here, f"campaigns/{c.slug}.md"))}">'
                                          f'{esc(c.title)}</a></li>' for c in campaigns) + "</ul>")
        if campaigns else '<p class="smm-empty">No campaign targets this persona.</p>',
        "<h2>Upcoming posts for this persona</h2>",
        post_list(ctx, upcoming[:PERSONA_UPCOMING], here, "No upcoming post targets this persona."),
        _more(len(upcoming) - PERSONA_UPCOMING, here))


def _more(count: int, here: str) -> str:
    if count <= 0:
        return ""
    return (f'<p class="smm-more">And {count} more in the '
            f'<a href="{esc(href(here, "calendar/index.md"))}">calendar</a>.</p>')


def campaigns(ctx) -> dict:
    here = "campaigns/index.md"
    rows = [[f'<a href="{esc(href(here, f"campaigns/{c.slug}.md"))}">{esc(c.title)}</a>', esc(c.kind),
             esc(c.status), esc(f"{c.start} – {c.end}"), esc(_budget_text(c))]
            for c in sorted(ctx.repo.campaigns.values(), key=lambda c: (c.start or ctx.today, c.slug))]
    out = {here: page_title("Campaigns") + "# Campaigns\n\n" +
           block(_table("All campaigns", ["Campaign", "Kind", "Status", "Dates", "Budget"], rows))}
    for campaign in ctx.repo.campaigns.values():
        out[f"campaigns/{campaign.slug}.md"] = campaign_page(ctx, campaign)
    return out


def _budget_text(campaign) -> str:
    budget = campaign.budget
    return f"{budget['currency']} {budget['total']:,.0f}" if budget else "no spend"


def campaign_page(ctx, campaign) -> str:
    here = f"campaigns/{campaign.slug}.md"
    posts = [p for p in ctx.repo.posts if p.campaign == campaign.slug]
    posts.sort(key=lambda p: (p.publish_at is None, p.publish_at or 0, p.id))
    budget = campaign.budget or {}
    split = [[esc(platform_name(k)), esc(f"{budget['currency']} {v:,.0f}")] for k, v in budget.get("platforms", {}).items()]
    kpis = [[esc(k["metric"]), esc(k["target"]), esc(k.get("platform", "all")), esc(k.get("note", ""))]
            for k in campaign.kpis]
    facts = [("Goal", campaign.goal), ("Kind", campaign.kind), ("Status", campaign.status),
             ("Dates", f"{campaign.start:%d %B %Y} – {campaign.end:%d %B %Y}" if campaign.start and campaign.end else ""),
             ("Budget", _budget_text(campaign)), ("Owner", campaign.owner), ("Objective", campaign.objective),
             ("Legal review", "required" if campaign.legal_review else "")]
    personas_html = ", ".join(f'<a href="{esc(href(here, f"personas/{s}.md"))}">{esc(ctx.repo.personas[s].name)}</a>'
                              for s in campaign.personas if s in ctx.repo.personas)
    return page_title(campaign.title) + f"# {esc(campaign.title)}\n\n" + block(
        "<dl class=\"smm-facts\">" + "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in facts if v) + "</dl>",
        f"<p>Channels: {platform_icons(campaign.platforms)}</p>" if campaign.platforms else "",
        f"<p>Personas: {personas_html}</p>" if personas_html else "",
        _table("Budget per platform", ["Platform", "Budget"], split) if split else "",
        _table("KPI targets", ["KPI", "Target", "Platform", "Note"], kpis) if kpis else "",
    ) + _body(campaign.body) + block(
        "<h2>Timeline</h2>",
        '<ol class="smm-timeline">' + "".join(post_row(ctx, p, here) for p in posts) + "</ol>"
        if posts else '<p class="smm-empty">No posts yet.</p>')


# ---- one page per post ------------------------------------------------------------------

def post_page(ctx, post) -> str:
    here, repo = f"posts/{post.id}.md", ctx.repo
    campaign = repo.campaign_of(post)
    moment = ctx.local(post.publish_at) if post.publish_at else None
    facts = [("Status", status_badge(post.status)),
             ("Goes out", esc(f"{moment:%A %d %B %Y, %H:%M} ({repo.timezone.key})") if moment else "no date yet"),
             ("Campaign", f'<a href="{esc(href(here, f"campaigns/{campaign.slug}.md"))}">{esc(campaign.title)}</a>'
              if campaign else esc(post.campaign or "")),
             ("Personas", ", ".join(f'<a href="{esc(href(here, f"personas/{s}.md"))}">{esc(repo.personas[s].name)}</a>'
                                    if s in repo.personas else esc(s) for s in post.personas)),
             ("Pillar", esc(post.pillar or "")), ("Language", esc(post.language or "")),
             ("Authors", esc(", ".join(post.authors))), ("File", f"<code>{esc(post.path)}</code>")]
    moment_day = ctx.local(post.publish_at) if post.publish_at else None
    back = [f'<a href="{esc(href(here, "index.md"))}">Home</a>',
            f'<a href="{esc(href(here, f"calendar/{moment_day:%Y-%m}.md"))}">{moment_day:%B %Y} calendar</a>'
            if moment_day else f'<a href="{esc(href(here, "calendar/index.md"))}">Calendar</a>']
    if campaign:
        back.append(f'<a href="{esc(href(here, f"campaigns/{campaign.slug}.md"))}">{esc(campaign.title)}</a>')
    return page_title(post.title, post=True) + HTML_MARK + block(
        f'<nav class="smm-back" aria-label="Back to the handbook">{" · ".join(back)}</nav>',
        f"<h1>{esc(post.title)}</h1>",
        '<dl class="smm-facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts if v) + "</dl>",
        _findings(ctx.findings.get(post.path, [])),
        *[_platform_section(ctx, post, pid, here) for pid in post.platforms])


def _platform_section(ctx, post, pid, here) -> str:
    rendition = render(post, pid, ctx.repo)
    parts = []
    for index, part in enumerate(rendition.parts):
        label = f'<p class="smm-part">Part {index + 1} of {len(rendition.parts)}</p>' if rendition.is_thread else ""
        parts.append(f'{label}<div class="smm-copy" lang="{esc(post.language or "")}">{esc(part.text)}</div>'
                     f"<p>{meter(part.length, part.limit)}</p>")
    extras = [f"<p><strong>Title:</strong> {esc(rendition.title)}</p>" if rendition.title else "",
              f"<p><strong>Content warning:</strong> {esc(rendition.content_warning)}</p>"
              if rendition.content_warning else "",
              f"<p><strong>First comment:</strong> {esc(rendition.first_comment)}</p>" if rendition.first_comment else ""]
    urls = sorted({link.url for part in rendition.parts for link in links.http_links(part.text)})
    return (f'<section class="smm-platform-copy"><h2>{platform_icons([pid])} {esc(platform_name(pid))}</h2>'
            + "".join(extras) + "".join(parts) + _media(rendition.media, here)
            + ("<h3>Links</h3><ul>" + "".join(f"<li><code>{esc(u)}</code></li>" for u in urls) + "</ul>" if urls else "")
            + "</section>")


def _media(media, here) -> str:
    if not media:
        return ""
    items = []
    for m in media:
        src = esc(href(here, m.path))
        shown = (f'<img src="{src}" alt="{esc(m.alt)}" loading="lazy" width="240">' if m.kind != "video"
                 else f'<video src="{src}" controls preload="none" width="240" aria-label="{esc(m.alt)}"></video>')
        items.append(f"<figure>{shown}<figcaption><strong>Alt text:</strong> {esc(m.alt) or 'none'}</figcaption></figure>")
    return '<div class="smm-media">' + "".join(items) + "</div>"


def _findings(findings) -> str:
    if not findings:
        return '<p class="smm-ok">✓ No findings: <code>smm check</code> passes for this post.</p>'
    items = "".join(f'<li class="smm-finding smm-finding--{esc(f.severity)}"><strong>{esc(f.severity)}</strong> '
                    f"<code>{esc(f.rule)}</code> line {f.line}: {esc(f.message)}<br><em>{esc(f.hint)}</em></li>"
                    for f in sorted(findings))
    return f'<h2>Findings</h2><ul class="smm-findings">{items}</ul>'
