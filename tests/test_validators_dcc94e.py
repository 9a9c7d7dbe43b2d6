"""DCC-94E rules: each fires on its defect and stays silent on a clean attendance sheet."""
import pytest

from validators import check
from validators_build import clean_94e, extract, findings, rule_ids

WEEK = "2022-06-05"
MON = "rows.0.days.mon."


def sheet(**changes):
    return check(extract(("DCC-94E", clean_94e(WEEK, **changes)), received_at=None))


def test_clean_sheet_is_accepted_without_a_receipt_date():
    checked = sheet()
    assert rule_ids(checked) == set() and checked.documents[0].route == "accept"


@pytest.mark.parametrize("changes,fires", [
    ({MON + "time_out": None}, True), ({MON + "time_in": None}, True),
    ({MON + "time_in": None, MON + "time_out": None}, False)])
def test_times_recorded(changes, fires):
    checked = sheet(**changes)
    got = findings(checked, "dcc94e.times_recorded")
    assert bool(got) == fires
    if fires:
        assert "2022-06-06" in got[0].message


@pytest.mark.parametrize("changes,fires", [
    ({MON + "in_initials": "absent"}, True), ({MON + "out_initials": "absent"}, True),
    ({MON + "time_in": None, MON + "time_out": None, MON + "in_initials": "absent",
      MON + "out_initials": "absent"}, False)])
def test_initials(changes, fires):
    got = findings(sheet(**changes), "dcc94e.initials")
    assert bool(got) == fires


def test_parent_signature_only_for_rows_with_times():
    assert rule_ids(sheet(**{"rows.0.parent_signature": "blank"})) == {"dcc94e.parent_signature"}
    empty_row = clean_94e(WEEK, [("JAYDEN LOPEZ", ["mon"]), ("SOFIA LOPEZ", [])])
    empty_row["rows.1.parent_signature"] = "blank"
    assert rule_ids(check(extract(("DCC-94E", empty_row), received_at=None))) == set()


def test_provider_signature():
    [f] = findings(sheet(provider_signature="blank"))
    assert f.rule == "dcc94e.provider_signature" and "2022-06-05" in f.message
