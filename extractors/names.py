"""Handwritten names and numbers read against what they should be (a closed vocabulary).

A DCC-94E asks for each child's name "as it appears on the PBF", and its provider is the PBF's
provider. When one file holds both, the handwritten names are scored against the PBF's
printed names by the handwriting model (the likelihood of each name given the ink, over every
CTC alignment): choosing among five known names is far easier than reading a name open.

A name that is not on the PBF must not be forced onto one (that is ``match.child_not_on_pbf``):
a known name is taken only when its likelihood per character comes close to that of the
model's own best reading of the ink (``MAX_GAP``); otherwise the open reading stays. A child
has one row on a weekly sheet, so the rows choose surest first and no two name the same child
(a faxed "Skylar Lewis" above a clean "Rylee Lewis" had been read as Rylee too, at 0.93).

The sheet's handwritten provider number is weighed the same way against the PBF's printed one
(``known_number``): the reader's runners-up say how likely the ink is to be that number, and
a sheet faxed with a provider's PBF is that provider's far more often than not.

Without a PBF in the file there are no known children, and the name is read open (Tesseract),
which often lands one letter off a real name ("SORIA BROWN", "ZLIJAH MOORE"). ``common_name``
then weighs the real names one edit from each word (``models/names.json``: US baby names and
census surnames, built by ``python -m train.lexicon``) with the handwriting model and takes
the likeliest, when the ink fits it better than the reading itself. A row that names no child
of the file's PBF is read so too (seven development sets and the bench, reads cached: names
not on the PBF right 14 -> 20 of 92, none right -> wrong; findings and routes unchanged).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from itertools import product
from pathlib import Path

import numpy as np

from .model import Document, FieldValue
from .readers import handwriting as hw

MAX_GAP = 2.5          # nats per character a known name may fall short of the open reading
SURE_MARGIN = 0.5      # nats per character by which the best name beats the next one to be
                       # sure of it: on development sets 4242, 5151, 6061, 7373 and 8080,
                       # 446 names were taken from the PBF and all 446 were right; the 442
                       # that won by 0.5 or more are sure (0.99), closer ones less so
_ROW = re.compile(r"^rows\.\d+\.child_name$")
SAME_PROVIDER = 0.9    # prior that a sheet in a file with one provider's PBF is that provider's
SURE_PRINTED = 0.95    # the PBF's printed number must be read at least this surely
LEXICON_FILE = Path(__file__).resolve().parent / "models" / "names.json"
NEIGHBOURS = 6         # per word: the most common real names one edit away
# A name moved to a real one is right about a third of the time (development sets 7373 and
# 8080: 11 of 29 names moved; 38 -> 49 of 96 names right, none made wrong; 5151 and 6061:
# 2 of 2), so its confidence is low: a worker sees it.
LEXICON_CONFIDENCE = 0.35
SPLIT_RANK = 10000     # a name split off a run-together initial is among this many commonest
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def resolve(documents: list[Document], crops: dict[tuple[int, str], np.ndarray]) -> list[Document]:
    """``documents`` with DCC-94E child and provider names matched to the file's PBF.

    ``crops`` maps (page index, field name) to the handwritten field's image."""
    pbfs = [d for d in documents if d.form == "DCC-97"]
    if not pbfs:
        return [_common_names(doc, crops) for doc in documents]
    out = []
    for doc in documents:
        if doc.form != "DCC-94E":
            out.append(doc)
            continue
        pbf = next((p for p in pbfs if p.value("provider_number") and
                    p.value("provider_number") == doc.value("provider_number")), pbfs[0])
        children = sorted({fv.value for name, fv in pbf.fields.items()
                           if re.fullmatch(r"(p\d+\.)?children\.\d+\.name", name) and fv.value})
        wanted = {"provider_name": [pbf.value("provider_name")] if pbf.value("provider_name")
                  else []}
        fields = dict(doc.fields)
        number = pbf.fields.get("provider_number")
        if "provider_number" in fields and number and number.confidence >= SURE_PRINTED \
                and len({p.value("provider_number") for p in pbfs}) == 1:
            fv = fields["provider_number"]
            fields["provider_number"] = known_number(fv, number.value,
                                                     crops.get((fv.page, "provider_number")))
        found = {}
        for name, fv in doc.fields.items():
            vocabulary = children if _ROW.match(name) else wanted.get(name, [])
            crop = crops.get((fv.page, name))
            if vocabulary and crop is not None:
                scored = hw.vocabulary_scores(crop, vocabulary)
                if scored is not None:
                    found[name] = (vocabulary, *scored)
        assigned = assign(found)
        for name, (value, confidence) in assigned.items():
            fields[name] = replace(doc.fields[name], value=value, confidence=confidence)
        # a row naming no child of the PBF is read as in a file with no PBF
        out.append(_common_names(replace(doc, fields=fields), crops, keep=set(assigned)))
    return out


def assign(found: dict[str, tuple[list[str], list[float], float]]) -> dict[str, tuple[str, float]]:
    """Field name -> (the entry it names, confidence), from each field's (vocabulary,
    ``vocabulary_scores``); fields that name none are left out. Child rows choose clearest
    first (``_sureness``) and never name a child another row has taken; a row whose likeliest
    child was taken names its next likeliest, no more surely than the row holding the first."""
    taken: dict[str, float] = {}                  # a child's name -> how surely a row has it
    out = {}
    for name in sorted(found, key=lambda n: -_sureness(*found[n])):
        vocabulary, scores, best_path = found[name]
        exclusive = _ROW.match(name) is not None
        free = [k for k, entry in enumerate(vocabulary) if not (exclusive and entry in taken)]
        named = _named(vocabulary, scores, best_path, free)
        if named is None:
            continue
        value, confidence, _ = named
        first = vocabulary[int(np.argmax(scores))]
        if value != first:                        # its first choice is another row's
            confidence = min(confidence, taken[first])
        if exclusive:
            taken[value] = confidence
        out[name] = (value, confidence)
    return out


def _named(vocabulary: list[str], scores: list[float], best_path: float,
           free: list[int]) -> tuple[str, float, float] | None:
    """The entry of ``vocabulary`` (among the indexes ``free``) that the ink holds, how surely,
    and its margin, from ``vocabulary_scores``: the likeliest, when its likelihood per
    character comes within ``MAX_GAP`` of the open reading's; sure by its margin (nats per
    character) over the next one."""
    if not free:
        return None
    ranked = sorted(free, key=lambda k: -scores[k])
    k = ranked[0]
    if (best_path - scores[k]) / max(1, len(vocabulary[k])) > MAX_GAP:
        return None
    margin = ((scores[k] - scores[ranked[1]]) / max(1, len(vocabulary[k]))
              if len(ranked) > 1 else 5.0)
    return vocabulary[k], 0.5 + 0.49 * min(1.0, margin / SURE_MARGIN), margin


def _sureness(vocabulary: list[str], scores: list[float], best_path: float) -> float:
    """How clearly a row names its likeliest entry (``_named``'s margin over the whole
    vocabulary, not capped as its confidence is): the rows of one sheet choose their children
    clearest first."""
    named = _named(vocabulary, scores, best_path, list(range(len(vocabulary))))
    return named[2] if named else float("-inf")


def known_number(fv: FieldValue, known: str, crop: np.ndarray | None = None) -> FieldValue:
    """A handwritten number that should be ``known``: by Bayes' rule with the prior
    ``SAME_PROVIDER``. How much likelier the ink makes ``known`` than the reading is measured
    two ways, and the larger counts: the share of the reader's beam that ``known`` holds
    (``FieldValue.distribution``), and the likelihood of ``known`` over every CTC alignment
    against the reader's best single path (``vocabulary_scores``; a faint number the beam
    never listed). Taken when more likely than not; otherwise the reading stays (a sheet of
    another provider must not be made this one's). Seven development sets and the bench (990
    sheets in files with their PBF): beam alone 823 right, with the alignments 835."""
    share = dict(fv.distribution()).get(known)
    if share is not None and share >= 1:
        return fv
    ratios = [] if share is None else [share / max(1e-9, 1 - share)]
    found = hw.vocabulary_scores(crop, [known]) if crop is not None else None
    if found is not None:
        ratios.append(float(np.exp(min(0.0, found[0][0] - found[1]))))
    if not ratios:
        return fv
    odds = SAME_PROVIDER * max(ratios) / (1 - SAME_PROVIDER)
    posterior = odds / (1 + odds)
    if posterior <= 0.5 or (fv.value == known and posterior <= fv.confidence):
        return fv
    return replace(fv, value=known, confidence=float(posterior), alternatives=())


def _common_names(doc: Document, crops: dict[tuple[int, str], np.ndarray],
                  keep: set[str] = frozenset()) -> Document:
    """A DCC-94E's child names with ``common_name`` applied (no PBF child to match them to),
    but for the rows ``keep`` (matched to one)."""
    if doc.form != "DCC-94E":
        return doc
    fields = dict(doc.fields)
    for name, fv in doc.fields.items():
        crop = crops.get((fv.page, name))
        if _ROW.match(name) and name not in keep and crop is not None:
            fields[name] = common_name(fv, crop)
    return replace(doc, fields=fields)


def printed_name(text: str) -> str:
    """A printed name as Tesseract read it off a fax, without what the fax added: a speck
    read as "." or "," between words ("PAISLEY. NAPIER", "KAYLA S.ADAMS": a space), and the
    box's border at either end, read "|" and mapped to a lone "I" ("BENTLEY ALLEN I"). The
    system prints names in capitals without punctuation, and no name ends in a lone I."""
    words = re.sub(r"[.,]", " ", text).split()
    while words and words[-1] == "I":
        words.pop()
    while words and words[0] == "I":
        words.pop(0)
    return " ".join(words)


def split_initial(value: str | None) -> str | None:
    """A printed person's name "FIRST LAST" whose middle initial Tesseract ran into a word
    ("ROSAL HOWARD", "JESSICA LALLEN"): a first word that is no first name but one and a
    letter, or a last word that is no surname but a letter and one, is split there, when
    that one is a common name (``SPLIT_RANK``; the surname list also holds "SE", which a
    misread "OSE" is not). Names of three words or more, and words that are names already,
    stay as read."""
    words = (value or "").split()
    if len(words) != 2 or not all(w.isalpha() for w in words):
        return value
    firsts, lasts = _lexicon()
    first, last = words

    def common(word: str, ranks: dict[str, int]) -> bool:
        return len(word) >= 3 and ranks.get(word, SPLIT_RANK) < SPLIT_RANK

    if first not in firsts and common(first[:-1], firsts):
        return f"{first[:-1]} {first[-1]} {last}"
    if last not in lasts and common(last[1:], lasts):
        return f"{first} {last[0]} {last[1:]}"
    return value


@cache
def _lexicon() -> tuple[dict[str, int], dict[str, int]]:
    """First and last names -> rank (0 is the most common)."""
    data = json.loads(LEXICON_FILE.read_text())
    return ({w: i for i, w in enumerate(data["first"])},
            {w: i for i, w in enumerate(data["last"])})


def _near(word: str, ranks: dict[str, int]) -> list[str]:
    """``word`` if it is a known name, else the ``NEIGHBOURS`` most common names one edit
    (a letter dropped, added, changed, or two swapped) away."""
    if word in ranks:
        return [word]
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in cuts if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in cuts if b for c in _LETTERS}
    edits |= {a + c + b for a, b in cuts for c in _LETTERS}
    return sorted((w for w in edits if w in ranks), key=ranks.__getitem__)[:NEIGHBOURS]


def common_name(fv: FieldValue, crop: np.ndarray) -> FieldValue:
    """An open reading of a handwritten "FIRST LAST" moved to the real name the ink fits best.

    A reading whose words are a known first and last name stays. Otherwise each word's
    nearest real names (``_near``; a reading of three words may also be two of them run
    together, "HAL COMB") are combined, and the combination the handwriting model finds most
    likely in the ink is taken if it beats the reading itself there. Readings of one word or
    of four and more, or with characters other than letters, stay as read."""
    words = (fv.value or "").split()
    if not 2 <= len(words) <= 3 or not all(w.isalpha() and w.isupper() for w in words):
        return fv
    firsts, lasts = _lexicon()
    splits = [(words[0], words[1])] if len(words) == 2 else \
        [(words[0] + words[1], words[2]), (words[0], words[1] + words[2])]
    if len(words) == 2 and words[0] in firsts and words[1] in lasts:
        return fv
    candidates = {f"{a} {b}" for first, last in splits
                  for a, b in product(_near(first, firsts), _near(last, lasts))}
    x = hw.prepare(crop)
    if not candidates or x is None:
        return fv
    logp = hw.log_probs([x])[0]
    best = max(sorted(candidates), key=lambda c: hw.ctc_log_likelihood(logp, c))
    if hw.ctc_log_likelihood(logp, best) <= hw.ctc_log_likelihood(logp, fv.value):
        return fv
    return replace(fv, value=best, confidence=min(fv.confidence, LEXICON_CONFIDENCE),
                   alternatives=())
