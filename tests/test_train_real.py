"""train.real: the pipeline's own crops of a generated page, labelled from its truth."""
import json
from pathlib import Path

from train import real

SAMPLES = Path(__file__).resolve().parents[1] / "sample_scans"


def test_a_time_is_written_in_the_usual_ways_of_its_half_of_the_day():
    forms = real.written("time", "17:10")
    assert {"17:10", "5:10p", "5:10 PM", "05.10pm"} <= set(forms)
    assert not any(f.endswith(("a", "am", "AM", "A")) for f in forms)
    assert "9:05a" in real.written("time", "09:05")


def test_dates_codes_and_numbers():
    assert "2/9/25" in real.written("date", "2025-02-09")
    assert real.written("code", "40") == ["40"]


def test_crops_of_a_faxed_pbf_and_its_sheets_carry_their_true_values():
    path = SAMPLES / "fax-0010.tif"
    truth = json.loads(path.with_name(path.name + ".truth.json").read_text())
    crops = real.crops_of(path, truth, lambda: False)
    values = {f["value"] for d in truth["documents"] for f in d["fields"].values()}
    assert len(crops) >= 10
    assert all(value in values and value is not None for _, value, _, _ in crops)
    labelled = real.label(crops)
    assert all(real.written(kind, value).count(text) == 1
               for (_, value, kind, _), (_, text, _, _) in zip(crops, labelled))
