"""Which files arrive: channels, what is in each file, when, from whom, and what is wrong.

    plan_set(seed, n)   n random files (deterministic per seed) for generated sample sets
    curated_plans()     about 40 files for the committed set: every channel, every rule id

A file is built by :func:`build_file` from a *kind* and the rule ids to inject:

  ``cert``     a DCC-94 certificate, 3 pages (sometimes out of order)
  ``packet``   a DCC-97 and its DCC-94E weeks (4-5 sheets), for the ``match.*`` rules
  ``pbf``      a DCC-97 alone;  ``sheet``  a DCC-94E alone (no matching without a PBF)
  ``multi``    a fax cover sheet and 2-3 documents of one provider, pages shuffled
  ``split``    one certificate over two consecutive faxes: pages 1-2 (or 1) in the first,
               the rest in the next. Each file is judged alone, as ``ccap extract`` sees it:
               within the file the certificate IS incomplete, so each part's truth lists the
               missing pages and carries ``dcc94.all_pages``. Tying the parts together is the
               service's job (issue 4, completeness across files), not the file's truth.
  ``page``     one page photographed (a DCC-94E, a one-page DCC-97 or page 2 of a DCC-94)
  ``other``    a letter or W-9 alone (not a CCAP form: route reject)

Where the gateway writes no sidecar and the channel has no date of its own (scans, photos,
born-digital uploads), the received date is unknown: ``intake.received_unknown`` is expected on
each DCC-94 and DCC-97 in the file, and no window rule is injected there. The plan still keeps
the real ``received_at`` (the truth reports null for it).
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import content
from .content import (CODE_DEFECTS, DCC94_DEFECTS, DCC94E_DEFECTS, DCC97_DEFECTS,
                      MATCH_DEFECTS, World)
from .model import DocumentPlan, PagePlan, SubmissionPlan

TZ = ZoneInfo("America/New_York")
FAX = ("fax_fine", "fax_normal")
PREFIX = {"fax_fine": "fax", "fax_normal": "fax", "scan_pdf": "scan", "digital_pdf": "pdf",
          "photo": "photo", "email": "mail"}
CHANNEL_WEIGHTS = {"fax_fine": 28, "fax_normal": 27, "scan_pdf": 15, "digital_pdf": 8,
                   "photo": 11, "email": 11}
KIND_WEIGHTS = {
    "fax": {"cert": 30, "packet": 18, "multi": 18, "split": 6, "pbf": 14, "sheet": 10,
            "other": 4},
    "scan_pdf": {"cert": 35, "packet": 20, "pbf": 25, "sheet": 20},
    "digital_pdf": {"pbf": 65, "cert": 20, "other": 15},
    "photo": {"page": 1},
    "email": {"cert": 40, "pbf": 25, "packet": 20, "sheet": 15},
}
SIDECAR_RATE = {"fax_fine": 0.9, "fax_normal": 0.9, "email": 0.95, "scan_pdf": 0.75,
                "photo": 0.55, "digital_pdf": 0.8}
# Chance that a document gets a defect (tuned so that about 40 % of documents are clean).
DEFECT_RATE = {"DCC-94": 0.65, "DCC-97": 0.7, "DCC-94E": 0.6, "packet": 0.7}
SHEET_DEFECT_RATE = 0.55      # each other sheet of a billing packet
FIRST_DAY, LAST_DAY = date(2025, 2, 1), date(2026, 10, 31)
TIMING = ("dcc94.return_window", "dcc97.adjustment_window")
# Pairs of defects one document cannot carry together.
EXCLUSIVE = [({"dcc97.blank_form"}, set(CODE_DEFECTS)),
             ({"dcc97.holiday_limit"}, {"dcc97.end_sequence"}),
             ({"dcc94.all_pages"}, {"dcc94.parent_signature", "dcc94.provider_signature",
                                    "dcc94.signed_dates"})]


def _known(channel: str, sidecar: bool) -> bool:
    """Whether a reader can know when the file arrived (sidecar, fax header, e-mail Date)."""
    return sidecar or channel in FAX or channel == "email"


def _received(rng: random.Random) -> datetime:
    day = FIRST_DAY + timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
    minute = rng.randint(7 * 60 + 5, 19 * 60 + 55)
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), TZ)


def _geometry(rng: random.Random, channel: str, landscape: bool) -> tuple[int, float, bool]:
    """(rotation, skew, upside down) of one page: landscape forms go through fax machines
    sideways, and now and then a page goes in the wrong way round."""
    if channel == "digital_pdf":
        return 0, 0.0, False
    if channel in FAX:
        rotation = rng.choice([90, 270]) if landscape else 0
    elif channel == "photo":
        rotation = rng.choice([90, 270]) if landscape and rng.random() < 0.25 else 0
    else:
        rotation = rng.choice([0, 90, 270]) if landscape else 0
    flipped = rng.random() < 0.08
    if flipped:
        rotation = (rotation + 180) % 360
    limit = 2.0 if channel == "email" else 3.0
    return rotation, round(rng.uniform(-limit, limit), 2), flipped


def _landscape(doc: DocumentPlan) -> bool:
    return doc.form in ("DCC-97", "DCC-94E")


def _allowed(defects: set[str]) -> bool:
    return not any(defects & a and defects & b for a, b in EXCLUSIVE)


def _pick(rng: random.Random, pool, rate: float) -> set[str]:
    """None, one or (sometimes) two defects from ``pool``."""
    pool = list(pool)
    if not pool or rng.random() >= rate:
        return set()
    chosen = {rng.choice(pool)}
    if rng.random() < 0.2:
        extra = chosen | {rng.choice(pool)}
        if _allowed(extra):
            chosen = extra
    return chosen


# -- choosing people -------------------------------------------------------------------------

def _pbf_children(world: World, rng: random.Random, defects, most: int = 5, provider=None):
    """(family, child) pairs of one provider (``provider`` if given) that the DCC-97 defects
    can be injected into."""
    need = content.dcc97_requirements(defects)
    providers = [p for p in ([provider] if provider else world.providers)
                 if need["licensed"] is None or p.licensed == need["licensed"]]
    for _ in range(500 if providers else 0):
        provider = rng.choice(providers)
        families = world.families_of(provider)
        rng.shuffle(families)
        chosen = families[:rng.choice([1, 1, 2])]
        kids = [(f, c) for f in chosen for c in f.children][:most]
        flex = any(c.schedule_type == "FLEX" for _, c in kids)
        if need["flex"] is not None and flex != need["flex"]:
            continue
        if need["regular"] and all(c.schedule_type == "FLEX" for _, c in kids):
            continue
        return kids
    raise ValueError("no provider fits the defects")


# -- kinds of file ---------------------------------------------------------------------------

class _File:
    """What one file's builders share: the world, the dice, the channel and the date."""

    def __init__(self, world: World, rng: random.Random, channel: str, sidecar: bool,
                 received: datetime):
        self.world, self.rng, self.channel, self.sidecar = world, rng, channel, sidecar
        self.received = received
        self.known = _known(channel, sidecar)
        self.typed = channel == "digital_pdf"
        self.docs: list[DocumentPlan] = []
        self.order: list[tuple[int, int]] = []      # (document index, page) in file order
        self.provider = None
        self.labels: list[str] = []
        self.sheet_defect_rate = 0.0

    @property
    def day(self) -> date:
        return self.received.date()

    def add(self, doc: DocumentPlan, pages: list[int] | None = None) -> int:
        self.docs.append(doc)
        index = len(self.docs) - 1
        self.order += [(index, p) for p in (pages or range(1, doc.page_count + 1))]
        return index

    def cert(self, defects: set[str], family=None, pages: list[int] | None = None):
        rng = self.rng
        if family is None and self.provider:
            families = self.world.families_of(self.provider)
            taken = {d.paper["case_number"].text for d in self.docs if d.form == "DCC-94"}
            family = rng.choice([f for f in families if f.case_number not in taken] or families)
        family = family or rng.choice(self.world.families)
        self.provider = self.world.provider_of(family)
        late = "dcc94.return_window" in defects
        generated = content.generated_before(self.day, rng, late)
        doc = content.dcc94(self.world, rng, generated, defects - {"dcc94.all_pages"},
                            family=family, received=self.day, received_known=self.known,
                            typed=self.typed, staff_stamp=self.channel == "scan_pdf"
                            and self.sidecar and rng.random() < 0.3)
        if pages is None:
            pages = [1, 2, 3]
            if "dcc94.all_pages" in defects:
                gone = rng.sample([1, 2, 3], rng.choice([1, 1, 1, 2]))
                if defects & {"dcc94.parent_signature", "dcc94.provider_signature",
                              "dcc94.signed_dates"}:
                    gone = [rng.choice([1, 3])]
                pages = [p for p in pages if p not in gone]
            if self.channel != "digital_pdf" and len(pages) > 1 and rng.random() < 0.12:
                i = rng.randrange(len(pages) - 1)
                pages[i], pages[i + 1] = pages[i + 1], pages[i]
                self.labels.append("pages out of order")
        content.expect_missing_pages(doc, pages)
        return self.add(doc, pages)

    def pbf(self, defects: set[str], most: int = 5):
        rng = self.rng
        month = content.billing_month_before(self.day, rng, "dcc97.adjustment_window" in defects)
        kids = _pbf_children(self.world, rng, defects, most, self.provider)
        self.provider = self.world.provider_of(kids[0][0])
        return self.add(content.dcc97(self.world, rng, month, kids, defects, received=self.day,
                                      received_known=self.known, typed=self.typed))

    def sheet(self, defects: set[str], week: date | None = None):
        rng = self.rng
        if self.provider is None:
            self.provider = rng.choice(self.world.providers)
        families = self.world.families_of(self.provider)
        rng.shuffle(families)
        kids = [(f, c) for f in families[:rng.choice([1, 2])] for c in f.children][:5]
        week = week or content.sunday_of(self.day - timedelta(days=rng.randint(7, 30)))
        return self.add(content.dcc94e(self.world, rng, self.provider, week, kids, None,
                                       defects))

    def packet(self, defects: set[str]):
        rng = self.rng
        late = "dcc97.adjustment_window" in defects
        month = content.billing_month_before(self.day, rng, late, min_gap=8)
        kids = _pbf_children(self.world, rng, defects,
                             4 if "match.child_not_on_pbf" in defects else 5)
        families = list(dict.fromkeys(f for f, _ in kids))
        self.provider = self.world.provider_of(families[0])
        docs = content.billing_packet(self.world, rng, month, families, defects,
                                      received=self.day, received_known=self.known,
                                      typed=self.typed, children=kids,
                                      sheet_defect_rate=self.sheet_defect_rate)
        for doc in docs:
            self.add(doc)

    def other(self, kind: str):
        provider = self.provider or self.rng.choice(self.world.providers)
        self.provider = provider
        doc = content.letter(provider, self.day, self.rng) if kind == "letter" else \
            content.w9(provider, self.rng)
        return self.add(doc)


# Rules that only some files can carry get more weight, so that each occurs often enough to
# measure (packets are a fifth of the files; Flex children a fifth of the children).
RARE = ("dcc97.flex_uncoded", "dcc97.adjustment_window", "dcc97.blank_form",
        "dcc97.same_code_exception", "dcc97.end_sequence", "dcc94e.times_recorded")


def _pool(form: str, known: bool) -> list[str]:
    """Rule ids a document of ``form`` ("packet": a PBF with its weeks) may be given, repeated
    by weight."""
    pool = {"DCC-94": list(DCC94_DEFECTS) + ["dcc94.all_pages"], "DCC-97": list(DCC97_DEFECTS),
            "DCC-94E": list(DCC94E_DEFECTS),
            "packet": list(DCC97_DEFECTS) + list(MATCH_DEFECTS) * 4 + [
                "dcc94e.initials", "dcc94e.parent_signature", "dcc94e.provider_signature"]}[form]
    pool += [d for d in pool if d in RARE]
    return [d for d in pool if known or d not in TIMING]


def _route(defects: set[str], prefix: str) -> set[str]:
    return {d for d in defects if d.startswith(prefix)}


def build_file(world: World, rng: random.Random, index: int, channel: str, kind: str,
               defects=(), *, sidecar: bool | None = None, received: datetime | None = None,
               page_form: str | None = None,
               sheet_defect_rate: float = SHEET_DEFECT_RATE) -> list[SubmissionPlan]:
    """The plan(s) of one file of ``kind`` (two for ``split``) with ``defects`` injected.

    ``defects`` are rule ids; in a ``multi`` file each goes to the document of its form.
    ``intake.received_unknown`` asks for a file without a sidecar on a channel that has no date
    of its own. ``page_form`` picks the form of a ``page`` file (default: from the defects, else
    mostly DCC-94E). ``sheet_defect_rate``: the chance of a signature or initials defect on each
    DCC-94E of a billing packet that no asked-for defect uses. Raises ValueError when the
    defects cannot be injected in this file."""
    defects = set(defects)
    if sidecar is None:
        sidecar = "intake.received_unknown" not in defects and rng.random() < SIDECAR_RATE[
            channel]
    if "intake.received_unknown" in defects and _known(channel, sidecar):
        raise ValueError("the received date is known on this channel")
    received = received or _received(rng)
    f = _File(world, rng, channel, sidecar, received)
    f.sheet_defect_rate = sheet_defect_rate
    if not f.known and defects & set(TIMING):
        raise ValueError("window rules need the received date")
    if kind == "cert":
        f.cert(_route(defects, "dcc94."))
    elif kind == "pbf":
        f.pbf(_route(defects, "dcc97."), most=3 if channel == "photo" else 5)
    elif kind == "sheet":
        f.sheet(_route(defects, "dcc94e."))
    elif kind == "packet":
        f.packet(defects - {"intake.received_unknown"})
    elif kind == "page":
        which = page_form or ("DCC-94" if _route(defects, "dcc94.") else "DCC-97" if _route(
            defects, "dcc97.") else "DCC-94E" if _route(defects, "dcc94e.") else rng.choices(
                ["DCC-94E", "DCC-97", "DCC-94"], weights=[6, 3, 1])[0])
        if which == "DCC-94":
            f.cert(_route(defects, "dcc94.") | {"dcc94.all_pages"}, pages=[2])
        elif which == "DCC-97":
            f.pbf(_route(defects, "dcc97."), most=3)
        else:
            f.sheet(_route(defects, "dcc94e."))
    elif kind == "other":
        f.other(rng.choice(["letter", "w9"]))
    elif kind == "multi":
        _multi(f, defects)
    elif kind == "split":
        return _split(f, index)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return [_finish(f, index)]


def _multi(f: _File, defects: set[str]) -> None:
    """Cover sheet, then 2-3 documents of one provider in shuffled page order."""
    rng = f.rng
    wanted = []
    if _route(defects, "dcc97.") or (not _route(defects, "dcc94e.") and rng.random() < 0.5):
        wanted.append("pbf")         # first: its defects may need a certain kind of provider
    wanted.append("cert")
    if _route(defects, "dcc94e.") or rng.random() < 0.35:
        wanted.append("sheet")
    if len(wanted) == 1 or rng.random() < 0.3:
        wanted.append(rng.choice(["cert", "other"]))
    for n, what in enumerate(wanted):
        if what == "cert":
            f.cert(_route(defects, "dcc94.") if "DCC-94" not in [d.form for d in f.docs]
                   else set())
        elif what == "pbf":
            f.pbf(_route(defects, "dcc97."), most=3)
        elif what == "other":
            f.other(rng.choice(["letter", "w9"]))
        else:
            week = None
            pbfs = [d for d in f.docs if d.form == "DCC-97"]
            if pbfs:        # a sheet of a later week, so that it pairs with no billed month
                after = content.month_end(content.pbf_month(pbfs[0])) + timedelta(days=1)
                week = content.sunday_of(after) + timedelta(days=7)
                if week + timedelta(days=6) >= f.day:
                    if _route(defects, "dcc94e."):
                        raise ValueError("no week between the billing month and the fax")
                    continue
            f.sheet(_route(defects, "dcc94e."), week)
    pages = f.order[:]
    if rng.random() < 0.6:
        rng.shuffle(pages)
        f.labels.append("pages shuffled")
    else:
        i = rng.randrange(len(pages) - 1)
        pages[i], pages[i + 1] = pages[i + 1], pages[i]
        f.labels.append("two pages swapped")
    about = ", ".join(dict.fromkeys(d.form for d in f.docs if d.form != "other"))
    f.docs.insert(0, content.cover_sheet(f.provider, f.day, len(pages) + 1, rng, about))
    f.order = [(0, 1)] + [(d + 1, p) for d, p in pages]


def _split(f: _File, index: int) -> list[SubmissionPlan]:
    """One certificate over two faxes sent minutes apart; each file misses the other's pages."""
    rng = f.rng
    cut = rng.choice([1, 2, 2])
    f.cert(set(), pages=list(range(1, cut + 1)))
    doc = f.docs[0]
    first = _finish(f, index, label="split fax, part 1 of 2")
    second = _File(f.world, rng, f.channel, f.sidecar,
                   min(f.received + timedelta(minutes=rng.randint(3, 90)),
                       f.received.replace(hour=20, minute=30)))
    second.provider = f.provider
    again = DocumentPlan(doc.form, doc.page_count, dict(doc.paper), [], doc.key)
    rest = list(range(cut + 1, 4))
    content.expect_missing_pages(again, rest, " (sent in the fax before)")
    second.add(again, rest)
    doc.expected[-1].note += " (sent in the next fax)"
    return [first, _finish(second, index + 1, label="split fax, part 2 of 2")]


def _finish(f: _File, index: int, label: str | None = None) -> SubmissionPlan:
    rng = f.rng
    if not f.known:
        for doc in f.docs:
            content.expect_received_unknown(doc)
    pages, flipped = [], False
    for d, p in f.order:
        rotation, skew, upside_down = _geometry(rng, f.channel, _landscape(f.docs[d]))
        pages.append(PagePlan(d, p, rotation, skew))
        flipped |= upside_down
    labels = list(f.labels) + ([label] if label else [])
    if not f.sidecar:
        labels.append("no sidecar")
    if flipped:
        labels.append("upside-down page")
    provider = f.provider
    family_sent = f.channel in ("email", "photo") and rng.random() < 0.3 and any(
        d.form == "DCC-94" for d in f.docs)
    if f.channel in FAX:
        sender, name = provider.fax, provider.station
    elif family_sent:
        family = next(fam for fam in f.world.families_of(provider)
                      if any(d.paper.get("case_number") and
                             d.paper["case_number"].text == fam.case_number for d in f.docs)) \
            if any(d.form == "DCC-94" and d.paper.get("case_number") for d in f.docs) else None
        sender, name = (family.email, family.parent) if family else (provider.email,
                                                                    provider.name)
    else:
        sender, name = provider.email, provider.name
    return SubmissionPlan(
        name=f"{PREFIX[f.channel]}-{index:04d}", channel=f.channel, received_at=f.received,
        sender=sender, sender_name=name, sidecar=f.sidecar, documents=f.docs, pages=pages,
        fax_header_format=provider.fax_header_format if f.channel in FAX else None,
        defects=labels)


# -- random sets -----------------------------------------------------------------------------

def _random_defects(rng: random.Random, kind: str, known: bool
                    ) -> tuple[set[str], str | None]:
    """Defects for a random file of ``kind``, and the form of a one-page photo."""
    if kind == "page":
        form = rng.choices(["DCC-94E", "DCC-97", "DCC-94"], weights=[6, 3, 1])[0]
        if form == "DCC-94":
            return {"dcc94.all_pages"} | _pick(rng, ["dcc94.parent_signature",
                                                     "dcc94.provider_signature"], 0.3), form
        return _pick(rng, _pool(form, known), DEFECT_RATE[form]), form
    return _kind_defects(rng, kind, known), None


def _kind_defects(rng: random.Random, kind: str, known: bool) -> set[str]:
    if kind == "cert":
        return _pick(rng, _pool("DCC-94", known), DEFECT_RATE["DCC-94"])
    if kind == "pbf":
        return _pick(rng, _pool("DCC-97", known), DEFECT_RATE["DCC-97"])
    if kind == "sheet":
        return _pick(rng, _pool("DCC-94E", known), DEFECT_RATE["DCC-94E"])
    if kind == "packet":
        return _pick(rng, _pool("packet", known), DEFECT_RATE["packet"])
    if kind == "multi":
        chosen = set()
        for form in ("DCC-94", "DCC-97", "DCC-94E"):
            chosen |= _pick(rng, [d for d in _pool(form, known)
                                  if d != "dcc94e.times_recorded"], 0.35)
        return chosen
    return set()


def _random_file(world: World, rng: random.Random, index: int, room: int
                 ) -> list[SubmissionPlan]:
    channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    kinds = KIND_WEIGHTS["fax" if channel in FAX else channel]
    for attempt in range(40):
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        if kind == "split" and room < 2:
            continue
        sidecar = rng.random() < SIDECAR_RATE[channel]
        defects, page_form = _random_defects(rng, kind, _known(channel, sidecar))
        if channel == "digital_pdf" and kind == "cert":      # e-signed: not by hand
            defects |= {rng.choice(["dcc94.parent_signature", "dcc94.provider_signature"])}
            defects -= {"dcc94.all_pages"}
        try:
            return build_file(world, rng, index, channel, kind, defects, sidecar=sidecar,
                              page_form=page_form)
        except ValueError:
            continue
    raise RuntimeError("could not plan a file")       # pragma: no cover - 40 tries suffice


def plan_set(seed: int, n: int) -> list[SubmissionPlan]:
    """``n`` files for a generated sample set; the same seed gives the same plans."""
    world = content.make_world(random.Random(f"{seed}:world"))
    plans: list[SubmissionPlan] = []
    while len(plans) < n:
        index = len(plans) + 1
        plans += _random_file(world, random.Random(f"{seed}:file:{index}"), index,
                              n - len(plans))
    return plans


# -- the committed set -----------------------------------------------------------------------

# (channel, kind, defects[, form of a photographed page]): every channel and every rule id at
# least once, a handful clean.
CURATED = [
    ("fax_fine", "cert", ()),
    ("fax_normal", "cert", ()),
    ("fax_fine", "cert", ("dcc94.parent_signature",)),
    ("fax_normal", "cert", ("dcc94.provider_signature",)),
    ("fax_fine", "cert", ("dcc94.return_window",)),
    ("fax_normal", "cert", ("dcc94.signed_dates",)),
    ("fax_fine", "cert", ("dcc94.all_pages",)),
    ("fax_normal", "split", ()),
    ("fax_fine", "packet", ()),
    ("fax_normal", "packet", ("match.billed_not_attended",)),
    ("fax_fine", "packet", ("match.full_day_hours",)),
    ("scan_pdf", "packet", ("match.child_not_on_pbf",)),
    ("email", "packet", ("match.missing_week", "dcc94e.initials")),
    ("fax_fine", "multi", ("dcc97.same_code_exception",)),
    ("fax_normal", "multi", ("dcc94.parent_signature", "dcc94e.provider_signature")),
    ("fax_fine", "multi", ()),
    ("fax_normal", "pbf", ()),
    ("fax_fine", "pbf", ("dcc97.unknown_code",)),
    ("fax_normal", "pbf", ("dcc97.code_not_allowed",)),
    ("scan_pdf", "pbf", ("dcc97.end_sequence",)),
    ("fax_fine", "pbf", ("dcc97.flex_uncoded",)),
    ("scan_pdf", "pbf", ("dcc97.holiday_limit",)),
    ("email", "pbf", ("dcc97.adjustment_window",)),
    ("fax_normal", "pbf", ("dcc97.care_level",)),
    ("digital_pdf", "pbf", ("dcc97.blank_form",)),
    ("fax_fine", "pbf", ("dcc97.provider_signature",)),
    ("digital_pdf", "pbf", ()),
    ("fax_normal", "sheet", ("dcc94e.times_recorded",)),
    ("scan_pdf", "sheet", ("dcc94e.parent_signature",)),
    ("scan_pdf", "cert", ("intake.received_unknown",)),
    ("scan_pdf", "sheet", ()),
    ("photo", "page", ("dcc94e.initials",)),
    ("photo", "page", ("dcc94.all_pages",)),
    ("photo", "page", ("intake.received_unknown",), "DCC-97"),
    ("photo", "page", (), "DCC-94E"),
    ("email", "cert", ()),
    ("digital_pdf", "cert", ("dcc94.provider_signature", "dcc94.parent_signature")),
    ("fax_fine", "other", ()),
    ("scan_pdf", "packet", ()),
    ("fax_normal", "multi", ("dcc94e.initials",)),
    ("email", "sheet", ()),
    ("photo", "page", (), "DCC-97"),
    ("fax_fine", "pbf", ()),
]


def curated_plans(seed: int = 2022) -> list[SubmissionPlan]:
    """The committed sample set (about 40 files): every channel and rule id at least once."""
    world = content.make_world(random.Random(f"{seed}:world"))
    plans: list[SubmissionPlan] = []
    for channel, kind, defects, *form in CURATED:
        index = len(plans) + 1
        rng = random.Random(f"{seed}:curated:{index}")
        wanted = set(defects)
        for _ in range(60):
            try:
                made = build_file(world, rng, index, channel, kind, wanted,
                                  sidecar=False if "intake.received_unknown" in wanted else True,
                                  page_form=form[0] if form else None, sheet_defect_rate=0)
            except ValueError:
                continue
            got = {f.rule for p in made for d in p.documents for f in d.expected}
            if wanted <= got and (wanted or kind == "split" or not got):
                break
        else:
            raise RuntimeError(f"could not plan {channel} {kind} {defects}")
        plans += made
    return plans
