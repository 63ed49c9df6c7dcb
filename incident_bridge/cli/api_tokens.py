"""`flask bridge api-token ...`: issue, list and revoke personal API tokens on the server."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.domain.errors import BridgeError
from incident_bridge.state import bridge_state


def register(group: click.Group) -> None:
    """Add ``api-token create|list|revoke`` to ``flask bridge``."""
    group.add_command(api_token)


@click.group("api-token")
def api_token() -> None:
    """Personal API tokens (they act as their owner, with the owner's role)."""


@api_token.command("create")
@click.option("--login", required=True, help="Whose token: it acts as this person.")
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
              help="Days until the token stops (default: no expiry).")  # fmt: skip
@click.option("--name", default="API", help="What the token is for (shown in the list).")
@with_appcontext
def create(login: str, expires_days: int | None, name: str) -> None:
    """Issue a token; the token itself is printed once, on the last line."""
    from incident_bridge.services import api_tokens, directory

    uow = bridge_state(current_app).unit_of_work()
    user = uow.people.user_by_login(login.strip().lower())
    if user is None:
        raise click.UsageError(f"Нет пользователя «{login}».")
    try:
        issued = api_tokens.create(uow, user.id, name=name, expires_days=expires_days,
                                   by=directory.CONSOLE, now=datetime.now(UTC))  # fmt: skip
    except BridgeError as exc:
        raise click.ClickException(exc.user_message) from exc
    expiry = (
        f"до {issued.row.expires_at:%d.%m.%Y %H:%M} UTC" if issued.row.expires_at else "бессрочно"
    )
    click.echo(f"Токен «{issued.row.name}» для {login} ({user.role.label}), {expiry}.", err=True)
    click.echo("Сохраните его сейчас: он показан один раз и нигде не хранится.", err=True)
    click.echo(issued.token)


@api_token.command("list")
@with_appcontext
def list_tokens() -> None:
    """Every token: its number, owner, name, prefix and state."""
    from incident_bridge.services import api_tokens

    uow = bridge_state(current_app).unit_of_work()
    now = datetime.now(UTC)
    with uow:
        for row in uow.api_tokens.all():
            state = api_tokens.state(row, now)
            click.echo(f"{row.id}\t{row.user.login}\t{row.name}\t{row.prefix}…\t{state}")


@api_token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int) -> None:
    """Stop a token (by its number from ``list``)."""
    from incident_bridge.services import api_tokens, directory

    try:
        api_tokens.revoke(bridge_state(current_app).unit_of_work(), token_id,
                          by=directory.CONSOLE, now=datetime.now(UTC))  # fmt: skip
    except BridgeError as exc:
        raise click.ClickException(exc.user_message) from exc
    click.echo(f"Токен {token_id} отозван.")
