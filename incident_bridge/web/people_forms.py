"""The forms of the page «Сотрудники и замещения» (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from incident_bridge.domain.people import ABSENCE_LABELS
from incident_bridge.web.forms import REQUIRED, ChoiceRequired, choices, optional_int

NOBODY = ("", "— не назначен —")


class AbsenceForm(FlaskForm):
    """Record or change an absence: whose, why, which days, who stands in."""

    user_id = SelectField(
        "Исполнитель",
        coerce=optional_int,
        validate_choice=False,
        validators=[ChoiceRequired("Выберите исполнителя из списка.")],
    )
    kind = SelectField(
        "Вид отсутствия",
        choices=choices([(k.value, label) for k, label in ABSENCE_LABELS.items()]),
        validators=[DataRequired(REQUIRED)],
    )
    first_day = DateField(
        "Первый день", validators=[DataRequired("Укажите первый день отсутствия.")]
    )
    last_day = DateField(
        "Последний день", validators=[DataRequired("Укажите последний день отсутствия.")]
    )
    stand_in_id = SelectField("Замещающий", coerce=optional_int, validate_choice=False)
    note = TextAreaField(
        "Примечание",
        validators=[Optional(), Length(max=1000, message="Примечание длиннее 1000 знаков.")],
    )
    submit = SubmitField("Сохранить")


class EndAbsenceForm(FlaskForm):
    """End an absence early: its new last day."""

    last_day = DateField(
        "Последний день", validators=[DataRequired("Укажите последний день отсутствия.")]
    )
    submit = SubmitField("Завершить досрочно")


class ResponsibleForm(FlaskForm):
    """Name a body's responsible official."""

    subdivision_id = HiddenField()
    user_id = SelectField("Ответственное лицо", coerce=optional_int, validate_choice=False)
    submit = SubmitField("Назначить")
