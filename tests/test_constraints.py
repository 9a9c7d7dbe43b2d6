"""What the forms allow: vocabularies, identifier formats, derived weekdays."""
import calendar

from extractors import constraints
from extractors.model import FieldValue


def test_a_format_gives_back_a_lost_or_garbled_letter():
    assert constraints.conform("2608221897", "C##########", 0.4) == ("C2608221897", 0.4)
    assert constraints.conform("€2608221897", "C##########", 0.4)[0] == "C2608221897"
    assert constraints.conform("C2608221897", "C##########", 0.9) == ("C2608221897", 0.9)


def test_digits_that_do_not_fit_the_format_go_to_a_person():
    value, conf = constraints.conform("63585573361", "##########", 0.9)
    assert value == "63585573361" and conf <= 0.3


def test_vocabulary_snaps_a_near_reading_and_keeps_a_far_one_unsure():
    allowed = ["REGULAR", "SCHOOL", "FLEX"]
    assert constraints.snap("REGUIAR", allowed, 0.6)[0] == "REGULAR"
    levels = ["IN-1", "TD-1", "TD-2", "PS-1"]
    assert constraints.snap("TO-L", levels, 0.2) == ("TD-1", constraints.LOOK_ALIKE)
    assert constraints.snap("TD", levels, 0.9)[0] == "TD"            # TD-1 or TD-2: unsure
    value, conf = constraints.snap("XYZ", allowed, 0.9)
    assert value == "XYZ" and conf <= 0.3


def test_apply_uses_the_forms_data_on_page_prefixed_fields():
    fields = {"p2.certificate_number": FieldValue("2608221897", 0.5, 0, (0, 0, 1, 1), "text"),
              "provider.provider_type": FieldValue("LICENSED TYPE 1", 0.5, 0, (0, 0, 1, 1), "text")}
    out = constraints.apply("DCC-94", fields)
    assert out["p2.certificate_number"].value == "C2608221897"
    assert out["provider.provider_type"].value == "LICENSED TYPE I"


def _weekdays(first: int, days: int, misread: dict[int, str]) -> dict[str, FieldValue]:
    fields = {}
    for child in range(2):
        for day in range(1, days + 1):
            value = misread.get(day, constraints.WEEK[(first + day - 1) % 7]) if child == 0 \
                else constraints.WEEK[(first + day - 1) % 7]
            fields[f"children.{child}.days.{day:02d}.weekday"] = FieldValue(
                value, 0.9, 0, (0, 0, 1, 1), "text")
    return fields


def test_weekdays_follow_the_billing_month_when_it_was_read():
    fields = _weekdays(5, 30, {6: "H"})          # June 2024 starts on a Saturday (index 5)
    fields["billing_month"] = FieldValue("2024-06", 0.95, 0, (0, 0, 1, 1), "month")
    out = constraints.apply("DCC-97", fields)
    assert out["children.0.days.03.weekday"].value == "M"


def test_a_misread_month_is_found_by_the_weekday_letters_printed_from_it():
    fields = _weekdays(calendar.weekday(2025, 5, 1), 31, {})       # May 2025, read as August
    fields["billing_month"] = FieldValue("2025-08", 0.85, 0, (0, 0, 1, 1), "month")
    fields["date_generated"] = FieldValue("2025-06-01", 0.99, 0, (0, 0, 1, 1), "date")
    out = constraints.apply("DCC-97", fields)
    assert out["billing_month"].value == "2025-05" and out["billing_month"].confidence < 0.8
    assert out["children.0.days.01.weekday"].value == "T"                  # a Thursday
    right = dict(fields, billing_month=FieldValue("2025-05", 0.85, 0, (0, 0, 1, 1), "month"))
    assert constraints.apply("DCC-97", right)["billing_month"].confidence == 0.85


def test_an_unsure_month_the_letters_contradict_is_checked_too_and_never_made_surer():
    fields = _weekdays(calendar.weekday(2025, 5, 1), 31, {})       # May 2025, read as June
    fields["billing_month"] = FieldValue("2025-06", 0.74, 0, (0, 0, 1, 1), "month")
    fields["date_generated"] = FieldValue("2025-06-01", 0.93, 0, (0, 0, 1, 1), "date")
    out = constraints.apply("DCC-97", fields)["billing_month"]
    assert out.value == "2025-05" and out.confidence <= 0.75
    fields["billing_month"] = FieldValue("2025-06", 0.4, 0, (0, 0, 1, 1), "month")
    del fields["date_generated"]                  # several months fit: the reading stays
    out = constraints.apply("DCC-97", fields)["billing_month"]
    assert out.value == "2025-06" and out.confidence == 0.4


def test_weekdays_are_voted_from_the_letters_when_the_month_was_not_read():
    fields = _weekdays(3, 30, {5: "H", 12: "IJ"})     # day 1 a Thursday: 5, 12 Mondays
    fields["billing_month"] = FieldValue(None, 0.0, 0, (0, 0, 1, 1), "month")
    out = constraints.apply("DCC-97", fields)
    assert out["children.0.days.05.weekday"].value == "M"
    assert out["children.0.days.12.weekday"].value == "M"
    assert out["children.0.days.05.weekday"].confidence >= 0.8


def test_no_vote_without_a_clear_majority():
    fields = {f"children.0.days.{d:02d}.weekday": FieldValue("M", 0.9, 0, (0, 0, 1, 1), "text")
              for d in range(1, 8)}
    out = constraints.apply("DCC-97", fields)
    assert [fv.value for fv in out.values()] == ["M"] * 7


def test_a_signed_date_is_expected_near_the_printed_date_of_its_page():
    page = {"p2.date_generated": FieldValue("2025-03-03", 0.9, 0, (0, 0, 1, 1), "date")}
    prior = constraints.prior("DCC-94", "parent_signed_date", page)
    assert prior.factor("2025-03-10") == 1.0
    assert 0 < prior.factor("2025-09-17") < 1 and 0 < prior.factor("2025-02-20") < 1
    assert constraints.prior("DCC-94", "parent_signed_date", {}) is None
    assert constraints.prior("DCC-94", "applicant.name", page) is None


def test_week_of_is_expected_on_a_sunday():
    prior = constraints.prior("DCC-94E", "week_of", {})
    assert prior.factor("2025-06-15") == 1.0                  # a Sunday
    assert prior.factor("2025-06-16") < 0.1


def test_a_misread_scheduled_code_is_taken_from_the_same_weekday_of_other_weeks():
    fields = {f"children.0.days.{d:02d}.scheduled": FieldValue("2" if d % 7 == 3 else "1", 0.95,
                                                               0, (0, 0, 1, 1), "code")
              for d in range(1, 29)}
    fields["children.0.days.10.scheduled"] = FieldValue("7", 0.3, 0, (0, 0, 1, 1), "code")
    out = constraints.apply("DCC-97", fields)
    assert out["children.0.days.10.scheduled"].value == "2"
    assert out["children.0.days.10.scheduled"].confidence < 0.8
    assert out["children.0.days.11.scheduled"].value == "1"


def test_an_unsure_scheduled_code_that_other_weeks_confirm_is_sure():
    fields = {f"children.0.days.{d:02d}.scheduled": FieldValue("2" if d % 7 == 3 else "1", 0.95,
                                                               0, (0, 0, 1, 1), "code")
              for d in range(1, 29)}
    fields["children.0.days.10.scheduled"] = FieldValue("2", 0.1, 0, (0, 0, 1, 1), "code")
    fields["children.0.days.11.scheduled"] = FieldValue("2", 0.1, 0, (0, 0, 1, 1), "code")
    out = constraints.apply("DCC-97", fields)
    assert out["children.0.days.10.scheduled"].confidence >= 0.8      # as on the 3rd, 17th..
    assert out["children.0.days.11.scheduled"].confidence < 0.8       # others say "1"


def _calendar(code_conf: float = 0.95) -> dict[str, FieldValue]:
    """A child's 28 scheduled days (Wednesdays "2", other days "1") and a summary code "1"."""
    fields = {f"p2.children.0.days.{d:02d}.scheduled": FieldValue(
        "2" if d % 7 == 3 else "1", 0.95, 0, (0, 0, 1, 1), "code") for d in range(1, 29)}
    fields["p2.children.0.summary.0.code"] = FieldValue("1", code_conf, 0, (0, 0, 1, 1), "code")
    return fields


def test_a_summary_count_is_the_number_of_days_scheduled_with_its_code():
    fields = _calendar()
    fields["p2.children.0.summary.0.count"] = FieldValue("94", 0.2, 0, (0, 0, 1, 1), "number")
    out = constraints.apply("DCC-97", fields)["p2.children.0.summary.0.count"]
    assert out.value == "24" and 0.9 < out.confidence < 0.95     # "24" was faxed as "94"
    fields["p2.children.0.summary.0.count"] = FieldValue("24", 0.5, 0, (0, 0, 1, 1), "number")
    out = constraints.apply("DCC-97", fields)["p2.children.0.summary.0.count"]
    assert out.value == "24" and out.confidence == 0.95


def test_a_summary_count_read_more_surely_than_its_days_stands():
    fields = _calendar(code_conf=0.4)
    fields["p2.children.0.summary.0.count"] = FieldValue("23", 0.9, 0, (0, 0, 1, 1), "number")
    assert constraints.apply("DCC-97", fields)["p2.children.0.summary.0.count"].value == "23"


def test_a_time_is_expected_in_the_hours_child_care_is_given():
    prior = constraints.prior("DCC-94E", "rows.2.days.tue.time_in", {})
    assert prior.factor("07:45") == 1.0 and prior.factor("16:55") == 1.0
    assert prior.factor("04:55") < 1


def test_page_numbers_are_not_copies_of_one_value():
    """A DCC-97's "Page N of M" differs on each page by design; the page count does not."""
    from extractors import group
    from extractors.pipeline import PageRead

    def page(n: int) -> PageRead:
        prefix = "" if n == 1 else f"p{n}."
        fields = {prefix + "page_number": FieldValue(str(n), 0.99, n - 1, (0, 0, 1, 1), "number"),
                  prefix + "page_count": FieldValue("2" if n == 1 else "3", 0.99 if n == 1 else 0.5,
                                                    n - 1, (0, 0, 1, 1), "number"),
                  prefix + "pbf_number": FieldValue("P2207010456", 0.99, n - 1, (0, 0, 1, 1),
                                                    "text")}
        return PageRead(n - 1, "DCC-97", n, 2, 0, 0.0, None, (1700, 2200), 0.9, fields)

    assert constraints.per_page("DCC-97", "p2.page_number")
    assert not constraints.per_page("DCC-97", "p2.page_count")
    doc, = group.documents([page(1), page(2)])
    assert doc.fields["page_number"].value == "1" and doc.fields["p2.page_number"].value == "2"
    assert doc.fields["p2.page_number"].confidence == 0.99
    assert doc.fields["p2.page_count"].value == "2"               # a copy: voted


def _time(value: str, alternatives) -> FieldValue:
    return FieldValue(value, alternatives[0][1], 0, (0, 0, 1, 1), "time", tuple(alternatives))


def test_a_slip_in_one_time_gives_way_when_its_runner_up_makes_a_day():
    arrive = _time("07:35", [("07:35", 0.9), ("08:35", 0.05)])
    leave = _time("07:20", [("07:20", 0.6), ("17:20", 0.3), ("07:30", 0.05)])
    a, b = constraints.span(arrive, leave, 1, 14)
    assert (a.value, b.value) == ("07:35", "17:20")
    assert 0.5 < b.confidence < 0.9 and b.alternatives[0][0] == "17:20"


def test_a_pair_that_makes_a_day_is_left_as_read():
    arrive = _time("07:35", [("07:35", 0.7), ("01:35", 0.2)])
    leave = _time("17:20", [("17:20", 0.6), ("07:20", 0.3)])
    assert constraints.span(arrive, leave, 1, 14) == (arrive, leave)
    lone = FieldValue("17:20", 0.6, 0, (0, 0, 1, 1), "time")          # no runners-up: as read
    assert constraints.span(arrive, lone, 1, 14) == (arrive, lone)


def test_a_short_day_clearly_written_is_kept():
    """A real 30-minute visit read surely is not turned into a day: the span is soft."""
    arrive = _time("07:30", [("07:30", 0.97), ("07:50", 0.02)])
    leave = _time("08:00", [("08:00", 0.97), ("18:00", 0.02)])
    assert constraints.span(arrive, leave, 1, 14)[1].value == "08:00"


def test_an_identifier_inside_its_neighbours_text_is_found():
    """A footer crop that caught the case number and date beside the certificate number."""
    assert constraints.conform("C2505223549 3409784529 I 05/22/2025", "C##########", 0.9) == \
        ("C2505223549", 0.7)
    assert constraints.conform("3409784529 I 05/22", "##########", 0.9) == ("3409784529", 0.7)
    assert constraints.conform("2505223549 3409784529", "C##########", 0.9)[1] <= 0.3  # which?


def test_span_partners_are_the_two_ends_of_a_day():
    assert constraints.span_partner("DCC-94E", "rows.2.days.thu.time_in") == "rows.2.days.thu.time_out"
    assert constraints.span_partner("DCC-94E", "rows.2.days.thu.time_out") == "rows.2.days.thu.time_in"
    assert constraints.span_partner("DCC-94E", "week_of") is None
    assert constraints.span_partner("DCC-97", "children.0.days.01.scheduled") is None


def _date(value, confidence, *others):
    return FieldValue(value, confidence, 0, (0, 0, 1, 1), "date",
                      ((value, confidence),) + tuple(others))


def test_a_week_of_and_its_week_through_that_agree_back_each_other_up():
    fields = {"week_of": _date("2025-04-27", 0.69, ("2025-04-21", 0.2)),
              "week_through": _date("2025-05-03", 0.99)}
    out = constraints._offsets("DCC-94E", fields)
    assert out["week_of"].value == "2025-04-27" and 0.95 < out["week_of"].confidence <= 0.99
    assert out["week_through"].confidence <= 0.99


def test_an_unsure_date_gives_way_to_a_runner_up_that_agrees_with_a_sure_one():
    fields = {"week_of": _date("2025-04-21", 0.5, ("2025-04-27", 0.4)),
              "week_through": _date("2025-05-03", 0.98)}
    assert constraints._offsets("DCC-94E", fields)["week_of"].value == "2025-04-27"


def test_dates_that_cannot_agree_stay_as_read():
    fields = {"week_of": _date("2025-04-21", 0.5), "week_through": _date("2025-06-03", 0.98)}
    assert constraints._offsets("DCC-94E", fields) == fields


def test_a_time_that_lost_its_pm_is_read_in_the_afternoon_for_a_person_to_confirm():
    """"4:40" after "3:05P" (the P written past the box's edge): 04:40 makes no day."""
    arrive = FieldValue("15:05", 0.99, 0, (0, 0, 1, 1), "time")
    leave = FieldValue("04:40", 0.97, 0, (0, 0, 1, 1), "time")
    a, b = constraints.span(arrive, leave, 1, 14, ("05:00", "21:00"))
    assert a.value == "15:05" and b.value == "16:40"
    assert b.confidence <= constraints.TWIN_SURE             # not read so: a person confirms


def test_a_pair_that_makes_a_day_gets_no_twins():
    arrive = FieldValue("07:05", 0.99, 0, (0, 0, 1, 1), "time")
    leave = FieldValue("04:40", 0.97, 0, (0, 0, 1, 1), "time")     # 4:40 a.m.? the window says no
    assert constraints.span(arrive, leave, 1, 14, ("05:00", "21:00"))[1].value == "16:40"
    leave = FieldValue("09:40", 0.97, 0, (0, 0, 1, 1), "time")     # a short morning
    assert constraints.span(arrive, leave, 1, 14, ("05:00", "21:00")) == (arrive, leave)


def test_a_departure_before_the_arrival_gives_way_to_its_afternoon_twin():
    """"6:20" after "3:15 pm": both inside the hours of care, but the day would end before
    it began."""
    arrive = FieldValue("15:15", 0.97, 0, (0, 0, 1, 1), "time")
    leave = FieldValue("06:20", 0.99, 0, (0, 0, 1, 1), "time")
    b = constraints.span(arrive, leave, 1, 14, ("05:00", "21:00"))[1]
    assert b.value == "18:20" and b.confidence <= constraints.TWIN_SURE
