"""Who may do what on every URL of the reference app: the table the matrix test checks.

One row per route (endpoint, HTTP method and, for ``<any(...)>`` rules, the
variant), one outcome per role. The profile is Yelets: the operator routes,
redirects, excludes, approves, returns and closes; the executor of the
message's subdivision declines and drafts; an admin may stand in for any step
but an executor's. A curator or a regional authority may exist in a Yelets
organisation, but its regulation gives them no step: the pages open for them,
each workflow action is refused in Russian and changes nothing.

To add a route: give it a row here (start from the kind of route below and
name the exceptions). If it needs form fields, an object id or a message in a
given state that the test does not know yet, add them to ``FORMS``, ``PARAMS``
or ``INCIDENT_FOR`` in ``test_authorization_matrix.py``. A cell that shows a bug
keeps its right outcome here and is listed in ``KNOWN_BUGS`` until it is fixed.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Outcome(enum.Enum):
    """What a role gets from one route."""

    #: Allowed: a 2xx, or a 3xx that is not to the sign-in page; a POST did its action.
    OK = "ok"
    #: Not signed in: a redirect to the sign-in page, nothing changed.
    LOGIN = "redirect to /login"
    #: 403 (the view lets this role in nowhere), nothing changed.
    FORBIDDEN = "403"
    #: The view answers, the use case refuses: a redirect with a Russian error, nothing changed.
    REFUSED = "refused"
    #: 404, nothing changed.
    NOT_FOUND = "404"
    #: 400 (a form without its CSRF token), nothing changed.
    BAD_REQUEST = "400"


OK, LOGIN, FORBIDDEN, REFUSED, NOT_FOUND = (
    Outcome.OK,
    Outcome.LOGIN,
    Outcome.FORBIDDEN,
    Outcome.REFUSED,
    Outcome.NOT_FOUND,
)

#: Everyone the matrix tries. ``executor_own`` belongs to the message's subdivision,
#: ``executor_other`` to another one.
ROLES = (
    "anonymous",
    "operator",
    "curator",
    "executor_own",
    "executor_other",
    "regional_authority",
    "admin",
)
EXECUTORS = ("executor_own", "executor_other")


class Route(NamedTuple):
    """One cell row: an endpoint, a method and (for ``<any(a, b):x>`` rules) one of the values."""

    endpoint: str
    method: str
    variant: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}" + (f"[{self.variant}]" if self.variant else "")


Row = dict[str, Outcome]


def row(default: Outcome, *, anonymous: Outcome = LOGIN, **by_role: Outcome) -> Row:
    """Every role gets ``default`` but the anonymous visitor (sent to sign in) and ``by_role``."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"no such role: {sorted(unknown)}"
    return {role: default for role in ROLES} | {"anonymous": anonymous} | by_role


def _no_executors(outcomes: Row) -> Row:
    return outcomes | {role: FORBIDDEN for role in EXECUTORS}


# The kinds of route.
PUBLIC = row(OK, anonymous=OK)
SIGNED_IN = row(OK)
ADMIN_ONLY = row(FORBIDDEN, admin=OK)
#: Everyone but executors (``helpers.COORDINATORS``).
COORDINATORS = _no_executors(row(OK))
#: A step Yelets gives the operator, on a view every signed-in person reaches.
OPERATORS_STEP = row(REFUSED, operator=OK, admin=OK)
#: The same behind ``roles_required(*COORDINATORS)``: executors do not get past the view.
OPERATORS_STEP_FOR_COORDINATORS = _no_executors(OPERATORS_STEP)
#: The reports' readers (``web.reports.READERS``).
REPORT_READERS = row(FORBIDDEN, operator=OK, curator=OK, admin=OK)
#: The executor's step on a message of their own subdivision (an admin may not stand in).
EXECUTORS_STEP = row(REFUSED, executor_own=OK)

_AUTH, _QUEUE, _INC = "incident_bridge_auth", "incident_bridge_queue", "incident_bridge_incidents"
_PARTS = "incident_bridge_parts"
_ADMIN, _CAL, _TOPICS = (
    "incident_bridge_admin",
    "incident_bridge_calendar",
    "incident_bridge_topics",
)


_WATCH = "incident_bridge_watch"
_PEOPLE = "incident_bridge_people"
_WEBHOOKS = "incident_bridge_webhooks"
_PHRASES = "incident_bridge_phrases"


def _route(blueprint: str, view: str, method: str = "GET", variant: str = "") -> Route:
    return Route(f"{blueprint}.{view}", method, variant)


EXPECTED: dict[Route, Row] = {
    # The host's own URLs, the static files and the health probe: open to anyone.
    Route("favicon", "GET"): PUBLIC,  # a redirect to the bridge's SVG
    Route("static", "GET"): row(NOT_FOUND, anonymous=NOT_FOUND),  # the host ships no static files
    Route("incident_bridge_assets.static", "GET"): PUBLIC,
    Route("incident_bridge_health.healthz", "GET"): PUBLIC,
    # Signing in and out, one's own password.
    _route(_AUTH, "login"): PUBLIC,
    _route(_AUTH, "login", "POST"): PUBLIC,  # with the right password
    _route(_AUTH, "logout", "POST"): SIGNED_IN,
    _route(_AUTH, "change_password"): SIGNED_IN,
    _route(_AUTH, "change_password", "POST"): SIGNED_IN,
    # The queue and a message's page (an executor sees their own subdivision's messages only).
    _route(_QUEUE, "index"): SIGNED_IN,
    _route(_INC, "show"): row(OK, executor_other=FORBIDDEN),
    _route(_INC, "check_draft", "POST"): row(OK, executor_other=FORBIDDEN),  # reads only
    # «Исправить пробелы и знаки» in the draft form: the fixed text back, nothing saved.
    _route(_INC, "fix_draft_typography", "POST"): row(OK, executor_other=FORBIDDEN),
    # The steps of the cycle, each on a message in the state that allows it.
    _route(_INC, "route", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route(_INC, "with_reason", "POST", "redirect"): OPERATORS_STEP,
    _route(_INC, "with_reason", "POST", "exclude"): OPERATORS_STEP,
    _route(_INC, "with_reason", "POST", "decline"): EXECUTORS_STEP,
    _route(_INC, "draft", "POST"): EXECUTORS_STEP,
    _route(_INC, "edit", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    # The reviewer's «Исправить пробелы и знаки»: this world's draft on review has nothing to
    # fix, so even the operator is refused (in Russian); test_typography_fix.py fixes one.
    _route(_INC, "fix_typography", "POST"): _no_executors(row(REFUSED)),
    _route(_INC, "approve", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route(_INC, "with_reason", "POST", "return"): OPERATORS_STEP,
    _route(_INC, "with_reason", "POST", "close"): OPERATORS_STEP,
    # Several bodies on one message: Yelets has none, so every step is refused in Russian
    # (test_parts.py walks them on Leningrad, Lipetsk and Sobolevo).
    _route(_PARTS, "assign", "POST"): row(REFUSED),
    _route(_PARTS, "write", "POST"): row(REFUSED),
    _route(_PARTS, "decline", "POST"): row(REFUSED),
    _route(_PARTS, "return_part", "POST"): row(REFUSED),
    _route(_PARTS, "publish", "POST"): row(REFUSED),
    _route(_PARTS, "finish", "POST"): row(REFUSED),
    # «Отчёты»: the department or the curator, and admins; never executors or the region.
    _route("incident_bridge_reports", "index", "GET"): REPORT_READERS,
    _route("incident_bridge_reports", "as_xlsx", "GET"): REPORT_READERS,
    _route("incident_bridge_reports", "as_docx", "GET"): REPORT_READERS,
    _route("incident_bridge_reports", "note_docx", "GET"): REPORT_READERS,
    # Staff timeliness: the readers, and a body's responsible official (none in this world).
    _route("incident_bridge_reports", "kpi", "GET"): REPORT_READERS,
    # «Вопрос решён положительно»: only once answered (this message is on review: refused).
    _route(_INC, "resolved", "POST"): _no_executors(row(REFUSED)),
    # Repeat messages: unlink a false match, link by number (whoever routes; admin stands in).
    _route("incident_bridge_repeats", "unlink", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route("incident_bridge_repeats", "link", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    # The department's tools beside the cycle.
    _route(_ADMIN, "add_word", "POST"): COORDINATORS,  # «В словарь» on the review screen
    # «Отправить повторно»: sending again what the operator approved or redirected.
    _route(_ADMIN, "retry_outbox", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route("incident_bridge_import", "index"): COORDINATORS,
    _route("incident_bridge_import", "index", "POST"): COORDINATORS,
    _route(_ADMIN, "dismiss_quarantined", "POST"): row(FORBIDDEN, operator=OK, admin=OK),
    # The admin's pages.
    _route(_ADMIN, "index"): ADMIN_ONLY,
    _route(_ADMIN, "security"): ADMIN_ONLY,
    _route(_ADMIN, "remove_word", "POST"): ADMIN_ONLY,
    _route(_ADMIN, "add_subdivision", "POST"): ADMIN_ONLY,
    _route(_ADMIN, "add_user", "POST"): ADMIN_ONLY,
    _route(_ADMIN, "set_user_state", "POST", "activate"): ADMIN_ONLY,
    _route(_ADMIN, "set_user_state", "POST", "deactivate"): ADMIN_ONLY,
    _route(_ADMIN, "change_role", "POST"): ADMIN_ONLY,
    _route(_ADMIN, "reset_password", "POST"): ADMIN_ONLY,
    _route(_ADMIN, "set_contact", "POST"): ADMIN_ONLY,
    # «Уведомления»: each person's own; marking read changes only their own rows.
    _route("incident_bridge_notifications", "index", "GET"): SIGNED_IN,
    _route("incident_bridge_notifications", "read", "POST"): SIGNED_IN,
    _route(_ADMIN, "retry_quarantined", "POST"): ADMIN_ONLY,
    _route(_CAL, "index"): ADMIN_ONLY,
    _route(_CAL, "add", "POST"): ADMIN_ONLY,
    _route(_CAL, "revoke", "POST"): ADMIN_ONLY,
    _route(_TOPICS, "index"): ADMIN_ONLY,
    _route(_TOPICS, "add", "POST"): ADMIN_ONLY,
    _route(_TOPICS, "remove", "POST"): ADMIN_ONLY,
    _route(_WEBHOOKS, "index"): ADMIN_ONLY,
    _route(_WEBHOOKS, "create", "POST"): ADMIN_ONLY,
    _route(_WEBHOOKS, "deactivate", "POST"): ADMIN_ONLY,
    # «Посты Губернатора» (Leningrad cl. 7): Yelets has no watch, so its page says why to anyone
    # signed in and every other watch URL is a 404 (test_watch.py checks the Leningrad roles).
    _route(_WATCH, "index"): SIGNED_IN,
    _route(_WATCH, "register", "POST"): row(NOT_FOUND),
    _route(_WATCH, "show"): row(NOT_FOUND),
    _route(_WATCH, "bodies", "POST", "add"): row(NOT_FOUND),
    _route(_WATCH, "bodies", "POST", "remove"): row(NOT_FOUND),
    _route(_WATCH, "tick", "POST"): row(NOT_FOUND),
    # «Сотрудники и замещения»: everyone but executors sees it; Yelets's [people] gives the
    # changes to the operator (an admin may stand in); the others are refused in Russian.
    _route(_PEOPLE, "index"): COORDINATORS,
    _route(_PEOPLE, "record_absence", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route(_PEOPLE, "change_absence", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route(_PEOPLE, "end_absence", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    _route(_PEOPLE, "set_responsible", "POST"): OPERATORS_STEP_FOR_COORDINATORS,
    # «API-токены»: the admin's alone.
    _route("incident_bridge_api_tokens", "index"): ADMIN_ONLY,
    _route("incident_bridge_api_tokens", "issue", "POST"): ADMIN_ONLY,
    _route("incident_bridge_api_tokens", "revoke", "POST"): ADMIN_ONLY,
    # «Типовые формулировки»: everyone reads (an executor their subdivision's and the common
    # ones); everyone but executors adds, edits and archives them.
    _route(_PHRASES, "index"): SIGNED_IN,
    _route(_PHRASES, "add", "POST"): COORDINATORS,
    _route(_PHRASES, "edit", "POST"): COORDINATORS,
    _route(_PHRASES, "archive", "POST"): COORDINATORS,
}

#: Allowed POSTs that change no data (the live check of a draft's text).
READ_ONLY = frozenset(
    {
        _route(_INC, "check_draft", "POST"),
        _route(_INC, "fix_draft_typography", "POST"),
        # This world has no notifications: marking them read changes nothing to see.
        _route("incident_bridge_notifications", "read", "POST"),
    }
)

#: Cells where the app does not do what the table says yet. Each is an open bug; its cell is
#: a strict xfail, so the fix turns it into a failure until the entry here is removed.
KNOWN_BUGS: dict[tuple[Route, str], str] = {}
