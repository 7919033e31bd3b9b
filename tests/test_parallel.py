"""Checking and site generation on several cores give exactly what one core gives."""
from __future__ import annotations

from datetime import date

import pytest

import smm.parallel
import smm.repository
import smm.site.build
from conftest import check, write
from smm.site.build import generate

needs_two = pytest.mark.skipif(smm.parallel.workers() < 2, reason="needs fork and two cores")


@needs_two
def test_check_in_workers_matches_one_process(sample, monkeypatch):
    write(sample, "content/posts/2026/12/06-bad.md", "---\ntitle: Bad\nstatus: sheduled\nplatforms: [x]\n---\n")
    write(sample, "content/posts/2026/12/06-broken.md", "---\ntitle: [unclosed\n---\n")
    write(sample, "content/posts/2026/12/25-kerst.md", "---\ntitle: Kerst\nstatus: draft\nlanguage: nl\n"
                  "publish_at: 2026-12-25 10:00\nplatforms: [bluesky]\n---\nFijne feestdagen!\n")
    monkeypatch.setenv("SMM_TODAY", "2026-11-22")
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 10**9)
    serial = check(sample)
    monkeypatch.setattr(smm.parallel, "PARALLEL_FROM", 1)
    monkeypatch.setattr(smm.parallel, "MIN_CHUNK", 3)        # many chunks, their results arriving in any order
    assert len(smm.parallel._chunks(smm.repository.post_files(sample), 2)) > 4
    parallel = check(sample)
    assert parallel == serial
    assert {f.rule for f in serial} >= {"schema.enum", "yaml.syntax", "calendar.holiday"}   # the last in the parent


@needs_two
def test_site_with_rules_in_a_child_matches_one_process(sample, monkeypatch):
    monkeypatch.setattr(smm.site.build, "PARALLEL_FROM", 10**9)
    serial = generate(sample, date(2026, 11, 22))
    monkeypatch.setattr(smm.site.build, "PARALLEL_FROM", 1)
    parallel = generate(sample, date(2026, 11, 22))
    assert parallel.pages == serial.pages and parallel.files == serial.files
