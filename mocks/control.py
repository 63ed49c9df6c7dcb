"""The testers' control API (``/_control``, JSON) and its small HTML page."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from mocks.faults import FaultInjector
from mocks.generator import _iso
from mocks.state import MockError, MockState

bp = Blueprint("mock_control", __name__, url_prefix="/_control")

PAGE_INCIDENTS = 50


def _state() -> MockState:
    return current_app.extensions["incident_mock"]["state"]


def _faults() -> FaultInjector:
    return current_app.extensions["incident_mock"]["faults"]


@bp.before_request
def _same_origin_only() -> Response | None:
    """A browser's form post from another site is refused: the control API changes the mock.

    Browsers send ``Origin`` with every cross-site POST; scripts and curl send none and pass.
    """
    origin = request.headers.get("Origin")
    if request.method in ("GET", "HEAD", "OPTIONS") or origin is None:
        return None
    if origin.rstrip("/") == request.host_url.rstrip("/"):
        return None
    response = jsonify({"error": "cross_origin", "message": "Запрос с другого сайта отклонён."})
    response.status_code = 403
    return response


@bp.errorhandler(MockError)
def _mock_error(exc: MockError) -> Response:
    response = jsonify({"error": exc.code, "message": exc.message})
    response.status_code = exc.status
    return response


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and not request.data:
        return {}
    if not isinstance(body, dict):
        raise MockError(400, "invalid_json", "The body must be a JSON object.")
    return body


def _int(body: dict[str, Any], key: str, default: int, low: int = 0, high: int = 100_000) -> int:
    value = body.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise MockError(422, "validation_failed", f"{key}: an integer from {low} to {high}")
    return value


def _created(payload: Any) -> Response:
    response = jsonify(payload)
    response.status_code = 201
    return response


@bp.post("/seed")
def seed() -> Response:
    """Replace everything with ``count`` generated incidents from ``seed``."""
    body = _body()
    cards = _state().seed(_int(body, "count", 20), _int(body, "seed", 1, high=2**31))
    return _created({"count": len(cards), "ids": [c["id"] for c in cards]})


@bp.get("/incidents")
def list_incidents() -> Response:
    """Every incident with the generator's kind (normal, repeat, obscene, threat, injected)."""
    return jsonify(_state().listing())


@bp.post("/incidents")
def inject() -> Response:
    """Add one incident; any field given overrides the generated one, even with garbage."""
    return _created(_state().add_incident(_body()))


@bp.post("/surge")
def surge() -> Response:
    """A surge of public activity: ``count`` new incidents on one topic within ``minutes``.

    ``{count: 12, topic: "Отключение воды", municipality?: "Елец", minutes?: 30, text?}``;
    the cards are created over the last ``minutes``, otherwise generated as usual.
    """
    body = _body()
    count, topic, minutes = body.get("count", 10), body.get("topic"), body.get("minutes", 30)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 500:
        raise MockError(422, "validation_failed", "count: a whole number from 1 to 500")
    if not isinstance(topic, str) or not topic.strip():
        raise MockError(422, "validation_failed", "topic: a non-empty string")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 1440:
        raise MockError(422, "validation_failed", "minutes: a whole number from 1 to 1440")
    state = _state()
    now = state.clock()
    made = []
    for n in range(count):
        at = now - timedelta(minutes=minutes * (count - n) / (count + 1))
        fields: dict[str, Any] = {"topic": topic.strip(), "created_at": _iso(at),
                                  "detected_at": _iso(at)}  # fmt: skip
        for key in ("municipality", "text", "topic_group"):
            if isinstance(body.get(key), str) and body[key].strip():
                fields[key] = body[key].strip()
        made.append(state.add_incident(fields)["id"])
    return _created({"topic": topic.strip(), "ids": made})


#: The ``extra`` entries by which the system flags the head's post a comment is under.
GOVERNOR_POST_PUBLISHED, GOVERNOR_POST_ACCOUNT = (
    "governor_post_published_at",
    "governor_post_account",
)


@bp.post("/governor-posts")
def governor_post() -> Response:
    """Flag a post of the Governor's account: one comment card under it carries the flag.

    ``{url, account?, published_at?, comment?}``: the card's ``post_url`` is the post, its
    ``extra`` says when the post came out and in which account; ``comment`` overrides the
    card's other fields (``text``, ``topic``, …).
    """
    body = _body()
    url, comment = body.get("url"), body.get("comment") or {}
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise MockError(422, "validation_failed", "url: an http(s) link to the post")
    if not isinstance(comment, dict):
        raise MockError(422, "validation_failed", "comment: an object of card fields")
    published = body.get("published_at") or _state().clock().isoformat()
    account = body.get("account") or "Губернатор Ленинградской области"
    if not isinstance(published, str) or not isinstance(account, str):
        raise MockError(422, "validation_failed", "published_at, account: strings")
    extra = {**(comment.get("extra") or {}), GOVERNOR_POST_PUBLISHED: published,
             GOVERNOR_POST_ACCOUNT: account}  # fmt: skip
    return _created(_state().add_incident({**comment, "post_url": url, "extra": extra}))


@bp.post("/incidents/<ident>/follow-ups")
def follow_up(ident: str) -> Response:
    """The author writes again in the thread (a generated remark when no text is given)."""
    text = _body().get("text") or _state().generator.follow_up_text()
    if not isinstance(text, str):
        raise MockError(422, "validation_failed", "text: a string")
    return _created(_state().add_follow_up(ident, text))


@bp.post("/incidents/<ident>/feedback")
def feedback(ident: str) -> Response:
    """The author reacts to the answer: satisfied, neutral or dissatisfied."""
    return jsonify(_state().set_feedback(ident, _body().get("value", "")))


@bp.post("/incidents/<ident>/approval")
def approval(ident: str) -> Response:
    """The regional authority decides on the draft sent up: approved or returned (with why)."""
    body = _body()
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise MockError(422, "validation_failed", "comment: a string")
    return jsonify(_state().decide_approval(ident, str(body.get("decision", "")), comment))


@bp.get("/pushed")
def pushed() -> Response:
    """Everything the bridge pushed: replies and redirects with keys and timestamps."""
    return jsonify(_state().pushed())


@bp.post("/reset")
def reset() -> Response:
    """Forget everything, faults included."""
    _state().reset(_int(_body(), "seed", 1, high=2**31))
    _faults().configure({"seed": current_app.config["MOCK_FAULT_SEED"]})
    return jsonify({"status": "reset"})


@bp.get("/stats")
def stats() -> Response:
    """Counters: fetch calls, incidents served, replies received, effects, duplicates."""
    return jsonify({**_state().stats(), "faults_injected": _faults().describe()["injected"]})


@bp.get("/faults")
def get_faults() -> Response:
    """Current fault settings per endpoint."""
    return jsonify(_faults().describe())


@bp.put("/faults")
def put_faults() -> Response:
    """Replace the fault settings; ``{}`` turns every fault off."""
    try:
        _faults().configure(_body())
    except (ValueError, TypeError) as exc:
        raise MockError(422, "validation_failed", str(exc)) from None
    return jsonify(_faults().describe())


@bp.post("/tokens/expire")
def expire_tokens() -> Response:
    """Expire every issued token so the next call gets ``token_expired``."""
    _state().expire_tokens()
    return jsonify({"status": "expired"})


# -- the testers' page -----------------------------------------------------


@bp.get("/")
def page() -> str:
    """The control page: state, incidents, pushed effects and forms."""
    return render_template(
        "mock_control/index.html",
        stats=_state().stats(),
        faults=json.dumps(_faults().describe(), ensure_ascii=False, indent=2),
        incidents=_state().listing()[:PAGE_INCIDENTS],
        pushed=_state().pushed(),
    )


def _form_int(name: str, default: int) -> int:
    value = request.form.get(name, "").strip()
    return int(value) if value.isdigit() else default


@bp.post("/ui/<action>")
def ui(action: str) -> BaseResponse:
    """Form posts from the page; each redirects back with a flashed result."""
    form = request.form
    try:
        if action == "seed":
            _state().seed(_form_int("count", 20), _form_int("seed", 1))
        elif action == "inject":
            fields: dict[str, Any] = {
                k: form[k]
                for k in ("text", "municipality", "platform", "importance")
                if form.get(k)
            }
            if form.get("author"):
                fields["author"] = {"name": form["author"], "profile_url": None}
            flash(f"Создан инцидент {_state().add_incident(fields)['id']}")
        elif action == "follow-up":
            text = form.get("text") or _state().generator.follow_up_text()
            _state().add_follow_up(form.get("id", ""), text)
        elif action == "feedback":
            _state().set_feedback(form.get("id", ""), form.get("value", ""))
        elif action == "approval":
            _state().decide_approval(
                form.get("id", ""), form.get("decision", ""), form.get("comment", "")
            )
        elif action == "faults":
            _faults().configure(json.loads(form.get("faults") or "{}"))
        elif action == "reset":
            _state().reset()
            _faults().configure({"seed": current_app.config["MOCK_FAULT_SEED"]})
        elif action == "expire-tokens":
            _state().expire_tokens()
        else:
            raise MockError(404, "unknown_action", f"unknown action {action}")
        flash(f"Готово: {action}")
    except MockError as exc:
        flash(f"Ошибка: {exc.message}")
    except (ValueError, TypeError) as exc:  # bad JSON or fault settings typed by hand
        flash(f"Ошибка: {exc}")
    return redirect(url_for("mock_control.page"))
