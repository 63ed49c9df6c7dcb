"""The automatic check report of a draft, as the review screen shows it."""

from __future__ import annotations

from typing import Any

from incident_bridge.persistence.models import Draft, Incident


def draft_report(incident: Incident, draft: Draft) -> dict[str, Any] | None:
    """The checks' report for ``draft``, or None when no check could run (never pretend)."""
    try:
        from incident_bridge.checks.report import check_draft
    except ImportError:
        return None
    report = check_draft(
        incident.text,
        draft.text,
        author=incident.author_name,
        platform=incident.platform,
        has_attachments=False,
    )
    return report.to_dict(str(draft.id))  # type: ignore[no-any-return]
