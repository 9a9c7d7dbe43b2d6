"""What the validators need to know from outside the file: the provider's earlier billing.

Only one rule needs it today: ``dcc97.holiday_limit`` (at most 10 holiday dates per provider per
calendar year, counted across billing forms). The rule itself counts the holidays on the billing
forms *earlier in the same file*; a ``History`` adds those on forms the service has already
processed from other files, in the order DCC processes them ("the system picks it up and uses
one of the center's 10 holidays"). The service backs it with its store and must leave out the
forms of the file being checked; ``ccap extract`` knows only the file, so it uses ``FileOnly``.
"""
from __future__ import annotations

from typing import Protocol


class History(Protocol):
    def holidays_used(self, provider_number: str, year: int) -> int:
        """Holiday dates (code 43 on any child) already billed by ``provider_number`` in
        ``year`` on billing forms outside the file being checked."""
        ...


class FileOnly:
    """No history: only the file itself counts (``ccap extract``, tests)."""

    def holidays_used(self, provider_number: str, year: int) -> int:
        return 0


class Known:
    """A fixed table ``{(provider_number, year): holidays}`` (tests, batch re-checks)."""

    def __init__(self, used: dict[tuple[str, int], int]):
        self.used = dict(used)

    def holidays_used(self, provider_number: str, year: int) -> int:
        return self.used.get((provider_number, year), 0)
