"""Ground truth for a generated file, in the shape of the extract schema.

The truth is derived from the plan (what was put on the paper), never read back from pixels:
each field's value is ``normalise(type, ink.text)`` and the expected findings are the defects the
plan injected. Boxes are layout boxes at ``TRUTH_DPI`` on the upright, deskewed page.
"""
from __future__ import annotations

from extractors.forms import Field, load_form, rules
from extractors.values import normalise

from .model import DocumentPlan, Ink, SubmissionPlan

TRUTH_DPI = 200
SCALE = TRUTH_DPI / 72


def field_value(field: Field, ink: Ink | None) -> str | None:
    """The normalised value a perfect reader returns for ``field`` holding ``ink``."""
    if ink is None:
        return normalise(field.type, None)
    if ink.style == "grey":
        return None
    if field.type == "signature":
        return ink.style if ink.style in ("wet", "electronic") else "blank"
    return normalise(field.type, ink.text)


def _printed_count(doc: DocumentPlan) -> int | None:
    """The page count printed on the form's pages ("Page 2 of 3"), if the form prints one."""
    if doc.form == "DCC-94":
        return 3
    if doc.form == "DCC-97":
        return doc.page_count
    return None


def _page_size_px(doc: DocumentPlan) -> tuple[int, int]:
    width, height = (612, 792) if doc.form == "other" else load_form(doc.form).page_size
    return round(width * SCALE), round(height * SCALE)


def _document(doc: DocumentPlan, page_indexes: dict[int, int]) -> dict:
    """One truth document; ``page_indexes`` maps form page number -> index in the file."""
    present = sorted(page_indexes)
    if doc.form == "other":
        return {"form": "other", "pages": [page_indexes[p] for p in present], "missing_pages": [],
                "fields": {}, "findings": [], "route": "reject"}
    form = load_form(doc.form)
    fields = {}
    for number in present:
        for f in form.page(number).fields:
            fields[f.name] = {"value": field_value(f, doc.paper.get(f.name)), "confidence": 1.0,
                              "page": page_indexes[number], "box": list(f.box.scaled(SCALE)),
                              "type": f.type}
    table = rules()
    findings = [{"rule": e.rule, "severity": e.severity or table[e.rule].severity,
                 "message": e.note or table[e.rule].when, "fields": list(e.fields)}
                for e in doc.expected]
    blocking = any(f["severity"] in ("error", "warning") for f in findings)
    return {"form": doc.form, "pages": [page_indexes[p] for p in present],
            "missing_pages": [p for p in range(1, doc.page_count + 1) if p not in page_indexes],
            "fields": fields, "findings": findings, "route": "review" if blocking else "accept"}


def received_at(plan: SubmissionPlan) -> str | None:
    """What a perfect reader knows of the receipt time: sidecar, fax header, e-mail Date."""
    if plan.received_at is None:
        return None
    if plan.sidecar or plan.channel in ("fax_fine", "fax_normal", "email"):
        return plan.received_at.isoformat()
    return None


def build(plan: SubmissionPlan, source: str, fax_headers: list[str | None]) -> dict:
    """The truth JSON object for one written file."""
    pages, by_doc = [], {}
    for index, page in enumerate(plan.pages):
        doc = plan.documents[page.document]
        pages.append({"index": index, "form": doc.form,
                      "page": None if doc.form == "other" else page.page,
                      "of": _printed_count(doc), "rotation": page.rotation,
                      "skew_degrees": round(page.skew, 2), "fax_header": fax_headers[index],
                      "image_size": list(_page_size_px(doc))})
        by_doc.setdefault(page.document, {})[page.page] = index
    documents = [_document(plan.documents[d], by_doc[d]) for d in by_doc]
    return {"source": source, "received_at": received_at(plan), "pages": pages,
            "documents": documents, "channel": plan.channel,
            "defects": plan.defects + [d for doc in plan.documents for d in doc.defects]}
