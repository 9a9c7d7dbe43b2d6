"""Handwritten names and numbers read against what they should be (a closed vocabulary).

A DCC-94E asks for each child's name "as it appears on the PBF", and its provider is the PBF's
provider. When one file holds both, the handwritten names are scored against the PBF's
printed names by the handwriting model (the likelihood of each name given the ink, over every
CTC alignment): choosing among five known names is far easier than reading a name open.

A name that is not on the PBF must not be forced onto one (that is ``match.child_not_on_pbf``):
a known name is taken only when its likelihood per character comes close to that of the
model's own best reading of the ink (``MAX_GAP``); otherwise the open reading stays.

The sheet's handwritten provider number is weighed the same way against the PBF's printed one
(``known_number``): the reader's runners-up say how likely the ink is to be that number, and
a sheet faxed with a provider's PBF is that provider's far more often than not.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from .model import Document, FieldValue
from .readers import handwriting as hw

MAX_GAP = 2.5          # nats per character a known name may fall short of the open reading
SURE_MARGIN = 1.0      # nats per character by which the best name beats the next one to be
                       # sure of it: on development sets 6061, 7373, 8080 and 5151, 270 names
                       # were resolved and 269 were right; the wrong one won by 0.09
_ROW = re.compile(r"^rows\.\d+\.child_name$")
SAME_PROVIDER = 0.9    # prior that a sheet in a file with one provider's PBF is that provider's
SURE_PRINTED = 0.95    # the PBF's printed number must be read at least this surely


def resolve(documents: list[Document], crops: dict[tuple[int, str], np.ndarray]) -> list[Document]:
    """``documents`` with DCC-94E child and provider names matched to the file's PBF.

    ``crops`` maps (page index, field name) to the handwritten field's image."""
    pbfs = [d for d in documents if d.form == "DCC-97"]
    if not pbfs:
        return documents
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
            fields["provider_number"] = known_number(fields["provider_number"], number.value)
        for name, fv in doc.fields.items():
            vocabulary = children if _ROW.match(name) else wanted.get(name, [])
            crop = crops.get((fv.page, name))
            if not vocabulary or crop is None:
                continue
            found = hw.vocabulary_scores(crop, vocabulary)
            if found is None:
                continue
            scores, best_path = found
            k = int(np.argmax(scores))
            gap = (best_path - scores[k]) / max(1, len(vocabulary[k]))
            if gap <= MAX_GAP:
                others = sorted(scores, reverse=True)[1:2]
                margin = (scores[k] - others[0]) / max(1, len(vocabulary[k])) if others else 5.0
                confidence = float((0.5 + 0.45 * min(1.0, margin / SURE_MARGIN))
                                   * min(1.0, 1 - gap / (4 * MAX_GAP)))
                fields[name] = replace(fv, value=vocabulary[k], confidence=confidence)
        out.append(replace(doc, fields=fields))
    return out


def known_number(fv: FieldValue, known: str) -> FieldValue:
    """A handwritten number that should be ``known``: by Bayes' rule with the prior
    ``SAME_PROVIDER``, from the share of the reader's beam that ``known`` holds
    (``FieldValue.distribution``). Taken when more likely than not; otherwise the reading stays
    (a sheet of another provider must not be made this one's). A reading with no runners-up,
    or one that does not list ``known``, says nothing about it and stays as read."""
    share = dict(fv.distribution()).get(known)
    if share is None or share >= 1:
        return fv
    odds = SAME_PROVIDER * share / max(1e-9, (1 - SAME_PROVIDER) * (1 - share))
    posterior = odds / (1 + odds)
    if posterior <= 0.5 or (fv.value == known and posterior <= fv.confidence):
        return fv
    return replace(fv, value=known, confidence=float(posterior), alternatives=())
