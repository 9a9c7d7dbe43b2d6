"""What the sample generator plans before it draws anything.

The generator works in three steps, each its own module:

1. ``content`` + ``scenarios`` make a :class:`SubmissionPlan`: which documents (with every
   value as it stands on the paper and the defects injected), which pages in which order,
   each page's rotation and skew, the channel, when it was received and from whom.
2. ``render`` draws each planned page as a clean, upright greyscale image (``hand`` writes the
   handwriting and the signatures).
3. ``channels`` turns the page images into the file a gateway would deliver (fax TIFF, scanned
   or born-digital PDF, phone photo, e-mail) and its sidecar.

``generate`` runs the three and writes ``FILE.truth.json`` from the plan: the truth is derived
from what was put on the paper (``Ink``), never read back from the images.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Channel = Literal["fax_fine", "fax_normal", "scan_pdf", "digital_pdf", "photo", "email"]
CHANNELS: tuple[Channel, ...] = ("fax_fine", "fax_normal", "scan_pdf", "digital_pdf", "photo",
                                 "email")

InkStyle = Literal["print", "typed", "hand", "wet", "electronic", "grey"]


@dataclass(frozen=True)
class Ink:
    """What one field holds on the paper. A field that is not in ``DocumentPlan.paper`` is empty.

    style:
      print       printed by the state system in a plain typeface (``text``)
      typed       typed by the provider or parent on a computer (``text``)
      hand        handwritten by ``writer`` (``text`` as written: "7:45a", "5/6/22", "43", "ML")
      wet         a pen signature drawn as strokes; ``text`` is the signer's name
      electronic  an electronic signature; ``variant`` is "typed" (the name in a font),
                  "slash_s" ("/s/ Name"), "docusign" ("DocuSigned by: Name" stamp) or
                  "esigned" ("Electronically signed by Name <date>"); ``text`` is the name
      grey        the box is shaded grey by the system (DCC-97 days after the month's end)
    A ``mark`` field holds ``Ink("X", "print")`` (system) or ``Ink("X", "hand", writer)``.
    """
    text: str | None
    style: InkStyle
    writer: str | None = None          # who writes by hand: a stable id per person in the plan
    variant: str | None = None         # electronic signature variant
    overrun: bool = False              # handwriting that runs over the box edge


@dataclass
class ExpectedFinding:
    rule: str                          # rule id (extractors/forms/rules.json)
    fields: list[str] = field(default_factory=list)
    severity: str | None = None        # None: the rule's default severity from rules.json
    note: str = ""                     # what was injected, in plain words (for README tables)


@dataclass
class DocumentPlan:
    """One paper document (a certificate, a PBF, an attendance sheet, or an 'other' page set)."""
    form: str                          # "DCC-94", "DCC-97", "DCC-94E" or "other"
    page_count: int                    # pages the whole document has (DCC-94: 3; DCC-97: 1+)
    paper: dict[str, Ink] = field(default_factory=dict)   # field name -> ink (absent = empty)
    expected: list[ExpectedFinding] = field(default_factory=list)
    key: str = ""                      # stable id, e.g. certificate number or PBF number
    other_kind: str | None = None      # for form "other": "cover", "letter", "w9"
    other_text: dict[str, str] = field(default_factory=dict)  # what an 'other' page says
    defects: list[str] = field(default_factory=list)   # short labels for the README table


@dataclass
class PagePlan:
    """One page of the file, in file order."""
    document: int                      # index into SubmissionPlan.documents
    page: int                          # form page number (1-based; 1 for 'other' pages)
    rotation: int = 0                  # 0/90/180/270: clockwise turn that makes it upright
    skew: float = 0.0                  # degrees the content is turned, counter-clockwise positive


@dataclass
class SubmissionPlan:
    """One file as a gateway delivers it."""
    name: str                          # file stem, e.g. "fax-0007"
    channel: Channel
    received_at: datetime | None       # timezone-aware; when the gateway got it
    sender: str                        # fax number ("5025550199") or e-mail address
    sender_name: str                   # e.g. "SUNNY DAYS CC" (fax header, e-mail From)
    sidecar: bool                      # the gateway writes FILE.json beside the file
    documents: list[DocumentPlan]
    pages: list[PagePlan]
    fax_header_format: int | None = None   # index into channels.FAX_HEADER_FORMATS
    defects: list[str] = field(default_factory=list)    # file-level labels (README table)
