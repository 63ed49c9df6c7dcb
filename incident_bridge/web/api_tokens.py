"""«Токены доступа к API» (admin): every personal token with its state; issue one for a person, revoke any."""

from __future__ import annotations

import secrets
from typing import Any

from flask import flash, redirect, render_template, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from incident_bridge.domain.errors import BridgeError
from incident_bridge.domain.workflow import Role
from incident_bridge.services import api_tokens
from incident_bridge.web.forms import REQUIRED
from incident_bridge.web.helpers import actor, now, page_blueprint, roles_required, uow

PREFIX = "/admin/tokens"
bp = page_blueprint("incident_bridge_api_tokens", __name__)


class IssueForm(FlaskForm):
    user = SelectField("Владелец", coerce=int, validators=[DataRequired(REQUIRED)])
    name = StringField("Назначение", validators=[Optional(), Length(max=api_tokens.MAX_NAME)])
    expires_days = IntegerField(
        "Срок, дней",
        default=365,
        validators=[Optional(), NumberRange(1, api_tokens.MAX_EXPIRY_DAYS, "От 1 до 3650 дней.")],
    )
    #: One token per shown form: reloading the page after issuing does not issue another.
    nonce = HiddenField()
    submit = SubmitField("Выдать токен")


#: The session remembers the last forms it issued a token by (not secret: one-use numbers).
USED = "incident_bridge_token_forms"


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Отозвать")


def _issue_form(fresh: bool = False) -> IssueForm:
    """The issue form (``fresh``: empty, for the page after a token was issued)."""
    form = IssueForm(formdata=None) if fresh else IssueForm()
    people = sorted((u for u in uow().people.users() if u.active), key=lambda u: u.full_name)
    form.user.choices = [(u.id, f"{u.full_name} ({u.login}, {Role(u.role).label})")
                         for u in people]  # fmt: skip
    if fresh or not form.nonce.data:
        form.nonce.data = secrets.token_urlsafe(12)
    return form


def _page(form: IssueForm, issued: api_tokens.IssuedToken | None = None) -> Any:
    return render_template(
        "incident_bridge/api_tokens.html",
        tokens=uow().api_tokens.all(),
        state=api_tokens.state,
        now=now(),
        form=form,
        revoke_form=RevokeTokenForm(),
        issued=issued,
    )


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """List every token: owner, purpose, prefix, who issued it, expiry, last use, state."""
    return _page(_issue_form())


@bp.route("/", methods=["POST"])
@roles_required(Role.ADMIN.value)
def issue() -> Any:
    """Issue a token for a person; the token is shown on this page once, and never again."""
    form = _issue_form()
    if not form.validate_on_submit():
        flash("; ".join(", ".join(m) for m in form.errors.values()), "error")
        return redirect(url_for(".index"))
    used = list(session.get(USED, []))
    if form.nonce.data in used:
        flash("Токен по этой форме уже выдан; он показан один раз. Нужен ещё один — выдайте заново.",
              "error")  # fmt: skip
        return redirect(url_for(".index"))
    session[USED] = [*used[-19:], form.nonce.data]
    try:
        issued = api_tokens.create(uow(), form.user.data, name=form.name.data or "API",
                                   expires_days=form.expires_days.data, by=actor(), now=now())  # fmt: skip
    except BridgeError as exc:
        flash(exc.user_message, "error")
        return redirect(url_for(".index"))
    return _page(_issue_form(fresh=True), issued), 201, {"Cache-Control": "no-store"}


@bp.route("/<ib_id:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN.value)
def revoke(token_id: int) -> Any:
    """Stop a token for good (it stays listed, revoked, with who did it)."""
    if not RevokeTokenForm().validate_on_submit():
        flash("Форма устарела. Обновите страницу.", "error")
        return redirect(url_for(".index"))
    try:
        row = api_tokens.revoke(uow(), token_id, by=actor(), now=now())
    except BridgeError as exc:
        flash(exc.user_message, "error")
    else:
        flash(f"Токен {row.prefix}… ({row.name}) отозван.", "success")
    return redirect(url_for(".index"))
