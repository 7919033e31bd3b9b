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


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
       offset=st.sampled_from(["", "Z", "+14:00", "-14:00", "+05:30"]),
       zone=st.sampled_from(["Europe/Amsterdam", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]))
@example(moment=datetime(9999, 12, 31, 23, 59), offset="Z", zone="Europe/Amsterdam")
@example(moment=datetime(1, 1, 1), offset="-14:00", zone="Europe/Amsterdam")
@example(moment=datetime(2099, 12, 31, 23, 59), offset="+14:00", zone="Pacific/Pago_Pago")
@example(moment=datetime(2000, 1, 1), offset="-14:00", zone="Pacific/Kiritimati")
def test_a_publish_time_smm_takes_can_be_moved_to_any_zone(moment, offset, zone):
    """Only years 2000 to 2099 are taken: a time near the ends of what datetime holds could not be
    moved to UTC or to the repository's zone (OverflowError: an internal error in every command)."""
    text = f"{moment:%Y-%m-%dT%H:%M}{offset}"
    resolved = times.resolve(text, ZoneInfo(zone))
    assert (resolved.when is not None or resolved.problem == "nonexistent") is (moment.year in times.YEARS)
    if resolved.when is not None:
        for other in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
            assert resolved.when.astimezone(ZoneInfo(other)).year in range(1999, 2101)
        assert resolved.when.timestamp()
