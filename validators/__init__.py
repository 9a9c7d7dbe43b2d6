"""Validators: extracted documents in, findings and a route out. Pure: no database, no I/O.

    from validators import check
    checked = check(extract)                 # a new Extract; the one given is not changed
    checked.documents[0].findings, checked.documents[0].route

Which rules run on a document comes from ``extractors/forms/rules.json`` (each rule's ``form``);
each rule id is one small function registered with ``@rule`` in the module of its form:
``dcc94``, ``dcc97``, ``dcc94e``, ``match`` (attendance against billing, across documents) and
``received`` (``intake.received_unknown``). ``policy`` holds the dated policy tables, the billing
codes and care levels; ``routing`` decides the route; ``completeness`` ties certificate pages
that came in separate files; ``history`` is what the holiday limit needs from outside the file.

``check`` replaces every document's findings and route (findings already present, e.g. in a
truth file, are not kept). It returns a new ``Extract`` sharing the field values of the one given,
which is left as it was. ``run`` does the same and also returns, per document, why it is not
accepted when no finding says so (fields under the confidence threshold, values a rule needed
but could not read), for the review UI.

Messages name children and certificates: they are for the worker's screen, never for logs (this
package logs nothing).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from extractors.forms import rules
from extractors.model import Extract, Finding

from . import dcc94, dcc94e, dcc97, match, received  # noqa: F401  (registers the rules)
from .history import FileOnly, History, Known
from .reading import REGISTRY, UNSURE, Context, Reading
from .routing import DEFAULT_THRESHOLD, Decision, decide

__all__ = ["check", "run", "Checked", "History", "FileOnly", "Known", "DEFAULT_THRESHOLD",
           "rules_for"]

def rules_for(form: str) -> list:
    """The rule functions that apply to one document of ``form`` (rules.json order)."""
    return [REGISTRY[r.id] for r in rules().values() if r.form == form]


@dataclass
class Checked:
    extract: Extract                 # documents with findings and route filled
    decisions: list[Decision]        # per document: the route and why it is not 'accept'


def run(extract: Extract, history: History | None = None,
        threshold: float = DEFAULT_THRESHOLD) -> Checked:
    """Check every document of ``extract``; the route's reasons are kept for the review UI."""
    ctx = Context(extract, history or FileOnly())
    readings = [Reading(doc) for doc in extract.documents]
    found: dict[int, list[Finding]] = {id(r): [] for r in readings}
    for r in readings:
        ctx.received_needed = False
        for fn in rules_for(r.form):
            found[id(r)] += fn(r, ctx)
        found[id(r)] += received.received_unknown(r, ctx)
    pbfs = [r for r in readings if r.form == "DCC-97"]
    sheets = [r for r in readings if r.form == "DCC-94E"]
    for r, f in match.compare(pbfs, sheets, ctx):
        found[id(r)].append(f)
    documents, decisions = [], []
    for r in readings:
        kept = []
        for f in found[id(r)]:
            if _rests_on_guesses(f, r, extract):
                r.unreadable(*f.fields)       # not reported, but a person must look
            else:
                kept.append(f)
        doc = replace(r.doc, findings=kept)
        decision = decide(doc, r.used, r.missing, threshold, r.presence)
        documents.append(replace(doc, route=decision.route))
        decisions.append(decision)
    return Checked(replace(extract, documents=documents), decisions)


def _rests_on_guesses(finding: Finding, r: Reading, extract: Extract) -> bool:
    """True when every field a finding names was read with low confidence: the finding may be
    an artefact of the reading. It is not reported, and its fields count as unreadable, so the
    document goes to review. A field the rule needed only to be written (``Reading.present``)
    and that is written is sure, however badly it was read; a field settled by copies that
    agree (``Reading.vote``) is as sure as the surest of them."""
    values = []
    for name in finding.fields:            # the finding's own document first, then the others
        fv = r.doc.fields.get(name) or next((d.fields[name] for d in extract.documents
                                             if name in d.fields), None)
        if fv is not None:
            written = name in r.presence and name not in r.used and fv.value is not None
            agreed = max((r.confidence(c) for c in r.copies.get(name, [])), default=0.0)
            values.append(1.0 if written else max(fv.confidence, agreed))
    return bool(values) and len(values) == len(finding.fields) and \
        all(c < UNSURE for c in values)


def check(extract: Extract, history: History | None = None,
          threshold: float = DEFAULT_THRESHOLD) -> Extract:
    """``extract`` with every document's findings and route filled in (a new Extract)."""
    return run(extract, history, threshold).extract
