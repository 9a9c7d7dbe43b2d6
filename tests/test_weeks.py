"""A DCC-94E's handwritten week read against the PBF's billing month (extractors.weeks)."""
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from extractors import weeks
from extractors.weeks import SIX
from extractors.model import Document, FieldValue
from sample_scans.hand import HandBook, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import synth  # noqa: E402


def test_the_weeks_of_a_month_run_from_the_sunday_on_or_before_its_first_day():
    assert weeks.sundays(date(2025, 5, 1)) == [                        # a Thursday
        date(2025, 4, 27), date(2025, 5, 4), date(2025, 5, 11), date(2025, 5, 18),
        date(2025, 5, 25)]
    assert weeks.sundays(date(2026, 2, 1)) == [                        # a Sunday; 28 days
        date(2026, 2, 1), date(2026, 2, 8), date(2026, 2, 15), date(2026, 2, 22)]


def test_the_weeks_elsewhere_are_the_months_around_and_the_month_a_year_either_side():
    around = weeks.elsewhere(date(2026, 2, 1))
    assert date(2026, 1, 25) in around and date(2026, 3, 1) in around      # next to it
    assert date(2025, 2, 16) in around and date(2027, 2, 14) in around     # a year off
    assert not set(around) & set(weeks.sundays(date(2026, 2, 1)))


def test_a_date_is_scored_in_every_usual_handwritten_form():
    forms = weeks.written(date(2025, 5, 4))
    assert {"5/4/25", "05/04/2025", "5-4-25", "5.4.2025", "5/04/25"} <= set(forms)
    assert len(forms) == 24


def _scores(values: dict[str, float]) -> dict[date, float]:
    return {date.fromisoformat(k): v for k, v in values.items()}


def test_the_week_both_boxes_explain_best_wins_by_its_margin():
    month = {date(2025, 5, 4), date(2025, 5, 11)}
    of = _scores({"2025-05-04": -3.0, "2025-05-11": -20.0})
    through = _scores({"2025-05-10": -4.0, "2025-05-17": -20.0})
    best, margin = weeks.rank(of, through, month, chars=14)
    # the next reading of another week: 5/11 through 5/17 (5/4 through 5/17 is the same week
    # with its Saturday misread, and no reading against it)
    assert best == date(2025, 5, 4) and margin == pytest.approx((-7.0 - -40.0) / 14)
    only_through = weeks.rank({}, through, month, chars=7)
    assert only_through == (date(2025, 5, 4), 16.0 / 7)


def test_the_signed_date_witnesses_the_week_it_ends():
    """A sheet is signed at the end of its week: boxes that cannot tell two weeks apart are
    told apart by the signed date; a signed date far from both weighs on neither."""
    month = {date(2025, 5, 4), date(2025, 5, 11)}
    of = _scores({"2025-05-04": -10.0, "2025-05-11": -10.0})
    through = _scores({"2025-05-10": -10.0, "2025-05-17": -10.0})
    assert weeks.rank(of, through, month, chars=14)[1] == 0.0            # a tie
    signed = _scores({"2025-05-18": -2.0, "2025-05-10": -12.0, "2025-07-30": -9.0})
    best, margin = weeks.rank(of, through, month, chars=14, signed=signed)
    assert best == date(2025, 5, 11) and margin > weeks.SURE_MARGIN
    through = _scores({"2025-05-10": -12.0, "2025-05-17": -8.0})   # leaning its way: taken
    assert weeks.rank(of, through, month, chars=14)[1] < weeks.SURE_MARGIN
    assert weeks.rank(of, through, month, chars=14, signed=signed)[1] > weeks.SURE_MARGIN
    far = _scores({"2025-07-30": -2.0, "2025-05-18": -20.0, "2025-05-10": -20.0})
    alone = weeks.rank(of, through, month, chars=14)
    with_far = weeks.rank(of, through, month, chars=14, signed=far)
    assert with_far[0] == alone[0] and with_far[1] == pytest.approx(alone[1], abs=0.01)


def test_a_week_outside_the_month_must_beat_the_months_by_its_prior():
    month = {date(2025, 5, 4)}
    of = _scores({"2025-05-04": -6.0, "2025-04-06": -3.0})
    through = _scores({"2025-05-10": -6.0, "2025-04-12": -3.0})
    best, margin = weeks.rank(of, through, month, chars=14)       # 6 nats better, prior -4
    assert best is None and margin == pytest.approx((6.0 + weeks.ELSEWHERE) / 14)
    of[date(2025, 4, 6)] = -5.0
    through[date(2025, 4, 12)] = -5.0
    best, margin = weeks.rank(of, through, month, chars=14)       # 2 nats better: not enough
    assert best == date(2025, 5, 4) and margin == pytest.approx((-2.0 - weeks.ELSEWHERE) / 14)


def _files(written: tuple[str, str], month: str, seed: int):
    """A PBF of ``month`` and a sheet whose week boxes hold ``written`` in a held-out hand,
    read as nothing legible."""
    r = random.Random(seed)
    book = HandBook(seed, fonts=pool("heldout"))
    pbf = Document("DCC-97", [0], [], {
        "billing_month": FieldValue(month, 0.99, 0, (0, 0, 1, 1), "month")}, [], "review")
    sheet = Document("DCC-94E", [1], [], {
        name: FieldValue(None, 0.02, 1, (0, 0, 1, 1), "date")
        for name in ("week_of", "week_through")}, [], "review")
    crops = {(1, name): synth.make("date", r, book, text=text, channel="fax_normal").crop
             for name, text in zip(("week_of", "week_through"), written)}
    return [pbf, sheet], crops


def _week(docs, crops) -> tuple[str | None, str | None]:
    sheet = weeks.resolve(docs, crops)[-1]
    return sheet.value("week_of"), sheet.value("week_through")


def test_a_weeks_dates_faxed_in_hands_never_seen_are_taken_from_the_pbfs_month():
    r = random.Random(5)
    taken = 0
    for seed in range(12):
        sunday = date(2025, 4, 27) + timedelta(weeks=r.randrange(5))
        form = r.choice(["{d.month}/{d.day}/{y}", "{d.month:02d}/{d.day:02d}/{y}",
                         "{d.month}-{d.day}-{y}"])
        short = r.random() < 0.5
        written = tuple(form.format(d=d, y=d.year % 100 if short else d.year)
                        for d in (sunday, sunday + timedelta(days=6)))
        got = _week(*_files(written, "2025-05", seed))
        assert got in ((None, None), (str(sunday), str(sunday + timedelta(days=6))))
        taken += got[0] is not None
    assert taken >= 5                  # 7 of 12 with the model of this writing


def test_a_sheet_sent_alone_is_read_against_the_weeks_before_it_arrived():
    r = random.Random(11)
    taken = 0
    for seed in range(8):
        sunday = date(2025, 4, 27) + timedelta(weeks=r.randrange(6))
        written = tuple(f"{d.month}/{d.day}/{d.year % 100}" for d in (sunday, sunday + SIX))
        docs, crops = _files(written, "2025-05", seed)
        alone = docs[1:]
        assert _week(alone, crops) == (None, None)                 # no month, no arrival
        got = weeks.resolve(alone, crops, "2025-06-09T10:00:00-04:00")[0]
        got = got.value("week_of"), got.value("week_through")
        assert got in ((None, None), (str(sunday), str(sunday + SIX)))
        taken += got[0] is not None
    assert taken >= 6                  # 8 of 8 with the model of this writing


def test_a_sheet_of_another_month_keeps_its_reading():
    for seed in range(4):
        assert _week(*_files(("4/13/25", "4/19/25"), "2025-05", seed)) == (None, None)


def test_without_a_surely_read_billing_month_nothing_changes():
    docs, crops = _files(("5/4/25", "5/10/25"), "2025-05", 1)
    docs[0].fields["billing_month"].confidence = 0.5
    assert _week(docs, crops) == (None, None)


def test_a_month_read_unsurely_is_known_when_the_date_generated_agrees():
    """The PBF is generated on the 1st of the month after the one it bills: the month's
    name blurred by a fax and the date's digits agreeing are two readings of one fact."""
    pbf = Document("DCC-97", [0], [], {
        "billing_month": FieldValue("2025-05", 0.5, 0, (0, 0, 1, 1), "month"),
        "date_generated": FieldValue("2025-06-01", 0.6, 0, (0, 0, 1, 1), "date")}, [], "review")
    assert weeks._months([pbf]) == [date(2025, 5, 1)]
    pbf.fields["date_generated"] = FieldValue("2025-07-01", 0.6, 0, (0, 0, 1, 1), "date")
    assert weeks._months([pbf]) == []                          # they disagree, both unsure
    pbf.fields["date_generated"] = FieldValue("2025-07-01", 0.95, 0, (0, 0, 1, 1), "date")
    assert weeks._months([pbf]) == [date(2025, 6, 1)]          # the date alone, read surely
    pbf.fields["billing_month"] = FieldValue("2025-05", 0.95, 0, (0, 0, 1, 1), "month")
    assert weeks._months([pbf]) == [date(2025, 5, 1)]          # the month read surely first
