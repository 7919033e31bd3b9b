"""`smm freeze`: every freeze, whether it is in force now, and the scheduled posts it stops."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from . import planning, report


def run(repo, fmt: str) -> int:
    freezes, problems = planning.freezes(repo)
    now = datetime.now(timezone.utc)
    data = []
    for item in freezes:
        posts = planning.affected_by(repo, item)
        data.append({"reason": item.reason, "declared_by": item.declared_by, "from": item.start.isoformat(),
                     "until": item.end.isoformat() if item.end else None, "active": item.active_on(now),
                     "platforms": list(item.platforms) or "all",
                     "posts": [{"path": p.path, "title": p.title,
                                "publish_at": p.publish_at.astimezone(repo.timezone).isoformat()} for p in posts]})
    if fmt == "json":
        sys.stdout.write(json.dumps({"freezes": data}, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(_text(data))
    for index, key, detail in problems:
        sys.stderr.write(f"strategy/freezes.yaml: freeze {index + 1}, {key}: {detail}\n")
    return 1 if any(d["posts"] for d in data) else 0


def _text(data) -> str:
    if not data:
        return "No freezes declared (strategy/freezes.yaml).\n"
    out = []
    for d in data:
        state = "IN FORCE" if d["active"] else "not in force"
        out.append(f"{state}: {report.printable(d['reason'])}")
        out.append(f"  declared by {d['declared_by']}, from {d['from']} until {d['until'] or 'further notice'}")
        for post in d["posts"]:
            out.append(f"  stops {post['publish_at']}  {report.printable(post['title'])}  ({post['path']})")
        if not d["posts"]:
            out.append("  no scheduled posts inside it")
    return "\n".join(out) + "\n"
