"""Public holiday tables kept in the cache folder: the same tables as the `holidays` package gives,
without importing it again, and never trusting a file smm did not write well."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import holidays
import pytest

from conftest import PROJECT
from smm import holidaytables

MARKETS = [("GB", 2027), ("NL", 2026), ("IS", 2028), ("JP", 2027)]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A cache folder of its own, and a process that has read nothing from it yet."""
    monkeypatch.setenv("SMM_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SMM_NO_CACHE", raising=False)
    monkeypatch.setattr(holidaytables, "_kept", None)
    return tmp_path


def kept_file(folder):
    files = list(folder.glob("holidays-*.json"))
    assert len(files) == 1, files
    return files[0]


def in_new_process(folder, code: str) -> str:
    """Run `code` in a fresh interpreter with `folder` as the cache folder; its standard output."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                            env={"SMM_CACHE_DIR": str(folder), "PYTHONPATH": str(PROJECT / "scripts"),
                                 "PATH": "/usr/bin:/bin"})
    return result.stdout


@pytest.mark.parametrize("market, year", MARKETS)
def test_a_kept_table_is_the_table_the_holidays_package_gives(folder, market, year):
    expected = dict(holidays.country_holidays(market, years=year, language="en_US"))
    assert holidaytables.table(market, year) == expected          # worked out, then kept
    holidaytables._kept = None
    assert holidaytables.table(market, year) == expected          # read back from the file
    assert f"{market}-{year}" in json.loads(kept_file(folder).read_text())


def test_a_process_with_every_table_kept_does_not_import_holidays(folder):
    code = ("import sys; from datetime import date; from smm import planning\n"
            "print(planning.holidays_on(date(2027, 12, 25), ['GB', 'NL']), 'holidays' in sys.modules)")
    first = in_new_process(folder, code)
    second = in_new_process(folder, code)
    assert first.startswith("[('GB', 'Christmas Day'), ('NL', 'Christmas Day')]") and first.endswith("True\n")
    assert second == first.replace("True", "False")


def test_an_unknown_market_is_kept_as_no_holidays(folder):
    assert holidaytables.table("XX", 2027) == {}
    holidaytables._kept = None
    assert holidaytables.table("XX", 2027) == {} and "XX-2027" in json.loads(kept_file(folder).read_text())


@pytest.mark.parametrize("content", [
    b"{not json", b"[1, 2]", b'{"GB-2027": {"2027-13-45": "Nowhere Day"}}', b'{"GB-2027": {"2027-12-25": 7}}',
    b'{"GB-2027": ["2027-12-25"]}', b"\xff\xfe\x00", b'{"GB-2027": {"2027-12-25": "Forged Day"}}' + b" " * 4_000_000,
])
def test_a_damaged_or_foreign_file_is_not_believed_and_is_mended(folder, content):
    holidaytables.table("NL", 2027)                            # makes the file, so its name is known
    file = kept_file(folder)
    file.write_bytes(content)
    holidaytables._kept = None
    assert holidaytables.table("GB", 2027)[date(2027, 12, 25)] == "Christmas Day"
    kept = json.loads(file.read_text())
    assert kept["GB-2027"]["2027-12-25"] == "Christmas Day"


def test_tables_kept_by_two_processes_are_both_kept(folder):
    holidaytables.table("GB", 2027)
    in_new_process(folder, "from smm import holidaytables; holidaytables.table('SE', 2027)")
    holidaytables.table("IS", 2027)               # this process read the file before SE was added
    assert {"GB-2027", "SE-2027", "IS-2027"} <= set(json.loads(kept_file(folder).read_text()))


def test_with_the_cache_turned_off_nothing_is_kept(folder, monkeypatch):
    monkeypatch.setenv("SMM_NO_CACHE", "1")
    assert holidaytables.table("GB", 2027)[date(2027, 12, 25)] == "Christmas Day"
    assert not list(folder.iterdir())


# Worked out in a process of their own, first, so each country's module is loaded on its own (this
# process imported the whole package above); then the package's documented way, in the same process.
ALONE_THEN_PACKAGE = """
import json, sys
from smm import holidaytables
markets = {markets!r}
mine = {{m: holidaytables._work_out(m, 2027) for m in markets}}
loaded = sorted(name for name in sys.modules if name.startswith("holidays.countries"))
import holidays
def theirs(market):
    try:
        return dict(holidays.country_holidays(market, years=2027, language="en_US"))
    except NotImplementedError:
        return {{}}
theirs = {{m: theirs(m) for m in markets}}
print(json.dumps({{"same": mine == theirs, "loaded": loaded, "sizes": [len(mine[m]) for m in markets]}}))
"""


def test_a_table_loads_only_its_countrys_module(folder):
    result = json.loads(in_new_process(folder, ALONE_THEN_PACKAGE.format(markets=["NL", "SE"])))
    assert result["loaded"] == ["holidays.countries.netherlands", "holidays.countries.sweden"]
    assert result["same"] and min(result["sizes"]) > 5


def test_tables_from_modules_loaded_alone_are_the_packages_tables(folder):
    # UK: an alias; GP (Guadeloupe) imports France's module, which brings in the whole package
    markets = ["GB", "UK", "IS", "AZ", "JP", "US", "GP", "NL", "XX"]
    result = json.loads(in_new_process(folder, ALONE_THEN_PACKAGE.format(markets=markets)))
    assert result["same"], result
    assert result["sizes"][-1] == 0 and min(result["sizes"][:-1]) > 5


def test_the_package_is_imported_without_its_version_look_up_and_tells_the_same_version(folder):
    code = ("import sys; from smm import holidaytables\n"
            "assert holidaytables.table('NL', 2027)\n"
            "looked_up = 'importlib.metadata' in sys.modules\n"
            "import holidays, importlib.metadata\n"
            "print(looked_up, holidays.__version__ == importlib.metadata.version('holidays'), holidays.__version__)")
    looked_up, same, version = in_new_process(folder, code).split()
    assert (looked_up, same) == ("False", "True") and version[0].isdigit()


WANTS_MORE = """
import sys
from smm import cache, holidaytables
cache.dist_infos = lambda libraries: ["holidays-9.9.dist-info"]
package = holidaytables._package()
print(package.__file__.startswith(sys.argv[1]), package.__version__, package.BUILT)
"""


def test_a_package_wanting_more_of_its_version_module_is_imported_as_it_ships(folder, tmp_path):
    shipped = tmp_path / "shipped" / "holidays"
    shipped.mkdir(parents=True)
    (shipped / "__init__.py").write_text("from holidays.version import __version__, BUILT\n")
    (shipped / "version.py").write_text("__version__ = '9.9'\nBUILT = 'yes'\n")
    result = subprocess.run([sys.executable, "-c", WANTS_MORE, str(shipped)], capture_output=True, text=True,
                            timeout=60, check=True, env={"PYTHONPATH": f"{shipped.parent}:{PROJECT / 'scripts'}",
                                                         "SMM_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
    assert result.stdout.split() == ["True", "9.9", "yes"]
