"""Which certificates are whole, given DCC-94 pages that may have come in separate files.

A DCC-94 has exactly 3 pages and every page carries the certificate number, case number and
date generated in its footer (``pN.certificate_number``, ``pN.case_number``,
``pN.date_generated``), so a page can be tied to its certificate alone. Two pages belong to the
same certificate when they share a certificate number, or share both case number and date
generated (either footer value may be misread; the other pair still ties them). A page whose
footer is unreadable stays with the pages of its own extracted document.

This part only says what is whole; how long to wait for the rest is the service's decision.

    certs = certificates([fax_a, fax_b])     # Extracts, in any order
    [(c.certificate_number, c.whole, c.missing) for c in certs]
    # -> [('C2205031234', True, [])]
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from extractors.forms import load_form
from extractors.model import Extract

FORM = "DCC-94"


@dataclass(frozen=True)
class PageRef:
    source: str                # Extract.source of the file the page came in
    index: int                 # index into that extract's pages
    page: int                  # form page number 1..3
    certificate_number: str | None
    case_number: str | None
    date_generated: str | None


@dataclass
class Certificate:
    pages: dict[int, list[PageRef]] = field(default_factory=dict)   # page number -> copies

    def _vote(self, attr: str) -> str | None:
        values = [getattr(p, attr) for refs in self.pages.values() for p in refs
                  if getattr(p, attr)]
        return max(set(values), key=values.count) if values else None

    @property
    def certificate_number(self) -> str | None:
        return self._vote("certificate_number")

    @property
    def case_number(self) -> str | None:
        return self._vote("case_number")

    @property
    def date_generated(self) -> str | None:
        return self._vote("date_generated")

    @property
    def missing(self) -> list[int]:
        return [n for n in range(1, load_form(FORM).page_count + 1) if n not in self.pages]

    @property
    def whole(self) -> bool:
        return not self.missing


def _footer(fields: dict, page: int, name: str) -> str | None:
    for key in (f"p{page}.{name}",) + ((name,) if page == 1 else ()):
        fv = fields.get(key)
        if fv is not None and fv.value:
            return fv.value
    return None


def page_refs(extract: Extract) -> list[tuple[int, PageRef]]:
    """Every DCC-94 page of ``extract`` as (document number, PageRef)."""
    out = []
    for d, doc in enumerate(extract.documents):
        if doc.form != FORM:
            continue
        for index in doc.pages:
            number = extract.pages[index].page
            if number is None:
                continue
            out.append((d, PageRef(extract.source, index, number,
                                   _footer(doc.fields, number, "certificate_number"),
                                   _footer(doc.fields, number, "case_number"),
                                   _footer(doc.fields, number, "date_generated"))))
    return out


def certificates(extracts: Iterable[Extract]) -> list[Certificate]:
    """The certificates the DCC-94 pages of ``extracts`` make up, whole or not, in the order
    their first page was seen."""
    refs: list[PageRef] = []
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    keys: dict[tuple, int] = {}
    for n, extract in enumerate(extracts):
        by_doc: dict[int, list[int]] = defaultdict(list)
        unkeyed: dict[int, list[int]] = defaultdict(list)
        for d, ref in page_refs(extract):
            i = len(refs)
            refs.append(ref)
            parent.append(i)
            by_doc[d].append(i)
            tied = False
            for key in (("cert", ref.certificate_number),
                        ("case+date", ref.case_number, ref.date_generated)):
                if all(key[1:]):
                    tied = True
                    if key in keys:
                        union(keys[key], i)
                    else:
                        keys[key] = i
            if not tied:
                unkeyed[d].append(i)
        for d, pending in unkeyed.items():        # unreadable footer: stay with its document
            for i in pending:
                union(by_doc[d][0], i)
    groups: dict[int, Certificate] = {}
    for i, ref in enumerate(refs):
        cert = groups.setdefault(find(i), Certificate())
        cert.pages.setdefault(ref.page, []).append(ref)
    return list(groups.values())
