"""What the sample documents say: a small Kentucky world and the paper it fills in.

``make_world(rng)`` invents providers and the families they care for. The builders turn that
world into :class:`DocumentPlan` objects: every field that holds ink, as it stands on the paper
(system fields printed, provider and parent fields handwritten by a stable writer per person),
plus the defects asked for, each recorded as an :class:`ExpectedFinding` with plain words.

    dcc94(world, rng, date_generated, defects)              a certificate, 3 pages
    dcc97(world, rng, billing_month, children, defects)     a provider billing form, 1+ pages
    dcc94e(world, rng, provider, week_sunday, children, dcc97_plan, defects)   one week
    billing_packet(world, rng, billing_month, families, defects)   DCC-97 + its DCC-94E weeks
    cover_sheet / letter / w9                                pages that are not CCAP forms

The truth a validator must reproduce from the paper is exactly the expected findings, so the
builders follow these readings of the rules (``shared/forms/README.md``) and keep every clean
document clear of all of them:

* Dates are local (America/New_York) calendar dates. ``dcc94.return_window``: received date
  minus ``date_generated`` is more than 10 days (clean documents: 1-9 days). ``dcc94.signed_dates``:
  a signed date before ``date_generated`` or, when the received date is known, after it.
  ``dcc97.adjustment_window``: received date minus the last day of the billing month is 90 days
  or more (clean: at most 60).
* ``intake.received_unknown`` is expected on every DCC-94 and DCC-97 (the forms with a deadline)
  in a file whose received date nobody knows; DCC-94E and other pages carry no deadline.
  Such files never carry the window rules (they cannot be decided without the date).
* DCC-97 codes: a day's *billed code* is the provider exception when written, else the
  scheduled code. ``blank_form``: no provider exception anywhere on the document and a provider
  note (clean documents without exceptions never have a note; blank forms have no Flex child).
  ``end_sequence``: every scheduled day after a 60/65 must carry the exception 55.
  ``holiday_limit`` counts distinct dates with a 43 on any child, in the file itself (clean
  files have at most 3). ``care_level``: ``care_level`` must be the level on the 1st; when a
  birthday in the month changes it, ``care_level_2`` is the new level, otherwise empty.
  451/452 are written only for Flex children of licensed providers.
* Signatures: only the DCC-94 demands a wet one; on the DCC-97 and DCC-94E a signature is
  missing only when blank (born-digital PBFs are often e-signed, and that is clean).
  ``dcc94e.times_recorded``: a day with exactly one of time in and time out;
  ``dcc94e.initials``: a written time whose initials box is empty; ``dcc94e.parent_signature``:
  a row with any time and a blank weekly signature. ``dcc94.all_pages``: a certificate with
  pages missing *from this file* (see ``scenarios``: a certificate split over two faxes
  carries it in both files).
* ``match.*`` apply when one file holds a DCC-97 and DCC-94E sheets of the same provider whose
  weeks overlap the billing month; the findings are recorded on the DCC-97. Every sheet lists
  every PBF child. ``missing_week``: a week (Sunday-Saturday) with a billed code in the month for
  a child and no sheet listing that child. ``billed_not_attended``: a day billed 1, 2 or 60 on a
  sheet's week with no time in *and* time out for the child. ``full_day_hours``: billed 1 with
  under 5 hours (billed 2 with 5 hours or more: severity info). Days billed 60 and 65 are
  written with full-day hours; days outside the billing month are not compared.
"""
from __future__ import annotations

import calendar
import random
from collections import Counter
from dataclasses import dataclass
from string import capwords
from datetime import date, timedelta

from extractors.forms import WEEKDAYS

from .model import DocumentPlan, ExpectedFinding, Ink

# -- the world's raw material ------------------------------------------------------------------

# (county, city, zip, area code): a sample of Kentucky's 120 counties and their seats.
PLACES = [
    ("FRANKLIN", "FRANKFORT", "40601", "502"), ("JEFFERSON", "LOUISVILLE", "40211", "502"),
    ("JEFFERSON", "LOUISVILLE", "40218", "502"), ("FAYETTE", "LEXINGTON", "40505", "859"),
    ("FAYETTE", "LEXINGTON", "40517", "859"), ("KENTON", "COVINGTON", "41011", "859"),
    ("BOONE", "FLORENCE", "41042", "859"), ("CAMPBELL", "NEWPORT", "41071", "859"),
    ("WARREN", "BOWLING GREEN", "42101", "270"), ("DAVIESS", "OWENSBORO", "42301", "270"),
    ("HARDIN", "ELIZABETHTOWN", "42701", "270"), ("MADISON", "RICHMOND", "40475", "859"),
    ("CHRISTIAN", "HOPKINSVILLE", "42240", "270"), ("MCCRACKEN", "PADUCAH", "42001", "270"),
    ("PIKE", "PIKEVILLE", "41501", "606"), ("LAUREL", "LONDON", "40741", "606"),
    ("PULASKI", "SOMERSET", "42501", "606"), ("BOYD", "ASHLAND", "41101", "606"),
    ("SCOTT", "GEORGETOWN", "40324", "502"), ("JESSAMINE", "NICHOLASVILLE", "40356", "859"),
    ("BULLITT", "SHEPHERDSVILLE", "40165", "502"), ("SHELBY", "SHELBYVILLE", "40065", "502"),
    ("CLARK", "WINCHESTER", "40391", "859"), ("PERRY", "HAZARD", "41701", "606"),
    ("WHITLEY", "CORBIN", "40701", "606"), ("CALLOWAY", "MURRAY", "42071", "270"),
    ("BARREN", "GLASGOW", "42141", "270"), ("BOYLE", "DANVILLE", "40422", "859"),
    ("NELSON", "BARDSTOWN", "40004", "502"), ("HENDERSON", "HENDERSON", "42420", "270"),
    ("HOPKINS", "MADISONVILLE", "42431", "270"), ("FLOYD", "PRESTONSBURG", "41653", "606"),
    ("GRAVES", "MAYFIELD", "42066", "270"), ("WOODFORD", "VERSAILLES", "40383", "859"),
    ("MONTGOMERY", "MOUNT STERLING", "40353", "859"), ("ROWAN", "MOREHEAD", "40351", "606"),
]
STREETS = ["MAIN ST", "HOLMES ST", "WILKINSON BLVD", "BROADWAY", "LEESTOWN RD", "VERSAILLES RD",
           "DIXIE HWY", "BARDSTOWN RD", "NICHOLASVILLE RD", "MADISON AVE", "WALNUT ST",
           "CHESTNUT ST", "OAK ST", "MAPLE AVE", "ELM ST", "LOUISVILLE RD", "US 60 W",
           "RICHMOND RD", "TATES CREEK RD", "COLLEGE ST", "HIGH ST", "MILL ST", "PARK AVE",
           "RIVER RD", "HILLCREST DR", "CHURCH ST", "SPRING ST", "LINCOLN AVE"]
FIRST_F = ["MARIA", "ASHLEY", "BRITTANY", "JESSICA", "AMANDA", "KAYLA", "TIFFANY", "CRYSTAL",
           "DESTINY", "SHANICE", "HEATHER", "MEGAN", "SAMANTHA", "LATOYA", "ROSA", "ANGELA",
           "NICOLE", "STEPHANIE", "AMBER", "KIMBERLY", "TASHA", "LINDA", "PATRICIA", "DONNA"]
FIRST_M = ["JAMES", "MICHAEL", "ROBERT", "CARLOS", "DEANDRE", "TYLER", "CODY", "JUSTIN",
           "BRANDON", "MARCUS", "KEVIN", "DUSTIN", "TRAVIS", "LUIS", "ANTHONY", "JOSHUA"]
CHILD = ["JAYDEN", "SOFIA", "MATEO", "OLIVIA", "LIAM", "EMMA", "NOAH", "AVA", "ELIJAH",
         "HARPER", "KINSLEY", "BENTLEY", "AALIYAH", "JAXON", "KAYDEN", "ZOEY", "MASON", "AMARI",
         "BRYSON", "NEVAEH", "GRAYSON", "PAISLEY", "ISAIAH", "RYLEE", "CAMDEN", "JOSIAH",
         "MAKAYLA", "BRANTLEY", "SKYLAR", "KHLOE", "EASTON", "LAYLA", "ZAIDEN", "ARIA"]
LAST = ["LOPEZ", "CARTER", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "MILLER", "DAVIS",
        "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN", "THOMPSON",
        "WHITE", "HARRIS", "CLARK", "LEWIS", "ROBINSON", "WALKER", "HALL", "ALLEN", "YOUNG",
        "KING", "WRIGHT", "SCOTT", "GREEN", "BAKER", "ADAMS", "NELSON", "HILL", "CAMPBELL",
        "MITCHELL", "ROBERTS", "TURNER", "PHILLIPS", "COLLINS", "STEWART", "MORRIS", "SIZEMORE",
        "HOWARD", "SLONE", "COMBS", "NAPIER", "HALCOMB", "RAMIREZ", "NGUYEN", "OSEI"]
CENTER_WORDS = [("SUNNY DAYS", "CHILD CARE CENTER"), ("LITTLE LAMBS", "LEARNING CENTER"),
                ("KIDS KINGDOM", "ACADEMY"), ("BLUEGRASS", "EARLY LEARNING"),
                ("RAINBOW", "CHILD DEVELOPMENT CENTER"), ("TINY TOTS", "DAYCARE"),
                ("GROWING GARDEN", "PRESCHOOL"), ("KENTUCKY KIDS", "CHILD CARE"),
                ("BRIGHT FUTURES", "LEARNING ACADEMY"), ("HAPPY HEARTS", "CHILD CARE"),
                ("BUSY BEES", "LEARNING CENTER"), ("LITTLE EXPLORERS", "CHILD CARE"),
                ("STEPPING STONES", "EARLY LEARNING"), ("WILDCAT", "KIDS CLUB"),
                ("APPLE TREE", "CHILD CARE"), ("CREATIVE MINDS", "ACADEMY")]
PROVIDER_TYPES = ["LICENSED TYPE I", "LICENSED TYPE II", "CERTIFIED", "REGISTERED"]
LICENSED = ("LICENSED TYPE I", "LICENSED TYPE II")
EMAIL_DOMAINS = ["example.com", "example.net", "example.org"]

# Care levels by age in whole years (sourced, shared/forms/README.md): (age below, level).
CARE_LEVELS = [(1, "IN-1"), (2, "TD-1"), (3, "TD-2"), (4, "PS-1"), (5, "PS-2"), (6, "PS-3"),
               (8, "SA-1"), (13, "SA-2"), (19, "SA-3")]
LEVEL_NAMES = [level for _, level in CARE_LEVELS]
# State maximum daily rates (full, part) for a licensed provider by care level; ours, plausible.
STATE_MAX = {"IN-1": (45, 34), "TD-1": (44, 33), "TD-2": (43, 32), "PS-1": (40, 30),
             "PS-2": (38, 28), "PS-3": (36, 27), "SA-1": (32, 24), "SA-2": (30, 22),
             "SA-3": (30, 22)}

KNOWN_CODES = ("1", "2", "40", "43", "45", "50", "55", "60", "65")
FLEX_ONLY_CODES = ("451", "452")
UNKNOWN_CODES = ("47", "44", "5", "41", "12", "3", "57", "46")
PAYABLE_ATTENDED = ("1", "2", "60")
WEEKDAY_LETTERS = "SMTWTFS"            # Sunday first, as printed on the DCC-97


# -- the world -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    name: str               # as the system prints it
    number: str             # 7 digits
    type: str               # PROVIDER_TYPES
    county: str
    address: str            # "220 HOLMES ST, FRANKFORT, KY 40601"
    fax: str                # 10 digits
    phone: str
    email: str
    contact: str            # the person who signs ("Linda Carter")
    station: str            # fax station id, at most 20 characters
    fax_header_format: int  # index into channels' fax header formats (0..4)
    accredited: bool
    non_traditional: bool

    @property
    def licensed(self) -> bool:
        return self.type in LICENSED

    @property
    def writer(self) -> str:
        return f"provider-{self.number}"


@dataclass(frozen=True)
class Child:
    first: str
    last: str
    dob: date
    schedule_type: str      # REGULAR, SCHOOL, FLEX
    schedule: tuple[str, ...]   # per weekday Sun..Sat: "FD", "PD" or "" (REGULAR, SCHOOL)
    flex_full: int = 0      # FLEX: full days per week
    flex_part: int = 0
    special_needs: bool = False

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Family:
    parent: str             # as printed: "MARIA E LOPEZ"
    address: str
    city: str
    zip: str
    phone: str              # 10 digits
    email: str
    case_number: str        # 10 digits
    children: tuple[Child, ...]
    provider_number: str
    copay: int              # daily copay in dollars (first child; siblings pay none)
    helper: str | None = None   # a designated person who sometimes signs in/out ("Rosa Lopez")

    @property
    def writer(self) -> str:
        return f"parent-{self.case_number}"

    @property
    def signer(self) -> str:
        """The name as the parent signs it ("Maria Lopez")."""
        parts = self.parent.split()
        return f"{parts[0].title()} {parts[-1].title()}"

    @property
    def initials(self) -> str:
        parts = self.parent.split()
        return parts[0][0] + parts[-1][0]


@dataclass
class World:
    providers: list[Provider]
    families: list[Family]

    def provider(self, number: str) -> Provider:
        return next(p for p in self.providers if p.number == number)

    def provider_of(self, family: Family) -> Provider:
        return self.provider(family.provider_number)

    def families_of(self, provider: Provider) -> list[Family]:
        return [f for f in self.families if f.provider_number == provider.number]


def _phone(rng: random.Random, area: str) -> str:
    return f"{area}555{rng.randint(100, 199):04d}"       # 555-01xx: never a real number


def _provider(rng: random.Random, number: str, taken: set[str]) -> Provider:
    kind = rng.choices(PROVIDER_TYPES, weights=[5, 2, 2, 1])[0]
    county, city, zip_code, area = rng.choice(PLACES)
    contact_first, contact_last = rng.choice(FIRST_F), rng.choice(LAST)
    if kind == "REGISTERED":
        name = f"{contact_first} {contact_last}"
    elif kind == "CERTIFIED":
        name = rng.choice([f"{contact_last} FAMILY CHILD CARE", f"{contact_first}'S HOME DAYCARE",
                           f"{contact_last}'S LITTLE ONES"])
    else:
        words = [w for w in CENTER_WORDS if w[0] not in taken] or CENTER_WORDS
        head, tail = rng.choice(words)
        taken.add(head)
        name = f"{head} {tail}" if kind == "LICENSED TYPE I" else f"{head} LEARNING HOUSE"
    station = name[:20].rstrip()
    slug = "".join(c for c in name.lower() if c.isalpha())[:16]
    return Provider(
        name=name, number=number, type=kind, county=county,
        address=f"{rng.randint(10, 4999)} {rng.choice(STREETS)}, {city}, KY {zip_code}",
        fax=_phone(rng, area), phone=_phone(rng, area),
        email=f"{slug}@{rng.choice(EMAIL_DOMAINS)}",
        contact=f"{contact_first.title()} {contact_last.title()}", station=station,
        fax_header_format=rng.randrange(5), accredited=kind in LICENSED and rng.random() < 0.4,
        non_traditional=rng.random() < 0.15)


def _child(rng: random.Random, last: str, taken: set[str]) -> Child:
    """A child; ``taken`` holds the full names already cared for by the provider, so that no
    billing form lists two children of the same name."""
    first = rng.choice([c for c in CHILD if f"{c} {last}" not in taken])
    taken.add(f"{first} {last}")
    # Born 2012-2024: ages 0-12 over the dates the samples use (2024-2026). Never 29 February.
    dob = date(2012, 1, 1) + timedelta(days=rng.randint(0, 365 * 12 + 150))
    if (dob.month, dob.day) == (2, 29):
        dob = dob.replace(day=28)
    school_age = dob <= date(2018, 8, 1)
    if school_age and rng.random() < 0.8:
        kind = "SCHOOL"
    else:
        kind = "FLEX" if rng.random() < 0.22 else "REGULAR"
    schedule = [""] * 7
    full = part = 0
    if kind == "SCHOOL":
        for d in range(1, 6):
            schedule[d] = "PD"
    elif kind == "REGULAR":
        days = range(1, 6) if rng.random() < 0.75 else sorted(rng.sample(range(1, 6), 3))
        for d in days:
            schedule[d] = "FD"
        if rng.random() < 0.15:
            schedule[rng.choice(days)] = "PD"
    else:
        full, part = rng.randint(1, 3), rng.randint(0, 2)
    return Child(first, last, dob, kind, tuple(schedule), full, part,
                 special_needs=rng.random() < 0.06)


def _family(rng: random.Random, provider: Provider, case_number: str,
            taken: set[str]) -> Family:
    last = rng.choice(LAST)
    first = rng.choice(FIRST_F) if rng.random() < 0.85 else rng.choice(FIRST_M)
    middle = rng.choice("ABCDEJKLMRST")
    parent = f"{first} {middle} {last}" if rng.random() < 0.7 else f"{first} {last}"
    near = [p for p in PLACES if p[0] == provider.county]
    county, city, zip_code, area = rng.choice(near if rng.random() < 0.85 else PLACES)
    kids = tuple(_child(rng, last, taken) for _ in range(rng.choices([1, 2, 3],
                                                                     weights=[5, 3, 2])[0]))
    apt = f" APT {rng.randint(1, 24)}" if rng.random() < 0.4 else ""
    helper = f"{rng.choice(FIRST_F).title()} {last.title()}" if rng.random() < 0.3 else None
    return Family(
        parent=parent, address=f"{rng.randint(10, 4999)} {rng.choice(STREETS)}{apt}",
        city=city, zip=zip_code, phone=_phone(rng, area),
        email=f"{first.lower()}.{last.lower()}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}",
        case_number=f"{rng.randint(1000000000, 9999999999)}", children=kids,
        provider_number=provider.number, copay=rng.choice([0, 0, 2, 3, 4, 5, 6, 8]),
        helper=helper)


def make_world(rng: random.Random, providers: int = 40) -> World:
    """Providers across Kentucky, each caring for two to six CCAP families."""
    taken: set[str] = set()
    numbers = rng.sample(range(1000000, 9999999), providers)
    made = [_provider(rng, str(n), taken) for n in numbers]
    names: dict[str, set[str]] = {p.number: set() for p in made}   # children per provider
    families = [_family(rng, p, "", names[p.number]) for p in made
                for _ in range(rng.randint(2, 6))]
    cases = rng.sample(range(1000000000, 9999999999), len(families))
    families = [Family(**{**f.__dict__, "case_number": str(c)}) for f, c in zip(families, cases)]
    return World(made, families)


# -- ages, calendars, how people write -----------------------------------------------------------

def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def care_level(dob: date, day: date) -> str:
    age = age_on(dob, day)
    return next(level for below, level in CARE_LEVELS if age < below)


def month_days(first: date) -> list[date]:
    return [first.replace(day=d) for d in range(1, calendar.monthrange(first.year,
                                                                        first.month)[1] + 1)]


def month_end(first: date) -> date:
    return month_days(first)[-1]


def weekday_index(day: date) -> int:
    """0 for Sunday .. 6 for Saturday (the forms' week)."""
    return (day.weekday() + 1) % 7


def sunday_of(day: date) -> date:
    return day - timedelta(days=weekday_index(day))


def state_holidays(year: int) -> list[date]:
    """Kentucky state holidays a child care provider may close for (code 43)."""
    def nth(month: int, weekday: int, n: int) -> date:     # weekday: Monday 0
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last_monday_may = max(d for d in (date(year, 5, 31) - timedelta(days=i) for i in range(7))
                          if d.weekday() == 0)
    thanksgiving = nth(11, 3, 4)
    return [date(year, 1, 1), nth(1, 0, 3), last_monday_may, date(year, 6, 19),
            date(year, 7, 4), nth(9, 0, 1), date(year, 11, 11), thanksgiving,
            thanksgiving + timedelta(days=1), date(year, 12, 24), date(year, 12, 25),
            date(year, 12, 31)]


def printed_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


DATE_STYLES = ("{m}/{d}/{yy}", "{mm}/{dd}/{yyyy}", "{m}/{d}/{yyyy}", "{m}-{d}-{yy}")


def written_date(day: date, writer: str) -> str:
    """A date as ``writer`` habitually writes it: "5/6/22", "05/06/2022", "5-6-22"."""
    style = random.Random(f"date:{writer}").choice(DATE_STYLES)
    return style.format(m=day.month, d=day.day, mm=f"{day.month:02d}", dd=f"{day.day:02d}",
                        yy=f"{day.year % 100:02d}", yyyy=day.year)


TIME_STYLES = ("a", "am", "AM", "24", "24z")


def written_time(minutes: int, writer: str) -> str:
    """A clock time as ``writer`` writes it: "7:45a", "5:30 pm", "17:05", "07:30"."""
    style = random.Random(f"time:{writer}").choice(TIME_STYLES)
    hour, minute = divmod(minutes, 60)
    if style.startswith("24"):
        return f"{hour:02d}:{minute:02d}" if style == "24z" or hour >= 10 else \
            f"{hour}:{minute:02d}"
    half = "a" if hour < 12 else "p"
    h12 = hour % 12 or 12
    suffix = {"a": half, "am": f" {half}m", "AM": f" {half.upper()}M"}[style]
    return f"{h12}:{minute:02d}{suffix}"


def hand(text: str, writer: str, rng: random.Random) -> Ink:
    return Ink(text, "hand", writer, overrun=rng.random() < 0.03)


def pen(text: str, writer: str, rng: random.Random, typed: bool = False) -> Ink:
    """What a person fills in: handwriting, or typing on a born-digital PDF."""
    return Ink(text, "typed", writer) if typed else hand(text, writer, rng)


def signature(name: str, writer: str, kind: str, rng: random.Random) -> Ink | None:
    """``kind``: "wet", "electronic" (a random variant) or "blank" (None: nothing on paper)."""
    if kind == "blank":
        return None
    if kind == "electronic":
        return Ink(name, "electronic", writer,
                   variant=rng.choice(["typed", "slash_s", "docusign", "esigned"]))
    return Ink(name, "wet", writer)


def P(text: str) -> Ink:                                   # noqa: N802 - reads like the paper
    return Ink(text, "print")


def money(dollars: float) -> str:
    return f"${dollars:,.2f}"


def _expect(doc: DocumentPlan, rule: str, fields: list[str], note: str,
            severity: str | None = None, label: str | None = None) -> None:
    doc.expected.append(ExpectedFinding(rule, list(fields), severity, note))
    doc.defects.append(label or rule.split(".", 1)[1].replace("_", " "))


# -- timing: dates that keep clean documents inside every window ---------------------------------

def generated_before(received: date, rng: random.Random, late: bool = False) -> date:
    """A certificate's date_generated for a file received on ``received``."""
    return received - timedelta(days=rng.randint(13, 45) if late else rng.randint(1, 9))


def billing_month_before(received: date, rng: random.Random, late: bool = False,
                         min_gap: int = 2) -> date:
    """The first day of a billing month whose PBF arrives on ``received``.

    Clean: the month ended ``min_gap`` to 60 days before; late: 90 to 200 days before."""
    first = received.replace(day=1)
    while True:
        first = (first - timedelta(days=1)).replace(day=1)
        gap = (received - month_end(first)).days
        if late and gap >= 90 and (gap > 200 or rng.random() < 0.5):
            return first
        if not late and min_gap <= gap <= 60 and (gap > 30 or rng.random() < 0.8):
            return first
        if not late and gap > 60:
            raise ValueError("no billing month fits")


def expect_received_unknown(doc: DocumentPlan) -> None:
    """Record the warning a document with a deadline gets when nobody knows when it came."""
    if doc.form in ("DCC-94", "DCC-97"):
        _expect(doc, "intake.received_unknown", [],
                "no sidecar, fax header or e-mail date: the date received is unknown",
                label="received date unknown")


def expect_missing_pages(doc: DocumentPlan, present: list[int], why: str = "") -> None:
    """A DCC-94 of which only ``present`` pages are in the file."""
    missing = [p for p in range(1, doc.page_count + 1) if p not in present]
    if doc.form == "DCC-94" and missing:
        fields = [f"p{p}.certificate_number" for p in present]
        words = ", ".join(str(p) for p in missing)
        _expect(doc, "dcc94.all_pages", fields,
                f"page{'s' if len(missing) > 1 else ''} {words} of 3 not in this file{why}",
                label=f"page {words} missing")


# -- DCC-94 ---------------------------------------------------------------------------------------

DCC94_DEFECTS = ("dcc94.parent_signature", "dcc94.provider_signature", "dcc94.signed_dates",
                 "dcc94.return_window")


def dcc94(world: World, rng: random.Random, date_generated: date, defects=(), *,
          family: Family | None = None, received: date | None = None,
          received_known: bool = True, typed: bool = False,
          staff_stamp: bool = False) -> DocumentPlan:
    """A Child Care Certificate as returned: 3 pages, signed on page 2.

    ``received`` is the local date the file arrives (default: 1-9 days after generation);
    ``received_known`` says whether the reader can know it (False: no signed-after-received
    defect, no window rule). ``typed``: born digital, dates typed. ``staff_stamp``: a DCBS
    worker stamped page 3 with the date received. Asking for ``dcc94.return_window`` requires a
    late ``received`` (see :func:`generated_before`); ``dcc94.all_pages`` is the scenario's to
    inject (it decides which pages go in the file, then calls :func:`expect_missing_pages`).
    """
    family = family or rng.choice(world.families)
    provider = world.provider_of(family)
    received = received or date_generated + timedelta(days=rng.randint(1, 9))
    late = (received - date_generated).days > 10
    if ("dcc94.return_window" in defects) != (late and received_known):
        raise ValueError("received date and dcc94.return_window disagree")
    cert = f"C{date_generated:%y%m%d}{rng.randint(0, 9999):04d}"
    gen = printed_date(date_generated)
    doc = DocumentPlan("DCC-94", 3, key=cert)
    paper = doc.paper
    start = date_generated + timedelta(days=rng.randint(2, 10))
    end = month_end((start.replace(day=15) + timedelta(days=335)).replace(day=1))
    paper.update({
        "date_generated": P(gen), "return_by": P(printed_date(date_generated
                                                              + timedelta(days=10))),
        "certificate_number": P(cert), "case_number": P(family.case_number),
        "applicant.name": P(family.parent),
        "applicant.phone": P(f"({family.phone[:3]}) {family.phone[3:6]}-{family.phone[6:]}"),
        "applicant.address": P(family.address),
        "applicant.city_state_zip": P(f"{family.city}, KY {family.zip}"),
        "provider.name": P(provider.name), "provider.provider_number": P(provider.number),
        "provider.county": P(provider.county), "provider.address": P(provider.address),
        "provider.provider_type": P(provider.type)})
    for page in (1, 2, 3):
        paper[f"p{page}.certificate_number"] = P(cert)
        paper[f"p{page}.case_number"] = P(family.case_number)
        paper[f"p{page}.date_generated"] = P(gen)
    for i, child in enumerate(family.children):
        level = care_level(child.dob, date_generated)
        full, part = STATE_MAX[level]
        if not provider.licensed:
            full, part = round(full * 0.8), round(part * 0.8)
        extra = rng.choice([0, 0, 2, 3, 5, 7])
        c = f"children.{i}."
        paper.update({
            c + "name": P(child.name), c + "dob": P(printed_date(child.dob)),
            c + "care_level": P(level), c + "schedule_type": P(child.schedule_type),
            c + "enrollment_start": P(printed_date(start)),
            c + "enrollment_end": P(printed_date(end)),
            c + "state_max_rate_full": P(money(full)), c + "state_max_rate_part": P(money(part)),
            c + "provider_rate_full": P(money(full + extra)),
            c + "provider_rate_part": P(money(part + extra)),
            c + "copay_daily": P(money(family.copay if i == 0 else 0))})
        if provider.accredited:
            paper[c + "incentives.accredited"] = P("X")
        if provider.non_traditional:
            paper[c + "incentives.non_traditional"] = P("X")
        if child.special_needs:
            paper[c + "incentives.special_needs"] = P("X")
        if child.schedule_type == "FLEX":
            paper[c + "flex_full_days"] = P(str(child.flex_full))
            paper[c + "flex_part_days"] = P(str(child.flex_part))
        else:
            for d, mark in enumerate(child.schedule):
                if mark:
                    paper[f"{c}schedule.{WEEKDAYS[d]}"] = P(mark)

    # Signatures and their dates (page 2), by hand, between generation and receipt.
    last_ok = min(received, date_generated + timedelta(days=10))
    signers = {"parent": (family.signer, family.writer),
               "provider": (provider.contact, provider.writer)}
    for who, (name, writer) in signers.items():
        rule = f"dcc94.{who}_signature"
        kind = "wet"
        if rule in defects:
            kind = "electronic" if typed or rng.random() < 0.5 else "blank"
        ink = signature(name, writer, kind, rng)
        if ink:
            paper[f"{who}_signature"] = ink
        if kind == "blank":
            what = "left blank"
        else:
            what = {"typed": "a typed name", "slash_s": "an '/s/' signature",
                    "docusign": "a DocuSign stamp", "esigned": "an 'electronically signed' "
                    "stamp"}.get(ink.variant, "")
        if rule in defects:
            _expect(doc, rule, [f"{who}_signature"], f"{who} signature {what}, not signed by "
                    "hand", label=f"{who} signature {kind}")
        if kind == "blank" and rng.random() < 0.6:
            continue
        signed = date_generated + timedelta(days=rng.randint(0, (last_ok - date_generated).days))
        paper[f"{who}_signed_date"] = pen(written_date(signed, writer), writer, rng, typed)
    if "dcc94.signed_dates" in defects:
        who = rng.choice(["parent", "provider"])
        name, writer = signers[who]
        if received_known and rng.random() < 0.35:
            bad = received + timedelta(days=rng.randint(2, 20))
            how, short = "after the date received", "after receipt"
        else:
            bad = date_generated - timedelta(days=rng.randint(1, 25))
            how, short = "before the certificate was generated", "before generation"
        paper[f"{who}_signed_date"] = pen(written_date(bad, writer), writer, rng, typed)
        _expect(doc, "dcc94.signed_dates", [f"{who}_signed_date"],
                f"{who} signed date {bad:%m/%d/%Y} is {how}", label=f"{who} signed {short}")
    if "dcc94.return_window" in defects:
        _expect(doc, "dcc94.return_window", ["date_generated"],
                f"received {(received - date_generated).days} days after it was generated")
    if staff_stamp and received_known:
        paper["staff.date_received"] = hand(written_date(received, "staff"), "staff", rng)
        paper["staff.worker_initials"] = hand(rng.choice(["JB", "KM", "TW", "RS"]), "staff", rng)
    return doc


# -- DCC-97 --------------------------------------------------------------------------------------

DCC97_DEFECTS = ("dcc97.same_code_exception", "dcc97.unknown_code", "dcc97.code_not_allowed",
                 "dcc97.end_sequence", "dcc97.flex_uncoded", "dcc97.holiday_limit",
                 "dcc97.adjustment_window", "dcc97.care_level", "dcc97.blank_form",
                 "dcc97.provider_signature")
# Defects that rewrite the codes; a blank form has none, so it excludes all of them.
CODE_DEFECTS = ("dcc97.same_code_exception", "dcc97.unknown_code", "dcc97.code_not_allowed",
                "dcc97.end_sequence", "dcc97.flex_uncoded", "dcc97.holiday_limit")


def _key(page: int, name: str) -> str:
    """A DCC-97 field outside the child blocks: page 2 on carry the prefix ``pN.``."""
    return name if page == 1 else f"p{page}.{name}"


def dcc97_requirements(defects) -> dict:
    """What the PBF's provider and children must be like for ``defects`` to be injectable:
    ``licensed`` (True/False/None), ``flex`` (True: a Flex child needed, False: none allowed,
    None: either), ``regular`` (a child with a prefilled schedule needed)."""
    need = {"licensed": None, "flex": None, "regular": False}
    if "dcc97.code_not_allowed" in defects:
        need["licensed"] = False
    if "dcc97.flex_uncoded" in defects:
        need["flex"] = True
    if "dcc97.blank_form" in defects:
        need["flex"] = False
    if set(defects) & {"dcc97.same_code_exception", "dcc97.end_sequence",
                       "dcc97.holiday_limit", "dcc97.code_not_allowed",
                       "dcc97.unknown_code", "dcc97.blank_form"}:
        need["regular"] = True
    return need


def _clean_codes(rng: random.Random, provider: Provider, child: Child, days: list[date],
                 closed: set[date], allow_end: bool) -> tuple[dict[int, str], dict[int, str]]:
    """(scheduled, exceptions) for one child: day number -> code, with no rule broken."""
    scheduled = {d.day: {"FD": "1", "PD": "2"}[child.schedule[weekday_index(d)]]
                 for d in days if child.schedule_type != "FLEX" and child.schedule[
                     weekday_index(d)]}
    exc: dict[int, str] = {}
    if child.schedule_type == "FLEX":
        week: dict[date, list[date]] = {}
        for d in days:
            if 1 <= weekday_index(d) <= 5 and d not in closed:
                week.setdefault(sunday_of(d), []).append(d)
        for open_days in week.values():
            picked = rng.sample(open_days, min(len(open_days), child.flex_full + child.flex_part))
            for n, d in enumerate(picked):
                code = "1" if n < child.flex_full else "2"
                roll = rng.random()
                if roll < 0.04:
                    code = "40"
                elif roll < 0.06 and provider.licensed:
                    code = "451" if code == "1" else "452"
                exc[d.day] = code
        return scheduled, exc
    for d in days:
        code = scheduled.get(d.day)
        if d in closed:
            if code:
                exc[d.day] = "43"
            continue
        roll = rng.random()
        if code:
            if roll < 0.04:
                exc[d.day] = "40"
            elif roll < 0.05:
                exc[d.day] = "50"
            elif roll < 0.06 and provider.licensed:
                exc[d.day] = "45"
            elif roll < 0.09:
                exc[d.day] = "2" if code == "1" else "1"
        elif 1 <= weekday_index(d) <= 5 and roll < 0.02:
            exc[d.day] = rng.choice(["1", "2"])
    if allow_end and rng.random() < 0.07:
        _end(rng, scheduled, exc, broken=None)
    return scheduled, exc


def _end(rng: random.Random, scheduled: dict[int, str], exc: dict[int, str],
         broken: str | None) -> tuple[int, list[int]] | None:
    """The child leaves: 60 or 65 on a scheduled day, 55 on every later scheduled day.
    ``broken`` ("blank", "one", "50") leaves the 55s out in one of those ways."""
    days = sorted(scheduled)
    options = [d for i, d in enumerate(days) if d >= 8 and len(days) - i - 1 >= 2]
    if not options:
        return None
    last = rng.choice(options)
    exc[last] = rng.choice(["60", "60", "65"])
    later = [d for d in days if d > last]
    for d in list(exc):
        if d > last:
            del exc[d]
    for d in later:
        exc[d] = "55"
    hit: list[int] = []
    if broken == "blank":
        hit = later
    elif broken == "one":
        hit = [rng.choice(later)]
    elif broken == "50":
        hit = [rng.choice(later)]
    for d in hit:
        if broken == "50":
            exc[d] = "50"
        else:
            del exc[d]
    return last, hit


def _note(children: list[Child], exceptions: list[dict[int, str]], month: date) -> str:
    """A provider note that agrees with the exceptions written."""
    said = []
    for child, exc in zip(children, exceptions):
        for day, code in sorted(exc.items()):
            what = {"40": "absent, sick", "43": "closed for the holiday", "50": "absent",
                    "45": "out, family emergency", "60": "last day", "65": "last day"}.get(code)
            if what and len(said) < 3:
                if code == "43":
                    said.append(f"{month.month}/{day} {what} (43).")
                else:
                    said.append(f"{child.first.title()} {what} {month.month}/{day} ({code}).")
    return " ".join(dict.fromkeys(said)) or "Please call with any questions."


@dataclass
class _PbfDraft:
    """A DCC-97 being planned: the codes per child before they are put on paper."""
    doc: DocumentPlan
    provider: Provider
    children: list[tuple[Family, Child]]
    month: date                             # the first day
    scheduled: list[dict[int, str]]         # per child: day -> prefilled code
    exceptions: list[dict[int, str]]        # per child: day -> provider exception
    levels: list[list[str | None]]          # per child: [care_level, care_level_2]
    note: str | None = None

    @property
    def kids(self) -> list[Child]:
        return [c for _, c in self.children]

    @property
    def regular(self) -> list[int]:
        """Children with a prefilled schedule (not Flex)."""
        return [i for i, c in enumerate(self.kids) if c.schedule_type != "FLEX"]

    def free_day(self, i: int, rng: random.Random) -> int:
        """A scheduled day of child ``i`` with no exception yet."""
        options = [d for d in self.scheduled[i] if d not in self.exceptions[i]]
        if not options:
            raise ValueError("no free scheduled day")
        return rng.choice(options)

    def when(self, day: int) -> str:
        return f"{self.month.month}/{day}"


def _cell(i: int, day: int, part: str = "provider_exception") -> str:
    return f"children.{i}.days.{day:02d}.{part}"


def _end_sequence(draft: _PbfDraft, rng: random.Random) -> None:
    for i in rng.sample(draft.regular, len(draft.regular)):
        done = _end(rng, draft.scheduled[i], draft.exceptions[i],
                    broken=rng.choice(["blank", "one", "50"]))
        if done:
            last, hit = done
            _expect(draft.doc, "dcc97.end_sequence", [_cell(i, d) for d in [last] + hit],
                    f"{draft.kids[i].first.title()}: {draft.exceptions[i][last]} on "
                    f"{draft.when(last)}, later scheduled day(s) "
                    f"{', '.join(str(d) for d in hit)} not coded 55")
            return
    raise ValueError("no child can carry an end-sequence defect")


def _one_code(rule: str, pick_code, words):
    """An injector that writes one code on a free scheduled day of a prefilled child."""
    def inject(draft: _PbfDraft, rng: random.Random) -> None:
        i = rng.choice(draft.regular)
        day = draft.free_day(i, rng)
        draft.exceptions[i][day] = code = pick_code(draft, i, day, rng)
        _expect(draft.doc, rule, [_cell(i, day)], words(draft, i, day, code))
    return inject


_same_code = _one_code(
    "dcc97.same_code_exception", lambda d, i, day, rng: d.scheduled[i][day],
    lambda d, i, day, code: f"{d.kids[i].first.title()}: exception {code} on {d.when(day)} "
    "is the scheduled code")
_unknown_code = _one_code(
    "dcc97.unknown_code", lambda d, i, day, rng: rng.choice(UNKNOWN_CODES),
    lambda d, i, day, code: f"code {code} on {d.when(day)} is not a billing code")
_not_allowed = _one_code(
    "dcc97.code_not_allowed", lambda d, i, day, rng: "45",
    lambda d, i, day, code: f"45 on {d.when(day)} but the provider is {d.provider.type}")


def _flex_uncoded(draft: _PbfDraft, rng: random.Random) -> None:
    i = rng.choice([i for i, c in enumerate(draft.kids) if c.schedule_type == "FLEX"])
    draft.exceptions[i].clear()
    _expect(draft.doc, "dcc97.flex_uncoded", [f"children.{i}.name"],
            f"{draft.kids[i].first.title()} has a Flex schedule and no codes")


def _holiday_limit(draft: _PbfDraft, rng: random.Random) -> None:
    """The closures themselves are planned with the clean codes (see :func:`dcc97`)."""
    counted = sorted({d for exc in draft.exceptions for d, code in exc.items() if code == "43"})
    if len(counted) <= 10:
        raise ValueError("holiday-limit defect lost its holidays")
    i = next(i for i in draft.regular if any(draft.exceptions[i].get(d) == "43" for d in counted))
    _expect(draft.doc, "dcc97.holiday_limit",
            [_cell(i, d) for d in counted if draft.exceptions[i].get(d) == "43"],
            f"{len(counted)} days coded 43 (holiday) in {draft.month:%m/%Y}; 10 a year are "
            "allowed")


def _blank_form(draft: _PbfDraft, rng: random.Random) -> None:
    for exc in draft.exceptions:
        exc.clear()
    first = draft.kids[0].first.title()
    draft.note = rng.choice([
        "All children attended as scheduled. See attached sign-in sheets.",
        f"{first} was out sick {draft.when(rng.randint(3, 12))} and "
        f"{draft.when(rng.randint(13, 25))}. Otherwise here every day.",
        "We were closed the week of the storm, please pay as scheduled."])
    _expect(draft.doc, "dcc97.blank_form", ["provider_note"], "no codes written, only a note")


def _care_level(draft: _PbfDraft, rng: random.Random) -> None:
    levels, kids = draft.levels, draft.kids
    changing = [i for i, (_, second) in enumerate(levels) if second]
    if changing and rng.random() < 0.7:        # a birthday this month changes the level
        i = rng.choice(changing)
        new, birthday, name = levels[i][1], kids[i].dob, kids[i].first.title()
        if rng.random() < 0.5:
            levels[i][1] = None
            words = f"birthday {birthday:%m/%d} makes {name} {new}, no second care level printed"
        else:
            levels[i] = [new, None]
            words = f"{name} printed {new} from the 1st but turns that age on {birthday:%m/%d}"
        fields = [f"children.{i}.care_level", f"children.{i}.care_level_2"]
    else:                                      # a level one step off
        i = rng.randrange(len(kids))
        right = LEVEL_NAMES.index(levels[i][0])
        up = right == 0 or (right + 1 < 8 and rng.random() < 0.5)
        wrong = LEVEL_NAMES[right + 1 if up else right - 1]
        levels[i] = [wrong, None]
        words = f"{kids[i].first.title()} (born {kids[i].dob:%m/%d/%Y}) printed {wrong}"
        fields = [f"children.{i}.care_level"]
    _expect(draft.doc, "dcc97.care_level", fields, words)


# Code defects in the order they are injected (a blank form last: it wipes the codes).
_PBF_INJECTORS = {"dcc97.end_sequence": _end_sequence, "dcc97.same_code_exception": _same_code,
                  "dcc97.unknown_code": _unknown_code, "dcc97.code_not_allowed": _not_allowed,
                  "dcc97.flex_uncoded": _flex_uncoded, "dcc97.holiday_limit": _holiday_limit,
                  "dcc97.blank_form": _blank_form, "dcc97.care_level": _care_level}


def _check_people(provider: Provider, kids: list[Child], defects) -> None:
    need = dcc97_requirements(defects)
    if need["licensed"] is not None and provider.licensed != need["licensed"]:
        raise ValueError("provider type does not allow the defects asked for")
    if need["flex"] is True and not any(c.schedule_type == "FLEX" for c in kids):
        raise ValueError("a Flex child is needed")
    if need["flex"] is False and any(c.schedule_type == "FLEX" for c in kids):
        raise ValueError("no Flex child allowed")
    if need["regular"] and all(c.schedule_type == "FLEX" for c in kids):
        raise ValueError("a child with a prefilled schedule is needed")


def _closures(rng: random.Random, days: list[date], kids: list[Child], defects) -> set[date]:
    """Weekdays the provider is closed (43): some state holidays, or 11+ days for the
    holiday-limit defect."""
    month = days[0]
    if "dcc97.holiday_limit" not in defects:
        return {h for h in state_holidays(month.year) if h.month == month.month
                and 1 <= weekday_index(h) <= 5 and rng.random() < 0.75}
    weekdays = [d for d in days if 1 <= weekday_index(d) <= 5
                and any(c.schedule_type != "FLEX" and c.schedule[weekday_index(d)] for c in kids)]
    if len(weekdays) < 11:
        raise ValueError("too few scheduled days for a holiday-limit defect")
    start = rng.randint(0, len(weekdays) - 11)
    return set(weekdays[start:start + rng.randint(11, min(14, len(weekdays) - start))])


def dcc97(world: World, rng: random.Random, billing_month: date,
          children: list[tuple[Family, Child]], defects=(), *, received: date | None = None,
          received_known: bool = True, typed: bool = False) -> DocumentPlan:
    """A Provider Billing Form for ``billing_month`` (its first day), 3 children a page.

    ``children`` are (family, child) pairs of one provider. ``received`` defaults to 5-25 days
    after the month; ``dcc97.adjustment_window`` requires a ``received`` 90+ days after it.
    See :func:`dcc97_requirements` for what some defects need of the provider and children.
    """
    defects = set(defects)
    provider = world.provider_of(children[0][0])
    assert all(f.provider_number == provider.number for f, _ in children)
    kids = [c for _, c in children]
    _check_people(provider, kids, defects)
    days = month_days(billing_month)
    last_day = days[-1]
    received = received or last_day + timedelta(days=rng.randint(5, 25))
    gap = (received - last_day).days
    if ("dcc97.adjustment_window" in defects) != (gap >= 90 and received_known) or gap < 2:
        raise ValueError("received date and dcc97.adjustment_window disagree")

    generated = last_day + timedelta(days=1)
    pbf = f"P{generated:%y%m%d}{rng.randint(0, 9999):04d}"
    pages = (len(children) + 2) // 3
    doc = DocumentPlan("DCC-97", pages, key=pbf)
    if "dcc97.adjustment_window" in defects:
        _expect(doc, "dcc97.adjustment_window", ["billing_month"],
                f"received {gap} days after the end of the billing month")
    closed = _closures(rng, days, kids, defects)
    code_defect = bool(defects & set(CODE_DEFECTS))
    grids = [_clean_codes(rng, provider, c, days, closed, allow_end=not code_defect)
             for c in kids]
    levels = [[care_level(c.dob, days[0]), care_level(c.dob, last_day)] for c in kids]
    levels = [[a, b if b != a else None] for a, b in levels]
    draft = _PbfDraft(doc, provider, children, billing_month, [g[0] for g in grids],
                      [g[1] for g in grids], levels)
    for rule, inject in _PBF_INJECTORS.items():
        if rule in defects:
            inject(draft, rng)
    if draft.note is None and any(draft.exceptions) and rng.random() < 0.3:
        draft.note = _note(kids, draft.exceptions, billing_month)
    _pbf_paper(draft, rng, generated, gap, typed, "dcc97.provider_signature" in defects)
    return doc


def _pbf_paper(draft: _PbfDraft, rng: random.Random, generated: date, gap: int, typed: bool,
               unsigned: bool) -> None:
    """Put a planned DCC-97 on paper, page by page; ``unsigned``: one page lacks a signature."""
    doc, provider, paper = draft.doc, draft.provider, draft.doc.paper
    pages, writer = doc.page_count, provider.writer
    signed = generated + timedelta(days=rng.randint(0, max(0, min(gap - 1, 20))))
    unsigned_page = rng.randint(1, pages) if unsigned else None
    for page in range(1, pages + 1):
        k = lambda name: _key(page, name)  # noqa: E731
        paper.update({
            k("billing_month"): P(draft.month.strftime("%m/%Y")),
            k("provider_name"): P(provider.name), k("provider_number"): P(provider.number),
            k("provider_type"): P(provider.type), k("pbf_number"): P(doc.key),
            k("date_generated"): P(printed_date(generated)),
            k("page_number"): P(str(page)), k("page_count"): P(str(pages))})
        if page == unsigned_page:
            _expect(doc, "dcc97.provider_signature", [k("provider_signature")],
                    f"page {page} of the PBF is not signed", label="provider signature blank")
            if rng.random() < 0.5:
                continue
        else:
            kind = "electronic" if typed and rng.random() < 0.7 else "wet"
            paper[k("provider_signature")] = signature(provider.contact, writer, kind, rng)
        paper[k("provider_signed_date")] = pen(written_date(signed, writer), writer, rng, typed)
    if draft.note:
        paper["provider_note"] = pen(draft.note, writer, rng, typed)
    last_day = month_end(draft.month).day
    for i, ((family, child), level) in enumerate(zip(draft.children, draft.levels)):
        c = f"children.{i}."
        full, part = STATE_MAX[care_level(child.dob, draft.month)]
        if not provider.licensed:
            full, part = round(full * 0.8), round(part * 0.8)
        paper.update({
            c + "name": P(child.name), c + "case_number": P(family.case_number),
            c + "dob": P(printed_date(child.dob)), c + "schedule_type": P(child.schedule_type),
            c + "care_level": P(level[0]), c + "rate_full": P(money(full)),
            c + "rate_part": P(money(part)),
            c + "copay": P(money(family.copay if child is family.children[0] else 0))})
        if level[1]:
            paper[c + "care_level_2"] = P(level[1])
        for day in range(1, 32):
            if day > last_day:                 # the system greys the days after the month
                for part_name in ("weekday", "scheduled", "provider_exception",
                                  "worker_exception"):
                    paper[_cell(i, day, part_name)] = Ink(None, "grey")
                continue
            paper[_cell(i, day, "weekday")] = P(WEEKDAY_LETTERS[weekday_index(
                draft.month.replace(day=day))])
            if day in draft.scheduled[i]:
                paper[_cell(i, day, "scheduled")] = P(draft.scheduled[i][day])
            if day in draft.exceptions[i]:
                paper[_cell(i, day)] = pen(draft.exceptions[i][day], writer, rng, typed)
        counts = sorted(Counter(draft.scheduled[i].values()).items())
        for line, (code, count) in enumerate(counts[:3]):
            paper[f"{c}summary.{line}.code"] = P(code)
            paper[f"{c}summary.{line}.count"] = P(str(count))


def billed_codes(pbf: DocumentPlan) -> dict[str, dict[date, str]]:
    """Child name -> date -> billed code (the exception when written, else the scheduled
    code), read back from a DCC-97's paper."""
    month = pbf.paper["billing_month"].text
    first = date(int(month[3:]), int(month[:2]), 1)
    out: dict[str, dict[date, str]] = {}
    for i in range(3 * pbf.page_count):
        name = pbf.paper.get(f"children.{i}.name")
        if name is None:
            continue
        codes = {}
        for d in month_days(first):
            base = f"children.{i}.days.{d.day:02d}."
            ink = pbf.paper.get(base + "provider_exception") or pbf.paper.get(base + "scheduled")
            if ink is not None and ink.text:
                codes[d] = ink.text
        out[name.text] = codes
    return out


def pbf_month(pbf: DocumentPlan) -> date:
    month = pbf.paper["billing_month"].text
    return date(int(month[3:]), int(month[:2]), 1)


# -- DCC-94E -------------------------------------------------------------------------------------

DCC94E_DEFECTS = ("dcc94e.times_recorded", "dcc94e.initials", "dcc94e.parent_signature",
                  "dcc94e.provider_signature")


def _day_times(rng: random.Random, kind: str, school: bool) -> tuple[int, int]:
    """(arrival, departure) in minutes after midnight for a full or part day."""
    if kind == "full":
        start = rng.randrange(6 * 60 + 30, 9 * 60, 5)
        return start, start + rng.randrange(6 * 60, 10 * 60 + 35, 5)
    if school or rng.random() < 0.4:                   # after school
        start = rng.randrange(14 * 60 + 30, 15 * 60 + 35, 5)
        return start, start + rng.randrange(90, 3 * 60 + 30, 5)
    start = rng.randrange(7 * 60, 8 * 60 + 35, 5)
    return start, start + rng.randrange(2 * 60, 4 * 60 + 40, 5)


def _attendance(rng: random.Random, child: Child, week: list[date],
                billed: dict[date, str] | None, month: date | None) -> dict[int, str]:
    """Weekday index -> "full" or "part" for the days the child came."""
    out: dict[int, str] = {}
    flex_days = []
    if child.schedule_type == "FLEX":
        open_days = [d for d in range(1, 6)]
        flex_days = rng.sample(open_days, child.flex_full + child.flex_part)
    for d in week:
        w = weekday_index(d)
        if billed is not None and month is not None and (d.year, d.month) == (month.year,
                                                                              month.month):
            code = billed.get(d)
            if code in ("1", "60", "65"):
                out[w] = "full"
            elif code == "2":
                out[w] = "part"
            continue
        if child.schedule_type == "FLEX":
            if w in flex_days:
                out[w] = "full" if flex_days.index(w) < child.flex_full else "part"
        elif child.schedule[w] and rng.random() > 0.05:
            out[w] = "full" if child.schedule[w] == "FD" else "part"
    return out


def dcc94e(world: World, rng: random.Random, provider: Provider, week_sunday: date,
           children: list[tuple[Family, Child]], dcc97_plan: DocumentPlan | None = None,
           defects=(), *, typed: bool = False) -> DocumentPlan:
    """One week's attendance record, up to 5 children, filled by hand.

    With ``dcc97_plan`` the days of its billing month follow the billing exactly (billed 1/60/65:
    5 hours or more; 2: under 5 hours; anything else: no times). ``dcc94e.times_recorded`` is
    only injected on a day outside that month (ValueError when there is none), so that it never
    also breaks the match with the PBF.
    """
    if len(children) > 5:
        raise ValueError("a DCC-94E has 5 rows")
    defects = set(defects)
    week = [week_sunday + timedelta(days=n) for n in range(7)]
    billed = billed_codes(dcc97_plan) if dcc97_plan else {}
    month = pbf_month(dcc97_plan) if dcc97_plan else None
    doc = DocumentPlan("DCC-94E", 1, key=f"{provider.number}-{week_sunday:%Y%m%d}")
    paper = doc.paper
    pw = provider.writer
    paper.update({
        "provider_name": pen(capwords(provider.name), pw, rng, typed),
        "provider_number": pen(provider.number, pw, rng, typed),
        "week_of": pen(written_date(week[0], pw), pw, rng, typed),
        "week_through": pen(written_date(week[-1], pw), pw, rng, typed)})
    attended: list[tuple[int, int]] = []          # (row, weekday index) with times
    for r, (family, child) in enumerate(children):
        row = f"rows.{r}."
        on_pbf = child.name in billed
        written = capwords(child.name) if rng.random() < 0.7 else child.name
        paper[row + "child_name"] = pen(written, pw, rng, typed)
        came = _attendance(rng, child, week, billed.get(child.name) if on_pbf else None,
                           month if on_pbf else None)
        for w, kind in sorted(came.items()):
            t_in, t_out = _day_times(rng, kind, child.schedule_type == "SCHOOL")
            day = f"{row}days.{WEEKDAYS[w]}."
            for what, minutes in (("in", t_in), ("out", t_out)):
                writer, initials = family.writer, family.initials
                if family.helper and rng.random() < 0.15:
                    writer = f"helper-{family.case_number}"
                    initials = "".join(p[0] for p in family.helper.upper().split())
                paper[f"{day}time_{what}"] = hand(written_time(minutes, writer), writer, rng)
                paper[f"{day}{what}_initials"] = hand(initials, writer, rng)
            attended.append((r, w))
        if came or rng.random() < 0.5:
            paper[row + "parent_signature"] = Ink(family.signer, "wet", family.writer)
    signed = week[-1] + timedelta(days=rng.randint(-1, 2))
    if "dcc94e.provider_signature" in defects:
        _expect(doc, "dcc94e.provider_signature", ["provider_signature"],
                "the provider did not sign the week", label="provider signature blank")
        if rng.random() < 0.5:
            paper["provider_signed_date"] = pen(written_date(signed, pw), pw, rng, typed)
    else:
        kind = "electronic" if typed else "wet"
        paper["provider_signature"] = signature(provider.contact, pw, kind, rng)
        paper["provider_signed_date"] = pen(written_date(signed, pw), pw, rng, typed)
    names = [c.first.title() for _, c in children]
    if "dcc94e.times_recorded" in defects:
        options = [(r, w) for r, w in attended
                   if month is None or (week[w].year, week[w].month) != (month.year, month.month)
                   or children[r][1].name not in billed]
        if not options:
            raise ValueError("no day outside the billing month to break")
        r, w = rng.choice(options)
        gone = rng.choice(["in", "out"])
        day = f"rows.{r}.days.{WEEKDAYS[w]}."
        del paper[f"{day}time_{gone}"], paper[f"{day}{gone}_initials"]
        kept = "out" if gone == "in" else "in"
        _expect(doc, "dcc94e.times_recorded", [f"{day}time_in", f"{day}time_out"],
                f"{names[r]} {week[w]:%a %m/%d}: time {kept} without time {gone}",
                label=f"no time {gone}")
        attended.remove((r, w))
    if "dcc94e.initials" in defects:
        if not attended:
            raise ValueError("no recorded time to leave uninitialled")
        r, w = rng.choice(attended)
        which = rng.choice(["in", "out"])
        day = f"rows.{r}.days.{WEEKDAYS[w]}."
        del paper[f"{day}{which}_initials"]
        _expect(doc, "dcc94e.initials", [f"{day}{which}_initials"],
                f"{names[r]} {week[w]:%a %m/%d}: time {which} not initialled",
                label="initials missing")
    if "dcc94e.parent_signature" in defects:
        rows = sorted({r for r, _ in attended})
        if not rows:
            raise ValueError("no row with times")
        r = rng.choice(rows)
        paper.pop(f"rows.{r}.parent_signature", None)
        _expect(doc, "dcc94e.parent_signature", [f"rows.{r}.parent_signature"],
                f"{names[r]}'s week has times but no parent signature",
                label="parent signature blank")
    return doc


# -- a billing packet: the PBF and its attendance weeks -----------------------------------------

MATCH_DEFECTS = ("match.billed_not_attended", "match.full_day_hours", "match.child_not_on_pbf",
                 "match.missing_week")


def packet_weeks(billing_month: date) -> list[date]:
    """Sundays of the weeks that hold a weekday (Mon-Fri) of the billing month."""
    days = month_days(billing_month)
    return sorted({sunday_of(d) for d in days if 1 <= weekday_index(d) <= 5})


def billing_packet(world: World, rng: random.Random, billing_month: date,
                   families: list[Family], defects=(), *, received: date | None = None,
                   received_known: bool = True, typed: bool = False,
                   children: list[tuple[Family, Child]] | None = None,
                   sheet_defect_rate: float = 0.0) -> list[DocumentPlan]:
    """A DCC-97 and one DCC-94E per week of the month (4-5 sheets), same provider and children.

    ``defects`` may hold DCC-97 rule ids (the PBF), DCC-94E rule ids (one sheet each; times are
    only broken on days outside the month) and ``match.*`` ids (recorded on the PBF). Each other
    sheet gets a signature or initials defect with ``sheet_defect_rate``. The weeks that carry a
    match defect are chosen first and get no sheet defect, so that one never hides the other.
    ``received`` must be at least a week after the month so that the last sheet is complete.
    """
    defects = sorted(defects)           # a set's order changes between runs; the dice must not
    provider = world.provider_of(families[0])
    children = list(children or [(f, c) for f in families for c in f.children][:5])
    last = month_end(billing_month)
    received = received or last + timedelta(days=rng.randint(8, 25))
    if (received - last).days < 7:
        raise ValueError("a packet is sent after the month's last week")
    if "match.child_not_on_pbf" in defects and len(children) > 4:
        children = children[:4]
    pbf = dcc97(world, rng, billing_month, children,
                [d for d in defects if d.startswith("dcc97.")], received=received,
                received_known=received_known, typed=typed)
    billed = billed_codes(pbf)
    weeks = packet_weeks(billing_month)
    # (week, row, day, code) of every day billed as attended: the sheets will show times there.
    payable = [(sunday_of(day), r, day, code) for r, (_, c) in enumerate(children)
               for day, code in sorted(billed[c.name].items()) if code in PAYABLE_ATTENDED]

    # 1. the weeks (and days) the match defects use
    reserved: dict[str, tuple] = {}
    info = False
    if "match.billed_not_attended" in defects:
        if not payable:
            raise ValueError("nothing billed to leave unattended")
        reserved["match.billed_not_attended"] = rng.choice(payable)
    if "match.full_day_hours" in defects:
        info = rng.random() < 0.25 and any(code == "2" for *_, code in payable)
        options = [p for p in payable if p[3] == ("2" if info else "1")
                   and p[:3] != reserved.get("match.billed_not_attended", (None,) * 3)[:3]]
        if not options:
            raise ValueError("no full day billed")
        reserved["match.full_day_hours"] = rng.choice(options)
    if "match.child_not_on_pbf" in defects:
        reserved["match.child_not_on_pbf"] = (rng.choice(weeks),)
    busy = {v[0] for v in reserved.values()}
    if "match.missing_week" in defects:
        options = sorted({p[0] for p in payable} - busy)
        if not options:
            raise ValueError("no week to leave out")
        reserved["match.missing_week"] = (rng.choice(options),)
        busy.add(reserved["match.missing_week"][0])

    # 2. sheet defects on the other weeks
    free = [w for w in weeks if w not in busy]
    edge = [w for w in free if w < billing_month or w + timedelta(days=6) > last]
    sheet_defects: dict[date, list[str]] = {}
    for d in (d for d in defects if d.startswith("dcc94e.")):
        options = edge if d == "dcc94e.times_recorded" else free
        if not options:
            raise ValueError("no sheet free for a DCC-94E defect")
        sheet_defects.setdefault(rng.choice(options), []).append(d)
    extra = {w: rng.choice(["dcc94e.initials", "dcc94e.initials", "dcc94e.parent_signature",
                            "dcc94e.provider_signature"])
             for w in free if w not in sheet_defects and rng.random() < sheet_defect_rate}

    # 3. the sheets, one per week; a stranger's row on one of them
    rows = {w: list(children) for w in weeks}
    if "match.child_not_on_pbf" in defects:
        names = {c.last for _, c in children} | {c.first for _, c in children}
        strangers = [(f, c) for f in world.families for c in f.children
                     if c.last not in names and c.first not in names]
        own = [(f, c) for f, c in strangers if f.provider_number == provider.number]
        stranger = rng.choice(own or strangers)
        w = reserved["match.child_not_on_pbf"][0]
        rows[w].append(stranger)
        _expect(pbf, "match.child_not_on_pbf", [],
                f"{stranger[1].name.title()} is on the DCC-94E of {w:%m/%d} but not on the PBF",
                label="child not on PBF")
    sheets = {}
    for w in weeks:
        try:
            sheets[w] = dcc94e(world, rng, provider, w, rows[w], pbf,
                               sheet_defects.get(w, []) + ([extra[w]] if w in extra else []))
        except ValueError:
            if w not in extra:
                raise
            sheets[w] = dcc94e(world, rng, provider, w, rows[w], pbf, sheet_defects.get(w, []))

    def pbf_field(r: int, day: date) -> str:
        base = f"children.{r}.days.{day.day:02d}."
        return base + ("provider_exception" if base + "provider_exception" in pbf.paper
                       else "scheduled")

    # 4. the match defects
    if "match.billed_not_attended" in defects:
        w, r, day, code = reserved["match.billed_not_attended"]
        base = f"rows.{r}.days.{WEEKDAYS[weekday_index(day)]}."
        for part in ("time_in", "time_out", "in_initials", "out_initials"):
            del sheets[w].paper[base + part]
        _expect(pbf, "match.billed_not_attended", [pbf_field(r, day)],
                f"{children[r][1].first.title()} billed {code} on {day:%m/%d} but no times on "
                "the DCC-94E", label="billed, not attended")
    if "match.full_day_hours" in defects:
        w, r, day, code = reserved["match.full_day_hours"]
        family = children[r][0]
        start = rng.randrange(7 * 60, 9 * 60, 5)
        hours = rng.randrange(5 * 60 + 30, 8 * 60, 5) if info else \
            rng.randrange(150, 4 * 60 + 40, 5)
        base = f"rows.{r}.days.{WEEKDAYS[weekday_index(day)]}."
        for what, minutes in (("in", start), ("out", start + hours)):
            sheets[w].paper[f"{base}time_{what}"] = hand(written_time(minutes, family.writer),
                                                         family.writer, rng)
        _expect(pbf, "match.full_day_hours", [pbf_field(r, day)],
                f"{children[r][1].first.title()} billed {code} on {day:%m/%d} with "
                f"{hours // 60}:{hours % 60:02d} recorded", severity="info" if info else None,
                label="part day, 5+ hours" if info else "full day under 5 hours")
    if "match.missing_week" in defects:
        w = reserved["match.missing_week"][0]
        fields = sorted({pbf_field(r, day) for ww, r, day, _ in payable if ww == w})
        del sheets[w]
        _expect(pbf, "match.missing_week", fields[:6],
                f"no DCC-94E for the week of {w:%m/%d}", label="week missing")
    return [pbf] + [sheets[w] for w in sorted(sheets)]


# -- pages that are not CCAP forms ---------------------------------------------------------------

def cover_sheet(provider: Provider, sent: date, pages: int, rng: random.Random,
                about: str) -> DocumentPlan:
    """A fax cover sheet; ``pages`` counts the cover."""
    note = rng.choice(["Please see attached.", f"Attached: {about}.",
                       "Returning the signed paperwork. Call with questions.",
                       f"{about} - thank you!"])
    return DocumentPlan("other", 1, other_kind="cover", key=f"cover-{provider.number}",
                        other_text={"To": "DCBS - Division of Child Care",
                                    "Fax": "(502) 573-2007", "From": provider.name,
                                    "Phone": f"({provider.phone[:3]}) {provider.phone[3:6]}-"
                                             f"{provider.phone[6:]}",
                                    "Date": sent.strftime("%m/%d/%Y"), "Pages": str(pages),
                                    "Re": about, "Note": note})


def letter(provider: Provider, sent: date, rng: random.Random) -> DocumentPlan:
    body = rng.choice([
        "We would like to update our mailing address and phone number on file. Please send "
        "future certificates to the address above.",
        "Please note that our center will be closed for staff training on the Friday after "
        "Labor Day. We are sending our billing forms early this month.",
        "I am writing about a payment we have not received for last month. The billing form "
        "was faxed on time; please let us know if anything is missing."])
    return DocumentPlan("other", 1, other_kind="letter", key=f"letter-{provider.number}",
                        other_text={"From": provider.name, "Address": provider.address,
                                    "Date": sent.strftime("%B %d, %Y").replace(" 0", " "),
                                    "To": "Division of Child Care, 275 E Main St, Frankfort, KY",
                                    "Body": body, "Closing": f"Sincerely, {provider.contact}"})


def w9(provider: Provider, rng: random.Random) -> DocumentPlan:
    street, city = provider.address.split(", ", 1)
    return DocumentPlan("other", 1, other_kind="w9", key=f"w9-{provider.number}", other_text={
        "1 Name (as shown on your income tax return)": provider.contact,
        "2 Business name": provider.name,
        "3 Federal tax classification": "Individual/sole proprietor" if not provider.licensed
        else "S Corporation",
        "5 Address": street, "6 City, state, and ZIP code": city,
        "Employer identification number": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"})


# Where the defect of each rule id (extractors/forms/rules.json) is injected.
INJECTED_BY = {
    "dcc94.all_pages": expect_missing_pages,        # the scenario leaves pages out of the file
    "dcc94.parent_signature": dcc94, "dcc94.provider_signature": dcc94,
    "dcc94.return_window": generated_before, "dcc94.signed_dates": dcc94,
    **_PBF_INJECTORS,
    "dcc97.adjustment_window": billing_month_before, "dcc97.provider_signature": _pbf_paper,
    **{rule: dcc94e for rule in DCC94E_DEFECTS},
    **{rule: billing_packet for rule in MATCH_DEFECTS},
    "intake.received_unknown": expect_received_unknown,   # files without a date of their own
}
