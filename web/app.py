"""The review and audit web app: ``create_app()`` builds it, one blueprint per concern.

Access is denied by default: every view declares who may use it (``web.auth``), and a view that
declares nothing answers 403 rather than open by mistake. The login page and the static CSS/JS
(no data in them) are the only things an anonymous visitor gets.

Settings (environment, read here and nowhere else in ``web/``):

``CCAP_SECRET_KEY``     signs Flask's session cookie; when absent one is generated once into
                        ``<CCAP_DATA_DIR>/secret_key`` (mode 600) and reused, so sessions survive
                        a restart and several processes on one data directory agree.
``CCAP_METRICS_TOKEN``  bearer token a Prometheus scraper sends to ``/metrics`` and ``/healthz``
                        (an admin's browser session works too); without it only admins get them.
``CCAP_LOGIN_FAILURES`` failed sign-ins for one user name within ``CCAP_LOGIN_LOCK_MINUTES``
                        that lock it for that long (default 5 and 15; ``web.throttle``);
``CCAP_LOGIN_ADDRESS_FAILURES``  the same for one client address (default 20).

The database, data directory and Redis come from ``intake.config`` like every other command.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from intake import config as intake_config
from intake.store import Store

csrf = CSRFProtect()
log = logging.getLogger("ccap.web")


def _secret_key(data_dir: Path, env: dict) -> str:
    if env.get("CCAP_SECRET_KEY"):
        return env["CCAP_SECRET_KEY"]
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        log.info("generated a session secret in %s", path)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    """The Flask app. ``config`` overrides settings; besides Flask's own keys it takes
    ``CCAP_CONFIG`` (an ``intake.config.Config``), ``CCAP_STORE`` (an open ``Store``),
    ``CCAP_ENV`` (a dict read instead of ``os.environ``) and ``METRICS_TOKEN``."""
    config = dict(config or {})
    env = config.pop("CCAP_ENV", None) or dict(os.environ)
    ccap = config.pop("CCAP_CONFIG", None) or intake_config.load(env)
    store = config.pop("CCAP_STORE", None) or Store.open(ccap)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(ccap.data_dir, env),
        METRICS_TOKEN=env.get("CCAP_METRICS_TOKEN") or None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env.get("CCAP_SECURE_COOKIES", "") == "1",
        PERMANENT_SESSION_LIFETIME=8 * 3600,          # one working day
        WTF_CSRF_TIME_LIMIT=None,                      # the token lives as long as the session
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,           # a 30-page fine fax is a few MB
        LOGIN_FAILURES=int(env.get("CCAP_LOGIN_FAILURES", 5)),
        LOGIN_ADDRESS_FAILURES=int(env.get("CCAP_LOGIN_ADDRESS_FAILURES", 20)),
        LOGIN_LOCK_SECONDS=60 * int(env.get("CCAP_LOGIN_LOCK_MINUTES", 15)),
    )
    app.config.update(config)
    app.extensions["ccap_config"] = ccap
    app.extensions["ccap_store"] = store

    from web import admin, api, auth, audit_views, ops, review
    auth.init_app(app)            # first: who may ask is settled before the form is looked at
    csrf.init_app(app)
    for module in (auth, review, audit_views, admin, ops, api):
        app.register_blueprint(module.bp)
    csrf.exempt(api.bp)           # gateways authenticate by bearer token, not a browser session

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_template("error.html", code=400,
                               message="The form expired or was sent from elsewhere. "
                                       "Go back, reload the page and try again."), 400

    for code, message in ((403, "You do not have access to this page."),
                          (404, "There is nothing at this address."),
                          (405, "This address does not take that kind of request.")):
        app.register_error_handler(code, _error_page(code, message))
    return app


def _error_page(code: int, message: str):
    def handler(error):
        return render_template("error.html", code=code, message=message), code
    return handler
