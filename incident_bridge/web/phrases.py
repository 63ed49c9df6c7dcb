"""«Типовые формулировки»: the library of approved phrases per subdivision."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from incident_bridge.domain.workflow import Role
from incident_bridge.services import phrases
from incident_bridge.web.forms import (
    EVERY_SUBDIVISION,
    PhraseArchiveForm,
    PhraseForm,
    choices,
)
from incident_bridge.web.helpers import (
    COORDINATORS,
    act,
    actor,
    back_with_errors,
    now,
    page_blueprint,
    roles_required,
    uow,
)

PREFIX = "/phrases"
bp = page_blueprint("incident_bridge_phrases", __name__)
#: The filter's value for the phrases for every subdivision.
COMMON = "common"


def _subdivisions() -> list[tuple[int, str]]:
    """The subdivisions the person may see phrases of (an executor: their own)."""
    offered = [(s.id, s.name) for s in uow().people.subdivisions()]
    if current_user.role == Role.EXECUTOR:
        return [(i, name) for i, name in offered if i == current_user.subdivision_id]
    return offered


def _form() -> PhraseForm:
    form = PhraseForm()
    form.subdivision.choices = choices([EVERY_SUBDIVISION, *_subdivisions()])
    return form


def _only(shown: str) -> list[int | None] | None:
    """The filter of the page: every subdivision (None), the common phrases, or one subdivision."""
    if shown == COMMON:
        return [None]
    return [int(shown)] if shown.isdigit() else None


@bp.route("/")
@login_required
def index() -> Any:
    """Show the phrases the person may use, grouped by subdivision; coordinators also edit them."""
    shown = request.args.get("subdivision", "")
    manages = phrases.may_manage(current_user.role)
    return render_template(
        "incident_bridge/phrases.html",
        groups=phrases.library(uow(), actor(), _only(shown)),
        shown=shown,
        common=COMMON,
        subdivisions=_subdivisions(),
        manages=manages,
        form=_form() if manages else None,
        archive_form=PhraseArchiveForm(),
        log=phrases.log(uow()) if manages else [],
        log_labels=phrases.LOG_LABELS,
        every_subdivision=EVERY_SUBDIVISION,
    )


@bp.route("/", methods=["POST"])
@roles_required(*COORDINATORS)
def add() -> Any:
    """Add an approved phrase."""
    form = _form()
    back = url_for("incident_bridge_phrases.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: phrases.add(
            uow(),
            actor(),
            subdivision_id=form.subdivision_id(),
            title=form.title.data or "",
            text=form.text.data or "",
            now=now(),
        ),
        "Формулировка добавлена.",
    )


@bp.route("/<ib_id:phrase_id>/edit", methods=["POST"])
@roles_required(*COORDINATORS)
def edit(phrase_id: int) -> Any:
    """Change a phrase's subdivision, title or text (the earlier values stay in the log)."""
    form = _form()
    back = url_for("incident_bridge_phrases.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: phrases.edit(
            uow(),
            actor(),
            phrase_id,
            subdivision_id=form.subdivision_id(),
            title=form.title.data or "",
            text=form.text.data or "",
            now=now(),
        ),
        "Формулировка изменена.",
    )


@bp.route("/<ib_id:phrase_id>/archive", methods=["POST"])
@roles_required(*COORDINATORS)
def archive(phrase_id: int) -> Any:
    """Take a phrase out of use (it is kept, with who archived it)."""
    form = PhraseArchiveForm()
    back = url_for("incident_bridge_phrases.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    return act(
        back,
        lambda: phrases.archive(uow(), actor(), phrase_id, now=now()),
        "Формулировка перенесена в архив.",
    )
