"""``ccap extract`` end to end on generated files: valid JSON, right pages, exit codes."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from extractors import pipeline
from extractors.forms import extract_schema
from sample_scans import generate, scenarios

ROOT = Path(__file__).resolve().parent.parent
CCAP = [sys.executable, "-m", "intake.cli"]
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """One file per channel from a seed no benchmark uses."""
    out = tmp_path_factory.mktemp("extract")
    plans, seen = [], set()
    for plan in scenarios.plan_set(777, 40):
        if plan.channel not in seen and len(plan.pages) <= 4:
            seen.add(plan.channel)
            plans.append(plan)
    generate.generate(777, len(plans), out, jobs=2, plans=plans)
    return out


def _inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".tif", ".pdf", ".jpg", ".png", ".eml"))


def test_every_channel_extracts_to_the_schema_with_the_true_pages(samples):
    schema = extract_schema()
    files = _inputs(samples)
    assert len(files) >= 5
    right = total = 0
    for path in files:
        extract = pipeline.extract_file(path).to_json()
        jsonschema.validate(extract, schema)
        truth = json.loads(Path(f"{path}.truth.json").read_text())
        assert len(extract["pages"]) == len(truth["pages"]), path.name
        for got, want in zip(extract["pages"], truth["pages"]):
            total += 1
            right += (got["form"], got["page"]) == (want["form"], want["page"])
    assert right / total >= 0.9, f"{right}/{total} pages classified"


def test_cli_prints_one_json_object(samples):
    path = _inputs(samples)[0]
    done = subprocess.run([*CCAP, "extract", str(path)], capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    jsonschema.validate(json.loads(done.stdout), extract_schema())


@pytest.mark.parametrize("content, name", [
    (b"<html>502 Bad Gateway</html>", "scan.pdf"),
    (b"", "empty.tif"),
    (b"II*\x00" + b"\x00" * 40, "broken.tif"),
])
def test_unreadable_input_exits_2_with_one_line(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    done = subprocess.run([*CCAP, "extract", str(path)], capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and name in done.stderr


def test_missing_file_exits_2(tmp_path):
    done = subprocess.run([*CCAP, "extract", str(tmp_path / "nope.pdf")], capture_output=True,
                          text=True, env=ENV, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "nope.pdf" in done.stderr


def test_page_reads_survive_json_as_the_service_stores_them(samples):
    """The service reads pages in one job and assembles in another: through JSON."""
    path = next(p for p in _inputs(samples) if p.suffix == ".tif")
    loaded = pipeline.load_pages(path)
    reads = [pipeline.read_page(page, i) for i, page in enumerate(loaded.pages)]
    again = [pipeline.PageRead.from_json(json.loads(json.dumps(r.to_json()))) for r in reads]
    for a, b in zip(reads, again):
        assert a.to_json()["fields"] == b.to_json()["fields"]
        assert a.kept_crops.keys() == b.kept_crops.keys()
        assert [k for k, v in a.fields.items() if v.alternatives] == \
            [k for k, v in b.fields.items() if v.alternatives]
        for name in a.kept_crops:
            assert (a.kept_crops[name] == b.kept_crops[name]).all()
    assert any(v.alternatives for r in again for v in r.fields.values())   # handwriting
    one = pipeline.assemble(path.name, None, reads).to_json()
    two = pipeline.assemble(path.name, None, again).to_json()
    assert one == two


def test_ccap_audit_is_a_subcommand(tmp_path):
    env = {**ENV, "CCAP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([*CCAP, "audit", "match", "--month", "2025-10"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([*CCAP, "audit", "list"], capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=120)
    assert "match" in listed.stdout
