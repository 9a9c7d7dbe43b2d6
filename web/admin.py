"""Admins manage who may sign in (users and roles) and the gateways' upload tokens."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from intake.store import ROLES, GatewayToken, User, create_user, issue_token, utcnow
from web.auth import current_user, roles
from web.db import db

bp = Blueprint("admin", __name__)
log = logging.getLogger("ccap.web.admin")
MIN_PASSWORD = 10


@bp.get("/admin/users")
@roles("admin")
def users():
    return render_template("users.html", users=list(db().scalars(select(User).order_by(User.username))),
                           tokens=list(db().scalars(select(GatewayToken).order_by(GatewayToken.name))),
                           roles=ROLES, new_token=None)


@bp.post("/admin/users")
@roles("admin")
def save_user():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    role = request.form.get("role", "worker")
    existing = db().scalar(select(User).where(User.username == username)) if username else None
    if not username or role not in ROLES:
        flash("Give a user name and one of the roles.", "error")
    elif existing is None and len(password) < MIN_PASSWORD:
        flash(f"A new user needs a password of at least {MIN_PASSWORD} characters.", "error")
    elif password and len(password) < MIN_PASSWORD:
        flash(f"Passwords have at least {MIN_PASSWORD} characters.", "error")
    else:
        if existing is not None and not password:
            existing.role, existing.name = role, request.form.get("name") or existing.name
            existing.active = request.form.get("active", "1") == "1"
            user = existing
        else:
            user = create_user(db(), username, password, role, request.form.get("name") or None)
            user.active = request.form.get("active", "1") == "1"
        if user.id == current_user().id and (user.role != "admin" or not user.active):
            db().rollback()
            flash("You cannot take away your own admin access.", "error")
            return redirect(url_for("admin.users"))
        db().commit()
        if password:        # a new password lifts a sign-in lock (web.throttle)
            current_app.extensions["ccap_login_throttle"].forget(username)
        log.info("user %s saved by admin %s", user.id, current_user().id)
        flash("User saved.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/admin/tokens")
@roles("admin")
def save_token():
    name = request.form.get("name", "").strip()
    channel = request.form.get("channel", "").strip() or "upload"
    if request.form.get("revoke"):
        row = db().scalar(select(GatewayToken).where(GatewayToken.name == name))
        if row is not None:
            row.revoked_at = utcnow()
            db().commit()
            flash(f"Token of {name} revoked.", "ok")
        return redirect(url_for("admin.users"))
    if not name:
        flash("Name the gateway.", "error")
        return redirect(url_for("admin.users"))
    token = issue_token(db(), name, channel)
    db().commit()
    log.info("gateway token %s issued by admin %s", name, current_user().id)
    return render_template("users.html", users=list(db().scalars(select(User).order_by(User.username))),
                           tokens=list(db().scalars(select(GatewayToken).order_by(GatewayToken.name))),
                           roles=ROLES, new_token=(name, token))
