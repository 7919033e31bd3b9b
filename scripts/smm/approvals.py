"""Approval rules: which changes need which roles, and whether a pull request has them.

The rules are data (strategy/approvals.yaml); the people and roles come from
strategy/team.yaml. GitHub supplies the changed files and the reviews.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .github import GitHubError

COUNTED_STATES = {"APPROVED", "CHANGES_REQUESTED", "DISMISSED"}   # a COMMENTED review changes nothing


@dataclass
class Change:
    """A file a pull request changes, and what the approval rules need to know of it."""

    path: str
    status: str                      # added | modified | removed | renamed ...
    kind: str | None = None          # post | campaign | None
    paid: bool = False
    legal_review: bool = False


@dataclass
class Outcome:
    """One approval rule applied to a pull request: the files it covers, who approved, whether it
    is met and, if not, what is missing."""

    rule: dict
    files: list
    met: bool
    approvers: list
    missing: str = ""


@dataclass
class Review:
    """The approvals of a pull request that count, and those left out, with why."""

    approvers: set = field(default_factory=set)
    ignored: list = field(default_factory=list)      # (login, why)


@lru_cache(maxsize=256)
def glob_pattern(glob: str) -> re.Pattern:
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def matches(path: str, globs) -> bool:
    return any(glob_pattern(g.lstrip("/")).match(path) for g in globs)


def describe_changes(repo, files: list[dict]) -> list[Change]:
    """Changed files with the facts the rules need, read from the pull request's head (the checkout)."""
    posts = {p.path: p for p in repo.posts}
    campaigns = {c.path: c for c in repo.campaigns.values()}
    changes = []
    for item in files:
        path, status = item["filename"], item["status"]
        change = Change(path=path, status=status)
        if path in posts:
            post = posts[path]
            campaign = repo.campaign_of(post)
            change.kind = "post"
            change.paid = bool(post.boost or post.sponsored or (campaign and campaign.kind == "paid"))
            change.legal_review = bool(post.legal_review or (campaign and campaign.legal_review))
        elif path in campaigns:
            campaign = campaigns[path]
            change.kind, change.paid, change.legal_review = "campaign", campaign.kind == "paid", campaign.legal_review
        elif path.startswith("content/posts/"):
            change.kind = "post"
        elif path.startswith("content/campaigns/"):
            change.kind = "campaign"
        changes.append(change)
        if item.get("previous_filename"):
            changes.append(Change(path=item["previous_filename"], status="renamed-from", kind=change.kind))
    return changes


def applies(rule: dict, change: Change) -> bool:
    when = rule["when"]
    if "paths" in when and not matches(change.path, when["paths"]):
        return False
    if "kinds" in when and change.kind not in when["kinds"]:
        return False
    if "paid" in when and change.paid != when["paid"]:
        return False
    if "legal_review" in when and change.legal_review != when["legal_review"]:
        return False
    return True


def effective_reviews(reviews: list, head_sha: str, excluded: set, team_handles: set) -> Review:
    """Latest review per reviewer; only approvals of the head commit, by others than the authors, count."""
    latest = {}
    for review in reviews:
        login = ((review.get("user") or {}).get("login") or "").lower()
        if login and review.get("state") in COUNTED_STATES:
            latest[login] = review
    result = Review()
    for login, review in sorted(latest.items()):
        if review["state"] != "APPROVED":
            if review["state"] == "DISMISSED":
                result.ignored.append((login, "review dismissed"))
            continue
        if review.get("commit_id") != head_sha:
            result.ignored.append((login, "approved an older commit (stale)"))
        elif login in excluded:
            result.ignored.append((login, "approved their own change"))
        elif login not in team_handles:
            result.ignored.append((login, "not in strategy/team.yaml"))
        else:
            result.approvers.add(login)
    return result


def evaluate(rule: dict, files: list, approvers: set, people: list) -> Outcome:
    require = rule["require"]
    roles_of = {p["handle"].lower(): set(p["roles"]) for p in people}
    holders = {role: sorted(h for h, rs in roles_of.items() if role in rs) for role in require["roles"]}
    if require.get("mode", "any") == "any":
        wanted = require.get("count", 1)
        counted = sorted(a for a in approvers if roles_of.get(a, set()) & set(require["roles"]))
        missing = "" if len(counted) >= wanted else (
            f"needs {wanted - len(counted)} more approval(s) from a {' or '.join(require['roles'])}"
            f" ({', '.join(sorted({h for r in require['roles'] for h in holders[r]})) or 'nobody has the role'})")
        return Outcome(rule, files, not missing, counted, missing)
    counted, used, gaps = [], set(), []
    for role in require["roles"]:
        candidates = sorted(a for a in approvers if role in roles_of.get(a, set()) and a not in used)
        if candidates:
            used.add(candidates[0])
            counted.append(candidates[0])
        else:
            gaps.append(f"a {role} ({', '.join(holders[role]) or 'nobody has the role'})")
    missing = ("needs approval from " + " and ".join(gaps)) if gaps else ""
    return Outcome(rule, files, not missing, counted, missing)


def check_pull_request(client, number: int, repo) -> dict:
    pull = client.pull_request(number)
    try:
        head_sha = pull["head"]["sha"]
        author = pull["user"]["login"].lower()
    except (KeyError, TypeError):
        raise GitHubError("the pull request answer has no head.sha or user.login") from None
    files = _shaped(client.pull_files(number), ("filename", "status"), "files")
    reviews = _shaped(client.pull_reviews(number), ("state",), "reviews")
    commits = _shaped(client.pull_commits(number), ("sha",), "commits")
    policy, people = repo.strategy.approvals, repo.strategy.people
    excluded = set() if policy.get("self_approval") else {author} | _commit_authors(commits)
    review = effective_reviews(reviews, head_sha, excluded, {p["handle"].lower() for p in people})
    changes = describe_changes(repo, files)
    outcomes = []
    for rule in policy.get("rules", []):
        hit = sorted({c.path for c in changes if applies(rule, c)})
        if hit:
            outcomes.append(evaluate(rule, hit, review.approvers, people))
    return {"pull_request": number, "head_sha": head_sha, "author": author, "outcomes": outcomes,
            "approvers": sorted(review.approvers), "ignored": review.ignored, "files": len(files)}


def _commit_authors(commits: list) -> set:
    out = set()
    for commit in commits:
        for key in ("author", "committer"):
            login = (commit.get(key) or {}).get("login")
            if login and login.lower() != "web-flow":
                out.add(login.lower())
    return out


def _shaped(items: list, keys, what: str) -> list:
    for item in items:
        if not isinstance(item, dict) or any(k not in item for k in keys):
            raise GitHubError(f"the pull request's {what} answer is not in the documented shape")
    return items
