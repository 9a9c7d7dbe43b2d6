"""The CCAP paper forms as data: layouts loaded into typed, immutable objects.

The JSON files beside this module are copies of the contract in ``shared/forms`` (layouts and
the extract schema) plus ``rules.json`` (every rule id with its severity and the policy it rests
on). Everything that needs a box, a field type or a rule reads it from here; nothing else in the
project hard-codes a coordinate.

Units are PDF points (1/72 in), origin top-left, y grows downward, exactly as in the layouts.

    >>> form = load_form("DCC-97")
    >>> page = form.page(2)                 # DCC-97 repeats page 1 for children 3..5
    >>> page.field("p2.billing_month").box
    Box(x0=26, y0=68.5, x1=102, y1=83)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field as dataclass_field
from functools import cache
from importlib import resources
from typing import Iterator, Literal

FieldType = Literal["text", "name", "date", "month", "number", "money", "code", "time",
                    "initials", "signature", "mark"]
FilledBy = Literal["system", "provider", "parent", "staff"]

FORM_FILES = {"DCC-94": "dcc94.json", "DCC-97": "dcc97.json", "DCC-94E": "dcc94e.json"}
FORM_NAMES = tuple(FORM_FILES)
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True)
class Box:
    """A rectangle in layout points (origin top-left)."""
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def scaled(self, factor: float) -> tuple[int, int, int, int]:
        """The box in pixels of an image rendered at ``factor`` pixels per point."""
        return (round(self.x0 * factor), round(self.y0 * factor),
                round(self.x1 * factor), round(self.y1 * factor))


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    box: Box
    label: str
    filled_by: FilledBy
    page: int               # form page number, 1-based

    @property
    def handwritten(self) -> bool:
        """Written by a person rather than printed by the state system."""
        return self.filled_by != "system"


@dataclass(frozen=True)
class Static:
    """One item printed on the blank form: text, line or box (see shared/forms/README.md)."""
    kind: Literal["text", "line", "box"]
    spec: dict = dataclass_field(hash=False, compare=False)


@dataclass(frozen=True)
class Page:
    form: str
    number: int
    size: tuple[float, float]            # (width, height) in points
    fields: tuple[Field, ...]
    static: tuple[Static, ...]

    def field(self, name: str) -> Field:
        return self._by_name()[name]

    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def landscape(self) -> bool:
        return self.size[0] > self.size[1]


@dataclass(frozen=True)
class Repeat:
    """DCC-97: page N is a copy of page ``page`` for the next ``per_page`` children."""
    page: int
    block: str
    per_page: int
    prefix: str              # e.g. "p{N}."


@dataclass(frozen=True)
class Form:
    name: str                # "DCC-94"
    title: str
    revision: str
    page_size: tuple[float, float]
    pages: tuple[Page, ...]  # the pages the layout file defines
    repeat: Repeat | None = None

    @property
    def page_count(self) -> int | None:
        """Fixed number of pages, or None when the form repeats (DCC-97 has 1+ pages)."""
        return None if self.repeat else len(self.pages)

    def page(self, number: int) -> Page:
        """Page ``number`` (1-based); repeated pages are derived from the repeat rule."""
        if 1 <= number <= len(self.pages):
            return self.pages[number - 1]
        if self.repeat is None or number < 1:
            raise KeyError(f"{self.name} has no page {number}")
        return _repeated_page(self, number)

    def renaming(self, number: int, to: int) -> dict[str, str]:
        """Field names of page ``number`` -> the names of the fields in the same places on
        page ``to``: a repeated form's pages differ only in their fields' names (``p2.``,
        ``children.4`` ...)."""
        return {old.name: new.name
                for old, new in zip(self.page(number).fields, self.page(to).fields)}

    def fields(self, page_count: int | None = None) -> Iterator[Field]:
        """Every field of a document of this form with ``page_count`` pages."""
        count = page_count or self.page_count or 1
        for number in range(1, count + 1):
            yield from self.page(number).fields


@cache
def _repeated_page(form: Form, number: int) -> Page:
    rep = form.repeat
    base = form.pages[rep.page - 1]
    shift = rep.per_page * (number - 1)
    prefix = rep.prefix.format(N=number)
    block = re.compile(rf"^{re.escape(rep.block)}\.(\d+)\.")

    def rename(name: str) -> str:
        m = block.match(name)
        if m:
            return f"{rep.block}.{int(m.group(1)) + shift}.{name[m.end():]}"
        return prefix + name

    fields = tuple(Field(rename(f.name), f.type, f.box, f.label, f.filled_by, number)
                   for f in base.fields)
    return Page(form.name, number, base.size, fields, base.static)


_PAGE_PREFIX = re.compile(r"^p\d+\.")


def split_page_prefix(name: str) -> tuple[str, str]:
    """("p2.", "billing_month") for "p2.billing_month"; ("", name) when there is no prefix.
    A field repeated on several pages carries its page's prefix (shared/forms/README.md)."""
    m = _PAGE_PREFIX.match(name)
    return (m.group(0), name[m.end():]) if m else ("", name)


def _read_json(filename: str) -> dict:
    return json.loads(resources.files(__package__).joinpath(filename).read_text())


@cache
def load_form(name: str) -> Form:
    """The layout of form ``name`` ("DCC-94", "DCC-97" or "DCC-94E")."""
    try:
        raw = _read_json(FORM_FILES[name])
    except KeyError:
        raise KeyError(f"unknown form {name!r}; known: {', '.join(FORM_NAMES)}") from None
    size = tuple(raw["page_size"])
    pages = tuple(
        Page(raw["form"], p["page"], size,
             tuple(Field(f["name"], f["type"], Box(*f["box"]), f["label"], f["filled_by"],
                         p["page"]) for f in p["fields"]),
             tuple(Static(s["kind"], s) for s in p["static"]))
        for p in raw["pages"])
    repeat = Repeat(**raw["repeat"]) if raw.get("repeat") else None
    return Form(raw["form"], raw["title"], raw["revision"], size, pages, repeat)


def all_forms() -> tuple[Form, ...]:
    return tuple(load_form(name) for name in FORM_NAMES)


@cache
def extract_schema() -> dict:
    """JSON Schema (draft 2020-12) of the ``ccap extract`` output."""
    return _read_json("extract.schema.json")


@dataclass(frozen=True)
class Rule:
    id: str                  # "dcc94.all_pages"
    form: str                # "DCC-94", "DCC-97", "DCC-94E" or "match"
    severity: Literal["error", "warning", "info"]
    when: str                # when the finding is raised, in plain words
    policy: str              # what the finding rests on


@cache
def rules() -> dict[str, Rule]:
    """Every rule id the validators enforce, from rules.json."""
    return {r["id"]: Rule(**r) for r in _read_json("rules.json")["rules"]}
