"""The durable store: SQLAlchemy 2 models and the one way to open the database.

One row per received file (:class:`Submission`), its pages, the documents found in it with their
fields and findings, the review trail, the users and the gateways' tokens. The schema is created
and changed only by the Alembic migrations in ``intake/migrations`` (:func:`upgrade`, run by
:meth:`Store.open`), never by ``create_all``, so SQLite and PostgreSQL databases stay alike.

States a submission goes through (``Submission.state``)::

    received -> queued -> reading -> assembling -> done
                   \\_________\\___________\\______-> failed   (reason kept, retryable)
    received -> split      an e-mail, once each attachment is its own submission (parent_id)

``received`` means the original is on disk and the row committed but no job is queued yet; the
reconciler (``ccap reconcile``) re-queues anything left in a middle state, so a lost Redis or a
killed worker loses nothing.

Document status (``Document.status``): ``complete``; ``waiting`` (a certificate missing pages,
waiting until ``wait_until`` for them to arrive in a later fax); ``incomplete`` (the wait ran
out, it went to review as it is); ``completed`` (the missing pages arrived and it was
re-validated); ``merged`` (a partial document whose pages were added to an earlier one).
"""
from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, create_engine, event, select)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from intake.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

SUBMISSION_STATES = ("received", "queued", "reading", "assembling", "done", "failed", "split")
IN_FLIGHT_STATES = ("received", "queued", "reading", "assembling")
ROLES = ("worker", "auditor", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite (which keeps no zone)
    and on PostgreSQL alike."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Submission(Base):
    """One received file, stored untouched under ``originals/`` by its sha256 before this row
    exists. The same bytes arriving again make a :class:`Duplicate`, not a second submission."""
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))          # name as delivered (no path)
    size: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32), default="upload")   # fax, email, upload, ...
    sender: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[str | None] = mapped_column(String(40))  # ISO 8601 with offset, as given
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    reason: Mapped[str | None] = mapped_column(Text)           # why it failed (no personal data)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times the pipeline was started
    page_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assemble_seconds: Mapped[float | None] = mapped_column(Float)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))  # e-mail it came in

    pages: Mapped[list["Page"]] = relationship(back_populates="submission",
                                               order_by="Page.index",
                                               cascade="all, delete-orphan")
    documents: Mapped[list["Document"]] = relationship(back_populates="submission",
                                                       order_by="Document.index",
                                                       cascade="all, delete-orphan")
    duplicates: Mapped[list["Duplicate"]] = relationship(back_populates="submission",
                                                         order_by="Duplicate.id",
                                                         cascade="all, delete-orphan")

    def to_json(self, documents: bool = True) -> dict:
        out = {"id": self.id, "sha256": self.sha256, "filename": self.filename,
               "size": self.size, "channel": self.channel, "sender": self.sender,
               "received_at": self.received_at, "state": self.state, "reason": self.reason,
               "attempts": self.attempts, "page_count": self.page_count,
               "created_at": self.created_at.isoformat() if self.created_at else None,
               "duplicates": [d.to_json() for d in self.duplicates]}
        if documents:
            out["documents"] = [d.to_json() for d in self.documents]
        return out


class Duplicate(Base):
    """The same bytes delivered again: recorded and shown, never processed twice."""
    __tablename__ = "duplicates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="duplicates")

    def to_json(self) -> dict:
        return {"id": self.id, "filename": self.filename, "channel": self.channel,
                "sender": self.sender, "received_at": self.received_at,
                "created_at": self.created_at.isoformat() if self.created_at else None}


class Page(Base):
    """One page of a submission. ``read`` holds the pipeline's ``PageRead.to_json()`` once the
    page has been read, so the per-submission job (and a re-run of it) never reads twice."""
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("submission_id", "index", name="uq_pages_submission_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)                 # 0-based, in the file's order
    state: Mapped[str] = mapped_column(String(16), default="pending")   # pending, read, failed
    error: Mapped[str | None] = mapped_column(Text)
    form: Mapped[str | None] = mapped_column(String(16))        # DCC-94, DCC-97, DCC-94E, other
    form_page: Mapped[int | None] = mapped_column(Integer)
    of: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int | None] = mapped_column(Integer)
    skew_degrees: Mapped[float | None] = mapped_column(Float)
    image_path: Mapped[str | None] = mapped_column(String(512))  # relative to the data dir
    read: Mapped[dict | None] = mapped_column(JSON)
    read_seconds: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="pages")


class Document(Base):
    """One form found in a submission (a certificate, a billing form, an attendance record)."""
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("submission_id", "index",
                                       name="uq_documents_submission_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)                 # order in the extract
    form: Mapped[str] = mapped_column(String(16), index=True)
    pages: Mapped[list] = mapped_column(JSON, default=list)     # page indexes, form page order
    missing_pages: Mapped[list] = mapped_column(JSON, default=list)
    route: Mapped[str] = mapped_column(String(16), default="review", index=True)
    status: Mapped[str] = mapped_column(String(16), default="complete", index=True)
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    # extra pages from later submissions that completed this one: [[submission_id, index], ...]
    added_pages: Mapped[list] = mapped_column(JSON, default=list)
    review_state: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, approved, rejected
    provider_number: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="documents")
    fields: Mapped[list["FieldRow"]] = relationship(back_populates="document",
                                                    order_by="FieldRow.id",
                                                    cascade="all, delete-orphan")
    findings: Mapped[list["FindingRow"]] = relationship(back_populates="document",
                                                        order_by="FindingRow.id",
                                                        cascade="all, delete-orphan")
    events: Mapped[list["ReviewEvent"]] = relationship(back_populates="document",
                                                       order_by="ReviewEvent.id")

    def field(self, name: str) -> "FieldRow | None":
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self) -> dict:
        return {"id": self.id, "form": self.form, "pages": list(self.pages or []),
                "missing_pages": list(self.missing_pages or []), "route": self.route,
                "status": self.status, "review_state": self.review_state,
                "added_pages": list(self.added_pages or []),
                "fields": {f.name: f.to_json() for f in self.fields},
                "findings": [f.to_json() for f in self.findings]}


class FieldRow(Base):
    """One field value of a document. ``extracted`` keeps what was read; ``value`` is the
    current value (a reviewer's correction replaces it; the change is a ReviewEvent)."""
    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("document_id", "name", name="uq_fields_document_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    extracted: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    page: Mapped[int] = mapped_column(Integer, default=0)      # page index in the submission
    # the submission whose page ``page`` is, when not the document's own: a field a certificate
    # took from a later fax when it was completed (intake.certificates)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    box: Mapped[list] = mapped_column(JSON, default=list)     # [x, y, w, h] on the upright page
    type: Mapped[str | None] = mapped_column(String(32))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)

    document: Mapped[Document] = relationship(back_populates="fields")

    def to_json(self) -> dict:
        out = {"value": self.value, "confidence": self.confidence, "page": self.page,
               "box": list(self.box or [])}
        if self.type:
            out["type"] = self.type
        if self.corrected:
            out["extracted"] = self.extracted
        return out


class FindingRow(Base):
    """One validator finding on a document (rule id from ``extractors/forms/rules.json``)."""
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    policy: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)

    document: Mapped[Document] = relationship(back_populates="findings")

    def to_json(self) -> dict:
        out = {"rule": self.rule, "severity": self.severity, "message": self.message,
               "fields": list(self.fields or [])}
        if self.policy:
            out["policy"] = self.policy
        if self.resolved:
            out["resolved"] = True
        return out


class User(Base):
    """A person who signs in to the review app. Roles: ``worker`` reviews and corrects,
    ``auditor`` reads everything and the trail, ``admin`` also manages users and tokens."""
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default="worker")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class ReviewEvent(Base):
    """The append-only trail: who did what to which document or submission, and when.
    ``action`` e.g. ``view``, ``correct``, ``approve``, ``reject``, ``resolve``, ``retry``,
    ``note``, or system actions (``completed``, ``incomplete``) with no user."""
    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    document: Mapped[Document | None] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class GatewayToken(Base):
    """A bearer token for one gateway posting to ``/api/v1/submissions``. Only its sha256 is
    stored; :func:`issue_token` returns the token itself once."""
    __tablename__ = "gateway_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)    # e.g. "fax-gateway"
    channel: Mapped[str] = mapped_column(String(32))              # channel its files get
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_documents_form_status", Document.form, Document.status)


# Opening the database -------------------------------------------------------------------------

def make_engine(url: str) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that
    two workers, the watcher and the web app can write to one file without "database is
    locked" errors on lock upgrades; PostgreSQL needs nothing special."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None      # let the "begin" hook issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str):
    from alembic.config import Config as AlembicConfig
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Apply every Alembic migration not yet applied (idempotent; run at every start)."""
    from alembic import command
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


class Store:
    """The database of one configuration: ``with store.session() as s: ...`` commits on success
    and rolls back on an exception."""

    def __init__(self, config: Config, engine: Engine | None = None):
        self.config = config
        self.engine = engine or make_engine(config.database_url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def open(cls, config: Config, migrate: bool = True) -> "Store":
        config.data_dir.mkdir(parents=True, exist_ok=True)
        if migrate:
            upgrade(config.database_url)
        return cls(config)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        with self.Session() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


# Small helpers the CLI and the web app share ------------------------------------------------

def create_user(s: Session, username: str, password: str, role: str = "worker",
                name: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role, name=name, password_hash="")
        s.add(user)
    user.role, user.name = role, name or user.name
    user.set_password(password)
    s.flush()
    return user


def latest_corrections(s: Session, document_ids: list[int]) -> dict[str, ReviewEvent]:
    """The newest correction a person made to each field of these documents. A correction is
    kept as its ``correct`` event (who, when, old and new value), so it can be applied again
    whenever a document's fields are put together anew (a certificate completed by a later
    fax): what a person decided outranks any reading."""
    if not document_ids:
        return {}
    events = s.scalars(select(ReviewEvent)
                       .where(ReviewEvent.document_id.in_(document_ids),
                              ReviewEvent.action == "correct", ReviewEvent.field.is_not(None))
                       .order_by(ReviewEvent.created_at, ReviewEvent.id))
    return {e.field: e for e in events}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(s: Session, name: str, channel: str) -> str:
    """Create (or replace) the token of gateway ``name``; returns the token, shown once."""
    token = secrets.token_urlsafe(32)
    row = s.scalar(select(GatewayToken).where(GatewayToken.name == name))
    if row is None:
        row = GatewayToken(name=name, channel=channel, token_sha256="")
        s.add(row)
    row.channel, row.token_sha256, row.revoked_at = channel, token_digest(token), None
    s.flush()
    return token


def check_token(s: Session, token: str) -> GatewayToken | None:
    """The active gateway a bearer token belongs to, else None."""
    row = s.scalar(select(GatewayToken).where(GatewayToken.token_sha256 == token_digest(token)))
    return row if row is not None and row.revoked_at is None else None
