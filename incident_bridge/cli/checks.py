"""`flask bridge check --batch IN.jsonl`: check drafts in bulk, one JSON report per line."""

from __future__ import annotations

import json
from typing import Any, TextIO

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.checks.report import DraftChecker, as_checks
from incident_bridge.domain.model import DraftKind
from incident_bridge.domain.review import Check
from incident_bridge.state import bridge_state


def register(group: click.Group) -> None:
    """Add the ``check`` command to the ``bridge`` group."""
    group.add_command(check)


@click.command("check")
@click.option(
    "--batch",
    "batch",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help='JSON Lines: {"id", "message", "draft", "author"?, "platform"?, "has_attachments"?}; "-" is stdin.',
)
@click.option(
    "--kind",
    type=click.Choice([k.value for k in DraftKind]),
    default=DraftKind.ANSWER.value,
    show_default=True,
    help="The kind of draft: its blocking checks come from the organisation's profile.",
)
@click.option(
    "--blocking",
    default=None,
    help="Comma-separated checks that must pass for ok, instead of the profile's: "
    + ", ".join(Check)
    + ".",
)
@click.option(
    "--words",
    "words_file",
    type=click.File("r", encoding="utf-8"),
    help="Organisation words, one a line.",
)
@with_appcontext
def check(batch: TextIO, kind: str, blocking: str | None, words_file: TextIO | None) -> None:
    """Check drafts from a JSON Lines file and print one JSON report per line."""
    context = bridge_state(current_app).context
    if blocking is None:
        blocking_set = context.profile.blocking_for(DraftKind(kind))
    else:
        try:
            blocking_set = as_checks(b.strip() for b in blocking.split(",") if b.strip())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--blocking") from exc
    extra = frozenset(w.strip() for w in words_file or () if w.strip() and not w.startswith("#"))
    for line in batch:
        if line.strip():
            report = _report_line(context.checker, line, blocking_set, extra)
            click.echo(json.dumps(report, ensure_ascii=False))


def _report_line(
    checker: DraftChecker, line: str, blocking: frozenset[Check], extra: frozenset[str]
) -> dict[str, Any]:
    """One input line to one output object; a bad line gives {"id", "error"} instead of stopping."""
    item_id: Any = None
    try:
        item = json.loads(line)
        if not isinstance(item, dict):
            raise ValueError("a line must be a JSON object")
        item_id = item.get("id")
        message, draft = item.get("message", ""), item.get("draft")
        if not isinstance(draft, str) or not isinstance(message, str):
            raise ValueError('"message" and "draft" must be strings')
        author, platform = item.get("author"), item.get("platform")
        report = checker.check(
            message,
            draft,
            author=author if isinstance(author, str) else None,
            platform=platform if isinstance(platform, str) else None,
            extra_words=extra,
            has_attachments=bool(item.get("has_attachments", False)),
            blocking=blocking,
        )
        return report.to_dict(item_id)
    except Exception as exc:  # one bad line never stops the batch (citizen text is hostile input)
        return {"id": item_id, "error": f"{type(exc).__name__}: {exc}"}
