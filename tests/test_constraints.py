"""What the forms allow: vocabularies, identifier formats, derived weekdays."""
from extractors import constraints
from extractors.model import FieldValue


def test_a_format_gives_back_a_lost_or_garbled_letter():
    assert constraints.conform("2608221897", "C##########", 0.4) == ("C2608221897", 0.4)
    assert constraints.conform("€2608221897", "C##########", 0.4)[0] == "C2608221897"
    assert constraints.conform("C2608221897", "C##########", 0.9) == ("C2608221897", 0.9)


def test_digits_that_do_not_fit_the_format_go_to_a_person():
    value, conf = constraints.conform("63585573361", "##########", 0.9)
    assert value == "63585573361" and conf <= 0.3


def test_vocabulary_snaps_a_near_reading_and_keeps_a_far_one_unsure():
    allowed = ["REGULAR", "SCHOOL", "FLEX"]
    assert constraints.snap("REGUIAR", allowed, 0.6)[0] == "REGULAR"
    value, conf = constraints.snap("XYZ", allowed, 0.9)
    assert value == "XYZ" and conf <= 0.3


def test_apply_uses_the_forms_data_on_page_prefixed_fields():
    fields = {"p2.certificate_number": FieldValue("2608221897", 0.5, 0, (0, 0, 1, 1), "text"),
              "provider.provider_type": FieldValue("LICENSED TYPE 1", 0.5, 0, (0, 0, 1, 1), "text")}
    out = constraints.apply("DCC-94", fields)
    assert out["p2.certificate_number"].value == "C2608221897"
    assert out["provider.provider_type"].value == "LICENSED TYPE I"
