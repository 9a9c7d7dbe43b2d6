"""Build small Extracts for the validator tests: a clean document of each form, then change it.

Every layout field of the document's pages is present (as in a real extract or a truth file);
the values given are normalised values, everything else is empty. ``clean_*`` return the values
of a document that raises no finding; a test changes one thing and checks one rule.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from extractors.forms import WEEKDAYS, load_form
from extractors.model import Document, Extract, FieldValue, PageInfo
from extractors.values import normalise

RECEIVED_94 = "2022-05-09T10:15:00-04:00"
RECEIVED_97 = "2022-07-08T09:00:00-04:00"
PROVIDER = "1047732"


def document(form: str, values: dict[str, str | None], page_numbers=None,
             confidence: float = 1.0, first_index: int = 0) -> tuple[Document, list[PageInfo]]:
    """A document of ``form`` on ``page_numbers`` (default all pages) holding ``values``."""
    layout = load_form(form)
    if page_numbers is None:
        count = layout.page_count or int(values.get("page_count") or 1)
        page_numbers = list(range(1, count + 1))
    pages, fields = [], {}
    printed_of = layout.page_count or len(page_numbers)
    for k, number in enumerate(page_numbers):
        index = first_index + k
        pages.append(PageInfo(index, form, number, printed_of))
        for f in layout.page(number).fields:
            value = values.get(f.name, normalise(f.type, None))
            fields[f.name] = FieldValue(value, confidence, index, (0, 0, 0, 0), f.type)
    missing = [] if not layout.page_count else [
        p for p in range(1, layout.page_count + 1) if p not in page_numbers]
    return Document(form, [p.index for p in pages], missing, fields), pages


def extract(*parts: tuple[str, dict] | tuple[str, dict, list[int]],
            received_at: str | None = RECEIVED_94, confidence: float = 1.0) -> Extract:
    """An Extract of one file holding the documents ``(form, values[, page numbers])``."""
    docs, pages = [], []
    for part in parts:
        form, values = part[0], part[1]
        numbers = part[2] if len(part) > 2 else None
        if form == "other":
            pages.append(PageInfo(len(pages), "other", None, None))
            docs.append(Document("other", [len(pages) - 1], [], {}))
            continue
        doc, new = document(form, values, numbers, confidence, len(pages))
        docs.append(doc)
        pages += new
    return Extract("test.tif", received_at, pages, docs)


# --- DCC-94 ----------------------------------------------------------------------------------

def clean_94(**changes) -> dict:
    v = {"date_generated": "2022-05-03", "return_by": "2022-05-13",
         "certificate_number": "C2205031234", "case_number": "4002817365",
         "applicant.name": "MARIA LOPEZ", "provider.name": "SUNNY DAYS CHILD CARE CENTER",
         "provider.provider_number": PROVIDER, "provider.provider_type": "LICENSED TYPE I",
         "children.0.name": "JAYDEN LOPEZ", "children.0.dob": "2019-06-15",
         "children.0.care_level": "TD-2", "children.0.schedule_type": "REGULAR",
         "parent_signature": "wet", "parent_signed_date": "2022-05-05",
         "provider_signature": "wet", "provider_signed_date": "2022-05-06"}
    for p in (1, 2, 3):
        v.update({f"p{p}.certificate_number": "C2205031234", f"p{p}.case_number": "4002817365",
                  f"p{p}.date_generated": "2022-05-03"})
    v.update(changes)
    return v


# --- DCC-97 ----------------------------------------------------------------------------------

LETTERS = "MTWTFSS"          # date.weekday(): Monday 0


def child_97(i: int, month: str, name: str, dob: str, care_level: str,
             care_level_2: str | None = None, schedule: str = "REGULAR",
             codes: dict[int, str] | None = None, scheduled: str | None = "1") -> dict:
    """Values of child block ``i``: scheduled ``scheduled`` Monday to Friday (nothing for Flex),
    provider exceptions ``codes`` {day: code}."""
    year, mon = (int(x) for x in month.split("-"))
    length = calendar.monthrange(year, mon)[1]
    v = {f"children.{i}.name": name, f"children.{i}.dob": dob,
         f"children.{i}.case_number": "4002817365", f"children.{i}.schedule_type": schedule,
         f"children.{i}.care_level": care_level, f"children.{i}.care_level_2": care_level_2}
    for n in range(1, length + 1):
        day = date(year, mon, n)
        p = f"children.{i}.days.{n:02d}."
        v[p + "weekday"] = LETTERS[day.weekday()]
        if schedule != "FLEX" and day.weekday() < 5:
            v[p + "scheduled"] = scheduled
    for n, code in (codes or {}).items():
        v[f"children.{i}.days.{n:02d}.provider_exception"] = code
    return v


def clean_97(month: str = "2022-06", children: list[dict] | None = None, **changes) -> dict:
    year, mon = (int(x) for x in month.split("-"))
    generated = date(year + mon // 12, mon % 12 + 1, 1)      # the 1st of the next month
    v = {"billing_month": month, "provider_name": "SUNNY DAYS CHILD CARE CENTER",
         "provider_number": PROVIDER, "provider_type": "LICENSED TYPE I",
         "pbf_number": "P2207010456", "date_generated": str(generated),
         "provider_signature": "wet", "provider_signed_date": "2022-07-05",
         "page_number": "1", "page_count": "1"}
    for child in children if children is not None else [
            child_97(0, month, "JAYDEN LOPEZ", "2019-01-10", "PS-1")]:
        v.update(child)
    v.update(changes)
    return v


# --- DCC-94E ---------------------------------------------------------------------------------

def clean_94e(week_of: str, rows: list[tuple[str, list[str]]] | None = None,
              times: tuple[str, str] = ("07:45", "17:30"), **changes) -> dict:
    """A sheet for the week starting Sunday ``week_of``; rows (name, weekdays attended)."""
    start = date.fromisoformat(week_of)
    v = {"provider_name": "SUNNY DAYS CHILD CARE CENTER", "provider_number": PROVIDER,
         "week_of": week_of, "week_through": str(start + timedelta(days=6)),
         "provider_signature": "wet", "provider_signed_date": str(start + timedelta(days=6))}
    for i, (name, days) in enumerate(rows or [("JAYDEN LOPEZ", list(WEEKDAYS[1:6]))]):
        v[f"rows.{i}.child_name"] = name
        v[f"rows.{i}.parent_signature"] = "wet"
        for day in days:
            p = f"rows.{i}.days.{day}."
            v.update({p + "time_in": times[0], p + "time_out": times[1],
                      p + "in_initials": "present", p + "out_initials": "present"})
    v.update(changes)
    return v


def month_sheets(month: str = "2022-06", rows=None, skip: tuple[str, ...] = ()) -> list[tuple]:
    """One sheet per week touching ``month`` (weeks starting on the Sundays in ``skip`` left
    out), attending Monday to Friday, as ``extract`` parts."""
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    sunday = first - timedelta(days=(first.weekday() + 1) % 7)
    last = date(year, mon, calendar.monthrange(year, mon)[1])
    out = []
    while sunday <= last:
        if str(sunday) not in skip:
            out.append(("DCC-94E", clean_94e(str(sunday), rows)))
        sunday += timedelta(days=7)
    return out


def findings(checked: Extract, rule: str | None = None, doc: int | None = None) -> list:
    docs = checked.documents if doc is None else [checked.documents[doc]]
    return [f for d in docs for f in d.findings if rule is None or f.rule == rule]


def rule_ids(checked: Extract, doc: int | None = None) -> set[str]:
    return {f.rule for f in findings(checked, doc=doc)}
