"""The validators' ``History`` backed by the store: holidays a provider already billed.

``dcc97.holiday_limit`` allows 10 holiday dates (code 43) per provider per calendar year across
all billing forms. The rule counts the forms in the file being checked itself; this adds the
holiday dates of every DCC-97 already processed from *other* submissions, counted once per
date, using the validators' own reading of a billing form so the two never disagree.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extractors.model import Document as ModelDocument
from extractors.model import FieldValue
from intake.store import Document, Store, Submission
from validators import dcc97
from validators.reading import Reading


def model_document(doc: Document) -> ModelDocument:
    """A stored document as the core's dataclass (current values, corrections included)."""
    return ModelDocument(doc.form, list(doc.pages or []), list(doc.missing_pages or []),
                         {f.name: FieldValue(f.value, f.confidence, f.page, tuple(f.box or (0,) * 4),
                                             f.type) for f in doc.fields},
                         [], doc.route)


class StoreHistory:
    def __init__(self, store: Store, exclude_submission: int | None = None):
        self.store = store
        self.exclude = exclude_submission

    def holidays_used(self, provider_number: str, year: int) -> int:
        dates = set()
        with self.store.session() as s:
            q = (select(Document).join(Submission)
                 .where(Document.form == dcc97.FORM, Document.provider_number == provider_number,
                        Submission.state == "done")
                 .options(selectinload(Document.fields)))
            if self.exclude is not None:
                q = q.where(Document.submission_id != self.exclude)
            for doc in s.scalars(q):
                reading = Reading(model_document(doc))
                month = dcc97.billing_month(reading)
                if month is not None and month.year == year:
                    dates |= dcc97.holiday_dates(reading)
        return len(dates)
