"""``intake.received_unknown``: a deadline rule needed the date received and there was none.

The 10-day return window (DCC-94) and the 90-day adjustment window (DCC-97) are counted from
the date a document was received: sidecar, fax header, e-mail Date or upload time. Without it a
deadline cannot be checked, so the document goes to a person with this warning instead of being
accepted on a check that never ran.
"""
from __future__ import annotations

from extractors.model import Finding

from .reading import Context, Reading, finding, rule


@rule("intake.received_unknown")
def received_unknown(r: Reading, ctx: Context) -> list[Finding]:
    if ctx.received_needed and ctx.extract.received_at is None:
        return [finding("intake.received_unknown",
                        "The date this document was received is unknown (no fax header, e-mail "
                        "date, gateway record or upload time), so its deadline could not be "
                        "checked; confirm the date received.")]
    return []
