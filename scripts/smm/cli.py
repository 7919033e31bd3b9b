"""The `smm` command."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from . import __version__, cache, report
from .check import UsageError, run_check
from .repository import find_root

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

# When the process ends with run(): what a command built, left for the system to free at exit
# (see run()). None when main() is called otherwise (by tests, in one process): freed as usual.
_LEFT_AT_EXIT: list | None = None


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size tells it (COLUMNS, else the terminal of
    standard output, else 80), asked without importing shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", 0))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Help(argparse.HelpFormatter):
    """argparse's own formatter, given the width argparse would work out. argparse makes a formatter
    for every argument added, and one not given a width imports shutil to ask for it, and with it
    bz2 and lzma: 3 ms of every start of smm (python -X importtime)."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Help)     # the subcommands' parsers too
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"smm: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smm", description="Social media management as code.")
    parser.add_argument("--root", help="the content repository (default: the folder above holding mkdocs.yml)")
    parser.add_argument("--version", action="version", version=f"smm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="validate posts, campaigns, personas and strategy")
    check.add_argument("paths", nargs="*", help="files or folders to report on (default: everything)")
    check.add_argument("--format", choices=sorted(report.REPORTERS), default=None,
                       help="output format (default: github inside GitHub Actions, else text)")
    check.add_argument("--base", help="git ref to compare with (diff-aware rules)")
    check.add_argument("--no-cache", action="store_true",
                       help="check every post again, ignoring and not writing the cache of earlier runs")
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
    new = commands.add_parser("new", help="scaffold a post, campaign or persona file")
    new.add_argument("kind", choices=["post", "campaign", "persona"])
    new.add_argument("--title", required=True, help="title (the persona's name for a persona)")
    new.add_argument("--platforms", help="comma-separated platform ids, such as x,bluesky")
    new.add_argument("--at", help="publish time, such as 2026-12-01T09:00 (posts)")
    new.add_argument("--campaign", help="campaign slug (posts)")
    new.add_argument("--status", choices=["idea", "draft", "scheduled"], help="status (posts; default draft)")
    new.add_argument("--language", help="BCP 47 language tag (posts)")
    new.add_argument("--start", help="first day, YYYY-MM-DD (campaigns)")
    new.add_argument("--end", help="last day, YYYY-MM-DD (campaigns)")
    new.add_argument("--goal", help="goal (campaigns) or summary (personas)")
    new.add_argument("--budget", type=float, help="total budget; makes the campaign paid")
    new.add_argument("--currency", default="EUR", help="budget currency (default EUR)")
    new.add_argument("--slug", help="file name slug (default: from the title)")
    agenda = commands.add_parser("calendar", help="the agenda: posts by date, as a table or for other tools")
    _filters(agenda)
    agenda.add_argument("--format", choices=["text", "json", "csv", "ics"], default="text")
    export = commands.add_parser("export", help="bulk-scheduling CSV for Buffer or Hootsuite")
    export.add_argument("tool", choices=["buffer", "hootsuite"])
    export.add_argument("--platform", required=True, help="one platform (one file per profile)")
    _filters(export, platform=False)
    export.add_argument("--out", required=True, help="the CSV file to write")
    export.add_argument("--force", action="store_true", help="replace the file if it exists")
    export.add_argument("--date-format", default="%d/%m/%Y %H:%M", help="Hootsuite date format (strftime)")
    freeze = commands.add_parser("freeze", help="list the freezes and the scheduled posts each one stops")
    freeze.add_argument("--format", choices=["text", "json"], default="text")
    return parser


def _filters(parser, platform: bool = True):
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: today for exports)")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    if platform:
        parser.add_argument("--platform", help="only posts on this platform")
    parser.add_argument("--campaign", help="only posts of this campaign")


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
    if args.no_cache:
        cache.turn_off()
    # A check builds hundreds of thousands of objects and leaves almost no reference cycles (13
    # objects over 10,000 posts), so the collector's passes over its objects (90 ms of CPU there)
    # free nothing. What the check built is then frozen out of later passes: turning the collector
    # on again does not start a pass over all of it.
    with cache.collection_paused():
        result = run_check(root, args.paths, base=args.base, use_cache=not args.no_cache, save_apart=True)
        fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
        report.REPORTERS[fmt](result.findings, result.files_checked, changes=result.calendar_changes,
                              repo=result.repo)
        if result.saved is not None:
            result.saved()             # the cache was written beside the report: this run ends after it
        gc.freeze()
    if _LEFT_AT_EXIT is not None:
        _LEFT_AT_EXIT.append(result)   # its findings and posts: freeing them took 32-38 ms (10,000 posts)
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


def cmd_new(args) -> int:
    from . import scaffold
    relpath = scaffold.run(_loaded(args), args)
    sys.stdout.write(f"created {relpath}\n")
    return EXIT_OK


def cmd_calendar(args) -> int:
    from . import agenda
    repo = _loaded(args)
    filters = agenda.Filters(agenda.parse_day(args.start, "--from"), agenda.parse_day(args.end, "--to"),
                             args.platform, args.campaign)
    output = agenda.render(repo, agenda.select(repo, filters), args.format)
    if isinstance(output, bytes):
        sys.stdout.buffer.write(output)
    else:
        sys.stdout.write(output)
    return EXIT_OK


def cmd_export(args) -> int:
    from . import agenda, export, planning, platforms
    if args.platform not in platforms.IDS:
        raise UsageError(f"unknown platform {args.platform!r}; known: {', '.join(platforms.IDS)}")
    repo = _loaded(args)
    start = agenda.parse_day(args.start, "--from") or planning.today(repo)
    filters = agenda.Filters(start, agenda.parse_day(args.end, "--to"), None, args.campaign)
    result = export.buffer(repo, args.platform, filters) if args.tool == "buffer" else \
        export.hootsuite(repo, args.platform, filters, args.date_format)
    files = export.files_for(args.tool, Path(args.out), result)
    export.write_all(files, args.force)
    for path, _ in files:
        sys.stdout.write(f"wrote {path}\n")
    sys.stdout.write(f"{len(result.rows)} post(s) exported for {args.platform}; {len(result.left_out)} left out\n")
    for path, why in result.left_out:
        sys.stdout.write(f"  left out {report.printable(path)}: {why}\n")
    return EXIT_OK


def cmd_freeze(args) -> int:
    from . import freeze_report
    return freeze_report.run(_loaded(args), args.format)


COMMANDS = {"check": cmd_check, "preview": cmd_preview, "codeowners": cmd_codeowners, "approvals": cmd_approvals,
            "new": cmd_new, "calendar": cmd_calendar, "export": cmd_export, "freeze": cmd_freeze}


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


def run() -> None:
    """The command's entry point: exit as soon as the output is out. A check of thousands of posts
    leaves a large heap; freeing it object by object at exit takes a tenth of a second, the system
    frees it at once, so a command leaves what it built in _LEFT_AT_EXIT. Everything smm writes
    is closed before main() returns."""
    global _LEFT_AT_EXIT
    _LEFT_AT_EXIT = []
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or EXIT_USAGE
    os._exit(code)


if __name__ == "__main__":
    run()
