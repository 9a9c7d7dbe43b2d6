"""Routing, the rule registry, purity of check(), and certificates completed across files."""
import copy
import json
from dataclasses import replace
from pathlib import Path

from extractors.forms import rules
from extractors.model import Extract, Finding
from validators import check, rules_for, run
from validators.completeness import certificates
from validators.reading import REGISTRY
from validators.routing import decide
from validators_build import (RECEIVED_97, clean_94, clean_94e, clean_97, document, extract,
                              findings, month_sheets, rule_ids)

SAMPLE = json.loads((Path(__file__).parent / "data" / "extract.sample.json").read_text())


def test_every_rule_id_has_exactly_one_function():
    assert set(REGISTRY) == set(rules())
    for rule_id, fn in REGISTRY.items():
        assert fn.rule_id == rule_id
    for form in ("DCC-94", "DCC-97", "DCC-94E"):
        assert {fn.rule_id for fn in rules_for(form)} == {
            r.id for r in rules().values() if r.form == form}


def test_findings_carry_severity_and_policy_from_rules_json():
    checked = check(extract(("DCC-94", clean_94(parent_signature="electronic"))))
    [f] = findings(checked)
    assert f.severity == rules()["dcc94.parent_signature"].severity
    assert f.policy == rules()["dcc94.parent_signature"].policy


def test_other_is_rejected_and_forms_are_never_rejected():
    checked = check(extract(("other", {}), ("DCC-94", clean_94())))
    assert [d.route for d in checked.documents] == ["reject", "accept"]


def test_a_low_confidence_field_that_a_rule_used_sends_to_review():
    e = extract(("DCC-94", clean_94()))
    e.documents[0].fields["parent_signature"].confidence = 0.6
    result = run(e)
    assert result.extract.documents[0].route == "review"
    assert result.decisions[0].low_confidence == ["parent_signature"]
    assert run(e, threshold=0.5).extract.documents[0].route == "accept"


def test_a_low_confidence_field_no_rule_reads_does_not_block():
    e = extract(("DCC-94", clean_94()))
    e.documents[0].fields["applicant.address"].confidence = 0.1
    assert check(e).documents[0].route == "accept"


def test_an_unreadable_value_a_rule_needs_sends_to_review():
    values = clean_94()
    for k in [k for k in values if k.endswith("date_generated") or k == "return_by"]:
        values[k] = None
    result = run(extract(("DCC-94", values)))
    assert result.extract.documents[0].route == "review"
    assert "date_generated" in result.decisions[0].unreadable


def test_info_findings_do_not_block_and_warnings_do():
    doc, _ = document("DCC-94", clean_94())
    doc.findings = [Finding("match.full_day_hours", "info", "x")]
    assert decide(doc, set(), set()).route == "accept"
    doc.findings = [Finding("intake.received_unknown", "warning", "x")]
    assert decide(doc, set(), set()).route == "review"


def test_check_returns_a_new_extract_and_leaves_the_input_alone():
    e = extract(("DCC-94", clean_94(parent_signature="blank")))
    before = copy.deepcopy(e.to_json())
    checked = check(e)
    assert e.to_json() == before and checked is not e
    assert rule_ids(checked) == {"dcc94.parent_signature"}


def test_findings_already_present_are_replaced():
    e = extract(("DCC-94", clean_94()))
    e.documents[0].findings = [Finding("dcc94.all_pages", "error", "stale")]
    e.documents[0].route = "review"
    checked = check(e)
    assert checked.documents[0].findings == [] and checked.documents[0].route == "accept"
    assert check(checked).to_json() == checked.to_json()            # idempotent


def test_truth_shaped_file_with_findings_cleared_reproduces_its_findings():
    truth = Extract.from_json(SAMPLE)
    cleared = replace(truth, documents=[replace(d, findings=[], route="review")
                                        for d in truth.documents])
    checked = check(cleared)
    for want, got in zip(truth.documents, checked.documents):
        assert {f.rule for f in got.findings} == {f.rule for f in want.findings}
        assert got.route == want.route
    assert checked.to_json()["documents"][0]["findings"][0]["policy"]


def test_check_handles_every_form_in_one_file():
    checked = check(extract(("DCC-94", clean_94()), ("DCC-97", clean_97()), *month_sheets(),
                            ("other", {}), received_at=RECEIVED_97))
    # the certificate was received two months late; everything else is clean
    assert rule_ids(checked) == {"dcc94.return_window"}


# --- certificates across files -----------------------------------------------------------------

def _fax(pages, **changes):
    e = extract(("DCC-94", clean_94(**changes), pages))
    return replace(e, source=f"fax-{pages}")


def test_certificate_split_over_two_faxes_is_whole():
    [cert] = certificates([_fax([1, 3]), _fax([2])])
    assert cert.whole and cert.certificate_number == "C2205031234"
    assert sorted(cert.pages) == [1, 2, 3]
    assert {r.source for refs in cert.pages.values() for r in refs} == {"fax-[1, 3]", "fax-[2]"}


def test_pages_of_two_certificates_are_kept_apart():
    other = {f"p{p}.{k}": v for p in (1, 2, 3) for k, v in
             (("certificate_number", "C2206019999"), ("case_number", "4009999999"))}
    certs = certificates([_fax([1, 2]), _fax([3], **other)])
    assert [(c.certificate_number, c.missing) for c in certs] == [
        ("C2205031234", [3]), ("C2206019999", [1, 2])]


def test_a_misread_certificate_number_is_tied_by_case_and_date():
    misread = {"p2.certificate_number": "C2205O31234"}
    [cert] = certificates([_fax([1, 3]), _fax([2], **misread)])
    assert cert.whole and cert.certificate_number == "C2205031234"


def test_an_unreadable_footer_stays_with_its_document():
    blank = {f"p3.{k}": None for k in ("certificate_number", "case_number", "date_generated")}
    [cert] = certificates([_fax([1, 2, 3], **blank)])
    assert cert.whole


def test_only_certificates_count():
    e = extract(("DCC-94E", clean_94e("2022-06-05")), received_at=None)
    assert certificates([e]) == []


def test_forms_with_nobody_on_them_go_to_review():
    empty_pbf = clean_97(children=[])
    empty_sheet = {k: v for k, v in clean_94e("2022-06-05").items() if not k.startswith("rows.")}
    checked = check(extract(("DCC-97", empty_pbf), ("DCC-94E", empty_sheet),
                            received_at=RECEIVED_97))
    assert [d.route for d in checked.documents] == ["review", "review"]


def test_a_sheet_alone_needs_its_times_written_not_read_well():
    e = extract(("DCC-94E", clean_94e("2022-06-05")))
    fields = e.documents[0].fields
    fields["rows.0.days.mon.time_in"].confidence = 0.3       # written, read badly
    fields["rows.0.child_name"].confidence = 0.2             # only names the row in messages
    assert check(e).documents[0].route == "accept"
    fields["rows.0.days.sat.time_in"].confidence = 0.6       # empty, but not surely empty
    result = run(e)
    assert result.extract.documents[0].route == "review"
    assert result.decisions[0].low_confidence == ["rows.0.days.sat.time_in"]


def billed_month_with_sheets():
    """A June 2022 billing form and its sheets; the first sheet (week of May 29) and the
    field of its Wednesday June 1 arrival (billed) and Monday May 30 arrival (not billed)."""
    e = extract(*([("DCC-97", clean_97())] + month_sheets()), received_at=RECEIVED_97)
    k = next(i for i, d in enumerate(e.documents) if d.form == "DCC-94E")
    return e, k, "rows.0.days.wed.time_in", "rows.0.days.mon.time_in"


def test_times_compared_with_billing_must_be_read_well():
    e, k, billed, _ = billed_month_with_sheets()
    assert all(d.route == "accept" for d in check(e).documents)
    e.documents[k].fields[billed].confidence = 0.7
    result = run(e)
    assert result.extract.documents[k].route == "review"
    assert billed in result.decisions[k].low_confidence


def test_names_compared_with_billing_must_be_read_well():
    e, k, _, _ = billed_month_with_sheets()
    e.documents[k].fields["rows.0.child_name"].confidence = 0.5
    assert check(e).documents[k].route == "review"


def test_times_of_a_day_not_billed_need_only_be_written():
    e, k, _, unbilled = billed_month_with_sheets()
    e.documents[k].fields[unbilled].confidence = 0.3
    assert check(e).documents[k].route == "accept"


def test_unsure_times_are_enough_when_the_hours_are_settled_either_way():
    """07:45 read at 0.7 (07:15 and 01:45 weighed too), out at 17:30: a full day whichever
    it was, so the exact arrival does not matter; with 12:45 among the alternatives (under 5
    hours) it does."""
    e, k, billed, _ = billed_month_with_sheets()
    fv = e.documents[k].fields[billed]
    fv.confidence = 0.7
    fv.alternatives = (("07:45", 0.7), ("07:15", 0.28), ("01:45", 0.02))
    assert check(e).documents[k].route == "accept"
    fv.alternatives = (("07:45", 0.7), ("12:45", 0.28), ("07:15", 0.02))
    assert check(e).documents[k].route == "review"
    fv.alternatives = (("07:15", 0.7), ("07:45", 0.3))    # stale: not of the value read
    assert check(e).documents[k].route == "review"


def test_a_time_read_again_against_the_clock_settles_a_day_it_makes_full_whatever_it_was():
    """07:45 read at 0.5, its runners-up untrusted; read again against every time of day
    (``FieldValue.posterior``), 07:40-07:50 hold the ink's likelihood: with the 17:30
    departure a full day whichever it was. Leaving 4 % to 12:45 (under 5 hours), it is not."""
    e, k, billed, _ = billed_month_with_sheets()
    fv = e.documents[k].fields[billed]
    fv.confidence = 0.5
    fv.posterior = (("07:45", 0.9), ("07:40", 0.06), ("07:50", 0.038), ("12:45", 0.002))
    assert check(e).documents[k].route == "accept"
    fv.posterior = (("07:45", 0.9), ("07:40", 0.06), ("12:45", 0.04))
    assert check(e).documents[k].route == "review"
