"""Public holiday tables from the `holidays` package, kept in smm's cache folder between runs.

Importing `holidays` loads a module for each of the 200-odd countries it knows, whichever one is
asked for: about a fifth of a second in every process that needs a table (each worker of
`smm check`, each site build). A table depends only on the market, the year, the language of the
names and the installed version of `holidays`, so the tables smm works out are kept in one JSON
file per version of `holidays` in the cache folder (cache.py), and the package is imported only
for a table not kept yet. No cache folder (`--no-cache`, SMM_NO_CACHE=1): every table is worked out.

Where the tables are not kept, `smm check` starts a helper (start_helper) as it begins: a forked
process that imports `holidays` while this one loads the repository, a core the check leaves
idle until it starts its workers, and then works out each table this process asks it for. The
import (62 to 72 ms) is then off the check's path; the tables are the same (tests hold them).
"""
from __future__ import annotations

import json
import os
import signal
import sys
from datetime import date
from pathlib import Path

from . import cache

LANGUAGE = "en_US"            # holiday names in English, as the rest of the findings
MAX_BYTES = 4_000_000         # a kept file larger than this is not ours: ignore it

_kept: dict | None = None     # "market-year" -> {ISO day: name}, read once per process


def table(market: str, year: int) -> dict[date, str]:
    """Day -> name of the public holidays of `market` (ISO 3166 code) in `year`; {} for a market
    the `holidays` package does not know."""
    kept = _read()
    key = f"{market}-{year}"
    if key not in kept:
        kept[key] = _asked(market, year)
        _write(key, kept[key])
    return {date.fromisoformat(day): name for day, name in kept[key].items()}


def _worked_out(market: str, year: int) -> dict[str, str]:
    """ISO day -> name: the table as kept."""
    return {day.isoformat(): name for day, name in _work_out(market, year).items()}


def _work_out(market: str, year: int) -> dict:
    country = _country(market)
    if country is None:
        return {}
    try:
        return dict(country(years=year, language=LANGUAGE))
    except (NotImplementedError, KeyError):
        return {}


def _country(market: str):
    """The `holidays` class of `market` (an ISO code or one of its aliases), or None.

    `holidays.country_holidays` would import the `holidays.countries` package, whose __init__
    imports all 250 country modules whichever one is asked for: 0.2 to 0.35 s of CPU in every
    process that works a table out (measured with `python -X importtime`), against 5 to 35 ms for
    one country's module. So the module named in the package's registry is loaded on its own; a
    country module that imports another country's (some territories) brings in the package as
    usual. Whatever does not go as expected falls back to `country_holidays`' way."""
    import holidays
    try:
        from holidays.registry import COUNTRIES
        module, name = next((module, names[0]) for module, names in COUNTRIES.items() if market in names[1:])
        return getattr(_country_module(module), name)
    except StopIteration:
        return None
    except Exception:      # a later layout of the package: ask it the documented way
        return getattr(holidays, market, None)


def _country_module(module: str):
    import importlib.util
    import sys

    import holidays
    full = f"holidays.countries.{module}"
    if full in sys.modules or "holidays.countries" in sys.modules:
        return importlib.import_module(full)
    spec = importlib.util.spec_from_file_location(full, Path(holidays.__file__).parent / "countries" / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[full] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[full]
        raise
    return loaded


def _file() -> Path | None:
    where = cache.folder()
    versions = cache.dist_infos(["holidays"])
    if where is None or len(versions) != 1:          # no cache, or no telling which version is used
        return None
    return where / f"{versions[0].removesuffix('.dist-info')}-{LANGUAGE}.json"


def _read() -> dict:
    global _kept
    if _kept is None:
        _kept = _load(_file())
    return _kept


def _load(file: Path | None) -> dict:
    """The kept tables, or {} when there are none or the file is not one smm wrote."""
    data = cache.read_own(file, MAX_BYTES) if file is not None else None
    try:
        saved = json.loads(data) if data else {}
    except ValueError:
        return {}
    if not isinstance(saved, dict):
        return {}
    return {key: days for key, days in saved.items() if _is_table(days)}


def _is_table(days) -> bool:
    if not isinstance(days, dict):
        return False
    try:
        return all(isinstance(name, str) and date.fromisoformat(day) for day, name in days.items())
    except (TypeError, ValueError):
        return False


def _write(key: str, days: dict) -> None:
    """Add one table to the file, keeping what other processes added since this one read it."""
    file = _file()
    if file is None:
        return
    merged = {**_load(file), key: days}
    cache.write_atomically(file, lambda handle: handle.write(json.dumps(merged, sort_keys=True).encode()))


# The helper: (the process that started it, its pid, the end this process writes questions to, the
# file this one reads answers from), or None. Only the process that started it asks it: a process
# forked later (a worker, the cache's writer) closes its copies of the pipes (_forget_helper).
_helper = None


def start_helper() -> None:
    """Start the helper (see the module's docstring) when no table is kept, the system can fork
    and no other thread runs (forking one is not safe); else the tables are worked out here."""
    global _helper
    threads = sys.modules.get("threading")
    if (_helper is not None or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2 or "holidays" in sys.modules
            or _read() or (threads is not None and threads.active_count() > 1)):
        return
    questions, answers = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(questions[1])
            os.close(answers[0])
            _serve(questions[0], answers[1])
        finally:
            os._exit(0)
    os.close(questions[0])
    os.close(answers[1])
    _helper = (os.getpid(), pid, questions[1], os.fdopen(answers[0], "rb"))


def _serve(questions: int, answers: int) -> None:
    """In the helper: import `holidays`, then answer each question (a line "market year") with the
    table as one line of JSON, until the questions end."""
    import holidays  # noqa: F401  (what the helper is for)
    with os.fdopen(questions, "rb") as asked, os.fdopen(answers, "wb") as told:
        for line in asked:
            market, year = line.decode().split()
            told.write(json.dumps(_worked_out(market, int(year))).encode() + b"\n")
            told.flush()


def _asked(market: str, year: int) -> dict[str, str]:
    """The table, from the helper when this process started one and it answers, else worked out."""
    if _helper is not None and _helper[0] == os.getpid():
        try:
            os.write(_helper[2], f"{market} {year}\n".encode())
            answer = json.loads(_helper[3].readline())
            if isinstance(answer, dict):
                return answer
        except (OSError, ValueError):
            pass
        stop_helper()                 # it did not answer as it should: work the tables out here
    return _worked_out(market, year)


def stop_helper() -> None:
    """End the helper, which may still be importing (a check of a few posts can be done first),
    and reap it; nothing when there is none."""
    global _helper
    if _helper is None or _helper[0] != os.getpid():
        return
    _, pid, questions, answers = _helper
    _helper = None
    for close in (lambda: os.close(questions), answers.close):
        try:
            close()
        except OSError:
            pass
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _forget_helper() -> None:
    """In a process forked after the helper started: close its copies of the helper's pipes, so
    the helper sees its questions end when the process that started it is done."""
    global _helper
    if _helper is not None:
        for close in (lambda: os.close(_helper[2]), _helper[3].close):
            try:
                close()
            except OSError:
                pass
        _helper = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_helper)
