"""Publish times in the repository's timezone: plain local times, and the ones a clock change
skips (a gap) or repeats (an overlap)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from smm import times


def _localised_the_long_way(naive, tz):
    """Reference: a local time that does not survive the round trip through UTC is in a gap; one
    whose two readings (fold 0 and 1) differ is in an overlap."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != naive:
        return "nonexistent"
    return "ambiguous" if first.utcoffset() != second.utcoffset() else None


@settings(max_examples=400, deadline=None)
@given(naive=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)),
       zone=st.sampled_from(["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia",
                             "America/Sao_Paulo", "Asia/Tokyo", "UTC"]))
@example(naive=datetime(2027, 3, 28, 2, 30), zone="Europe/Amsterdam")        # in the spring gap
@example(naive=datetime(2027, 10, 31, 2, 30), zone="Europe/Amsterdam")       # in the autumn overlap
def test_local_times_are_sorted_into_gaps_overlaps_and_plain_times_like_the_long_way(naive, zone):
    tz = ZoneInfo(zone)
    resolved = times._localise(naive, tz)
    assert resolved.problem == _localised_the_long_way(naive, tz)
    if resolved.problem != "nonexistent":
        assert resolved.when == naive.replace(tzinfo=tz, fold=0)
