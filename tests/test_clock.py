"""A time read again against every time of day it may be (extractors.clock)."""
import random
import sys
from pathlib import Path

from extractors import clock
from extractors.readers import handwriting as hw
from sample_scans.hand import HandBook, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # train/ is not installed
from train import synth  # noqa: E402

DAY = hw.Prior(earliest="05:00", latest="21:00", weight=0.25, minute_step=5,
               off_step_weight=0.5)


def test_a_time_is_scored_in_every_usual_handwritten_form():
    forms = clock.written(19 * 60 + 45)
    assert {"19:45", "7:45", "7:45p", "7:45pm", "7:45 pm", "7:45 PM"} <= set(forms)
    assert "7:45" in clock.written(7 * 60 + 45)      # a bare 7:45: morning or evening


def test_the_candidates_are_the_priors_marks_and_what_the_readers_proposed():
    times = clock.candidates(DAY, ["07:52", "22:10"])
    assert times[0] == "05:00" and "21:00" in times and "20:55" in times
    assert "07:52" in times and "22:10" in times and "07:51" not in times
    assert len(clock.candidates(None, [])) == 24 * 12


def test_a_faxed_time_gets_a_posterior_over_the_times_of_day():
    book = HandBook(3, fonts=pool("heldout"))
    for seed, (text, value) in enumerate([("7:45a", "07:45"), ("5:30 pm", "17:30")]):
        crop = synth.make("time", random.Random(seed), book, text=text, channel="fax_fine").crop
        [spread] = clock.posteriors([hw.prepare(crop)], [DAY], [[]])
        shares = [p for _, p in spread]
        assert spread[0][0] == value
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0 + 1e-9
        assert len(spread) == clock.KEEP
