"""One database session per request: opened on first use, closed (rolled back unless the view
committed) when the request ends, so templates can still walk relationships while rendering."""
from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from intake.config import Config
from intake.store import Store


def store() -> Store:
    return current_app.extensions["ccap_store"]


def settings() -> Config:
    return current_app.extensions["ccap_config"]


def db() -> Session:
    if "db" not in g:
        g.db = store().Session()
    return g.db


def close(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
