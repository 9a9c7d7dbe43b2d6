"""Pages into documents: repeated forms' page numbers read unsurely are fitted to the document."""
from extractors import group
from extractors.model import FieldValue
from extractors.pipeline import PageRead


def _pbf_page(index: int, number: int, sure: float, pbf: str = "P2207010456") -> PageRead:
    prefix = "" if number == 1 else f"p{number}."
    box = (0, 0, 1, 1)
    fields = {prefix + "page_number": FieldValue(str(number), sure, index, box, "number"),
              prefix + "pbf_number": FieldValue(pbf, 0.99, index, box, "text"),
              ("children.1.name" if number == 1 else f"children.{3 * number - 2}.name"):
                  FieldValue("ANA DIAZ", 0.99, index, box, "name")}
    return PageRead(index, "DCC-97", number, 2, 0, 0.0, None, (1700, 2200), 0.9, fields)


def test_an_unsure_page_number_that_is_taken_becomes_the_first_free_one():
    first, second = _pbf_page(0, 1, 0.99), _pbf_page(1, 1, 0.03)   # "Page 2" read as a faint 1
    reads = group.number_pages([first, second])
    assert [r.page for r in reads] == [1, 2]
    assert "p2.page_number" in reads[1].fields and "children.4.name" in reads[1].fields
    doc, = group.documents(reads)
    assert doc.pages == [0, 1] and doc.missing_pages == []


def test_an_unsure_page_number_beyond_every_page_of_its_pbf_becomes_the_first_free_one():
    assert [r.page for r in group.number_pages([_pbf_page(0, 9, 0.0)])] == [1]
    reads = group.number_pages([_pbf_page(0, 3, 0.2), _pbf_page(1, 1, 0.99)])
    assert [r.page for r in reads] == [2, 1]                  # page 1 comes later in the fax


def test_a_sure_or_fitting_page_number_is_left_alone():
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.99), _pbf_page(1, 1, 0.9)])] \
        == [1, 1]                                           # read surely: two documents' pages
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.03)])] == [1]
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.99), _pbf_page(1, 2, 0.1)])] \
        == [1, 2]
    other = _pbf_page(1, 1, 0.03, pbf="P9999999999")          # another PBF's page 1
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.99), other])] == [1, 1]


def _certificate_page(index: int, number: int, certificate: str) -> PageRead:
    prefix = "" if number == 1 else f"p{number}."
    fields = {prefix + "certificate_number": FieldValue(certificate, 0.8, index, (0, 0, 1, 1),
                                                        "text")}
    return PageRead(index, "DCC-94", number, 3, 0, 0.0, None, (1700, 2200), 0.9, fields)


def test_certificates_generated_days_apart_are_not_mixed():
    """Their numbers share the date-based prefix; a page 2 of the second certificate that
    arrives while only the first lacks a page 2 still starts its own document."""
    a, b = "C2610165972", "C2610135521"
    reads = [_certificate_page(0, 1, a), _certificate_page(1, 2, b), _certificate_page(2, 1, b),
             _certificate_page(3, 3, b), _certificate_page(4, 2, a), _certificate_page(5, 3, a)]
    assert sorted(d.pages for d in group.documents(reads)) == [[0, 4, 5], [2, 1, 3]]


def test_a_garbled_character_does_not_split_a_certificate():
    reads = [_certificate_page(0, 1, "C2610165972"), _certificate_page(1, 2, "C2610165S72")]
    doc, = group.documents(reads)
    assert doc.pages == [0, 1]
