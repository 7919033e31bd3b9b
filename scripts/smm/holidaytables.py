"""Public holiday tables from the `holidays` package, kept in smm's cache folder between runs.

Importing `holidays` loads a module for each of the 200-odd countries it knows, whichever one is
asked for: about a fifth of a second in every process that needs a table (each worker of
`smm check`, each site build). A table depends only on the market, the year, the language of the
names and the installed version of `holidays`, so the tables smm works out are kept in one JSON
file per version of `holidays` in the cache folder (cache.py), and the package is imported only
for a table not kept yet. No cache folder (`--no-cache`, SMM_NO_CACHE=1): every table is worked out.
"""
from __future__ import annotations

import json
import sys
import types
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
        kept[key] = {day.isoformat(): name for day, name in _work_out(market, year).items()}
        _write(key, kept[key])
    return {date.fromisoformat(day): name for day, name in kept[key].items()}


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
    holidays = _package()
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

    holidays = _package()
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


def _package():
    """The `holidays` package, imported without its version look-up when the installed version can
    be told from its dist-info folder's name (cache.dist_infos, one listing per path entry).

    `holidays/__init__.py` imports `holidays.version`, which asks `importlib.metadata.version`:
    importing importlib.metadata and searching every path entry's distributions: half of what
    importing the package costs a process that has imported what `smm check` imports (8 fresh
    processes each way, median 25.4 against 13.0 ms here). A module standing in for
    `holidays.version`, with the same `__version__`, is put in `sys.modules` first. Should a later
    `holidays` want more of its version module than that, the import fails, the stand-in goes, and
    the package is imported as it ships."""
    if "holidays" not in sys.modules and "holidays.version" not in sys.modules:
        versions = cache.dist_infos(["holidays"])
        if len(versions) == 1:
            stand_in = types.ModuleType("holidays.version")
            stand_in.__version__ = versions[0].removesuffix(".dist-info").split("-", 1)[-1]
            sys.modules["holidays.version"] = stand_in
            try:
                import holidays
                return holidays
            except ImportError:
                for name in [name for name in sys.modules if name.partition(".")[0] == "holidays"]:
                    del sys.modules[name]
    import holidays
    return holidays


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
