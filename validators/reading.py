"""What every rule works with: a document seen through the fields it reads, and the findings.

Routing accepts a document only when every field that a rule *used* was read confidently, so the
rules never touch ``Document.fields`` directly: they ask a :class:`Reading`, which remembers each
field name asked for. A rule that needs a value it cannot get (say ``date_generated`` is
unreadable) says so with :meth:`Reading.unreadable`; such a document can only go to review.

``finding`` builds a :class:`Finding` whose severity and policy come from ``rules.json``, so a
rule's code says only when it fires and what to tell the worker.

Messages are shown to Family Support staff in the review UI and may name children and
certificates; they are never logged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator

from extractors.forms import rules
from extractors.model import Document, Extract, Finding
from extractors.values import received_date

from .history import History


def parse_date(value: str | None) -> date | None:
    """A normalised ``YYYY-MM-DD`` as a date; None when empty or impossible."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_month(value: str | None) -> date | None:
    """A normalised ``YYYY-MM`` as the first day of that month."""
    return parse_date(f"{value}-01") if value else None


@dataclass
class Reading:
    """One document as the rules see it; remembers which fields were read."""
    doc: Document
    used: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)   # needed by a rule but unreadable
    presence: set[str] = field(default_factory=set)  # only whether written was needed
    copies: dict[str, list[str]] = field(default_factory=dict)  # a voted field -> the copies
                                                               # that agreed with it

    @property
    def form(self) -> str:
        return self.doc.form

    def has(self, name: str) -> bool:
        """The field is on the document's pages (whatever its value)."""
        return name in self.doc.fields

    def get(self, name: str) -> str | None:
        """The normalised value of ``name`` (None when empty or not on the pages)."""
        if name in self.doc.fields:
            self.used.add(name)
        return self.doc.value(name)

    def present(self, name: str) -> bool:
        """Whether the box of ``name`` holds writing, for a rule that needs only that (a time
        was recorded, not which time). Counted apart from ``get``: routing then asks that the
        ink decision be sure (writing found, or an empty box read as empty with confidence),
        not that the writing was read well."""
        if name in self.doc.fields:
            self.presence.add(name)
        return self.doc.value(name) is not None

    def guessed(self, name: str) -> bool:
        """Whether ``name`` was read with less confidence than ``UNSURE``: its value is a guess,
        not evidence a rule may claim something on. Routing still sees the field (a rule that
        skips a guess has asked for it first), so the document goes to a person."""
        return self.confidence(name) < UNSURE

    def peek(self, name: str) -> str | None:
        """The value of ``name`` without counting it as used: for copies that are voted on,
        where agreement between copies, not one copy's confidence, is the evidence."""
        return self.doc.value(name)

    def first(self, *names: str) -> tuple[str | None, str | None]:
        """The first of ``names`` that has a value, as (name, value); (None, None) if none."""
        for name in names:
            value = self.get(name)
            if value is not None:
                return name, value
        return None, None

    def date(self, name: str) -> date | None:
        return parse_date(self.get(name))

    def names(self, pattern: str) -> Iterator[re.Match]:
        """Matches of the regular expression ``pattern`` against every field name present."""
        rx = re.compile(pattern)
        for name in self.doc.fields:
            m = rx.fullmatch(name)
            if m:
                yield m

    def vote(self, candidates: Iterable[tuple[str, object]], what: str):
        """(field, value) on which most readable copies agree. ``candidates`` are (field name,
        value parsed from a ``peek``) pairs; None values do not vote. Copies that agree are the
        evidence, so only a lone copy counts as used (its confidence decides); any disagreement
        sends the document to a person, and a tie gives (None, None). Nothing at all marks
        ``what`` unreadable. The copies that agreed are kept in ``copies`` under the field
        returned: a finding naming it rests on all of them."""
        votes: dict[object, list[str]] = {}
        for name, value in candidates:
            if value is not None:
                votes.setdefault(value, []).append(name)
        if not votes:
            self.unreadable(what)
            return None, None
        ranked = sorted(votes.items(), key=lambda kv: -len(kv[1]))
        value, names = ranked[0]
        if len(ranked) > 1:
            self.unreadable(*(n for _, group in ranked for n in group))
            if len(names) == len(ranked[1][1]):
                return None, None
        if len(names) == 1:
            self.get(names[0])
        self.copies[names[0]] = names
        return names[0], value

    def distribution(self, name: str) -> list[tuple[str | None, float]]:
        """What ``name`` may hold, with probabilities (``FieldValue.distribution``); empty
        when it is not on the pages. Does not count the field as used."""
        fv = self.doc.fields.get(name)
        return fv.distribution() if fv is not None else []

    def posterior(self, name: str) -> list[tuple[str, float]]:
        """Every value the ink of ``name`` may hold, with its share, when the box was read
        again against a closed vocabulary (``FieldValue.posterior``); else its
        ``distribution``. Does not count the field as used."""
        fv = self.doc.fields.get(name)
        if fv is None:
            return []
        return list(fv.posterior) or [(v, p) for v, p in fv.distribution() if v is not None]

    def confidence(self, name: str) -> float:
        """How sure the reading of ``name`` is (0 when it is not on the pages)."""
        fv = self.doc.fields.get(name)
        return fv.confidence if fv is not None else 0.0

    def unreadable(self, *names: str) -> None:
        """A rule needed these fields and could not read them: the document needs a person."""
        self.missing.update(names)


UNSURE = 0.65    # a field read with less confidence than this is a guess, not evidence
# (chosen on three development sets, seeds 6061, 7373, 8080: findings precision 0.780 -> 0.821,
# 0.726 -> 0.757, 0.780 -> 0.804 with recall unchanged; 0.8 began to cost recall)


@dataclass
class Context:
    """What rules know beyond the document: the whole file, its receipt date, the history."""
    extract: Extract
    history: History
    received_needed: bool = False        # some rule needed the receipt date

    def received(self) -> date | None:
        """The date the file was received; asking records that a rule depends on it."""
        self.received_needed = True
        return received_date(self.extract.received_at)


def finding(rule_id: str, message: str, fields: Iterable[str] = (), *,
            severity: str | None = None, policy: str | None = None) -> Finding:
    """A finding of ``rule_id`` with the severity and policy of rules.json (unless given)."""
    rule = rules()[rule_id]
    return Finding(rule_id, severity or rule.severity, message, list(dict.fromkeys(fields)),
                   policy or rule.policy)


RuleFunction = Callable[..., list[Finding]]
REGISTRY: dict[str, RuleFunction] = {}


def rule(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register the function that enforces ``rule_id`` (one function per rule id)."""
    if rule_id not in rules():
        raise KeyError(f"{rule_id!r} is not in extractors/forms/rules.json")

    def register(fn: RuleFunction) -> RuleFunction:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        fn.rule_id = rule_id
        REGISTRY[rule_id] = fn
        return fn
    return register


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def listing(items: list[str]) -> str:
    """'1', '1 and 2', '1, 2 and 3'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
