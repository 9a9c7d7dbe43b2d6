"""The pure core's data: what ``ccap extract`` produces, as dataclasses.

These mirror ``forms/extract.schema.json`` one to one; ``to_json``/``from_json`` convert. The
generator's truth files and the extractor's output use the same shape, so a truth file can be
loaded with ``Extract.from_json`` and handed to the validators exactly like an extraction.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
Route = Literal["review", "accept", "reject"]


@dataclass
class FieldValue:
    value: str | None                 # normalised (extractors/values.py), or None
    confidence: float = 1.0           # 0..1
    page: int = 0                     # index into Extract.pages
    box: tuple[float, float, float, float] = (0, 0, 0, 0)   # pixels of the upright page image
    type: str | None = None           # layout field type
    # Other values the reader weighed, with their probabilities (the value itself first, at
    # its confidence). In memory only, not in the JSON: validators use it to tell whether a
    # conclusion holds whichever of them was written (``distribution``).
    alternatives: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    # Every value the ink may hold, with its share, when the box was read again against a
    # closed vocabulary (an unsure time against every time of day, ``clock``). In memory
    # only, like ``alternatives``; the validators weigh it where the exact value matters less
    # than which side of a limit it falls on.
    posterior: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def distribution(self) -> list[tuple[str | None, float]]:
        """What the field may hold, with probabilities: the value at its confidence, then the
        reader's runners-up sharing the rest (never above their own share, so that a
        confidence lowered after reading lowers them too). Just the value when the reader gave
        no runners-up, or when the value was changed after reading. The probabilities may sum
        to less than 1: the rest is "something else"."""
        rest = self.alternatives[1:]
        total = sum(p for _, p in rest)
        if not self.alternatives or self.alternatives[0][0] != self.value or total <= 0:
            return [(self.value, self.confidence)]
        return [(self.value, self.confidence)] + [
            (v, min(p, (1 - self.confidence) * p / total)) for v, p in rest]

    def to_json(self) -> dict:
        out = {"value": self.value, "confidence": round(self.confidence, 4), "page": self.page,
               "box": [round(v, 1) for v in self.box]}
        if self.type:
            out["type"] = self.type
        return out

    @classmethod
    def from_json(cls, raw: dict) -> "FieldValue":
        return cls(raw["value"], raw["confidence"], raw["page"], tuple(raw["box"]), raw.get("type"))


@dataclass
class Finding:
    rule: str                         # rule id from forms/rules.json, e.g. "dcc94.all_pages"
    severity: Severity
    message: str                      # a sentence a Family Support worker understands
    fields: list[str] = field(default_factory=list)
    policy: str | None = None         # what the rule rests on (forms/rules.json)

    def to_json(self) -> dict:
        out = {"rule": self.rule, "severity": self.severity, "message": self.message,
               "fields": list(self.fields)}
        if self.policy:
            out["policy"] = self.policy
        return out

    @classmethod
    def from_json(cls, raw: dict) -> "Finding":
        return cls(raw["rule"], raw["severity"], raw["message"], list(raw.get("fields", [])),
                   raw.get("policy"))


@dataclass
class PageInfo:
    index: int
    form: str                         # "DCC-94", "DCC-97", "DCC-94E" or "other"
    page: int | None                  # form page number
    of: int | None                    # page count printed on the page, if any
    rotation: int = 0                 # clockwise degrees applied to make the page upright
    skew_degrees: float = 0.0         # skew found (and removed), counter-clockwise positive
    fax_header: str | None = None
    image_size: tuple[int, int] | None = None   # (width, height) of the upright page image

    def to_json(self) -> dict:
        out = {"index": self.index, "form": self.form, "page": self.page, "of": self.of,
               "rotation": self.rotation, "skew_degrees": round(self.skew_degrees, 2),
               "fax_header": self.fax_header}
        if self.image_size:
            out["image_size"] = list(self.image_size)
        return out

    @classmethod
    def from_json(cls, raw: dict) -> "PageInfo":
        size = raw.get("image_size")
        return cls(raw["index"], raw["form"], raw["page"], raw["of"], raw["rotation"],
                   raw["skew_degrees"], raw["fax_header"], tuple(size) if size else None)


@dataclass
class Document:
    form: str
    pages: list[int]                  # indexes into Extract.pages, in form page order
    missing_pages: list[int] = field(default_factory=list)
    fields: dict[str, FieldValue] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    route: Route = "review"

    def value(self, name: str) -> str | None:
        """The normalised value of field ``name``, None when empty or not on the pages."""
        fv = self.fields.get(name)
        return fv.value if fv else None

    def to_json(self) -> dict:
        return {"form": self.form, "pages": list(self.pages),
                "missing_pages": list(self.missing_pages),
                "fields": {k: v.to_json() for k, v in self.fields.items()},
                "findings": [f.to_json() for f in self.findings], "route": self.route}

    @classmethod
    def from_json(cls, raw: dict) -> "Document":
        return cls(raw["form"], list(raw["pages"]), list(raw["missing_pages"]),
                   {k: FieldValue.from_json(v) for k, v in raw["fields"].items()},
                   [Finding.from_json(f) for f in raw["findings"]], raw["route"])


@dataclass
class Extract:
    """Everything read from one input file."""
    source: str
    received_at: str | None           # ISO 8601 with offset, or None
    pages: list[PageInfo] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"source": self.source, "received_at": self.received_at,
                "pages": [p.to_json() for p in self.pages],
                "documents": [d.to_json() for d in self.documents]}

    @classmethod
    def from_json(cls, raw: dict) -> "Extract":
        return cls(raw["source"], raw["received_at"],
                   [PageInfo.from_json(p) for p in raw["pages"]],
                   [Document.from_json(d) for d in raw["documents"]])


__all__ = ["FieldValue", "Finding", "PageInfo", "Document", "Extract", "asdict"]
