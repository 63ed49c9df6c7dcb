"""``/api/v1``: the approved phrases (everyone reads, coordinators manage) and webhooks (admin)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from incident_bridge.api import core, schemas
from incident_bridge.api.core import actor, api_blueprint, now, uow
from incident_bridge.persistence.models import Webhook
from incident_bridge.services import phrases, webhooks

bp = api_blueprint("incident_bridge_api_library", __name__, "Типовые формулировки и вебхуки")


def problems(*codes: int) -> Any:
    return core.problems(bp, *codes)


@bp.route("/phrases")
class Phrases(MethodView):
    @bp.arguments(schemas.PhraseQuery, location="query", error_status_code=422)
    @bp.response(200, schemas.PhraseOut(many=True))
    @problems(401, 429)
    def get(self, args: dict[str, Any]) -> Any:
        """The approved phrases the token's owner may use (an executor: their body's and the common)."""
        only = [args["subdivision"], None] if args.get("subdivision") else None
        return [p for group in phrases.library(uow(), actor(), only) for p in group.phrases]

    @bp.arguments(schemas.PhraseBody, error_status_code=422)
    @bp.response(201, schemas.PhraseOut)
    @problems(401, 403, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Add a phrase (everyone but executors); the change is kept in the library's log."""
        return phrases.add(uow(), actor(), subdivision_id=body["subdivision_id"],
                           title=body["title"], text=body["text"], now=now())  # fmt: skip


@bp.route("/phrases/<ib_id:phrase_id>")
class OnePhrase(MethodView):
    @bp.arguments(schemas.PhraseBody, error_status_code=422)
    @bp.response(200, schemas.PhraseOut)
    @problems(401, 403, 404, 422, 429)
    def put(self, body: dict[str, Any], phrase_id: int) -> Any:
        """Change a phrase's subdivision, title or text (the values before stay in the log)."""
        return phrases.edit(uow(), actor(), phrase_id, subdivision_id=body["subdivision_id"],
                            title=body["title"], text=body["text"], now=now())  # fmt: skip

    @bp.response(200, schemas.PhraseOut)
    @problems(401, 403, 404, 422, 429)
    def delete(self, phrase_id: int) -> Any:
        """Archive a phrase: out of use, kept with who archived it."""
        return phrases.archive(uow(), actor(), phrase_id, now=now())


@bp.route("/webhooks")
class Webhooks(MethodView):
    @bp.response(200, schemas.WebhookOut(many=True))
    @problems(401, 403, 429)
    @core.roles("admin")
    def get(self) -> Any:
        """Every subscription with its deliveries' counts by state (admin)."""
        hooks, counts, _ = webhooks.overview(uow())
        return [_hook(h, counts.get(h.id, {})) for h in hooks]

    @bp.arguments(schemas.WebhookBody, error_status_code=422)
    @bp.response(201, schemas.NewWebhookOut)
    @problems(401, 403, 422, 429)
    def post(self, body: dict[str, Any]) -> Any:
        """Subscribe a URL to events (admin); the answer carries the signing secret, this once."""
        made = webhooks.subscribe(uow(), body["url"], body["events"], body["description"],
                                  actor(), now())  # fmt: skip
        return (
            {**_hook(made.webhook, {}), "secret": made.secret},
            201,
            {"Cache-Control": "no-store"},
        )


@bp.route("/webhooks/<ib_id:webhook_id>", methods=["DELETE"])
@bp.response(200, schemas.WebhookOut)
@problems(401, 403, 404, 422, 429)
def unsubscribe(webhook_id: int) -> Any:
    """End a subscription (admin): nothing more is queued, what waits is set aside."""
    hook = webhooks.deactivate(uow(), webhook_id, actor(), now())
    return _hook(hook, webhooks.overview(uow())[1].get(hook.id, {}))


def _hook(hook: Webhook, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": hook.id, "url": hook.url, "description": hook.description, "events": hook.events,
        "active": hook.active, "created_at": hook.created_at,
        "deactivated_at": hook.deactivated_at,
        **{state: counts.get(state, 0) for state in ("pending", "failed", "delivered")},
    }  # fmt: skip
