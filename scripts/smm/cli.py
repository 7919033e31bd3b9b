"""The `smm` command."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import report
from .check import UsageError, run_check
from .repository import find_root

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"smm: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smm", description="Social media management as code.")
    parser.add_argument("--root", help="the content repository (default: the folder above holding mkdocs.yml)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="validate posts, campaigns, personas and strategy")
    check.add_argument("paths", nargs="*", help="files or folders to report on (default: everything)")
    check.add_argument("--format", choices=sorted(report.REPORTERS), default=None,
                       help="output format (default: github inside GitHub Actions, else text)")
    check.add_argument("--base", help="git ref to compare with (diff-aware rules)")
    preview = commands.add_parser("preview", help="show a post as each of its platforms will show it")
    preview.add_argument("path", help="the post's file")
    preview.add_argument("--format", choices=["text", "json"], default="text")
    owners = commands.add_parser("codeowners", help="write .github/CODEOWNERS from the team and approval rules")
    owners.add_argument("--check", action="store_true", help="fail when the committed file is out of date")
    approvals = commands.add_parser("approvals", help="check a pull request's approvals against the rules")
    approvals.add_argument("--pr", type=int, required=True, help="pull request number")
    approvals.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY", ""),
                           help="owner/name (default: GITHUB_REPOSITORY)")
    approvals.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def repository_root(args) -> Path:
    if args.root:
        root = Path(args.root).resolve()
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: not a folder")
        return root
    root = find_root(Path.cwd())
    if root is None:
        raise UsageError("no mkdocs.yml in this folder or above; run inside the repository or pass --root")
    return root


def cmd_check(args) -> int:
    root = repository_root(args)
    result = run_check(root, args.paths, base=args.base)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    report.REPORTERS[fmt](result.findings, result.files_checked, changes=result.calendar_changes,
                          repo=result.repo)
    return EXIT_FINDINGS if any(f.severity == "error" for f in result.findings) else EXIT_OK


def cmd_preview(args) -> int:
    from . import preview
    return preview.run(repository_root(args), Path(args.path), args.format)


def _loaded(args):
    from .repository import load_repository
    repo = load_repository(repository_root(args))
    errors = [f for f in repo.findings if f.severity == "error" and f.path.startswith("strategy/")]
    if errors:
        raise UsageError(f"{errors[0].path}:{errors[0].line}: {errors[0].message} (run smm check)")
    return repo


def cmd_codeowners(args) -> int:
    from . import codeowners
    code, message = codeowners.run(_loaded(args), args.check)
    (sys.stdout if code == 0 else sys.stderr).write(message)
    return code


def cmd_approvals(args) -> int:
    from . import approvals_report
    return approvals_report.run(_loaded(args), args)


COMMANDS = {"check": cmd_check, "preview": cmd_preview, "codeowners": cmd_codeowners, "approvals": cmd_approvals}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as error:
        sys.stderr.write(f"smm: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as error:  # an internal failure must never look like a pass
        if os.environ.get("SMM_DEBUG"):
            raise
        sys.stderr.write(f"smm: internal error: {type(error).__name__}: {error}\n"
                         "Run again with SMM_DEBUG=1 for the traceback, and report it.\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
