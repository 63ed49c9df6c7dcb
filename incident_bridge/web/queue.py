"""The queue of messages: everything for operators, the own subdivision for executors."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import render_template, request
from flask_login import current_user, login_required

from incident_bridge.domain.model import Platform
from incident_bridge.domain.workflow import FINAL_STATUSES, Role, Status
from incident_bridge.services import queries
from incident_bridge.web.helpers import actor, ctx, now, page_blueprint, session, uow

PREFIX = ""
bp = page_blueprint("incident_bridge_queue", __name__)

#: The state tabs, in the order of the cycle ("Новые (12)", "У исполнителя (30)", …).
TAB_LABELS = {
    Status.NEW: "Новые",
    Status.ROUTED: "У исполнителя",
    Status.ON_REVIEW: "На проверке",
    Status.REWORK: "На доработке",
    Status.PUBLISHING: "Публикуются",
    Status.AWAITING_AUTHOR: "Ждут уточнения",
    Status.INTERIM_ANSWERED: "Промежуточный ответ",
    Status.CLOSED: "Закрытые",
    Status.REDIRECTED: "Перенаправленные",
    Status.EXCLUDED: "Исключённые",
}

#: (status filter value, tab label, its title): "in work" first, then the states, then everything.
TABS = [
    (queries.OPEN, "Все в работе", "Всё, что ещё не закрыто, не перенаправлено и не исключено"),
    *[(s.value, label, s.label) for s, label in TAB_LABELS.items() if s not in FINAL_STATUSES],
    *[(s.value, label, s.label) for s, label in TAB_LABELS.items() if s in FINAL_STATUSES],
    (None, "Все", "Все сообщения, в любом состоянии"),
]


def _thousands(number: int) -> str:
    """1234 as «1 234» (a no-break space, as Russian typography writes it)."""
    return f"{number:,}".replace(",", "\u00a0")


@bp.route("/")
@login_required
def index() -> Any:
    """Show one page of the queue: filtered, searched and sorted as the URL says."""
    parsed = queries.parse_filter(request.args, actor())
    result = queries.queue(session(), actor(), parsed.filter)
    flt = parsed.filter
    if result.page != flt.page:
        flt = replace(flt, page=result.page)  # past the last page: the last one is shown
    is_executor = current_user.role == Role.EXECUTOR
    return render_template(
        "incident_bridge/queue.html",
        result=result,
        rows=queries.with_headline_clock(session(), ctx(), result.incidents, now()),
        flt=flt,
        ignored=parsed.ignored,
        tabs=TABS,
        Sort=queries.Sort,
        thousands=_thousands,
        platforms=list(Platform),
        subdivisions=[] if is_executor else uow().people.subdivisions(),
        is_executor=is_executor,
    )
