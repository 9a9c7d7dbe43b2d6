"""DCC-94 Child Care Service Agreement and Certificate: the rules ``dcc94.*``.

The certificate is printed by the state system; parent and provider sign page 2 by hand and
return all 3 pages within 10 calendar days of the date generated (shared/forms/README.md).
"""
from __future__ import annotations

from datetime import timedelta

from extractors.forms import load_form
from extractors.model import Finding

from .policy import in_force
from .reading import Context, Reading, finding, listing, parse_date, rule

FORM = "DCC-94"
_KEY_FIELDS = ("certificate_number", "p1.certificate_number", "p2.certificate_number",
               "p3.certificate_number")
_GENERATED_FIELDS = ("date_generated", "p1.date_generated", "p2.date_generated",
                     "p3.date_generated")


def certificate(r: Reading) -> str:
    """'certificate C2205031234' for messages, from page 1 or any page's footer."""
    _, number = r.first(*_KEY_FIELDS)
    return f"certificate {number}" if number else "the certificate"


def _generated(r: Reading):
    """(field, date) of the date generated. It is printed on every page and implied by
    ``return_by`` (10 days later), so a misread copy is outvoted; any disagreement sends the
    certificate to a person."""
    copies = [(name, parse_date(r.peek(name))) for name in _GENERATED_FIELDS]
    return_by = parse_date(r.peek("return_by"))
    if return_by is not None:
        days = in_force("return_days", return_by).value
        copies.append(("return_by", return_by - timedelta(days=days)))
    return r.vote(copies, "date_generated")


def pages_present(r: Reading, ctx: Context) -> set[int]:
    """Form pages the document holds: its own page images, or the fields of a page (a
    certificate completed from pages of several files carries their fields; an extract lists
    every field of each page it holds)."""
    present = {ctx.extract.pages[i].page for i in r.doc.pages if i < len(ctx.extract.pages)}
    for page in load_form(FORM).pages:
        if page.number not in present and any(r.has(f.name) for f in page.fields):
            present.add(page.number)
    return present


@rule("dcc94.all_pages")
def all_pages(r: Reading, ctx: Context) -> list[Finding]:
    present = pages_present(r, ctx)
    missing = [p for p in range(1, load_form(FORM).page_count + 1) if p not in present]
    if not missing:
        return []
    pages = "Page" if len(missing) == 1 else "Pages"
    verb = "was" if len(missing) == 1 else "were"
    return [finding("dcc94.all_pages",
                    f"{pages} {listing(missing)} of {certificate(r)} {verb} not received; all "
                    f"3 pages must be returned.", [])]


def _signature(r: Reading, name: str, who: str, rule_id: str) -> list[Finding]:
    if not r.has(name):                       # page 2 missing: dcc94.all_pages says so
        return []
    value = r.get(name)
    if value == "wet":
        return []
    what = ("signed electronically; it must be signed by hand" if value == "electronic"
            else "not signed")
    return [finding(rule_id, f"The {who} signature on page 2 of {certificate(r)} is {what}.",
                    [name])]


@rule("dcc94.parent_signature")
def parent_signature(r: Reading, ctx: Context) -> list[Finding]:
    return _signature(r, "parent_signature", "parent's", "dcc94.parent_signature")


@rule("dcc94.provider_signature")
def provider_signature(r: Reading, ctx: Context) -> list[Finding]:
    return _signature(r, "provider_signature", "provider's", "dcc94.provider_signature")


@rule("dcc94.return_window")
def return_window(r: Reading, ctx: Context) -> list[Finding]:
    name, generated = _generated(r)
    received = ctx.received()
    if generated is None or received is None:
        return []
    limit = in_force("return_days", generated)
    late = (received - generated).days
    if late <= limit.value:
        return []
    due = generated + timedelta(days=limit.value)
    return [finding("dcc94.return_window",
                    f"Received {received}, {late} days after {certificate(r)} was generated on "
                    f"{generated} (limit {limit.value} days, return by {due}).",
                    [name], policy=limit.source)]


FAR_DAYS = 60      # a signed date this far outside generation..receipt, read unsurely, is
                   # more likely a digit misread ("09/10" as "01/10") than what was written
SURE = 0.95
# Nearer the window, a date read only as a guess (``Reading.guessed``) is no evidence either:
# on seven development sets the findings resting on dates read under UNSURE were false 4 times
# of 6 (faxed "9/10" read as "8/10" at 0.11); a person reads the date instead.


# A signed date read between generation and receipt settles the rule whatever its exact digits
# (seven dev sets: 380 such readings, the true date inside the window every time; 25 of them
# read at 0.3-0.8, which used to block accepting the certificate). One read under INSIDE_SURE
# still goes to a person: the reader's date prior pulls its weakest readings toward the form's
# dates, and 2 of the 6 readings under 0.3 were wrong (though still inside).
INSIDE_SURE = 0.3


@rule("dcc94.signed_dates")
def signed_dates(r: Reading, ctx: Context) -> list[Finding]:
    out = []
    _, generated = _generated(r)
    received = ctx.received()
    for name, who in (("parent_signed_date", "parent"), ("provider_signed_date", "provider")):
        peeked = parse_date(r.peek(name))
        if (peeked and generated and received and generated <= peeked <= received
                and r.confidence(name) >= INSIDE_SURE):
            continue      # settled: read inside the window, the date needs no more confidence
        signed = r.date(name)
        if signed is None:
            continue
        far = ((generated is not None and (generated - signed).days > FAR_DAYS)
               or (received is not None and (signed - received).days > FAR_DAYS))
        if r.guessed(name) or (far and r.confidence(name) < SURE):
            r.unreadable(name)                       # a person reads it
            continue
        if generated is not None and signed < generated:
            out.append(finding("dcc94.signed_dates",
                               f"The {who} dated the signature {signed}, before {certificate(r)} "
                               f"was generated on {generated}.", [name, "date_generated"]))
        elif received is not None and signed > received:
            out.append(finding("dcc94.signed_dates",
                               f"The {who} dated the signature {signed}, after {certificate(r)} "
                               f"was received on {received}.", [name]))
    return out
