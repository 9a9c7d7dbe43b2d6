"""The sample plans (no drawing): deterministic, realistic mixes, and truthful findings.

The strongest test here is ``test_findings_are_exactly_what_the_paper_shows``: a small,
independent reading of every rule (as ``sample_scans/content.py`` documents it) is applied to the
truth fields of each planned file, and must find exactly the rule ids the plan says it injected:
no injected defect that does not fire, no clean document that trips a rule by accident.
"""
from __future__ import annotations

import calendar
import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from extractors.forms import WEEKDAYS, load_form, rules
from sample_scans import content, scenarios, truth
from sample_scans.model import CHANNELS


@pytest.fixture(scope="module")
def random_set():
    return scenarios.plan_set(1, 200)


@pytest.fixture(scope="module")
def curated():
    return scenarios.curated_plans()


def documents(plans):
    return [doc for plan in plans for doc in plan.documents]


def test_plan_set_is_deterministic_per_seed():
    assert repr(scenarios.plan_set(7, 25)) == repr(scenarios.plan_set(7, 25))
    assert repr(scenarios.plan_set(7, 25)) != repr(scenarios.plan_set(8, 25))
    assert len(scenarios.plan_set(7, 25)) == 25


def test_plans_do_not_depend_on_the_process():
    """Set order changes with PYTHONHASHSEED; the plans must not."""
    code = ("import hashlib; from sample_scans import scenarios; "
            "plans = scenarios.plan_set(3, 30) + scenarios.curated_plans(); "
            "print(hashlib.sha256(repr(plans).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(digests) == 1


def test_random_sets_hold_what_real_paper_holds(random_set):
    docs = documents(random_set)
    pbfs = [d for d in docs if d.form == "DCC-97"]
    hand_codes = Counter(ink.text for d in pbfs for k, ink in d.paper.items()
                         if k.endswith("provider_exception") and ink.style != "grey")
    assert {"1", "2", "40", "43", "55", "60"} <= set(hand_codes)
    assert any(d.page_count == 2 for d in pbfs)
    assert any(k.endswith("care_level_2") for d in pbfs if not d.expected for k in d.paper)
    assert any(ink.text == "FLEX" for d in pbfs if not d.expected for ink in d.paper.values())
    times = {ink.text for d in docs if d.form == "DCC-94E" for k, ink in d.paper.items()
             if ".time_" in k}
    assert any(t.endswith("a") for t in times) and any(t.endswith("pm") for t in times)
    assert any(t[:2].isdigit() and int(t[:2]) > 12 for t in times)
    dates = {ink.text for d in docs for k, ink in d.paper.items()
             if k.endswith("signed_date") and ink.style == "hand"}
    assert any(len(t) == 10 for t in dates) and any(len(t) <= 8 for t in dates)
    variants = {ink.variant for d in docs for ink in d.paper.values() if ink.style == "electronic"}
    assert variants == {"typed", "slash_s", "docusign", "esigned"}
    kinds = Counter(d.other_kind for d in docs if d.form == "other")
    assert set(kinds) == {"cover", "letter", "w9"}
    assert any(not p.sidecar for p in random_set)
    assert any(len({d.form for d in p.documents}) >= 3 for p in random_set)


def test_every_rule_has_an_injector():
    assert set(content.INJECTED_BY) == set(rules())


def test_each_file_comes_from_one_provider(random_set):
    for plan in random_set:
        numbers = {doc.paper[k].text for doc in plan.documents
                   for k in ("provider.provider_number", "provider_number") if k in doc.paper}
        assert len(numbers) <= 1, plan.name


def test_curated_set_covers_every_rule_and_channel(curated):
    seen = {f.rule for doc in documents(curated) for f in doc.expected}
    assert seen == set(rules())
    assert {p.channel for p in curated} == set(CHANNELS)
    assert sum(not doc.expected for doc in documents(curated) if doc.form != "other") >= 5
    assert 35 <= len(curated) <= 45
    assert 80 <= sum(len(p.pages) for p in curated) <= 140
    assert len({p.name for p in curated}) == len(curated)


def test_about_forty_percent_of_documents_are_clean(random_set):
    forms = [doc for doc in documents(random_set) if doc.form != "other"]
    clean = sum(not doc.expected for doc in forms) / len(forms)
    assert 0.33 <= clean <= 0.47, clean
    # and every plain-words label goes with a finding
    assert all(bool(doc.defects) == bool(doc.expected) for doc in forms)


def test_channel_mix(random_set):
    channels = Counter(p.channel for p in random_set)
    fax = (channels["fax_fine"] + channels["fax_normal"]) / len(random_set)
    assert 0.45 <= fax <= 0.65, channels
    assert set(channels) == set(CHANNELS)
    assert len({p.name for p in random_set}) == len(random_set)


def test_every_rule_occurs_in_a_random_set(random_set):
    seen = {f.rule for doc in documents(random_set) for f in doc.expected}
    assert seen == set(rules())


def _layout_names(doc):
    form = load_form(doc.form)
    return {f.name for n in range(1, doc.page_count + 1) for f in form.page(n).fields}


def test_paper_and_finding_fields_are_layout_fields(random_set, curated):
    for doc in documents(random_set + curated):
        if doc.form == "other":
            assert not doc.paper and doc.other_text
            continue
        names = _layout_names(doc)
        assert set(doc.paper) <= names, set(doc.paper) - names
        for finding in doc.expected:
            assert finding.rule in rules()
            assert set(finding.fields) <= names, (finding.rule, finding.fields)
            assert finding.note


def test_present_pages_and_geometry(random_set):
    for plan in random_set:
        assert plan.received_at.tzinfo is not None
        assert (plan.fax_header_format is not None) == plan.channel.startswith("fax")
        if plan.fax_header_format is not None:
            assert 0 <= plan.fax_header_format <= 4
        for page in plan.pages:
            doc = plan.documents[page.document]
            assert 1 <= page.page <= doc.page_count
            assert page.rotation in (0, 90, 180, 270)
            if plan.channel == "digital_pdf":
                assert (page.rotation, page.skew) == (0, 0.0)
            assert abs(page.skew) <= 3
            if plan.channel.startswith("fax") and doc.form in ("DCC-97", "DCC-94E"):
                assert page.rotation in (90, 270)
        assert sorted({p.document for p in plan.pages}) == list(range(len(plan.documents)))
    rotations = Counter(p.rotation for plan in random_set for p in plan.pages)
    flipped = rotations[180] / sum(rotations.values())
    assert 0.02 <= flipped <= 0.15


def test_dcc97_calendar_is_right_for_the_month(random_set):
    for doc in documents(random_set):
        if doc.form != "DCC-97":
            continue
        month = content.pbf_month(doc)
        last = calendar.monthrange(month.year, month.month)[1]
        for day in range(1, 32):
            ink = doc.paper[f"children.0.days.{day:02d}.weekday"]
            if day > last:
                assert ink.style == "grey"
            else:
                assert ink.text == "SMTWTFS"[(month.replace(day=day).weekday() + 1) % 7]


# -- an independent reading of the rules, applied to the truth fields ----------------------------

LICENSED = ("LICENSED TYPE I", "LICENSED TYPE II")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _minutes(value: str) -> int:
    hour, minute = value.split(":")
    return int(hour) * 60 + int(minute)


def _dcc94(doc, received):
    v = {k: f["value"] for k, f in doc["fields"].items()}
    found = set()
    if doc["missing_pages"]:
        found.add("dcc94.all_pages")
    for who in ("parent", "provider"):
        if f"{who}_signature" in v and v[f"{who}_signature"] != "wet":
            found.add(f"dcc94.{who}_signature")
    generated = _day(next(v[k] for k in ("date_generated", "p1.date_generated",
                                         "p2.date_generated", "p3.date_generated") if k in v))
    if received and (received - generated).days > 10:
        found.add("dcc94.return_window")
    for who in ("parent", "provider"):
        signed = _day(v.get(f"{who}_signed_date"))
        if signed and (signed < generated or (received and signed > received)):
            found.add("dcc94.signed_dates")
    return found


def _pbf_children(v):
    for i in range(15):
        if v.get(f"children.{i}.name"):
            yield i


def _dcc97(doc, received):
    v = {k: f["value"] for k, f in doc["fields"].items()}
    found = set()
    month = date.fromisoformat(v["billing_month"] + "-01")
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    if received and (received - last).days >= 90:
        found.add("dcc97.adjustment_window")
    for name, value in v.items():
        if name.endswith("provider_signature") and value == "blank":
            found.add("dcc97.provider_signature")
    any_code, holidays = False, set()
    for i in _pbf_children(v):
        flex = v[f"children.{i}.schedule_type"] == "FLEX"
        coded, ended = False, False
        for d in range(1, last.day + 1):
            base = f"children.{i}.days.{d:02d}."
            sched, exc = v[base + "scheduled"], v[base + "provider_exception"]
            if ended and sched and exc != "55":
                found.add("dcc97.end_sequence")
            if not exc:
                continue
            coded = any_code = True
            if exc == sched:
                found.add("dcc97.same_code_exception")
            if exc not in content.KNOWN_CODES and not (flex and exc in ("451", "452")):
                found.add("dcc97.unknown_code")
            if exc in ("45", "451", "452") and v["provider_type"] not in LICENSED:
                found.add("dcc97.code_not_allowed")
            if exc in ("60", "65"):
                ended = True
            if exc == "43":
                holidays.add(d)
        if flex and not coded:
            found.add("dcc97.flex_uncoded")
        dob = _day(v[f"children.{i}.dob"])
        first, second = content.care_level(dob, month), content.care_level(dob, last)
        if v[f"children.{i}.care_level"] != first or \
                v[f"children.{i}.care_level_2"] != (second if second != first else None):
            found.add("dcc97.care_level")
    if not any_code and v.get("provider_note"):
        found.add("dcc97.blank_form")
    if len(holidays) > 10:
        found.add("dcc97.holiday_limit")
    return found


def _dcc94e(doc):
    v = {k: f["value"] for k, f in doc["fields"].items()}
    found = set()
    if v["provider_signature"] == "blank":
        found.add("dcc94e.provider_signature")
    for r in range(5):
        timed = False
        for day in WEEKDAYS:
            base = f"rows.{r}.days.{day}."
            t_in, t_out = v[base + "time_in"], v[base + "time_out"]
            if bool(t_in) != bool(t_out):
                found.add("dcc94e.times_recorded")
            if (t_in and v[base + "in_initials"] == "absent") or \
                    (t_out and v[base + "out_initials"] == "absent"):
                found.add("dcc94e.initials")
            timed = timed or bool(t_in or t_out)
        if timed and v[f"rows.{r}.parent_signature"] == "blank":
            found.add("dcc94e.parent_signature")
    return found


def _match(pbf, sheets):
    """match.* for one PBF and the sheets of its provider whose week overlaps its month."""
    v = {k: f["value"] for k, f in pbf["fields"].items()}
    month = date.fromisoformat(v["billing_month"] + "-01")
    last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    mine = []
    for s in sheets:
        sv = {k: f["value"] for k, f in s["fields"].items()}
        start = _day(sv["week_of"])
        if sv["provider_number"] == v["provider_number"] and start <= last and \
                start + timedelta(days=6) >= month:
            mine.append((start, sv))
    if not mine:
        return set()
    found, severities = set(), []
    names = {v[f"children.{i}.name"]: i for i in _pbf_children(v)}
    rows = {}
    for start, sv in mine:
        for r in range(5):
            name = sv[f"rows.{r}.child_name"]
            if name and name not in names:
                found.add("match.child_not_on_pbf")
            if name in names:
                rows[(start, name)] = (sv, r)
    for name, i in names.items():
        for n in range(last.day):
            day = month + timedelta(days=n)
            base = f"children.{i}.days.{day.day:02d}."
            code = v[base + "provider_exception"] or v[base + "scheduled"]
            if not code:
                continue
            week = day - timedelta(days=(day.weekday() + 1) % 7)
            if (week, name) not in rows:
                found.add("match.missing_week")
                continue
            sv, r = rows[(week, name)]
            cell = f"rows.{r}.days.{WEEKDAYS[(day.weekday() + 1) % 7]}."
            t_in, t_out = sv[cell + "time_in"], sv[cell + "time_out"]
            if code in content.PAYABLE_ATTENDED and not (t_in and t_out):
                found.add("match.billed_not_attended")
            elif t_in and t_out:
                hours = (_minutes(t_out) - _minutes(t_in)) / 60
                if code == "1" and hours < 5:
                    found.add("match.full_day_hours")
                    severities.append("error")
                if code == "2" and hours >= 5:
                    found.add("match.full_day_hours")
                    severities.append("info")
    return found


def expected_by_reading(record) -> list[set[str]]:
    received = datetime.fromisoformat(record["received_at"]).date() \
        if record["received_at"] else None
    sheets = [d for d in record["documents"] if d["form"] == "DCC-94E"]
    out = []
    for doc in record["documents"]:
        found = set()
        if doc["form"] == "DCC-94":
            found = _dcc94(doc, received)
        elif doc["form"] == "DCC-97":
            found = _dcc97(doc, received) | _match(doc, sheets)
        elif doc["form"] == "DCC-94E":
            found = _dcc94e(doc)
        if doc["form"] in ("DCC-94", "DCC-97") and received is None:
            found.add("intake.received_unknown")
        out.append(found)
    return out


def test_findings_are_exactly_what_the_paper_shows(random_set, curated):
    checked = 0
    for plan in random_set + curated:
        record = truth.build(plan, plan.name, [None] * len(plan.pages))
        for doc, found in zip(record["documents"], expected_by_reading(record)):
            planned = {f["rule"] for f in doc["findings"]}
            assert planned == found, (plan.name, doc["form"], planned, found)
            checked += 1
    assert checked > 300


def test_billing_packets_agree_with_their_attendance(curated):
    packet = next(p for p in curated if p.name == "fax-0010")
    pbf, *sheets = packet.documents
    assert pbf.form == "DCC-97" and all(s.form == "DCC-94E" for s in sheets)
    assert not pbf.expected
    weeks = {s.paper["week_of"].text for s in sheets}
    assert len(weeks) == len(sheets) == len(content.packet_weeks(content.pbf_month(pbf)))
    # every PBF child is on every sheet
    names = {ink.text for key, ink in pbf.paper.items() if key.endswith(".name")}
    for sheet in sheets:
        rows = {ink.text.upper() for key, ink in sheet.paper.items() if key.endswith("child_name")}
        assert rows == names


def test_split_certificate_is_two_consecutive_faxes(curated):
    first, second = [p for p in curated if any("split" in d for d in p.defects)]
    assert first.documents[0].key == second.documents[0].key
    assert {p.page for p in first.pages} | {p.page for p in second.pages} == {1, 2, 3}
    assert first.received_at < second.received_at
    for plan in (first, second):
        assert [f.rule for f in plan.documents[0].expected] == ["dcc94.all_pages"]
