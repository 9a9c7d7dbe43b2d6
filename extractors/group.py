"""Group a file's pages into documents.

One fax may hold several documents in any order (a cover sheet, a certificate, a billing form
and its attendance sheets); a document's pages are tied by the identifiers printed on each of
them, listed in ``KEYS`` (data, not code: the field names, without their ``pN.`` prefix).

* Pages of a form with identifiers are one document when any identifier agrees, or nearly
  agrees (a noisy fax may garble a digit of the certificate number on one page).
* A page whose identifiers are unreadable joins the one document of its form that lacks its
  page number, unless a clearly read identifier differs; else it starts a document of its own.
* A form without identifiers (DCC-94E: one week, one page) is one document per page.
* Consecutive pages that are no CCAP form (cover sheet, letter, W-9) are one "other" document.
"""
from __future__ import annotations

import math
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from . import constraints
from .forms import load_form, split_page_prefix
from .model import Document
from .values import edits

if TYPE_CHECKING:
    from .pipeline import PageRead

# Identifiers printed on every page of a multi-page form, by form; each entry is a set of
# fields that together identify a document.
KEYS: dict[str, list[tuple[str, ...]]] = {
    "DCC-94": [("certificate_number",), ("case_number", "date_generated")],
    "DCC-97": [("pbf_number",), ("provider_number", "billing_month")],
    "DCC-94E": [],
}
MIN_SIMILARITY = 0.8         # identifiers at least this alike: the same document
MAX_GARBLED = 2              # characters a misreading may change in an identifier


def _identifiers(read: "PageRead") -> set[tuple[str, tuple]]:
    """The page's readable identifiers, e.g. {("certificate_number", ("C2205031234",))}. A
    reading that does not fit its identifier's format ("C25") identifies nothing."""
    values: dict[str, str] = {}
    for name, fv in read.fields.items():
        base = split_page_prefix(name)[1]
        if fv.value is not None and fv.confidence > constraints.MISFIT and base not in values:
            values[base] = fv.value
    found = set()
    for names in KEYS.get(read.form, []):
        if all(n in values for n in names):
            found.add((names[0], tuple(values[n] for n in names)))
    return found


def _similarity(a: set, b: set) -> float:
    """How alike two pages' identifiers are (1.0: one identifier agrees exactly). OCR may
    garble a character of a certificate number on one page, so near-equal counts too."""
    return max((_alike(va, vb) for key_a, va in a for key_b, vb in b if key_a == key_b),
               default=0.0)


def _alike(values_a: tuple, values_b: tuple) -> float:
    return SequenceMatcher(None, " ".join(values_a), " ".join(values_b)).ratio()


def _conflict(a: set, b: set) -> bool:
    """True when both pages read an identifier and it differs by more than a garbled character
    or two: two documents. (Two certificates generated days apart share most of their number,
    "C2610135521" and "C2610165972", so likeness alone does not tell them apart.)"""
    return any(key_a == key_b and edits(" ".join(va), " ".join(vb)) > MAX_GARBLED
               for key_a, va in a for key_b, vb in b)


PAGE_SURE = 0.5      # a repeated form's "Page N" read less surely than this may be renumbered


def number_pages(reads: list["PageRead"]) -> list["PageRead"]:
    """``reads`` with each unsurely numbered page of a repeated form (DCC-97 "Page N of M")
    renumbered to fit its document: it becomes the first page that the document its
    identifiers name lacks in this file. A faxed "2" that lost its foot reads as a faint "1"
    beside the real page 1, a faint "1" as a "9" with no pages 1 to 8 anywhere; most PBFs
    have one page. Pages whose number was read surely are left alone."""
    out = list(reads)
    for i, read in enumerate(out):
        if not KEYS.get(read.form) or not _unsure_number(read):
            continue
        ids = _identifiers(read)
        have = {p.page for p in out if p is not read and p.form == read.form
                and _similarity(ids, _identifiers(p)) >= MIN_SIMILARITY}
        first_free = min(n for n in range(1, len(have) + 2) if n not in have)
        if first_free != read.page:
            out[i] = _renumbered(read, first_free)
    return out


def _unsure_number(read: "PageRead") -> bool:
    numbers = [fv for name, fv in read.fields.items()
               if split_page_prefix(name)[1] == "page_number"]
    return bool(numbers) and numbers[0].confidence < PAGE_SURE


def _renumbered(read: "PageRead", number: int) -> "PageRead":
    """``read`` as page ``number`` of its form (``Form.renaming``)."""
    names = load_form(read.form).renaming(read.page, number)
    return replace(read, page=number,
                   fields={names.get(k, k): v for k, v in read.fields.items()},
                   kept_crops={names.get(k, k): v for k, v in read.kept_crops.items()})


def documents(reads: list["PageRead"]) -> list[Document]:
    groups: list[tuple[str, list["PageRead"], set]] = []     # (form, pages, identifiers)
    for read in reads:
        if read.form == "other":
            if groups and groups[-1][0] == "other" and groups[-1][1][-1].index == read.index - 1:
                groups[-1][1].append(read)
            else:
                groups.append(("other", [read], set()))
            continue
        if not KEYS.get(read.form):
            groups.append((read.form, [read], set()))
            continue
        ids = _identifiers(read)
        home, best = None, MIN_SIMILARITY
        for g in groups:
            if g[0] == read.form and read.page not in [p.page for p in g[1]]:
                similarity = _similarity(ids, g[2])
                if similarity >= best:
                    home, best = g, similarity
        if home is None:
            # unreadable or garbled identifiers: join the only document of this form that
            # still lacks this page (with two or more to choose from, guessing would mix them)
            open_groups = [g for g in groups
                           if g[0] == read.form and read.page not in [p.page for p in g[1]]]
            if len(open_groups) == 1 and not _conflict(ids, open_groups[0][2]):
                home = open_groups[0]
        if home is None:
            groups.append((read.form, [read], set(ids)))
        else:
            home[1].append(read)
            home[2].update(ids)
    return [_document(form, pages) for form, pages, _ in groups]


def _document(form: str, pages: list["PageRead"]) -> Document:
    if form == "other":
        return Document("other", [p.index for p in pages], [], {}, [], "reject")
    pages = sorted(pages, key=lambda p: (p.page or 0, p.index))
    count = load_form(form).page_count or max([p.of or 0 for p in pages] +
                                              [p.page or 1 for p in pages])
    present = {p.page for p in pages}
    fields = {}
    for p in pages:
        for name, value in p.fields.items():
            fields.setdefault(name, value)
    return Document(form, [p.index for p in pages],
                    [n for n in range(1, count + 1) if n not in present],
                    _vote_copies(form, count, fields), [], "review")


def _vote_copies(form: str, count: int, fields: dict) -> dict:
    """System-printed values repeated on several pages (``certificate_number`` and the
    ``p1.``/``p2.``/``p3.`` footer copies) are one value: each copy is a vote weighted by its
    confidence, and every copy takes the winner. Agreeing copies raise the confidence as
    independent evidence does (noisy-or: four faxed copies of "C2608221897" read alike at 0.4
    each make 0.87), votes for other values lower it. Values printed differently on each page
    (``constraints.per_page``: "Page N of M") are not copies."""
    layout = {f.name: f for f in load_form(form).fields(count)}
    copies: dict[str, list[str]] = {}
    for name in fields:
        field = layout.get(name)
        if field is not None and not field.handwritten and not constraints.per_page(form, name):
            copies.setdefault(split_page_prefix(name)[1], []).append(name)
    out = dict(fields)
    for names in copies.values():
        if len(names) < 2:
            continue
        votes: dict[str, float] = {}
        for name in names:
            if fields[name].value is not None:
                votes[fields[name].value] = votes.get(fields[name].value, 0.0) + \
                    fields[name].confidence
        if not votes:
            continue
        winner = max(votes, key=votes.get)
        agree = [fields[n].confidence for n in names if fields[n].value == winner]
        against = sum(votes.values()) - votes[winner]
        confidence = min(0.99, 1 - math.prod(1 - c for c in agree) - 0.3 * against)
        for name in names:
            out[name] = replace(fields[name], value=winner, confidence=max(0.0, confidence))
    return out
