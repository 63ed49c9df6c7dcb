"""`flask bridge import`: bringing in the incident system's Excel/CSV exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.domain.errors import BridgeError
from incident_bridge.state import bridge_state


def register(group: click.Group) -> None:
    """Add the sync commands to ``flask bridge``."""
    group.add_command(import_export)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--exported-at",
    default=None,
    help="When the file was exported (ISO 8601); default: its own date or modification time.",
)
@click.option(
    "--tz", "zone", default="Europe/Moscow", show_default=True, help="Zone of the file's dates."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row, then a summary.")
@with_appcontext
def import_export(path: str, exported_at: str | None, zone: str, as_json: bool) -> None:
    """Import an .xlsx or .csv export (idempotent) and report every row."""
    from adapters.file_import import import_file
    from incident_bridge.services.imports import import_rows, summary

    stamp = datetime.fromisoformat(exported_at) if exported_at else None
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=ZoneInfo(zone))
    try:
        rows = import_file(path, tz=ZoneInfo(zone), exported_at=stamp)
    except BridgeError as exc:
        raise click.UsageError(exc.user_message) from exc
    state = bridge_state(current_app)
    outcomes = import_rows(
        state.unit_of_work(), state.context, rows, datetime.now(UTC), source=path
    )
    for o in outcomes:
        if as_json:
            click.echo(
                json.dumps(
                    {"row": o.row, "number": o.external_id, "status": o.status, "reason": o.reason},
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(
                f"строка {o.row:>5}  {o.external_id or '—':<16} {o.label}{': ' + o.reason if o.reason else ''}"
            )
    counts = summary(outcomes)
    if as_json:
        click.echo(json.dumps({"summary": counts}, ensure_ascii=False))
    else:
        click.echo("Итого: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
