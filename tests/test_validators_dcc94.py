"""DCC-94 rules: each fires on its defect and stays silent on a clean certificate."""
import pytest

from validators import check, run
from validators_build import RECEIVED_94, clean_94, extract, findings, rule_ids


def test_clean_certificate_is_accepted():
    checked = check(extract(("DCC-94", clean_94())))
    assert rule_ids(checked) == set()
    assert checked.documents[0].route == "accept"


@pytest.mark.parametrize("pages,missing", [([1, 2], [3]), ([1], [2, 3]), ([2, 3], [1])])
def test_all_pages(pages, missing):
    checked = check(extract(("DCC-94", clean_94(), pages)))
    [f] = findings(checked, "dcc94.all_pages")
    assert f.severity == "error" and f.policy
    assert "C2205031234" in f.message
    assert ("Page 3 of certificate C2205031234 was not received" in f.message) == (missing == [3])
    assert checked.documents[0].route == "review"


def test_missing_page_2_does_not_also_report_signatures():
    checked = check(extract(("DCC-94", clean_94(), [1, 3])))
    assert rule_ids(checked) == {"dcc94.all_pages"}


@pytest.mark.parametrize("who", ["parent", "provider"])
@pytest.mark.parametrize("value,fires", [("wet", False), ("electronic", True), ("blank", True)])
def test_signatures(who, value, fires):
    checked = check(extract(("DCC-94", clean_94(**{f"{who}_signature": value}))))
    got = findings(checked, f"dcc94.{who}_signature")
    assert bool(got) == fires
    if fires:
        assert got[0].fields == [f"{who}_signature"]
        assert ("by hand" in got[0].message) == (value == "electronic")
    assert rule_ids(checked) <= {f"dcc94.{who}_signature"}


@pytest.mark.parametrize("received,fires", [
    ("2022-05-13T16:59:00-04:00", False),      # day 10: on time
    ("2022-05-13T23:30:00-04:00", False),      # late evening local time is still day 10
    ("2022-05-14T08:00:00-04:00", True),       # day 11
    ("2022-06-30T08:00:00-04:00", True)])
def test_return_window(received, fires):
    checked = check(extract(("DCC-94", clean_94()), received_at=received))
    got = findings(checked, "dcc94.return_window")
    assert bool(got) == fires
    if fires:
        assert "return by 2022-05-13" in got[0].message


def test_return_window_uses_a_footer_date_when_page_1_is_missing():
    checked = check(extract(("DCC-94", clean_94(), [2, 3]),
                            received_at="2022-05-20T08:00:00-04:00"))
    assert rule_ids(checked) == {"dcc94.all_pages", "dcc94.return_window"}


def test_unknown_receipt_date_is_a_warning_and_never_accepted():
    checked = check(extract(("DCC-94", clean_94()), received_at=None))
    [f] = findings(checked)
    assert f.rule == "intake.received_unknown" and f.severity == "warning"
    assert checked.documents[0].route == "review"


@pytest.mark.parametrize("changes,fires", [
    ({"parent_signed_date": "2022-05-03"}, False),     # the day it was generated
    ({"provider_signed_date": "2022-05-09"}, False),   # the day it was received
    ({"parent_signed_date": "2022-05-02"}, True),      # before generated
    ({"provider_signed_date": "2022-05-10"}, True),    # after received
    ({"parent_signed_date": None}, False)])            # no date: nothing to compare
def test_signed_dates(changes, fires):
    checked = check(extract(("DCC-94", clean_94(**changes))))
    got = findings(checked, "dcc94.signed_dates")
    assert bool(got) == fires
    assert rule_ids(checked) <= {"dcc94.signed_dates"}


@pytest.mark.parametrize("who,signed,unsure,sure", [
    ("parent", "2021-09-02", 0.7, 0.99),     # "09/10/2026" read as "01/10/2026": eight months
                                             # off is more likely a misread than a date written
    ("provider", "2022-04-26", 0.3, 0.7)])   # a week off, read as a guess (under UNSURE):
                                             # faxed "9/10" read as "8/10" at 0.11
def test_a_signed_date_outside_the_window_read_unsurely_goes_to_a_person(who, signed, unsure,
                                                                         sure):
    """Read unsurely, the date goes to a person; read surely, it is reported as written."""
    name = f"{who}_signed_date"
    e = extract(("DCC-94", clean_94(**{name: signed})))
    e.documents[0].fields[name].confidence = unsure
    result = run(e)
    assert not findings(result.extract, "dcc94.signed_dates")
    assert name in result.decisions[0].unreadable
    assert result.extract.documents[0].route == "review"
    e.documents[0].fields[name].confidence = sure
    assert findings(check(e), "dcc94.signed_dates")


def test_signed_dates_without_receipt_date_checks_the_lower_bound_only():
    checked = check(extract(("DCC-94", clean_94(parent_signed_date="2099-01-01")),
                            received_at=None))
    assert rule_ids(checked) == {"intake.received_unknown"}


def test_a_certificate_completed_from_two_files_is_whole():
    """The service folds a later fax's page into the first document: the fields of page 3 are
    there though the file's own pages are 1 and 2 (intake.certificates)."""
    part = extract(("DCC-94", clean_94(), [1, 2]))
    whole = extract(("DCC-94", clean_94()))
    doc = part.documents[0]
    doc.fields = dict(whole.documents[0].fields)
    doc.missing_pages = []
    assert rule_ids(check(part)) == set()


@pytest.mark.parametrize("changes,late,sure", [
    ({}, False, True),
    ({"date_generated": "2022-03-08"}, False, False),      # one misread copy is outvoted
    ({"return_by": "2022-05-31"}, False, False),
    ({"date_generated": "2022-04-20", "p1.date_generated": "2022-04-20",
      "p2.date_generated": "2022-04-20", "p3.date_generated": "2022-04-20",
      "return_by": "2022-04-30"}, True, True)])            # really generated on 04-20
def test_date_generated_is_read_from_every_copy(changes, late, sure):
    result = run(extract(("DCC-94", clean_94(**changes))))
    assert ("dcc94.return_window" in rule_ids(result.extract)) == late
    assert (result.decisions[0].unreadable == []) == sure


def test_copies_that_agree_outweigh_one_unsure_copy():
    e = extract(("DCC-94", clean_94()))
    e.documents[0].fields["p3.date_generated"].confidence = 0.3
    assert check(e).documents[0].route == "accept"
    alone = extract(("DCC-94", clean_94(**{k: None for k in (
        "p1.date_generated", "p2.date_generated", "p3.date_generated", "return_by")})))
    alone.documents[0].fields["date_generated"].confidence = 0.3
    assert check(alone).documents[0].route == "review"


def test_a_late_certificate_whose_first_copy_of_the_date_is_unsure_is_still_late():
    """The finding names the first copy of the date generated; copies that agree with it
    make it sure, however unsurely that one copy was read (a late certificate was accepted
    when its page 1 date was read at 0.52 and the finding was taken for a guess)."""
    e = extract(("DCC-94", clean_94()), received_at="2022-06-30T08:00:00-04:00")
    for name, fv in e.documents[0].fields.items():
        if name.endswith("date_generated"):
            fv.confidence = 0.5
    checked = check(e)
    assert rule_ids(checked) == {"dcc94.return_window"}          # return_by agrees, surely
    e.documents[0].fields["return_by"].confidence = 0.5
    checked = check(e)
    assert rule_ids(checked) == set()                  # all guesses: not claimed ...
    assert checked.documents[0].route == "review"      # ... but never accepted


@pytest.mark.parametrize("confidence,route", [(0.5, "accept"), (0.1, "review")])
def test_a_signed_date_read_inside_the_window_settles_the_rule(confidence, route):
    """Between generation and receipt the exact digits do not matter; a near guess still
    goes to a person."""
    e = extract(("DCC-94", clean_94()), received_at=RECEIVED_94)
    e.documents[0].fields["parent_signed_date"].confidence = confidence
    checked = run(e)
    assert not findings(checked.extract, "dcc94.signed_dates")
    assert checked.extract.documents[0].route == route
