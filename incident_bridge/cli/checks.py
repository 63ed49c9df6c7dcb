"""`flask bridge check --batch IN.jsonl`: check drafts in bulk, one JSON report per line."""

from __future__ import annotations

import json
from typing import Any, TextIO

import click

from incident_bridge.checks.report import DEFAULT_BLOCKING, KNOWN_CHECKS, check_draft


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
    "--blocking",
    default=",".join(sorted(DEFAULT_BLOCKING)),
    show_default=True,
    help="Comma-separated checks that must pass for ok: greeting, spelling, grammar, completeness, style, format.",
)
@click.option(
    "--words",
    "words_file",
    type=click.File("r", encoding="utf-8"),
    help="Organisation words, one a line.",
)
def check(batch: TextIO, blocking: str, words_file: TextIO | None) -> None:
    """Check drafts from a JSON Lines file and print one JSON report per line."""
    blocking_set = frozenset(b.strip() for b in blocking.split(",") if b.strip())
    if unknown := blocking_set - KNOWN_CHECKS:
        raise click.BadParameter(
            f"unknown check(s): {', '.join(sorted(unknown))}", param_hint="--blocking"
        )
    extra = frozenset(w.strip() for w in words_file or () if w.strip() and not w.startswith("#"))
    for line in batch:
        if line.strip():
            click.echo(json.dumps(_report_line(line, blocking_set, extra), ensure_ascii=False))


def _report_line(line: str, blocking: frozenset[str], extra: frozenset[str]) -> dict[str, Any]:
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
        report = check_draft(
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
