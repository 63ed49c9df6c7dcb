"""The page forms (Flask-WTF: CSRF on every one), with Russian labels and messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from incident_bridge.domain.model import CARD_LIMITS, MAX_REPLY_LENGTH, DraftKind
from incident_bridge.domain.notices import Duty
from incident_bridge.domain.regulations import PartsMode
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.models import PHRASE_TEXT_LENGTH, PHRASE_TITLE_LENGTH

REQUIRED = "Заполните поле."


class MaxChars:
    """At most ``limit`` characters, said in Russian. Unlike WTForms' ``Length`` it puts no
    ``maxlength`` on the field, so a browser never cuts a pasted text silently: the person
    sees the count and the server says what is too long."""

    def __init__(self, limit: int, what: str = "Текст") -> None:
        self.limit, self.what = limit, what

    def __call__(self, form: object, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                f"{self.what} длиннее {self.limit} знаков ({length}); сократите его."
            )


def choices(pairs: Sequence[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Пароль", validators=[DataRequired(REQUIRED)])
    submit = SubmitField("Войти")


class VersionedForm(FlaskForm):
    """Every action on a message carries the version the person saw (optimistic locking)."""

    version = HiddenField()

    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def optional_int(value: object) -> int | None:
    """A select's value as an id; None for the empty «— выберите —» option or a non-number."""
    if value is None or isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None


class ChoiceRequired:
    """The select must hold one of its offered ids (a Russian message instead of WTForms')."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: SelectField) -> None:
        offered = {choice.value for choice in field.choices or [] if choice.value not in ("", None)}
        if field.data is None or field.data not in offered:
            raise StopValidation(self.message)


#: The select's first option when nothing is suggested: the person must choose.
NO_SUBDIVISION = ("", "— выберите подразделение —")


class RouteForm(VersionedForm):
    subdivision = SelectField(
        "Подразделение-исполнитель",
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceRequired("Выберите подразделение-исполнителя из списка.")],
    )
    # The executor in charge (optional: else the body's default one); see ``people_forms``.
    assignee = SelectField("Ответственный исполнитель", coerce=optional_int, validate_choice=False)
    comment = StringField(
        "Комментарий исполнителю",
        validators=[Optional(), Length(max=2000, message="Комментарий длиннее 2000 знаков.")],
    )
    submit = SubmitField("Направить исполнителю")


class ReasonForm(VersionedForm):
    reason = TextAreaField(
        "Причина",
        validators=[DataRequired("Укажите причину."), MaxChars(MAX_REPLY_LENGTH, "Причина")],
    )
    submit = SubmitField("Подтвердить")


class DraftForm(VersionedForm):
    kind = SelectField(
        "Вид проекта",
        choices=choices([(k.value, k.label) for k in DraftKind]),
        default=DraftKind.ANSWER.value,
    )
    text = TextAreaField("Текст ответа автору", validators=[MaxChars(CARD_LIMITS.text)])
    save = SubmitField("Сохранить черновик")
    submit = SubmitField("Отправить на проверку")


class DraftEditForm(VersionedForm):
    """The reviewer's correction of a draft on review (the text is checked again on save)."""

    text = TextAreaField(
        "Текст ответа автору",
        validators=[DataRequired("Проект ответа пуст."), MaxChars(CARD_LIMITS.text)],
    )
    submit = SubmitField("Сохранить исправления")


class ApproveForm(VersionedForm):
    override_reason = TextAreaField(
        "Обоснование, если одобряете несмотря на замечания",
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField("Одобрить и опубликовать")


class WordForm(FlaskForm):
    word = StringField("Слово", validators=[DataRequired(REQUIRED), Length(max=100)])
    back = HiddenField()
    submit = SubmitField("Добавить в словарь")


class SubdivisionForm(FlaskForm):
    name = StringField(
        "Название подразделения", validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    submit = SubmitField("Добавить подразделение")


class UserForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired(REQUIRED), Length(max=80)])
    full_name = StringField("ФИО", validators=[DataRequired(REQUIRED), Length(max=200)])
    password = PasswordField(
        "Пароль (не короче 12 знаков, не словарное слово)",
        validators=[DataRequired(REQUIRED), MaxChars(200, "Пароль")],
    )
    role = SelectField("Роль", choices=choices([(r.value, r.label) for r in Role]))
    subdivision = SelectField("Подразделение (для исполнителя)", coerce=int)
    submit = SubmitField("Добавить пользователя")


class UserStateForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])
    submit = SubmitField("Изменить")


class RoleForm(FlaskForm):
    """An admin gives a person another role (the person's sessions end)."""

    user_id = IntegerField(validators=[DataRequired()])
    role = SelectField("Роль", choices=choices([(r.value, r.label) for r in Role]))
    subdivision = SelectField("Подразделение (для исполнителя)", coerce=int)
    submit = SubmitField("Сменить роль")


class ContactForm(FlaskForm):
    """An admin sets where a person's notifications are mailed, and their escalation duty."""

    user_id = IntegerField(validators=[DataRequired()])
    email = StringField(
        "E-mail",
        validators=[Optional(), Length(max=254, message="Адрес длиннее 254 знаков.")],
    )
    duty = SelectField(
        "Обязанность",
        choices=choices([("", "—")] + [(d.value, d.label) for d in Duty]),
        validate_choice=False,
    )
    submit = SubmitField("Сохранить")


class PasswordResetForm(FlaskForm):
    """An admin sets a new password for a person who forgot theirs."""

    user_id = IntegerField(validators=[DataRequired()])
    password = PasswordField(
        "Новый пароль", validators=[DataRequired(REQUIRED), MaxChars(200, "Пароль")]
    )
    submit = SubmitField("Задать пароль")


class ChangePasswordForm(FlaskForm):
    """A person changes their own password."""

    current = PasswordField("Текущий пароль", validators=[DataRequired(REQUIRED)])
    new = PasswordField(
        "Новый пароль (не короче 12 знаков; лучше несколько несвязанных слов)",
        validators=[DataRequired(REQUIRED), MaxChars(200, "Пароль")],
    )
    repeat = PasswordField("Новый пароль ещё раз", validators=[DataRequired(REQUIRED)])
    submit = SubmitField("Сменить пароль")


class OverrideForm(FlaskForm):
    day = DateField("Дата", validators=[DataRequired("Укажите дату.")])
    kind = SelectField("Что меняется")
    hours = StringField(
        "Часы работы (для изменённых часов), например 09:00-13:00, 14:00-17:00",
        validators=[Optional(), Length(max=200)],
    )
    reason = StringField(
        "Основание", validators=[DataRequired("Укажите основание."), Length(max=500)]
    )
    submit = SubmitField("Записать изменение")


class RevokeForm(FlaskForm):
    submit = SubmitField("Отменить")


class ImportForm(FlaskForm):
    file = FileField(
        "Файл выгрузки (.xlsx или .csv)",
        validators=[
            FileRequired("Выберите файл."),
            FileAllowed(["xlsx", "csv"], "Нужен файл .xlsx или .csv."),
        ],
    )
    exported_at = DateTimeLocalField(
        "Когда выгружен (по Москве; если в файле нет даты изменения)",
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )
    submit = SubmitField("Импортировать")


class TopicRouteForm(FlaskForm):
    topic = StringField(
        "Тема (как её называет система Инцидент)",
        validators=[
            DataRequired("Укажите тему."),
            Length(max=CARD_LIMITS.topic, message=f"Тема длиннее {CARD_LIMITS.topic} знаков."),
        ],
    )
    subdivision = SelectField(
        "Подразделение",
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceRequired("Выберите подразделение из списка.")],
    )
    submit = SubmitField("Добавить правило")


class TopicRouteRemoveForm(FlaskForm):
    submit = SubmitField("Удалить")


#: The subdivision select's option of a phrase for every subdivision.
EVERY_SUBDIVISION = (0, "Для всех подразделений")


class PhraseForm(FlaskForm):
    """A coordinator adds or edits an approved phrase (the use case checks the lengths too)."""

    subdivision = SelectField(
        "Подразделение",
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceRequired("Выберите подразделение из списка.")],
    )
    title = StringField(
        "Название",
        validators=[DataRequired("Укажите название формулировки."),
                    MaxChars(PHRASE_TITLE_LENGTH, "Название")],
    )  # fmt: skip
    text = TextAreaField(
        "Текст",
        validators=[DataRequired("Укажите текст формулировки."),
                    MaxChars(PHRASE_TEXT_LENGTH, "Текст")],
    )  # fmt: skip
    submit = SubmitField("Сохранить")

    def subdivision_id(self) -> int | None:
        """The chosen subdivision's id; None for a phrase for every subdivision."""
        return self.subdivision.data or None


class PhraseArchiveForm(FlaskForm):
    submit = SubmitField("В архив")


#: How many bodies the curator may pick for one message on the form.
MAX_BODIES = 6


class PartsForm(VersionedForm):
    """The curator assigns a message to several bodies, in order, each for its part."""

    bodies = FieldList(
        SelectField("Орган", coerce=optional_int, validate_choice=False),
        min_entries=MAX_BODIES,
        max_entries=MAX_BODIES,
    )
    mode = SelectField(
        "Как работают органы",
        choices=choices([(m.value, m.label) for m in PartsMode]),
        default=PartsMode.IN_ORDER.value,
    )
    # The profile's writers; the use case refuses one the regulation does not allow.
    combiner = SelectField("Общий ответ готовит", choices=[], validate_choice=False)
    comment = StringField(
        "Комментарий исполнителям",
        validators=[Optional(), Length(max=2000, message="Комментарий длиннее 2000 знаков.")],
    )
    submit = SubmitField("Поручить органам")
    #: Set when the bodies are the earlier message's (a repeat): the page says so.
    from_repeat = False

    def chosen(self) -> list[int]:
        """The bodies picked, in the order of the form, without blanks."""
        return [entry.data for entry in self.bodies if entry.data]


class PartForm(VersionedForm):
    """A body's executor writes its part."""

    text = TextAreaField("Часть ответа (информация органа)", validators=[MaxChars(20_000)])
    save = SubmitField("Сохранить")
    submit = SubmitField("Направить куратору")


class AtLeastOne:
    """At least one box ticked; unlike ``DataRequired`` it puts no ``required`` on every box
    (a browser would then demand them all)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class WebhookForm(FlaskForm):
    url = StringField(
        "Адрес получателя (http:// или https://)",
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )
    description = StringField("Описание (чья система, зачем)", validators=[Length(max=500)])
    events = SelectMultipleField(
        "События",
        validators=[AtLeastOne("Выберите хотя бы одно событие.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField("Подписать")
