"""Signing in and out, and changing one's own password."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from incident_bridge.domain.errors import BridgeError
from incident_bridge.services import directory, security_log
from incident_bridge.state import bridge_state
from incident_bridge.web.forms import ChangePasswordForm, LoginForm
from incident_bridge.web.helpers import client_address, now, page_blueprint, safe_target, uow

PREFIX = ""
bp = page_blueprint("incident_bridge_auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form and sign the person in (throttled per login and per address)."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("incident_bridge/login.html", form=form)
    throttle = bridge_state(current_app).throttle
    typed, address = (form.login.data or "").strip().lower()[:200], client_address()
    wait = throttle.wait(typed, address)
    if wait is not None:
        minutes = max(1, (wait + 59) // 60)
        with uow() as work:
            security_log.record(work, "login_throttled", now(), login=typed, actor="—",
                                address=address)  # fmt: skip
        flash(f"Слишком много неудачных попыток входа. Попробуйте снова через {minutes} мин.",
              "error")  # fmt: skip
        page = render_template("incident_bridge/login.html", form=form)
        return page, 429, {"Retry-After": str(wait)}
    user = directory.authenticate(uow(), typed, form.password.data or "", now=now(),
                                  address=address)  # fmt: skip
    if user is None:
        throttle.failed(typed, address)
        flash("Неверный логин или пароль.", "error")
        return render_template("incident_bridge/login.html", form=form)
    throttle.succeeded(typed)
    login_user(user)
    return redirect(safe_target(request.args.get("next"), url_for("incident_bridge_queue.index")))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    """Sign out: every session of the person ends (a copied cookie stops working too)."""
    directory.log_out(uow(), current_user.id, now=now(), address=client_address())
    logout_user()
    return redirect(url_for("incident_bridge_auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change one's own password; every other session of the person ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if form.new.data != form.repeat.data:
            flash("Новый пароль и повтор не совпадают.", "error")
        else:
            try:
                user = directory.change_password(
                    uow(), current_user.id, form.current.data or "", form.new.data or "",
                    now=now(), address=client_address(),
                )  # fmt: skip
            except BridgeError as exc:
                flash(exc.user_message, "error")
            else:
                login_user(user)  # this session goes on with the new generation
                flash("Пароль изменён. Другие сеансы входа завершены.", "success")
                return redirect(url_for("incident_bridge_queue.index"))
    return render_template("incident_bridge/password.html", form=form)
