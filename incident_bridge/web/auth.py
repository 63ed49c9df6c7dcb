"""Signing in and out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm

from incident_bridge.services import directory
from incident_bridge.web.forms import LoginForm
from incident_bridge.web.helpers import page_blueprint, uow

PREFIX = ""
bp = page_blueprint("incident_bridge_auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form and sign the person in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = directory.authenticate(uow(), form.login.data or "", form.password.data or "")
        if user is None:
            flash("Неверный логин или пароль.", "error")
        else:
            login_user(user)
            target = request.args.get("next", "")
            # Only same-site paths: never redirect to a URL someone put in the query string.
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = url_for("incident_bridge_queue.index")
            return redirect(target)
    return render_template("incident_bridge/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    """Sign the person out (a POST with the CSRF token, so no page can sign someone out)."""
    if FlaskForm().validate_on_submit():
        logout_user()
    return redirect(url_for("incident_bridge_auth.login"))
