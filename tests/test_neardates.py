"""A date read as a guess, read again against the dates around its window (extractors.neardates)."""
import random
import sys
from datetime import date
from pathlib import Path

from extractors import neardates
from extractors.model import Document, FieldValue
from extractors.readers import handwriting as hw
from sample_scans.hand import HandBook, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import synth  # noqa: E402

BOX = (0, 0, 1, 1)


def _crop(text: str, seed: int):
    book = HandBook(seed, fonts=pool("heldout"))
    return synth.make("date", random.Random(seed), book, text=text, channel="fax_fine").crop


def test_the_dates_scored_are_the_window_padded_and_what_the_reader_proposed():
    prior = hw.Prior(earliest="2025-09-01", latest="2025-11-30", weight=0.25)
    days = neardates._days(prior, ["2046-09-10", None])
    assert days[0] == date(2025, 4, 4)                    # 150 days before the window
    assert date(2026, 4, 29) in days and date(2046, 9, 10) in days


def _certificate(signed: FieldValue) -> Document:
    return Document("DCC-94", [0], [], {
        "date_generated": FieldValue("2025-09-06", 0.99, 0, BOX, "date"),
        "parent_signed_date": signed}, [], "review")


def test_a_signed_date_read_as_nothing_valid_is_read_against_its_window():
    crops = {(0, "parent_signed_date"): _crop("9/10/2025", 2)}
    [doc] = neardates.resolve([_certificate(FieldValue(None, 0.0, 0, BOX, "date"))], crops)
    got = doc.fields["parent_signed_date"]
    assert got.value == "2025-09-10"
    assert got.confidence <= neardates.GUESS              # still a guess for a person
    assert got.alternatives[0] == (got.value, got.confidence)


def test_a_date_read_surely_enough_or_without_its_anchor_is_left_as_read():
    crops = {(0, "parent_signed_date"): _crop("9/10/2025", 2)}
    read = FieldValue("2025-08-10", neardates.REREAD_BELOW, 0, BOX, "date")
    [doc] = neardates.resolve([_certificate(read)], crops)
    assert doc.fields["parent_signed_date"] is read
    alone = _certificate(FieldValue(None, 0.0, 0, BOX, "date"))
    del alone.fields["date_generated"]
    [doc] = neardates.resolve([alone], crops)
    assert doc.fields["parent_signed_date"].value is None


def test_a_signed_date_without_its_anchor_is_read_against_the_days_before_receipt():
    crops = {(0, "parent_signed_date"): _crop("9/10/2025", 2)}
    alone = _certificate(FieldValue(None, 0.0, 0, BOX, "date"))
    del alone.fields["date_generated"]
    [doc] = neardates.resolve([alone], crops, "2025-09-15T10:00:00-04:00")
    got = doc.fields["parent_signed_date"]
    assert got.value == "2025-09-10" and got.confidence <= neardates.GUESS


def test_an_open_reading_inside_the_window_is_not_traded_for_one_outside_it():
    crops = {(0, "parent_signed_date"): _crop("3/15/2026", 3)}     # window 9/5 to 12/5/2025
    inside = FieldValue("2025-11-15", 0.1, 0, BOX, "date")
    [doc] = neardates.resolve([_certificate(inside)], crops)
    assert doc.fields["parent_signed_date"] is inside
    outside = FieldValue("2046-03-15", 0.1, 0, BOX, "date")
    [doc] = neardates.resolve([_certificate(outside)], crops)
    assert doc.fields["parent_signed_date"].value == "2026-03-15"
