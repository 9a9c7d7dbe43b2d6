"""Value normalisation, with the examples of shared/forms/README.md."""
from datetime import date

import pytest
from hypothesis import given, strategies as st

from extractors.values import is_normalised, normalise


@pytest.mark.parametrize("type_, raw, want", [
    ("date", "5/6/22", "2022-05-06"), ("date", "05/06/2022", "2022-05-06"),
    ("date", "2/30/24", None), ("date", "", None),
    ("month", "06/2022", "2022-06"), ("month", "13/2022", None),
    ("money", "$4", "4.00"), ("money", "$31.00", "31.00"), ("money", "1,250.5", "1250.50"),
    ("number", "(502) 555-0143", "5025550143"), ("code", "43", "43"), ("code", "007", "007"),
    ("time", "7:45a", "07:45"), ("time", "5:30 pm", "17:30"), ("time", "12:00p", "12:00"),
    ("time", "12:15a", "00:15"), ("time", "17:05", "17:05"), ("time", "7:45 a.m.", "07:45"),
    ("time", "25:00", None), ("time", "13:10 pm", None),
    ("name", "Jayden  lopez", "JAYDEN LOPEZ"), ("text", "  ", None),
    ("initials", "ML", "present"), ("initials", None, "absent"),
    ("mark", "X", "checked"), ("mark", "", "unchecked"),
    ("signature", "wet", "wet"), ("signature", None, "blank"),
])
def test_readme_examples(type_, raw, want):
    assert normalise(type_, raw) == want


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
def test_dates_round_trip_in_every_written_style(d):
    for written in (f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
                    d.isoformat()):
        assert normalise("date", written) == d.isoformat()
    if d.year >= 2000:
        assert normalise("date", f"{d.month}/{d.day}/{d.year % 100:02d}") == d.isoformat()


@given(st.integers(0, 23), st.integers(0, 59))
def test_times_in_any_style_normalise_to_24_hours(h, m):
    twelve = f"{(h % 12) or 12}:{m:02d}{'p' if h >= 12 else 'a'}"
    assert normalise("time", twelve) == f"{h:02d}:{m:02d}"
    assert normalise("time", f"{h}:{m:02d}") == f"{h:02d}:{m:02d}"


@given(st.sampled_from(["text", "date", "time", "money", "code", "signature", "mark"]),
       st.text(max_size=12))
def test_whatever_is_read_normalises_to_a_valid_value(type_, raw):
    assert is_normalised(type_, normalise(type_, raw))


def test_hours_between_normalised_times():
    from extractors.values import hours_between, minutes
    assert minutes("07:45") == 465 and minutes("7:45") is None and minutes(None) is None
    assert hours_between("07:45", "17:30") == 9.75
    assert hours_between("22:00", "06:00") == 8.0           # past midnight: the next day
    assert hours_between("07:45", None) is None
