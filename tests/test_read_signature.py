"""Signatures told apart from what OCR reads in the box (extractors.read._signature)."""
import numpy as np
import pytest

from extractors import ink, read
from extractors.forms import load_form

FIELD = load_form("DCC-94").page(2).field("provider_signature")


def crop() -> read.Crop:
    binary = np.zeros((100, 900), np.uint8)
    return read.Crop(FIELD, (0, 0, 900, 100), 255 - binary, binary, ink.measure(binary, 200))


@pytest.mark.parametrize("text,conf", [
    ("DocuSigned by:\nAshley Martin\nDC634517B8F420E2", 0.9),
    ("by:\nAshley Martin\ni DC634517B8F420E2", 0.59),      # a faxed DocuSign block
    ("by:\n» Donna Campbell\nDAGCO79ARLASEC18B", 0.01),     # ... its ID read in look-alikes
    ("/s/ Ashley Martin", 0.6),
    ("Ashley Martin", 0.9)])                              # a cleanly typed name
def test_electronic_signatures(text, conf):
    assert read._signature(crop(), text, conf).value == "electronic"


def test_pen_strokes_read_as_nothing_are_wet():
    fv = read._signature(crop(), "", 0.0)
    assert fv.value == "wet" and fv.confidence >= 0.95


def test_a_name_read_unsurely_goes_to_a_person():
    fv = read._signature(crop(), "Ashley Martin", 0.59)
    assert fv.value == "wet" and fv.confidence < 0.8       # under the routing threshold


@pytest.mark.parametrize("text", ["Qs Arh", "WANA", "OW AA", "shih"])
def test_pen_strokes_read_as_noise_stay_wet(text):
    assert read._signature(crop(), text, 0.5).confidence >= 0.8


def test_lines_of_type_whose_telling_words_the_fax_spoilt_go_to_a_person():
    """A DocuSign block with "DocuSigned by:" crossed by its own bracket and the ID lost."""
    fv = read._signature(crop(), "hy”\nimlegary “ones\n|", 0.1)
    assert fv.value == "wet" and fv.confidence < 0.8        # under the routing threshold
