"""`smm approvals --pr N`: fetch, evaluate, report. Exit 0 only when every triggered rule is met."""
from __future__ import annotations

import json
import os
import sys

from . import report
from .approvals import check_pull_request
from .github import GitHubClient, GitHubError

EXIT_OK, EXIT_MISSING, EXIT_ERROR = 0, 1, 2


def run(repo, args) -> int:
    try:
        client = GitHubClient(os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                              os.environ.get("GITHUB_TOKEN"), args.repo)
        result = check_pull_request(client, args.pr, repo)
    except GitHubError as error:
        sys.stderr.write(f"smm approvals: {error}\nNo decision was made: the check fails closed.\n")
        return EXIT_ERROR
    met = all(o.met for o in result["outcomes"])
    if args.format == "json":
        json.dump(_as_json(result, met), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(as_text(result, met))
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        report.write_summary(os.environ["GITHUB_STEP_SUMMARY"], as_markdown(result, met))
    return EXIT_OK if met else EXIT_MISSING


def _as_json(result, met) -> dict:
    return {"pull_request": result["pull_request"], "head_sha": result["head_sha"], "approved": met,
            "approvers": result["approvers"],
            "ignored": [{"login": login, "why": why} for login, why in result["ignored"]],
            "rules": [{"id": o.rule["id"], "met": o.met, "approvers": o.approvers, "missing": o.missing,
                       "files": o.files} for o in result["outcomes"]]}


def as_text(result, met) -> str:
    safe = report.printable
    lines = [f"Pull request #{result['pull_request']} at {result['head_sha'][:12]}: "
             f"{'all required approvals present' if met else 'approvals missing'}"]
    if not result["outcomes"]:
        lines.append("  no approval rule applies to the changed files")
    for o in result["outcomes"]:
        mark = "ok     " if o.met else "MISSING"
        lines.append(f"  {mark} {o.rule['id']}: {safe(o.rule.get('description', ''))}")
        lines.append(f"          approved by: {', '.join(o.approvers) or 'nobody yet'}")
        if o.missing:
            lines.append(f"          {safe(o.missing)}")
        lines.append(f"          files: {', '.join(safe(f) for f in o.files[:5])}"
                     + (f" and {len(o.files) - 5} more" if len(o.files) > 5 else ""))
    for login, why in result["ignored"]:
        lines.append(f"  not counted: {safe(login)} ({why})")
    return "\n".join(lines) + "\n"


def as_markdown(result, met) -> str:
    cell = report.cell
    rows = [f"| {'✅' if o.met else '❌'} | `{cell(o.rule['id'])}` | {cell(', '.join(o.approvers) or '—')} | "
            f"{cell(o.missing or 'met')} |" for o in result["outcomes"]]
    return (f"## Approvals for #{result['pull_request']}\n\n"
            f"{'All required approvals are present.' if met else 'Approvals are missing.'}\n\n"
            "| | Rule | Approved by | Status |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
