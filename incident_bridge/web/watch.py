"""«Посты Губернатора»: the watched posts, their bodies' tasks and clocks, ticking a task off."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incident_bridge.domain.errors import NotFound
from incident_bridge.domain.model import CARD_LIMITS
from incident_bridge.domain.watch import WatchAction, may_act
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import Incident, WatchedPost
from incident_bridge.services import watch
from incident_bridge.web.forms import ChoiceRequired, choices, optional_int
from incident_bridge.web.helpers import (
    act,
    actor,
    back_with_errors,
    ctx,
    now,
    page_blueprint,
    uow,
)

PREFIX = "/watch"
bp = page_blueprint("incident_bridge_watch", __name__)


class PostForm(FlaskForm):
    url = StringField("Ссылка на пост", validators=[
        DataRequired("Укажите ссылку на пост."),
        Length(max=CARD_LIMITS.url, message=f"Ссылка длиннее {CARD_LIMITS.url} знаков.")])  # fmt: skip
    account = StringField("Аккаунт", validators=[
        DataRequired("Укажите аккаунт."), Length(max=300, message="Аккаунт длиннее 300 знаков.")])  # fmt: skip
    published_at = DateTimeLocalField(
        "Время публикации (местное)",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Укажите время публикации.")],
    )
    bodies = SelectMultipleField("Органы, отвечающие за мониторинг", coerce=int,
                                 validate_choice=False)  # fmt: skip
    submit = SubmitField("Зарегистрировать пост")


class BodyForm(FlaskForm):
    subdivision = SelectField("Орган", coerce=optional_int, validate_choice=False,
                              validators=[ChoiceRequired("Выберите орган из списка.")])  # fmt: skip
    submit = SubmitField("Применить")


class TickForm(FlaskForm):
    new_comments = IntegerField("Проверено, новых комментариев", validators=[
        InputRequired("Укажите число новых комментариев (0, если их нет)."),
        NumberRange(min=0, max=watch.MAX_NEW_COMMENTS, message="Число не может быть меньше 0.")])  # fmt: skip
    note = TextAreaField("Примечание", validators=[
        Optional(), Length(max=2000, message="Примечание длиннее 2000 знаков.")])  # fmt: skip
    submit = SubmitField("Отметить")


def _silent() -> Any:
    """The page of a regulation without the watch: why, in the regulation's words."""
    why = ctx().profile.silent.get("watch", "регламент не предусматривает мониторинга постов")
    return render_template("incident_bridge/watch.html", silent=why, views=[], form=None)


def _require_watch() -> None:
    if ctx().profile.watch is None:
        abort(404)


def _subdivision_choices() -> list[Any]:
    return choices([(s.id, s.name) for s in uow().people.subdivisions()])


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"watched_post_of": _watched_post_of, "watch_enabled": ctx().profile.watch is not None}


def _watched_post_of(incident: Incident) -> WatchedPost | None:
    return watch.post_of(uow(), ctx(), incident)


def _may(action: WatchAction) -> bool:
    rule = ctx().profile.watch
    return rule is not None and may_act(rule, current_user.role, action)


@bp.route("/")
@login_required
def index() -> Any:
    """The watched posts, each body's tasks and clocks, and (for the registering role) the form."""
    if ctx().profile.watch is None:
        return _silent()
    form = PostForm()
    form.bodies.choices = _subdivision_choices()
    return render_template(
        "incident_bridge/watch.html",
        silent=None,
        views=watch.board(uow(), ctx(), now()),
        form=form if _may(WatchAction.REGISTER) else None,
        rule=ctx().profile.watch,
    )


@bp.route("/", methods=["POST"])
@login_required
def register() -> Any:
    """Register a post and schedule its bodies' tasks."""
    _require_watch()
    form = PostForm()
    form.bodies.choices = _subdivision_choices()
    back = url_for("incident_bridge_watch.index")
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    published = _local_to_utc(form.published_at.data)
    return act(
        back,
        lambda: watch.register_post(
            uow(),
            ctx(),
            actor(),
            url=form.url.data or "",
            account=form.account.data or "",
            published_at=published,
            subdivision_ids=form.bodies.data or [],
            now=now(),
        ),  # fmt: skip
        "Пост зарегистрирован, задачи мониторинга назначены.",
    )


@bp.route("/<ib_id:post_id>")
@login_required
def show(post_id: int) -> Any:
    """One post: its bodies' tasks with their clocks, the forms, the linked comments, the history."""
    _require_watch()
    try:
        view, comments = watch.post_page(uow(), ctx(), post_id, now())
    except NotFound:
        abort(404)
    if current_user.role == Role.EXECUTOR:  # an executor sees the messages of their own body only
        comments = [c for c in comments if c.subdivision_id == current_user.subdivision_id]
    body_form = BodyForm()
    body_form.subdivision.choices = _subdivision_choices()
    return render_template(
        "incident_bridge/watch_post.html",
        view=view,
        comments=comments,
        body_form=body_form if _may(WatchAction.ADD_BODY) else None,
        tick_form=TickForm() if _may(WatchAction.TICK) else None,
        rule=ctx().profile.watch,
        watch_action_labels={a.value: a.label for a in WatchAction},
    )


@bp.route("/<ib_id:post_id>/bodies/<any(add, remove):change>", methods=["POST"])
@login_required
def bodies(post_id: int, change: str) -> Any:
    """Put a body in charge of the post (its tasks scheduled) or remove it (open tasks cancelled)."""
    _require_watch()
    form = BodyForm()
    form.subdivision.choices = _subdivision_choices()
    back = url_for("incident_bridge_watch.show", post_id=post_id)
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    add = change == "add"
    return act(
        back,
        lambda: watch.change_bodies(
            uow(), ctx(), actor(), post_id, form.subdivision.data, add=add, now=now()
        ),  # fmt: skip
        "Орган добавлен, его задачи назначены."
        if add
        else "Орган снят, его открытые задачи отменены.",
    )


@bp.route("/tasks/<ib_id:task_id>/tick", methods=["POST"])
@login_required
def tick(task_id: int) -> Any:
    """An executor of the body in charge ticks an open task off."""
    _require_watch()
    form = TickForm()
    task = uow().watch.task(task_id)
    if task is None:
        abort(404)
    back = url_for("incident_bridge_watch.show", post_id=task.post_id)
    if not form.validate_on_submit():
        return back_with_errors(form, back)
    count = form.new_comments.data or 0
    return act(
        back,
        lambda: watch.tick(
            uow(), ctx(), actor(), task_id, new_comments=count, note=form.note.data, now=now()
        ),  # fmt: skip
        f"Проверено, новых комментариев: {count}.",
    )


def _local_to_utc(value: datetime | None) -> datetime:
    """A local time typed in the form, in the organisation's zone, as an aware UTC instant."""
    assert value is not None
    return value.replace(tzinfo=ZoneInfo(ctx().profile.timezone)).astimezone(ZoneInfo("UTC"))
