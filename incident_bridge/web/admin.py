"""The admin page: subdivisions, people, and the sync's health."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from incident_bridge.domain.errors import InvalidInput
from incident_bridge.domain.notices import Duty
from incident_bridge.domain.workflow import Role
from incident_bridge.services import (
    checks,
    directory,
    job_health,
    outbox,
    polling,
    quarantine,
    security_log,
    status,
)
from incident_bridge.state import bridge_state
from incident_bridge.web.forms import (
    ContactForm,
    PasswordResetForm,
    RoleForm,
    SubdivisionForm,
    UserForm,
    UserStateForm,
    WordForm,
    choices,
)
from incident_bridge.web.helpers import (
    COORDINATORS,
    act,
    actor,
    back_with_errors,
    ctx,
    now,
    page_blueprint,
    roles_required,
    safe_target,
    session,
    uow,
)

F = TypeVar("F", UserForm, RoleForm)

PREFIX = "/admin"
bp = page_blueprint("incident_bridge_admin", __name__)


def _with_subdivisions(form: F) -> F:
    """A form whose subdivision select lists the active subdivisions (and «—» for none)."""
    form.subdivision.choices = choices(
        [(0, "—")] + [(s.id, s.name) for s in uow().people.subdivisions()]
    )
    return form


def _user_form() -> UserForm:
    return _with_subdivisions(UserForm())


@bp.route("/")
@roles_required(Role.ADMIN.value)
def index() -> Any:
    """Show subdivisions, people and the sync's health."""
    return render_template(
        "incident_bridge/admin.html",
        subdivisions=uow().people.subdivisions(active_only=False),
        users=uow().people.users(),
        subdivision_form=SubdivisionForm(),
        user_form=_user_form(),
        state_form=UserStateForm(),
        health=status.overview(
            session(), now(), bridge_state(current_app).settings.unreachable_alert_minutes
        ),
        queue=_queue_figures(),
        jobs=uow().jobs.all(),
        job_labels=job_health.JOB_LABELS,
        may_retry=lambda kind: outbox.may_retry(current_user.role, kind, ctx()),
        words=uow().dictionary.words(),
        word_form=WordForm(),
        role_form=_with_subdivisions(RoleForm()),
        reset_form=PasswordResetForm(),
        duties=list(Duty),
    )


@bp.route("/dictionary", methods=["POST"])
@roles_required(*COORDINATORS)
def add_word() -> Any:
    """Add a word to the organisation's dictionary (from the admin page or the review screen)."""
    form = WordForm()
    back = safe_target(form.back.data, url_for("incident_bridge_admin.index"))
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: checks.add_word(uow(), form.word.data or "", by=current_user.full_name, now=now()),
        f"Слово «{form.word.data}» добавлено в словарь организации.",
    )


@bp.route("/dictionary/<ib_id:word_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN.value)
def remove_word(word_id: int) -> Any:
    """Remove a word from the organisation's dictionary."""
    back = url_for("incident_bridge_admin.index")
    if not FlaskForm().validate_on_submit():  # only the CSRF token
        return redirect(back)
    return act(back, lambda: checks.remove_word(uow(), word_id), "Слово удалено из словаря.")


@bp.route("/subdivisions", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add_subdivision() -> Any:
    """Add a subdivision."""
    form = SubdivisionForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: directory.create_subdivision(uow(), form.name.data or ""),
        "Подразделение добавлено.",
    )


@bp.route("/users", methods=["POST"])
@roles_required(Role.ADMIN.value)
def add_user() -> Any:
    """Add a person with a role (and a subdivision for an executor)."""
    form = _user_form()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: directory.create_user(
            uow(),
            login=form.login.data or "",
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            role=form.role.data or "",
            subdivision_id=form.subdivision.data or None,
            now=now(),
            by=actor(),
        ),
        "Пользователь добавлен.",
    )


@bp.route("/users/<any(activate, deactivate):change>", methods=["POST"])
@roles_required(Role.ADMIN.value)
def set_user_state(change: str) -> Any:
    """Switch a person's access on or off."""
    form = UserStateForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: directory.set_active(
            uow(), form.user_id.data or 0, change == "activate", by=actor(), now=now()
        ),
        "Доступ изменён; сеансы пользователя завершены.",
    )


@bp.route("/users/role", methods=["POST"])
@roles_required(Role.ADMIN.value)
def change_role() -> Any:
    """Give a person another role (and subdivision); their sessions end."""
    form = _with_subdivisions(RoleForm())
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: directory.change_role(
            uow(),
            form.user_id.data or 0,
            form.role.data or "",
            form.subdivision.data or None,
            by=actor(),
            now=now(),
        ),  # fmt: skip
        "Роль изменена; сеансы пользователя завершены.",
    )


@bp.route("/users/contact", methods=["POST"])
@roles_required(Role.ADMIN.value)
def set_contact() -> Any:
    """Where a person's notifications are mailed, and their escalation duty."""
    form = ContactForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: directory.set_contact(
            uow(), form.user_id.data or 0, form.email.data, form.duty.data, by=actor(), now=now()
        ),
        "Адрес для уведомлений и обязанность сохранены.",
    )


@bp.route("/users/password", methods=["POST"])
@roles_required(Role.ADMIN.value)
def reset_password() -> Any:
    """Set a new password for a person who forgot theirs; their sessions end."""
    form = PasswordResetForm()
    back = url_for("incident_bridge_admin.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: directory.reset_password(
            uow(), form.user_id.data or 0, form.password.data or "", by=actor(), now=now()
        ),
        "Пароль задан; сеансы пользователя завершены. Сообщите его пользователю лично.",
    )


@bp.route("/security/")
@roles_required(Role.ADMIN.value)
def security() -> Any:
    """The security log: sign-ins, lockouts and changes of access, newest first."""
    login = (request.args.get("login") or "").strip()[:200] or None
    return render_template(
        "incident_bridge/security.html",
        events=uow().security.recent(500, login),
        labels=security_log.KIND_LABELS,
        login=login,
    )


def _queue_figures() -> dict[str, Any]:
    try:
        return bridge_state(current_app).queue_health()
    except Exception as exc:  # the page shows that the queue does not answer, it must not fail
        return {"error": str(exc)}


@bp.route("/quarantine/<ib_id:record_id>/retry", methods=["POST"])
@roles_required(Role.ADMIN.value)
def retry_quarantined(record_id: int) -> Any:
    """Fetch a quarantined incident again from the incident system."""
    back = url_for("incident_bridge_admin.index")
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    system = bridge_state(current_app).incident_system()

    def retry() -> None:
        if system is None:
            raise InvalidInput("Система Инцидент не настроена.")
        if not polling.retry_quarantined(uow(), ctx(), system, record_id, now()):
            raise InvalidInput("Запись по-прежнему не проходит проверку: причина обновлена.")

    return act(back, retry, "Запись получена заново и сохранена.")


@bp.route("/quarantine/<ib_id:record_id>/dismiss", methods=["POST"])
@roles_required(Role.ADMIN.value, Role.OPERATOR.value)
def dismiss_quarantined(record_id: int) -> Any:
    """Set a quarantined record aside (an import row nobody will fix); who did it is kept."""
    back = url_for(
        "incident_bridge_admin.index"
        if current_user.role == Role.ADMIN.value
        else "incident_bridge_import.index"
    )
    if not FlaskForm().validate_on_submit():  # only the CSRF token
        return redirect(back)
    return act(
        back,
        lambda: quarantine.dismiss(uow(), record_id, by=actor(), now=now()),
        "Запись убрана из карантина.",
    )


@bp.route("/outbox/<ib_id:outbox_id>/retry", methods=["POST"])
@roles_required(*COORDINATORS)
def retry_outbox(outbox_id: int) -> Any:
    """Queue a failed delivery again (same idempotency key)."""
    from flask import request

    back = safe_target(request.form.get("back"), url_for("incident_bridge_admin.index"))
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    return act(
        back,
        lambda: outbox.retry(uow(), ctx(), outbox_id, actor(), now()),
        "Отправка поставлена в очередь повторно.",
    )
