"""References between documents resolve: campaigns, personas, pillars, people, objectives."""
from __future__ import annotations

from .. import findings as F


def _known(names) -> str:
    names = sorted(names)
    return ", ".join(names) if names else "(none defined yet)"


def _ref(rule, doc, path, value, known, what):
    if value in known:
        return []
    return [F.make(rule, doc.path, doc.value_at(*path), f'{what} "{value}" does not exist',
                   value=value, known=_known(known))]


def post_references(repo):
    pillars = {p["id"] for p in repo.strategy.pillars}
    people = {p["handle"] for p in repo.strategy.people}
    for post in repo.posts:
        doc = post.doc
        if post.campaign and ("campaign", post.campaign) not in repo.invalid:
            yield from _ref("ref.campaign", doc, ("campaign",), post.campaign, repo.campaigns, "campaign")
        for i, slug in enumerate(post.personas):
            if ("persona", slug) not in repo.invalid:
                yield from _ref("ref.persona", doc, ("personas", i), slug, repo.personas, "persona")
        if post.pillar and repo.strategy.pillars:
            yield from _ref("ref.pillar", doc, ("pillar",), post.pillar, pillars, "pillar")
        if repo.strategy.people:
            for i, handle in enumerate(post.authors):
                yield from _ref("ref.author", doc, ("authors", i), handle, people, "author")


def campaign_references(repo):
    pillars = {p["id"] for p in repo.strategy.pillars}
    people = {p["handle"] for p in repo.strategy.people}
    objectives = {o["id"] for o in repo.strategy.objectives}
    for campaign in repo.campaigns.values():
        doc = campaign.doc
        for i, slug in enumerate(campaign.personas):
            if ("persona", slug) not in repo.invalid:
                yield from _ref("ref.persona", doc, ("personas", i), slug, repo.personas, "persona")
        if repo.strategy.pillars:
            for i, pillar in enumerate(campaign.pillars):
                yield from _ref("ref.pillar", doc, ("pillars", i), pillar, pillars, "pillar")
        if campaign.owner and repo.strategy.people:
            yield from _ref("ref.author", doc, ("owner",), campaign.owner, people, "owner")
        if campaign.objective and repo.strategy.objectives:
            yield from _ref("ref.objective", doc, ("objective",), campaign.objective, objectives, "objective")


def approval_roles(repo):
    doc = repo.strategy.docs.get("approvals")
    if doc is None or not repo.strategy.people:
        return
    held = {role for person in repo.strategy.people for role in person["roles"]}
    for i, rule in enumerate(repo.strategy.approvals.get("rules", [])):
        for j, role in enumerate(rule["require"]["roles"]):
            if role not in held:
                yield F.make("approvals.role-unheld", doc.path, doc.value_at("rules", i, "require", "roles", j),
                             f'approval rule "{rule["id"]}" needs a {role}, but nobody in strategy/team.yaml is one')


RULES = [post_references, campaign_references, approval_roles]
