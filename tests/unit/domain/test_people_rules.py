"""The people rules: which absences may be recorded, who stands in on a day, the staffing term."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from incident_bridge.domain.errors import InvalidInput, PermissionDenied
from incident_bridge.domain.people import (
    Colleague,
    Span,
    check_absence,
    default_executor,
    may_manage,
    staffing_due,
    stand_in_on,
    unstaffed,
)
from incident_bridge.domain.profile_loader import load_profile
from incident_bridge.domain.regulations import Basis, Term, Unit

ROADS, HOUSING = 1, 2
IVANOV = Colleague(10, ROADS, True, "Иванов")
PETROV = Colleague(11, ROADS, True, "Петров")
SIDOROV = Colleague(12, ROADS, False, "Сидоров")
KUZNETSOVA = Colleague(20, HOUSING, True, "Кузнецова")
JULY_1, JULY_14 = date(2026, 7, 1), date(2026, 7, 14)


def leave(user: Colleague, first: date, last: date, stand_in: Colleague | None = None,
          absence_id: int | None = None) -> Span:  # fmt: skip
    return Span(user.user_id, first, last, stand_in.user_id if stand_in else None, absence_id)


ACCEPTED = [
    ("a stand-in of the same body", leave(IVANOV, JULY_1, JULY_14, PETROV), PETROV, []),
    ("no stand-in named", leave(IVANOV, JULY_1, JULY_14), None, []),
    ("one day", leave(IVANOV, JULY_1, JULY_1, PETROV), PETROV, []),
    ("right after an earlier one", leave(IVANOV, date(2026, 7, 15), date(2026, 7, 20)), None,
     [leave(IVANOV, JULY_1, JULY_14)]),
    ("the stand-in away on other days", leave(IVANOV, JULY_1, JULY_14, PETROV), PETROV,
     [leave(PETROV, date(2026, 8, 1), date(2026, 8, 5))]),
    ("changed: its own stored days", leave(IVANOV, JULY_1, date(2026, 7, 10), None, 7), None,
     [leave(IVANOV, JULY_1, JULY_14, None, 7)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "span", "stand_in", "others"), ACCEPTED, ids=[c[0] for c in ACCEPTED]
)
def test_an_absence_that_can_be_is_accepted(case: str, span: Span, stand_in: Colleague | None,
                                           others: list[Span]) -> None:  # fmt: skip
    check_absence(span, person=IVANOV, stand_in=stand_in, others=others)


REFUSED = [
    ("last day before the first", leave(IVANOV, JULY_14, JULY_1), None, [],
     "Последний день отсутствия раньше первого."),
    ("overlapping another of the same person", leave(IVANOV, JULY_14, date(2026, 7, 20)), None,
     [leave(IVANOV, JULY_1, JULY_14)], "периоды не должны пересекаться"),
    ("a stand-in of another body", leave(IVANOV, JULY_1, JULY_14, KUZNETSOVA), KUZNETSOVA, [],
     "того же подразделения"),
    ("a stand-in switched off", leave(IVANOV, JULY_1, JULY_14, SIDOROV), SIDOROV, [],
     "Замещающий отключён"),
    ("the stand-in away on one of the days", leave(IVANOV, JULY_1, JULY_14, PETROV), PETROV,
     [leave(PETROV, JULY_14, date(2026, 7, 16))], "Замещающий сам отсутствует с 14.07.2026"),
    ("standing in for oneself", leave(IVANOV, JULY_1, JULY_14, IVANOV), IVANOV, [],
     "сам себя"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "span", "stand_in", "others", "says"), REFUSED,
                         ids=[c[0] for c in REFUSED])  # fmt: skip
def test_an_absence_that_cannot_be_is_refused_in_russian(
    case: str, span: Span, stand_in: Colleague | None, others: list[Span], says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        check_absence(span, person=IVANOV, stand_in=stand_in, others=others)


ABSENCES = [
    leave(IVANOV, JULY_1, JULY_14, PETROV),
    leave(PETROV, date(2026, 7, 10), date(2026, 7, 12), KUZNETSOVA),  # a chain (not validated)
    leave(KUZNETSOVA, date(2026, 7, 12), date(2026, 7, 12), IVANOV),  # a loop on the 12th
]
WHO_STANDS_IN = [
    (IVANOV, date(2026, 6, 30), IVANOV),  # the day before: themselves
    (IVANOV, JULY_1, PETROV),
    (IVANOV, JULY_14, PETROV),  # the last day counts
    (IVANOV, date(2026, 7, 15), IVANOV),
    (IVANOV, date(2026, 7, 10), KUZNETSOVA),  # the stand-in away too: their stand-in
    (IVANOV, date(2026, 7, 12), KUZNETSOVA),  # a loop stops at the last person reached
    (PETROV, JULY_1, PETROV),
]


@pytest.mark.parametrize(("user", "day", "expected"), WHO_STANDS_IN)
def test_who_receives_the_work_on_a_day(user: Colleague, day: date, expected: Colleague) -> None:
    assert stand_in_on(user.user_id, day, ABSENCES) == expected.user_id


def test_the_default_executor_is_the_first_present_by_name() -> None:
    team = [PETROV, SIDOROV, IVANOV, KUZNETSOVA]
    assert default_executor(team, ROADS, date(2026, 6, 30), ABSENCES) == IVANOV.user_id
    assert default_executor(team, ROADS, JULY_1, ABSENCES) == PETROV.user_id
    # Everyone active away: the first by name (their stand-in chain decides).
    assert default_executor(team, ROADS, date(2026, 7, 11), ABSENCES) == IVANOV.user_id
    assert default_executor([SIDOROV], ROADS, JULY_1, []) is None


def test_a_body_with_only_switched_off_executors_is_unstaffed_one_on_leave_is_not() -> None:
    assert unstaffed([SIDOROV, KUZNETSOVA], [ROADS, HOUSING]) == {ROADS}
    assert unstaffed([IVANOV, SIDOROV], [ROADS, HOUSING, 3]) == {HOUSING, 3}


SOBOLEVO = load_profile("sobolevo")


def test_sobolevo_a_body_must_have_an_executor_72_calendar_hours_after_it_lost_the_last() -> None:
    calendar = SOBOLEVO.calendar()
    friday_evening = datetime(2026, 7, 3, 17, 30, tzinfo=UTC)
    # Calendar hours: the weekend counts.
    assert staffing_due(SOBOLEVO.people, friday_evening, calendar) == datetime(
        2026, 7, 6, 17, 30, tzinfo=UTC
    )
    assert SOBOLEVO.people.replace_clause == "п. 7"


def test_a_staffing_term_in_working_hours_follows_the_calendar() -> None:
    rule = replace(SOBOLEVO.people, replace_within=Term(8, Unit.HOURS, Basis.WORKING))
    calendar = SOBOLEVO.calendar()
    # Friday 17:00 Kamchatka (05:00 UTC): one working hour that day, seven on Monday.
    friday = datetime(2026, 7, 3, 5, 0, tzinfo=UTC)
    due = staffing_due(rule, friday, calendar)
    assert due == calendar.add(friday, Term(8, Unit.HOURS).duration)
    assert due is not None and due.weekday() == 0  # Monday (local and UTC alike here)


@pytest.mark.parametrize("name", ["yelets", "lipetsk", "leningrad", "luga"])
def test_elsewhere_no_staffing_term(name: str) -> None:
    profile = load_profile(name)
    assert (
        staffing_due(profile.people, datetime(2026, 7, 3, tzinfo=UTC), profile.calendar()) is None
    )


def test_only_the_profiles_role_or_an_admin_may_manage() -> None:
    lipetsk = load_profile("lipetsk").people
    may_manage("curator", lipetsk)
    may_manage("admin", lipetsk)
    with pytest.raises(PermissionDenied, match="ведёт куратор"):
        may_manage("operator", lipetsk)
    yelets = load_profile("yelets").people
    may_manage("operator", yelets)
    with pytest.raises(PermissionDenied):
        may_manage("curator", yelets)
