"""`flask bridge webhooks ...`: the host systems' event subscriptions."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add the webhook commands to ``flask bridge``."""
    group.add_command(webhooks)


@click.group("webhooks")
def webhooks() -> None:
    """Webhooks: events posted to the host systems that subscribed."""


@webhooks.command("deliver")
@with_appcontext
def deliver() -> None:
    """Post the due webhook deliveries now (what the `webhooks` job does)."""
    from incident_bridge.jobs.tasks import TASKS

    click.echo(json.dumps(TASKS["webhooks"](), ensure_ascii=False))
