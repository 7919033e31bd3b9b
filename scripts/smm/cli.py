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
    result = run_check(root, args.paths)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    report.REPORTERS[fmt](result.findings, result.files_checked)
    return EXIT_FINDINGS if any(f.severity == "error" for f in result.findings) else EXIT_OK


def cmd_preview(args) -> int:
    from . import preview
    return preview.run(repository_root(args), Path(args.path), args.format)


COMMANDS = {"check": cmd_check, "preview": cmd_preview}


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
