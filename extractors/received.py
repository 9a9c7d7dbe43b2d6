"""When the paper reached the Division: ``received_at`` of the extract, and where it came from.

Deadlines hang on this date (a DCC-94 must be back within 10 days, a DCC-97 adjustment within
90), so the most trustworthy source wins:

1. ``sidecar``: the gateway's ``FILE.json`` beside the file (``received_at`` key), written
   when the fax server, mailbox or upload API took the file in;
2. ``fax_header``: the date and time the sending machine printed across the top of page 1
   (``header_text`` reads it);
3. ``email``: the e-mail's ``Date`` header;
4. nothing: ``(None, None)``. (The CLI's ``--received-at`` overrides all of these.)

Times without a zone are Kentucky's (America/New_York), as fax headers are. The result is ISO
8601 with its offset, e.g. ``2022-05-16T09:14:00-04:00``.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np

from . import ocr
from .faxheader import LOCAL, parse
from .load import Loaded
from .normalize import top_band


def sidecar_path(path: Path) -> Path:
    """``NAME.EXT.json`` beside ``NAME.EXT``."""
    return path.with_name(path.name + ".json")


def _from_sidecar(path: Path) -> datetime | None:
    """The sidecar's ``received_at``; a missing, unreadable or odd sidecar counts as none."""
    try:
        raw = json.loads(sidecar_path(path).read_text())
        value = raw.get("received_at") if isinstance(raw, dict) else None
        when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) \
            else None
    except (OSError, ValueError, AttributeError):
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=LOCAL)
    return when


def header_text(image: np.ndarray, dpi: int) -> str | None:
    """The fax header line of a page image *as received* (before it is turned upright).

    The sending machine prints the header across the top of what it transmits, so it is at the
    top even when the paper went in upside down (where it may then overlap the form's footer
    and read poorly); upright forms leave that band empty. None when nothing is read (a
    blank strip is not read at all).
    """
    band = top_band(image, dpi)
    if not (band < 128).any():                  # a blank top: nothing to read
        return None
    (text, _), = ocr.read_lines([band], dpi, psm=7)
    return text or None


def received_at(path: Path | None, loaded: Loaded | None,
                first_page_header_text: str | None) -> tuple[str | None, str | None]:
    """(ISO 8601 date-time or None, its source: "sidecar", "fax_header", "email" or None)."""
    if path is not None:
        when = _from_sidecar(Path(path))
        if when is not None:
            return when.isoformat(), "sidecar"
    header = parse(first_page_header_text)
    if header is not None and header.sent_at is not None:
        return header.sent_at.isoformat(), "fax_header"
    if loaded is not None and loaded.email_date is not None:
        return loaded.email_date.isoformat(), "email"
    return None, None
