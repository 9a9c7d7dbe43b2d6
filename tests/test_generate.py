"""The sample generator: deterministic per seed, truth in the extract schema's shape."""
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from extractors.forms import extract_schema, load_form
from sample_scans import generate

SEED, N = 424242, 6


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    generate.generate(SEED, N, a, jobs=2)
    generate.generate(SEED, N, b, jobs=1)
    return a, b


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_files(two_runs):
    a, b = two_runs
    assert digest(a) == digest(b)
    assert len([p for p in a.iterdir() if p.name.endswith(".truth.json")]) == N


def test_truth_validates_and_covers_every_field_of_present_pages(two_runs):
    schema = extract_schema()
    for path in sorted(two_runs[0].glob("*.truth.json")):
        truth = json.loads(path.read_text())
        jsonschema.validate(truth, schema)
        assert (path.parent / truth["source"]).exists()
        for doc in truth["documents"]:
            if doc["form"] == "other":
                continue
            form = load_form(doc["form"])
            numbers = [truth["pages"][i]["page"] for i in doc["pages"]]
            want = {f.name for n in numbers for f in form.page(n).fields}
            assert set(doc["fields"]) == want, path.name


def test_sidecars_say_when_where_and_who(two_runs):
    for sidecar in two_runs[0].glob("*.json"):
        if sidecar.name.endswith(".truth.json"):
            continue
        meta = json.loads(sidecar.read_text())
        assert set(meta) >= {"received_at", "channel", "sender"}
        assert (sidecar.parent / sidecar.name[:-len(".json")]).exists()
