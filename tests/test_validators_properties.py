"""Property tests (hypothesis): date windows, care levels and code sequences against a plain
restatement of the policy, over many generated cases."""
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from extractors.model import Finding
from validators import check, policy
from validators.routing import decide
from validators_build import child_97, clean_94, clean_97, document, extract, rule_ids

FAST = settings(max_examples=60, deadline=None)     # per test: never change the global profile

DAYS = st.dates(min_value=date(2021, 1, 1), max_value=date(2026, 12, 31))
MONTHS = st.tuples(st.integers(2021, 2026), st.integers(1, 12))


def _at(day: date) -> str:
    return f"{day}T11:00:00-05:00"


@FAST
@given(DAYS, st.integers(0, 40))
def test_return_window_is_more_than_10_calendar_days(generated, late):
    g = str(generated)
    values = clean_94(date_generated=g, parent_signed_date=g, provider_signed_date=g,
                      **{f"p{p}.date_generated": g for p in (1, 2, 3)})
    checked = check(extract(("DCC-94", values), received_at=_at(generated + timedelta(late))))
    assert ("dcc94.return_window" in rule_ids(checked)) == (late > 10)


@FAST
@given(DAYS, st.integers(-5, 20), st.integers(0, 20))
def test_signed_dates_lie_between_generation_and_receipt(generated, signed_after, received_after):
    g, signed = str(generated), generated + timedelta(signed_after)
    values = clean_94(date_generated=g, parent_signed_date=str(signed),
                      provider_signed_date=g, **{f"p{p}.date_generated": g for p in (1, 2, 3)})
    received = generated + timedelta(received_after)
    checked = check(extract(("DCC-94", values), received_at=_at(received)))
    assert ("dcc94.signed_dates" in rule_ids(checked)) == (not generated <= signed <= received)


def _month_end(year, month):
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))


@FAST
@given(MONTHS, st.integers(0, 150))
def test_adjustment_window_is_90_days_from_the_end_of_the_month(ym, after):
    year, month = ym
    m = f"{year}-{month:02d}"
    dob = f"{year - 4}-{month:02d}-01"               # 4 all month: PS-2, no second level
    pbf = clean_97(m, [child_97(0, m, "JAYDEN LOPEZ", dob, "PS-2")])
    received = _month_end(year, month) + timedelta(after)
    checked = check(extract(("DCC-97", pbf), received_at=_at(received)))
    assert ("dcc97.adjustment_window" in rule_ids(checked)) == (after >= 90)


@FAST
@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2022, 5, 31)), MONTHS)
def test_care_levels_printed_by_policy_pass_and_others_fail(dob, ym):
    year, month = ym
    first, last = date(year, month, 1), _month_end(year, month)
    want_1, want_2 = policy.care_level(dob, first), policy.care_level(dob, last)
    if want_1 is None or want_2 is None or dob > first:
        return
    m = f"{year}-{month:02d}"
    level_2 = want_2 if want_2 != want_1 else None
    right = clean_97(m, [child_97(0, m, "JAYDEN LOPEZ", str(dob), want_1, level_2)])
    received = _at(last + timedelta(days=3))
    assert "dcc97.care_level" not in rule_ids(check(extract(("DCC-97", right),
                                                             received_at=received)))
    wrong_level = next(lv for lv, _, _ in policy.CARE_LEVELS if lv != want_1)
    wrong = clean_97(m, [child_97(0, m, "JAYDEN LOPEZ", str(dob), wrong_level, level_2)])
    assert "dcc97.care_level" in rule_ids(check(extract(("DCC-97", wrong), received_at=received)))


@FAST
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2020, 12, 31)),
       st.integers(0, 6000), st.integers(0, 400))
def test_care_level_never_goes_down_with_age(dob, a, b):
    order = [lv for lv, _, _ in policy.CARE_LEVELS]
    early, later = dob + timedelta(min(a, a + b)), dob + timedelta(a + b)
    x, y = policy.care_level(dob, early), policy.care_level(dob, later)
    if x and y:
        assert order.index(x) <= order.index(y)


CODES = st.sampled_from([None, None, None, "1", "2", "40", "43", "50", "55", "60", "65"])
JUNE_WEEKDAYS = [d for d in range(1, 31) if date(2022, 6, d).weekday() < 5]


def _end_sequence_oracle(codes: dict[int, str]) -> bool:
    """Plain restatement: after the first 60/65, every later scheduled day is 55."""
    billed = [codes.get(d) or "1" for d in JUNE_WEEKDAYS]
    for i, c in enumerate(billed):
        if c in ("60", "65"):
            return any(x != "55" for x in billed[i + 1:])
    return False


@FAST
@given(st.lists(CODES, min_size=len(JUNE_WEEKDAYS), max_size=len(JUNE_WEEKDAYS)))
def test_end_sequence_matches_the_policy_on_any_code_sequence(seq):
    codes = {d: c for d, c in zip(JUNE_WEEKDAYS, seq) if c}
    pbf = clean_97(children=[child_97(0, "2022-06", "JAYDEN LOPEZ", "2019-01-10", "PS-1",
                                      codes=codes)])
    checked = check(extract(("DCC-97", pbf), received_at=_at(date(2022, 7, 5))))
    assert ("dcc97.end_sequence" in rule_ids(checked)) == _end_sequence_oracle(codes)
    assert ("dcc97.same_code_exception" in rule_ids(checked)) == ("1" in codes.values())
    assert ("dcc97.holiday_limit" in rule_ids(checked)) == (list(codes.values()).count("43") > 10)


@FAST
@given(st.lists(st.sampled_from(["error", "warning", "info"]), max_size=4),
       st.lists(st.floats(0, 1), min_size=1, max_size=5), st.floats(0.5, 1))
def test_routing_never_accepts_a_blocking_finding_or_an_unsure_field(severities, confs, threshold):
    doc, _ = document("DCC-94", clean_94())
    doc.findings = [Finding("dcc94.all_pages", s, "x") for s in severities]
    used = set(list(doc.fields)[:len(confs)])
    for name, c in zip(sorted(used), confs):
        doc.fields[name].confidence = c
    route = decide(doc, used, set(), threshold).route
    should_accept = (not any(s in ("error", "warning") for s in severities)
                     and all(doc.fields[n].confidence >= threshold for n in used))
    assert (route == "accept") == should_accept
