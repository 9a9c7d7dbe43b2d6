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


def test_a_sure_or_free_page_number_is_left_alone():
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.99), _pbf_page(1, 1, 0.9)])] \
        == [1, 1]                                           # read surely: two documents' pages
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.03)])] == [1]
    other = _pbf_page(1, 1, 0.03, pbf="P9999999999")          # another PBF's page 1
    assert [r.page for r in group.number_pages([_pbf_page(0, 1, 0.99), other])] == [1, 1]
