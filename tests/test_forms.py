"""The forms as data: layouts load into typed objects, the schema and rules are consistent."""
import json
from pathlib import Path

import jsonschema
import pytest

from extractors.forms import FORM_NAMES, extract_schema, load_form, rules
from extractors.model import Extract

DATA = Path(__file__).parent / "data"


def test_field_counts_match_the_contract():
    # shared/forms/README.md: DCC-94 97 fields on 3 pages, DCC-97 429 per page, DCC-94E 156.
    assert len(list(load_form("DCC-94").fields())) == 97
    assert len(load_form("DCC-97").page(1).fields) == 429
    assert len(list(load_form("DCC-94E").fields())) == 156


def test_field_names_are_unique_per_document():
    for name in FORM_NAMES:
        form = load_form(name)
        names = [f.name for f in form.fields(page_count=3 if form.repeat else None)]
        assert len(names) == len(set(names)), name


def test_dcc97_repeats_page_one_for_the_next_children():
    form = load_form("DCC-97")
    p1, p2 = form.page(1), form.page(2)
    assert p2.field("p2.billing_month").box == p1.field("billing_month").box
    assert p2.field("children.3.days.14.provider_exception").box == \
        p1.field("children.0.days.14.provider_exception").box
    assert p2.field("children.5.name").page == 2
    assert "children.0.name" not in {f.name for f in p2.fields}


def test_fixed_forms_have_no_extra_pages():
    assert load_form("DCC-94").page_count == 3
    assert load_form("DCC-97").page_count is None
    with pytest.raises(KeyError):
        load_form("DCC-94").page(4)
    with pytest.raises(KeyError, match="unknown form"):
        load_form("DCC-99")


def test_boxes_lie_inside_the_page_below_the_fax_band():
    for name in FORM_NAMES:
        form = load_form(name)
        width, height = form.page_size
        for f in form.fields():
            assert 0 <= f.box.x0 < f.box.x1 <= width and 22 <= f.box.y0 < f.box.y1 <= height, f


def test_every_rule_has_a_known_form_severity_and_policy():
    table = rules()
    assert len(table) >= 23
    for rule in table.values():
        assert rule.id.split(".")[0] in ("dcc94", "dcc97", "dcc94e", "match", "intake")
        assert rule.severity in ("error", "warning", "info") and rule.policy and rule.when


def test_schema_is_valid_and_the_sample_extract_round_trips():
    schema = extract_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    sample = json.loads((DATA / "extract.sample.json").read_text())
    jsonschema.validate(sample, schema)
    again = Extract.from_json(sample).to_json()
    jsonschema.validate(again, schema)
    assert again["documents"][0]["fields"]["date_generated"]["value"] == "2022-05-03"
