"""The store on SQLite and on a real PostgreSQL: migrations, models, users, tokens."""
from __future__ import annotations

from datetime import datetime, timezone

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from intake import config as ccap_config
from intake.store import (Base, Document, FieldRow, FindingRow, ReviewEvent, Store, Submission,
                          User, check_token, create_user, issue_token, upgrade)


def test_config_defaults(tmp_path):
    cfg = ccap_config.load({"CCAP_DATA_DIR": str(tmp_path)})
    assert cfg.database_url == f"sqlite:///{tmp_path}/ccap.sqlite3"
    assert cfg.cert_wait_hours == 48
    assert cfg.original_path("ab" * 32) == tmp_path / "originals" / "ab" / "ab" / ("ab" * 32)
    cfg = ccap_config.load({"CCAP_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://x/y",
                            "REDIS_URL": "redis://h:1/2", "CCAP_CERT_WAIT_HOURS": "0.5"})
    assert (cfg.database_url, cfg.redis_url, cfg.cert_wait_hours) == \
        ("postgresql://x/y", "redis://h:1/2", 0.5)


def test_migrations_match_models_and_rerun(service):
    upgrade(service.config.database_url)          # a second start changes nothing
    with service.store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_models_round_trip(service):
    store: Store = service.store
    with store.session() as s:
        sub = Submission(sha256="f" * 64, filename="fax.tif", size=10, channel="fax",
                         received_at="2025-03-04T09:15:00-05:00")
        doc = Document(submission=sub, index=0, form="DCC-97", pages=[0, 1],
                       missing_pages=[], route="review", added_pages=[])
        doc.fields.append(FieldRow(name="provider_number", value="123", extracted="123",
                                   confidence=0.9, page=0, box=[1.0, 2.0, 3.0, 4.0]))
        doc.findings.append(FindingRow(rule="dcc97.holiday_limit", severity="error",
                                       message="too many", fields=["x"]))
        s.add(doc)
        user = create_user(s, "ann", "secret", "auditor")
        s.add(ReviewEvent(document=doc, user=user, action="approve"))
    with store.session() as s:
        sub = s.scalar(select(Submission))
        assert sub.created_at.tzinfo is not None and sub.created_at <= datetime.now(timezone.utc)
        out = sub.to_json()
        assert out["documents"][0]["fields"]["provider_number"]["box"] == [1.0, 2.0, 3.0, 4.0]
        assert out["documents"][0]["findings"][0]["rule"] == "dcc97.holiday_limit"
        assert s.scalar(select(User)).check_password("secret")
        assert not s.scalar(select(User)).check_password("wrong")
        assert s.scalar(select(ReviewEvent)).user.username == "ann"


def test_gateway_tokens(service):
    with service.store.session() as s:
        token = issue_token(s, "fax-gateway", "fax")
    with service.store.session() as s:
        assert check_token(s, token).channel == "fax"
        assert check_token(s, token + "x") is None
        new = issue_token(s, "fax-gateway", "fax")          # replacing revokes the old one
        assert check_token(s, token) is None and check_token(s, new) is not None
