"""DCC-97 rules: each fires on its defect and stays silent on a clean billing form."""
import pytest

from validators import Known, check, run
from validators_build import RECEIVED_97, child_97, clean_97, extract, findings, rule_ids


def pbf(received_at=RECEIVED_97, history=None, **kw):
    return check(extract(("DCC-97", clean_97(**kw)), received_at=received_at), history)


def one_child(codes=None, schedule="REGULAR", month="2022-06", **kw):
    return [child_97(0, month, "JAYDEN LOPEZ", "2019-01-10", "PS-1", schedule=schedule,
                     codes=codes, **kw)]


def test_clean_form_is_accepted():
    checked = pbf()
    assert rule_ids(checked) == set() and checked.documents[0].route == "accept"


@pytest.mark.parametrize("codes,fires", [({3: "1"}, True), ({3: "2"}, False), ({4: "1"}, False)])
def test_same_code_exception(codes, fires):
    # 2022-06-03 is a Friday (scheduled 1); the 4th a Saturday (nothing scheduled)
    checked = pbf(children=one_child(codes))
    got = findings(checked, "dcc97.same_code_exception")
    assert bool(got) == fires
    if fires:
        assert got[0].fields == ["children.0.days.03.provider_exception"]
        assert "JAYDEN LOPEZ" in got[0].message


@pytest.mark.parametrize("code,schedule,fires", [
    ("7", "REGULAR", True), ("44", "REGULAR", True), ("451", "REGULAR", True),
    ("45", "FLEX", True), ("451", "FLEX", False), ("40", "REGULAR", False),
    ("55", "REGULAR", False), ("043", "REGULAR", False)])
def test_unknown_code(code, schedule, fires):
    checked = pbf(children=one_child({6: code}, schedule))
    assert bool(findings(checked, "dcc97.unknown_code")) == fires


@pytest.mark.parametrize("confidence,fires", [(0.75, False), (0.9, True)])
def test_an_unknown_code_read_less_than_surely_goes_to_a_person(confidence, fires):
    """A "1" read as "4" at 0.75 is likelier than a provider writing code 4."""
    e = extract(("DCC-97", clean_97(children=one_child({6: "4"}))), received_at=RECEIVED_97)
    e.documents[0].fields["children.0.days.06.provider_exception"].confidence = confidence
    result = run(e)
    assert bool(findings(result.extract, "dcc97.unknown_code")) == fires
    assert result.extract.documents[0].route == "review"


@pytest.mark.parametrize("provider_type,code,fires", [
    ("LICENSED TYPE I", "45", False), ("LICENSED TYPE II", "45", False),
    ("CERTIFIED", "45", True), ("REGISTERED", "45", True), ("CERTIFIED", "40", False)])
def test_code_not_allowed_for_unlicensed(provider_type, code, fires):
    checked = pbf(children=one_child({6: code}), provider_type=provider_type)
    assert bool(findings(checked, "dcc97.code_not_allowed")) == fires


@pytest.mark.parametrize("confidence,fires", [(0.3, False), (0.9, True)])
def test_a_guessed_45_is_not_claimed_but_goes_to_a_person(confidence, fires):
    """A faxed "43" or "40" read as "45" at 0.3 is not evidence of a licensed-only code; the
    code is read by a person instead."""
    e = extract(("DCC-97", clean_97(children=one_child({6: "45"}), provider_type="CERTIFIED")),
                received_at=RECEIVED_97)
    e.documents[0].fields["children.0.days.06.provider_exception"].confidence = confidence
    result = run(e)
    assert bool(findings(result.extract, "dcc97.code_not_allowed")) == fires
    assert result.extract.documents[0].route == "review"
    unread = "children.0.days.06.provider_exception" in result.decisions[0].unreadable
    assert unread != fires



@pytest.mark.parametrize("code,route", [("40", "accept"), ("45", "review")])
def test_the_provider_type_is_used_only_for_a_code_kept_for_licensed_providers(code, route):
    """An unsurely read type line holds up a PBF only when a licensed-only code is on it."""
    e = extract(("DCC-97", clean_97(children=one_child({6: code}), provider_type="LICENSED "
                                    "TYPE I")), received_at=RECEIVED_97)
    e.documents[0].fields["provider_type"].confidence = 0.5
    result = run(e)
    assert result.extract.documents[0].route == route
    assert ("provider_type" in result.decisions[0].low_confidence) == (route == "review")

def test_code_not_allowed_for_flex_451_unlicensed():
    checked = pbf(children=one_child({6: "451", 7: "1"}, "FLEX"), provider_type="CERTIFIED")
    assert rule_ids(checked) == {"dcc97.code_not_allowed"}


@pytest.mark.parametrize("month,schedule,fires", [
    ("2022-11", "REGULAR", False),      # before the enrollment-based period
    ("2022-12", "REGULAR", True),       # first month of it
    ("2023-12", "REGULAR", True),       # last month of it
    ("2024-01", "REGULAR", False),
    ("2023-03", "FLEX", False)])        # Flex was still coded
def test_absences_not_coded_while_paid_on_enrollment(month, schedule, fires):
    year, mon = map(int, month.split("-"))
    codes = {9: "40", 10: "1"} if schedule == "FLEX" else {9: "40"}
    children = [child_97(0, month, "JAYDEN LOPEZ", f"{year - 3}-01-01", "PS-1", schedule=schedule,
                         codes=codes)]
    received = f"{year + (mon == 12)}-{mon % 12 + 1:02d}-05T09:00:00-05:00"
    checked = check(extract(("DCC-97", clean_97(month, children)), received_at=received))
    got = findings(checked, "dcc97.code_not_allowed")
    assert bool(got) == fires
    if fires:
        assert "enrollment" in got[0].message and "12/1/22" in got[0].policy


@pytest.mark.parametrize("codes,fires", [
    ({15: "60", 16: "55", 17: "55", 20: "55", 21: "55", 22: "55", 23: "55", 24: "55", 27: "55",
      28: "55", 29: "55", 30: "55"}, False),
    ({30: "65"}, False),                       # last scheduled day of June: nothing after it
    ({15: "60", 16: "55", 17: "55"}, True),    # later scheduled days still billed 1
    ({15: "65"}, True),
    ({29: "60", 30: "1"}, True)])
def test_end_sequence(codes, fires):
    checked = pbf(children=one_child(codes))
    assert bool(findings(checked, "dcc97.end_sequence")) == fires


def test_end_sequence_leaves_a_probably_misread_code_to_a_person():
    """A "55" read as "5" (no code) at 0.74 is not a later day left uncoded 55."""
    codes = {15: "60", 16: "55", 17: "55", 20: "55", 21: "55", 22: "55", 23: "55", 24: "55",
             27: "55", 28: "55", 29: "5", 30: "55"}
    e = extract(("DCC-97", clean_97(children=one_child(codes))), received_at=RECEIVED_97)
    name = "children.0.days.29.provider_exception"
    e.documents[0].fields[name].confidence = 0.74
    decided = run(e)
    assert not findings(decided.extract, "dcc97.end_sequence")
    assert name in decided.decisions[0].unreadable
    e.documents[0].fields[name].confidence = 0.99         # surely a 5: no code, after a 60
    assert findings(run(e).extract, "dcc97.end_sequence")


def test_end_sequence_on_flex_counts_every_later_coded_day():
    ok = pbf(children=one_child({6: "1", 7: "60", 8: "55"}, "FLEX"))
    bad = pbf(children=one_child({6: "1", 7: "60", 8: "1"}, "FLEX"))
    assert rule_ids(ok) == set() and rule_ids(bad) == {"dcc97.end_sequence"}


def test_flex_uncoded():
    assert rule_ids(pbf(children=one_child(None, "FLEX"))) == {"dcc97.flex_uncoded"}
    assert rule_ids(pbf(children=one_child({6: "1"}, "FLEX"))) == set()


def test_holiday_limit_within_one_form():
    eleven = {d: "43" for d in (1, 2, 3, 6, 7, 8, 9, 10, 13, 14, 15)}
    ten = dict(list(eleven.items())[:10])
    assert rule_ids(pbf(children=one_child(eleven))) == {"dcc97.holiday_limit"}
    assert rule_ids(pbf(children=one_child(ten))) == set()


def test_holiday_limit_counts_dates_not_children():
    codes = {d: "43" for d in (1, 2, 3, 6, 7, 8)}
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", "PS-1", codes=codes),
                child_97(1, "2022-06", "SOFIA LOPEZ", "2017-02-02", "PS-3", codes=codes)]
    assert rule_ids(pbf(children=children)) == set()        # 6 dates, not 12


def test_holiday_limit_with_history():
    codes = {1: "43", 2: "43"}
    assert rule_ids(pbf(children=one_child(codes), history=Known({("1047732", 2022): 8}))) == set()
    got = pbf(children=one_child(codes), history=Known({("1047732", 2022): 9}))
    assert rule_ids(got) == {"dcc97.holiday_limit"}
    other = pbf(children=one_child(codes), history=Known({("9999999", 2022): 9}))
    assert rule_ids(other) == set()


def test_holiday_limit_counts_earlier_forms_in_the_same_file():
    may = clean_97("2022-05", [child_97(0, "2022-05", "JAYDEN LOPEZ", "2019-01-10", "PS-1",
                                        codes={d: "43" for d in (2, 3, 4, 5, 6, 9, 10)})])
    june = clean_97("2022-06", one_child({d: "43" for d in (1, 2, 3, 6)}))
    checked = check(extract(("DCC-97", may), ("DCC-97", june), received_at=RECEIVED_97))
    assert rule_ids(checked, doc=0) == set()
    assert rule_ids(checked, doc=1) == {"dcc97.holiday_limit"}


@pytest.mark.parametrize("received,fires", [
    ("2022-09-27T12:00:00-04:00", False),      # 89 days after June 30
    ("2022-09-28T08:00:00-04:00", True),       # 90 days
    ("2023-01-05T08:00:00-05:00", True)])
def test_adjustment_window(received, fires):
    assert bool(findings(pbf(received_at=received), "dcc97.adjustment_window")) == fires


def test_adjustment_window_needs_a_receipt_date():
    checked = pbf(received_at=None)
    assert rule_ids(checked) == {"intake.received_unknown"}
    assert checked.documents[0].route == "review"


@pytest.mark.parametrize("dob,level,level2,fires", [
    ("2019-06-15", "TD-2", "PS-1", False),     # turns 3 on the 15th
    ("2019-06-15", "TD-2", None, True),        # second level not printed
    ("2019-06-15", "PS-1", None, True),
    ("2019-06-01", "PS-1", None, False),       # birthday on the 1st: one level all month
    ("2019-01-10", "PS-1", None, False),
    ("2019-01-10", "TD-2", None, True),
    ("2014-06-20", "SA-1", None, True),        # turns 8 on the 20th: SA-1, then SA-2
    ("2014-06-20", "SA-1", "SA-2", False),
    ("2013-06-20", "SA-2", None, False),       # turns 9: still SA-2, no second level
    ("2013-06-20", "SA-2", "SA-2", True),
    ("2021-07-01", "IN-1", None, False),
    ("2021-06-30", "IN-1", "TD-1", False)])
def test_care_level(dob, level, level2, fires):
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", dob, level, level2)]
    assert bool(findings(pbf(children=children), "dcc97.care_level")) == fires


def test_a_birth_date_after_the_month_billed_is_a_misreading_not_a_care_level():
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2048-02-28", "SA-2")]   # 2018, faxed
    result = run(extract(("DCC-97", clean_97(children=children)), received_at=RECEIVED_97))
    assert not findings(result.extract, "dcc97.care_level")
    assert result.extract.documents[0].route == "review"
    assert "children.0.dob" in result.decisions[0].unreadable


@pytest.mark.parametrize("dob,level,unsure,confidence", [
    ("2019-01-10", "TD-2", "care_level", 0.3),     # PS-1 faxed into TD-2, read unsurely
    ("2013-08-27", "PS-3", "dob", 0.0)])           # 2019 faxed into 2013, read as a guess
def test_a_care_level_or_birth_date_read_unsurely_goes_to_a_person_not_into_a_finding(
        dob, level, unsure, confidence):
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", dob, level)]
    e = extract(("DCC-97", clean_97(children=children)), received_at=RECEIVED_97)
    e.documents[0].fields[f"children.0.{unsure}"].confidence = confidence
    result = run(e)
    assert not findings(result.extract, "dcc97.care_level")
    assert result.extract.documents[0].route == "review"
    assert f"children.0.{unsure}" in result.decisions[0].unreadable


@pytest.mark.parametrize("level,route", [("PS-1", "accept"), ("TD-2", "review")])
def test_a_birth_date_that_agrees_with_the_printed_level_needs_no_confidence(level, route):
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", level)]   # PS-1
    e = extract(("DCC-97", clean_97(children=children)), received_at=RECEIVED_97)
    e.documents[0].fields["children.0.dob"].confidence = 0.5
    result = run(e)
    assert not findings(result.extract, "dcc97.care_level")
    assert result.extract.documents[0].route == route


@pytest.mark.parametrize("dob,confidence,fires", [
    ("2021-01-10", 0.82, False),     # 2014 faxed into 2021: a toddler billed SA-2, a misreading
    ("2021-01-10", 0.99, True),      # read surely: the level is wrong
    ("2015-01-10", 0.82, True)])     # SA-2 billed where SA-1 is due: one step, a real finding
def test_a_level_far_from_an_unsurely_read_birth_date_goes_to_a_person(dob, confidence, fires):
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", dob, "SA-2")]
    e = extract(("DCC-97", clean_97(children=children)), received_at=RECEIVED_97)
    e.documents[0].fields["children.0.dob"].confidence = confidence
    result = run(e)
    assert bool(findings(result.extract, "dcc97.care_level")) == fires
    assert result.extract.documents[0].route == "review"


def test_a_child_outside_the_ages_paid_for_is_said_so():
    children = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2002-01-10", "SA-2")]
    found, = findings(pbf(children=children), "dcc97.care_level")
    assert "no care level" in found.message and "None" not in found.message


def test_blank_form():
    nothing = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", "PS-1")]
    assert rule_ids(pbf(children=nothing, provider_note="PLEASE CODE AS SCHEDULED")) == {
        "dcc97.blank_form"}
    coded = one_child({6: "43"})
    assert rule_ids(pbf(children=coded, provider_note="CLOSED FOR HOLIDAY")) == set()
    assert rule_ids(pbf(children=nothing)) == set()


def test_provider_signature_on_every_page():
    children = [child_97(i, "2022-06", f"CHILD {chr(65 + i)} LOPEZ", "2019-01-10", "PS-1")
                for i in range(4)]
    ok = clean_97(children=children, page_count="2", **{"p2.provider_signature": "wet"})
    checked = check(extract(("DCC-97", ok), received_at=RECEIVED_97))
    assert len(checked.pages) == 2 and rule_ids(checked) == set()
    bad = clean_97(children=children, page_count="2", **{"p2.provider_signature": "blank"})
    [f] = findings(check(extract(("DCC-97", bad), received_at=RECEIVED_97)))
    assert f.rule == "dcc97.provider_signature" and f.fields == ["p2.provider_signature"]
    assert f.message.startswith("Page 2 of the billing form for June 2022")


def test_electronic_signature_on_pbf_is_not_missing():
    assert rule_ids(pbf(provider_signature="electronic")) == set()
    assert rule_ids(pbf(provider_signature="blank")) == {"dcc97.provider_signature"}


@pytest.mark.parametrize("changes,month,sure", [
    ({}, "June 2022", True),
    ({"billing_month": "2022-08"}, "an unreadable month", False),   # one against one
    ({"billing_month": None}, "June 2022", True),         # the 1st of July says June
    ({"billing_month": "2022-08", "date_generated": None}, "August 2022", True),
    ({"date_generated": "2022-07-02"}, "June 2022", True)])   # a misread day of July
def test_billing_month_is_read_from_the_month_and_the_date_generated(changes, month, sure):
    from validators import run
    result = run(extract(("DCC-97", clean_97(provider_signature="blank", **changes)),
                         received_at=RECEIVED_97))
    [f] = findings(result.extract, "dcc97.provider_signature")
    assert month in f.message
    assert (result.decisions[0].unreadable == []) == sure


def test_blank_form_rests_on_the_note_being_written_not_on_reading_it():
    nothing = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", "PS-1")]
    e = extract(("DCC-97", clean_97(children=nothing, provider_note="AMARI OUT SICK 6/3")),
                received_at=RECEIVED_97)
    e.documents[0].fields["provider_note"].confidence = 0.0      # handwriting read badly
    checked = check(e)
    assert rule_ids(checked) == {"dcc97.blank_form"}
    assert checked.documents[0].route == "review"


def test_a_form_whose_code_box_may_hold_an_unread_code_is_not_called_blank():
    """A faint fax code read as an empty box, unsurely: "nothing is coded" is not claimed,
    and a person looks."""
    nothing = [child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", "PS-1")]
    e = extract(("DCC-97", clean_97(children=nothing, provider_note="CLOSED 6/3")),
                received_at=RECEIVED_97)
    e.documents[0].fields["children.0.days.03.provider_exception"].confidence = 0.3
    checked = check(e)
    assert rule_ids(checked) == set()
    assert checked.documents[0].route == "review"
