"""The scorer the benchmarks use: perfect on the truth itself, and it sees each kind of error."""
import copy
import json
from pathlib import Path

from sample_scans.score import Score

SAMPLE = json.loads((Path(__file__).parent / "data" / "extract.sample.json").read_text())


def test_truth_scores_perfectly_against_itself():
    score = Score()
    score.add(SAMPLE, SAMPLE)
    assert score.pages.rate == 1.0 and score.received_at.rate == 1.0
    assert all(t.rate == 1.0 for t in score.by_type.values())
    assert score.findings_precision_recall() == (1.0, 1.0)
    assert score.false_accepts() == 0


def test_errors_are_counted_where_they_happen():
    pred = copy.deepcopy(SAMPLE)
    doc = pred["documents"][0]
    doc["fields"]["case_number"]["value"] = "4002817366"
    doc["fields"]["parent_signature"]["value"] = "electronic"
    doc["findings"] = []
    doc["route"] = "accept"
    pred["pages"][2]["form"] = "other"
    score = Score()
    score.add(pred, SAMPLE)
    assert score.pages.right == 2 and score.pages.total == 3
    assert score.by_type["number"].right == score.by_type["number"].total - 1
    assert score.signatures[("wet", "electronic")] == 1
    assert score.findings_precision_recall()[1] == 0.0
    assert score.false_accepts() == 1
    assert "false accepts 1" in score.report()
