"""Public holiday tables kept in the cache folder: the same tables as the `holidays` package gives,
without importing it again, and never trusting a file smm did not write well."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import holidays
import pytest

from conftest import PROJECT, write
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


_HELPED = """
import json, os, sys, threading
from pathlib import Path
from smm import holidaytables, cache
if sys.argv[1] == "thread":                 # a running thread: no helper may be forked
    threading.Thread(target=threading.Event().wait, daemon=True).start()
cache.turn_off()
from smm.check import run_check
result = run_check(Path(sys.argv[2]))
holidays = sorted((f.path, f.message) for f in result.findings if f.rule == "calendar.holiday")
try:
    os.waitpid(-1, os.WNOHANG)
    left = "a child left"
except ChildProcessError:
    left = "no child left"
print(json.dumps([holidays, "holidays" in sys.modules, left, holidaytables._helper is None]))
"""


def test_a_check_asks_a_helper_for_the_tables_and_finds_what_it_finds_without_one(sample):
    """With no table kept, the check's process leaves importing `holidays` to a forked helper and
    finds the same holidays as a process that works them out itself (a thread runs: no fork);
    the helper is gone when the check ends."""
    write(sample, "content/posts/2026/12/25-christmas.md",
          "---\ntitle: Christmas\nstatus: draft\npublish_at: 2026-12-25T10:00\nplatforms: [x]\n---\nHello\n")

    def run(mode):
        done = subprocess.run([sys.executable, "-c", _HELPED, mode, str(sample)], capture_output=True, text=True,
                              timeout=120, env={"PYTHONPATH": str(PROJECT / "scripts"), "PATH": "/usr/bin:/bin",
                                                "SMM_TODAY": "2026-11-22"})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    helped, alone = run("helped"), run("thread")
    assert helped[0] and helped[0] == alone[0]
    assert helped[1:] == [False, "no child left", True]
    assert alone[1] is True


_FORKED = """
import json, os, signal, sys
from smm import holidaytables
holidaytables.start_helper()
pid = holidaytables._helper[1]
child = os.fork()
if child == 0:                                # a process forked later never asks the helper
    os._exit(0 if holidaytables._helper is None else 1)
_, status = os.waitpid(child, 0)
first = holidaytables.table("GB", 2027)
os.kill(pid, signal.SIGKILL)                  # a helper that dies: the tables are worked out here
os.waitpid(pid, 0)
second = holidaytables.table("NL", 2027)
from datetime import date
print(json.dumps([os.waitstatus_to_exitcode(status), first[date(2027, 12, 25)], second[date(2027, 12, 25)],
                  holidaytables._helper is None]))
"""


def test_a_process_forked_after_the_helper_does_not_use_it_and_a_dead_helper_is_not_waited_for(tmp_path):
    done = subprocess.run([sys.executable, "-c", _FORKED], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(PROJECT / "scripts"), "PATH": "/usr/bin:/bin",
                               "SMM_NO_CACHE": "1"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [0, "Christmas Day", "Christmas Day", True]
