"""Who may use what: sign-in with Flask's session, and the access rule every view declares.

Roles (``intake.store.ROLES``): a ``worker`` clears the review queue; an ``auditor`` runs the
batch checks and reads documents without changing them; an ``admin`` may do everything and
manages users. Views say who they are for with one decorator::

    @bp.get("/queue")
    @roles("worker")              # admins are always allowed
    def queue(): ...

``public`` (the login page), ``metrics_access`` (a scraper's bearer token or an admin) and
``gateway_access`` (a gateway's bearer token, ``intake.store.check_token``) are the other kinds.
A view without a declaration is refused (see :func:`_gate`), so a forgotten decorator fails
closed. Logs name users by id only, never by what they typed. Failed sign-ins are throttled per
user name and per client address (``web.throttle``): too many lock the name or address for a
while, with a message saying so, HTTP 429 and one log line.
"""
from __future__ import annotations

import hmac
import logging
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   session, url_for)
from sqlalchemy import select

from intake.store import User, check_token
from web.db import close, db

bp = Blueprint("auth", __name__)
log = logging.getLogger("ccap.web.auth")


# -- declarations ------------------------------------------------------------------------------

def _declare(kind: str, roles: tuple[str, ...] = ()) -> Callable:
    def deco(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)
        wrapped.ccap_access = (kind, roles)
        return wrapped
    return deco


def roles(*allowed: str) -> Callable:
    """Signed-in users whose role is in ``allowed`` (admins always)."""
    return _declare("roles", tuple(allowed) + ("admin",))


public = _declare("public")
metrics_access = _declare("metrics")
gateway_access = _declare("gateway")


# -- the current user --------------------------------------------------------------------------

def current_user() -> User | None:
    if "user" not in g:
        uid = session.get("uid")
        user = db().get(User, uid) if uid is not None else None
        if user is not None and not user.active:
            session.clear()
            user = None
        g.user = user
    return g.user


def can(role_list: tuple[str, ...] | str) -> bool:
    """Whether the current user has one of these roles (admins can do everything)."""
    user = current_user()
    wanted = (role_list,) if isinstance(role_list, str) else role_list
    return user is not None and (user.role == "admin" or user.role in wanted)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _unauthorised(realm: str):
    response = current_app.response_class("authentication required\n", status=401,
                                          mimetype="text/plain")
    response.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"'
    return response


def _gate():
    """Runs before every request: enforce the view's declaration, refuse undeclared views."""
    if request.endpoint is None:           # no such route: Flask answers 404 / 405
        return None
    if request.endpoint == "static":       # CSS and JS only; no data
        return None
    view = current_app.view_functions.get(request.endpoint)
    kind, allowed = getattr(view, "ccap_access", ("undeclared", ()))
    if kind == "public":
        return None
    if kind == "roles":
        user = current_user()
        if user is None:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(401)
        if user.role not in allowed:
            log.info("refused user %s (%s) on %s", user.id, user.role, request.endpoint)
            abort(403)
        return None
    if kind == "metrics":
        token, expected = _bearer(), current_app.config.get("METRICS_TOKEN")
        if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
            return None
        if can("admin"):
            return None
        return _unauthorised("metrics")
    if kind == "gateway":
        token = _bearer()
        gateway = check_token(db(), token) if token else None
        if gateway is None:
            return _unauthorised("gateway")
        g.gateway = gateway
        return None
    log.error("view %s declares no access rule; refused", request.endpoint)
    abort(403)


def init_app(app) -> None:
    from web.throttle import LoginThrottle
    app.extensions["ccap_login_throttle"] = LoginThrottle(
        app.extensions["ccap_config"].redis_url, per_account=app.config["LOGIN_FAILURES"],
        per_address=app.config["LOGIN_ADDRESS_FAILURES"],
        seconds=app.config["LOGIN_LOCK_SECONDS"])
    app.before_request(_gate)
    app.teardown_appcontext(close)

    @app.context_processor
    def _user_in_templates():
        return {"current_user": current_user(), "can": can}


# -- sign in and out ---------------------------------------------------------------------------

def _home_for(user: User) -> str:
    return url_for("audit_views.index") if user.role == "auditor" else url_for("review.queue")


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths, so a crafted link cannot send a user elsewhere after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        throttle = current_app.extensions["ccap_login_throttle"]
        lock = throttle.locked(username, request.remote_addr)
        if lock is not None:
            log.info("sign-in refused: %s locked", lock.what)
            return _locked(lock, username)
        user = db().scalar(select(User).where(User.username == username)) if username else None
        if user is None or not user.active or not user.check_password(password):
            lock = throttle.failed(username, request.remote_addr)
            if lock is not None:
                # the audit line: which kind of lock, and the account's id when it exists
                log.warning("sign-in locked for %d s: too many failures for this %s%s",
                            throttle.seconds, lock.what,
                            f" (user {user.id})" if user is not None and lock.what == "account"
                            else "")
                return _locked(lock, username)
            log.info("failed sign-in")
            flash("Wrong user name or password.", "error")
            return render_template("login.html", username=username), 401
        throttle.forget(username)
        session.clear()                    # a fresh session: no fixation
        session["uid"] = user.id
        session.permanent = True
        log.info("user %s signed in", user.id)
        return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    user = current_user()
    if user is not None:
        return redirect(_home_for(user))
    return render_template("login.html", username="")


def _locked(lock, username: str):
    """The sign-in page saying why nothing was tried, with HTTP 429 and Retry-After."""
    whom = "this user name" if lock.what == "account" else "this computer's address"
    then = ("Try again then, or ask an administrator, who can lift the lock by setting a new "
            "password." if lock.what == "account" else "Try again then.")
    flash(f"Too many failed sign-ins for {whom}. Signing in is locked for "
          f"{lock.minutes_left} minute{'s' if lock.minutes_left != 1 else ''}. {then}", "error")
    response = current_app.make_response((render_template("login.html", username=username), 429))
    response.headers["Retry-After"] = str(lock.seconds_left)
    return response


@bp.post("/logout")
@roles("worker", "auditor")
def logout():
    session.clear()
    flash("You are signed out.", "ok")
    return redirect(url_for("auth.login"))


@bp.get("/")
@roles("worker", "auditor")
def home():
    return redirect(_home_for(current_user()))
