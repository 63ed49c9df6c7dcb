"""Small helpers shared by the page blueprints: roles, the clock, error translation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required

from incident_bridge.domain.errors import BridgeError, NotFound, PermissionDenied
from incident_bridge.domain.workflow import Role
from incident_bridge.persistence.uow import SqlAlchemyUnitOfWork
from incident_bridge.services.actors import Actor, actor_for
from incident_bridge.services.context import Context
from incident_bridge.state import bridge_state
from incident_bridge.web.errors import register_blueprint_pages

F = TypeVar("F", bound=Callable[..., Any])


def now() -> datetime:
    """The current instant (UTC); the one place pages read the clock."""
    return datetime.now(UTC)


#: Everyone but executors: the people who route, review and coordinate. Which of
#: them may take a given step is the regulation's (the use case asks the profile).
COORDINATORS = tuple(r.value for r in Role if r is not Role.EXECUTOR)


def session() -> Any:
    """The database session of the bridge (for the read-side views)."""
    return bridge_state(current_app).session()


def uow() -> SqlAlchemyUnitOfWork:
    """A unit of work for one use case."""
    return bridge_state(current_app).unit_of_work()


def ctx() -> Context:
    """The organisation's profile, calendars and draft checker."""
    return bridge_state(current_app).context


def actor() -> Actor:
    """The signed-in person as an ``Actor``."""
    return actor_for(current_user)


def roles_required(*roles: str) -> Callable[[F], F]:
    """Refuse (403) a signed-in person whose role is not in ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def safe_target(value: str | None, default: str) -> str:
    """A path of this site to go to, or ``default``: the one check for every ``next`` and ``back``.

    Only a plain absolute path is taken. Browsers read ``//host``, ``/\\host`` and a
    path with a tab or a line break in it as another site, so those are refused.
    """
    if not value or len(value) > 2000:
        return default
    if any(c in value for c in "\\") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return default
    if not value.startswith("/") or value.startswith("//"):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def client_address() -> str:
    """The client's address (the proxy's view of it when a trusted proxy is configured)."""
    return request.remote_addr or "—"


def back_with_errors(form: Any, back: str) -> Any:
    """A form that did not validate: its errors in Russian, one flash, and back to ``back``."""
    if "csrf_token" in form.errors:
        message = "Форма устарела или отправлена не с этой страницы. Обновите страницу."
    else:
        message = "; ".join(", ".join(messages) for messages in form.errors.values())
    flash(message, "error")
    return redirect(back)


def act(back: str, operation: Callable[[], Any], success: str) -> Any:
    """Run a use case; flash its result or its error in Russian, and go back to ``back``."""
    try:
        operation()
    except NotFound:
        abort(404)
    except PermissionDenied as exc:
        # The message may be out of the person's sight now: tell them on the queue.
        flash(exc.user_message, "error")
        return redirect(url_for("incident_bridge_queue.index"))
    except BridgeError as exc:
        flash(exc.user_message, "error")
    else:
        flash(success, "success")
        bridge_state(current_app).kick()
    return redirect(back)


def page_blueprint(name: str, import_name: str) -> Blueprint:
    """A page blueprint with the bridge's templates and Russian 403/404/405/500 pages."""
    bp = Blueprint(name, import_name, template_folder="templates")
    register_blueprint_pages(bp)
    return bp
