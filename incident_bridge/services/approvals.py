"""Drafts approved by a higher authority in the incident system (Luga cl.7-9).

The executor's draft goes up «на согласование» through the outbox; the regional
authority approves it or returns it in the incident system, and the card says so
(``IncidentCard.approval``). The sync applies that decision once: an approved draft
is published by the municipality (cl.9), a returned one goes back for rework (cl.8)
with the authority's words.
"""

from __future__ import annotations

from datetime import datetime

from incident_bridge.domain.model import ApprovalVerdict, IncidentCard, OutboundKind
from incident_bridge.domain.workflow import Action, DraftState, Role, Status, draft_transition
from incident_bridge.persistence.models import Incident
from incident_bridge.services.actors import SYSTEM_ACTOR, Actor
from incident_bridge.services.context import Context
from incident_bridge.services.history import apply
from incident_bridge.services.outgoing import enqueue
from incident_bridge.services.unit_of_work import UnitOfWork
from incident_bridge.services.workflow import current_draft

#: The actor the decision is attributed to: the authority, as the incident system reports it.
AUTHORITY = "Региональный орган (через систему Инцидент)"
_REMOTE = {
    ApprovalVerdict.APPROVED: Action.APPROVED_REMOTELY,
    ApprovalVerdict.RETURNED: Action.RETURNED_REMOTELY,
}


def apply_decision(
    uow: UnitOfWork, ctx: Context, incident: Incident, card: IncidentCard, now: datetime
) -> bool:
    """Apply the card's approval decision to the draft it was made on; True if it moved.

    A decision older than the draft on review (made on an earlier round), one already
    applied, or one on a message not waiting for it changes nothing.
    """
    decision = card.approval
    if decision is None or ctx.profile.remote_approval is None:
        return False
    draft = current_draft(incident)
    if (
        incident.status is not Status.ON_REVIEW
        or draft is None
        or draft.state is not DraftState.SUBMITTED
        or draft.submitted_at is None
        or decision.decided_at < draft.submitted_at
    ):
        return False
    action = _REMOTE[decision.verdict]
    comment = decision.comment.strip() or None
    if action is Action.RETURNED_REMOTELY and comment is None:
        comment = "Без комментария"
    apply(uow, ctx.profile, incident, action, SYSTEM_ACTOR, now, draft_kind=draft.kind,
          reason=comment, data={"draft_id": draft.id, "decided_at": decision.decided_at.isoformat(),
                                "clause": ctx.profile.remote_approval, "by": AUTHORITY})  # fmt: skip
    draft.state = draft_transition(draft.state, action)
    draft.reviewed_at = now
    if action is Action.RETURNED_REMOTELY:
        draft.review_comment = comment
    else:
        # Published by the municipality after approval (cl.9), signed by the executor.
        signer = Actor(draft.author_id, Role.EXECUTOR, draft.author.full_name)
        enqueue(uow, incident, OutboundKind.of(draft.kind), draft.text, signer, now, draft=draft)
    return True
