"""Core commands: migrations, demo data, users, and running the jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.domain.workflow import Role
from incident_bridge.extension import MIGRATIONS_DIR
from incident_bridge.state import bridge_state


def register(group: click.Group) -> None:
    """Add the core commands to ``flask bridge``."""
    group.add_command(migrate)
    group.add_command(seed_demo)
    group.add_command(create_user)
    group.add_command(set_password)
    group.add_command(recompute_deadlines)
    group.add_command(rebuild_stages)
    group.add_command(run_jobs)
    group.add_command(worker)
    group.add_command(cron)


@click.command("migrate")
@with_appcontext
def migrate() -> None:
    """Apply the bridge's database migrations (its own Alembic history)."""
    import flask_migrate

    flask_migrate.upgrade(directory=MIGRATIONS_DIR)
    click.echo("База данных incident-bridge обновлена.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create demo subdivisions and users (idempotent) and print their logins."""
    from incident_bridge.services.demo import seed

    state = bridge_state(current_app)
    for login, password, role, name in seed(
        state.unit_of_work(), state.context.profile, datetime.now(UTC)
    ):
        click.echo(f"  {login:<12} пароль: {password:<14} {role:<9} {name}")


@click.command("create-user")
@click.option("--login", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--subdivision", default=None, help="Subdivision name (executors).")
@click.password_option()
@with_appcontext
def create_user(
    login: str, full_name: str, role: str, subdivision: str | None, password: str
) -> None:
    """Create a person who can sign in."""
    from incident_bridge.domain.errors import BridgeError
    from incident_bridge.services import directory

    uow = bridge_state(current_app).unit_of_work()
    sub_id = None
    if subdivision:
        sub = uow.people.subdivision_named(subdivision)
        if sub is None:
            raise click.UsageError(f"Нет подразделения «{subdivision}».")
        sub_id = sub.id
    try:
        directory.create_user(
            uow,
            login=login,
            full_name=full_name,
            password=password,
            role=role,
            subdivision_id=sub_id,
            now=datetime.now(UTC),
        )
    except BridgeError as exc:
        raise click.ClickException(exc.user_message) from exc
    click.echo(f"Пользователь {login} создан.")


@click.command("set-password")
@click.option("--login", required=True)
@click.password_option()
@with_appcontext
def set_password(login: str, password: str) -> None:
    """Set a person's password on the server (e.g. the only admin forgot theirs); their sessions end."""
    from incident_bridge.domain.errors import BridgeError
    from incident_bridge.services import directory

    uow = bridge_state(current_app).unit_of_work()
    user = uow.people.user_by_login(login.strip().lower())
    if user is None:
        raise click.UsageError(f"Нет пользователя «{login}».")
    try:
        directory.reset_password(
            uow, user.id, password, by=directory.CONSOLE, now=datetime.now(UTC)
        )
    except BridgeError as exc:
        raise click.ClickException(exc.user_message) from exc
    click.echo(f"Пароль пользователя {login} изменён; его сеансы завершены.")


@click.command("recompute-deadlines")
@click.option(
    "--all", "every", is_flag=True, help="Every incident in work (after the profile changed)."
)
@with_appcontext
def recompute_deadlines(every: bool) -> None:
    """Recompute the stored nearest deadlines: those near or missing, or --all."""
    from incident_bridge.services import deadlines

    state = bridge_state(current_app)
    window = None if every else timedelta(hours=2)
    with state.side_unit_of_work() as writer:
        count = deadlines.refresh_open(state.unit_of_work(), state.context, datetime.now(UTC),
                                       window=window, writer=writer)  # fmt: skip
    click.echo(f"Пересчитаны сроки сообщений в работе: {count}.")


@click.command("rebuild-stages")
@with_appcontext
def rebuild_stages() -> None:
    """Store the finished stages of messages kept before the reports (idempotent)."""
    from incident_bridge.services import deadlines

    state = bridge_state(current_app)
    added = deadlines.rebuild_stages(state.unit_of_work(), state.context, datetime.now(UTC))
    click.echo(f"Сохранены завершённые этапы для отчётов: {added}.")


@click.command("run-jobs")
@click.argument(
    "names",
    nargs=-1,
    type=click.Choice(["poll", "screen", "push", "deadlines", "notify", "webhooks"]),
)
@with_appcontext
def run_jobs(names: tuple[str, ...]) -> None:
    """Run the sync tasks once, here and now (all of them unless named)."""
    from incident_bridge.jobs.tasks import TASKS

    for name in names or tuple(TASKS):
        click.echo(f"{name}: {json.dumps(TASKS[name](), ensure_ascii=False)}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--simple", is_flag=True, help="Run jobs in the worker process (no fork).")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(["main", "checks"]),
    help="Only these queues (repeatable): main = poll, push, deadlines; checks = screening. "
    "Default: both, main first.",
)
@with_appcontext
def worker(burst: bool, simple: bool, queues: tuple[str, ...]) -> None:
    """Run an rq worker for the bridge's queues (needs INCIDENT_BRIDGE_REDIS_URL)."""
    from rq import SimpleWorker, Worker

    from incident_bridge.jobs.context import bind_app
    from incident_bridge.jobs.runner import queue

    settings = bridge_state(current_app).settings
    if not settings.redis_url:
        raise click.UsageError(
            "Не задан INCIDENT_BRIDGE_REDIS_URL: без Redis задачи идут внутри веб-процесса."
        )
    bind_app(current_app._get_current_object())  # type: ignore[attr-defined]
    names = {"main": settings.queue_name, "checks": settings.checks_queue_name}
    listened = [queue(settings, names[q]) for q in (queues or ("main", "checks"))]
    cls = SimpleWorker if simple else Worker
    cls(listened, connection=listened[0].connection).work(burst=burst)


@click.command("cron")
@with_appcontext
def cron() -> None:
    """Run rq's cron scheduler that enqueues poll, screen, push and deadline tasks periodically."""
    from rq.cron import CronScheduler

    from incident_bridge.jobs.runner import JOB_TIMEOUT, intervals, queue, queue_name
    from incident_bridge.jobs.tasks import TASKS

    settings = bridge_state(current_app).settings
    if not settings.redis_url:
        raise click.UsageError("Не задан INCIDENT_BRIDGE_REDIS_URL.")
    q = queue(settings)
    scheduler = CronScheduler(connection=q.connection)
    for name, every in intervals(settings).items():
        scheduler.register(
            TASKS[name], queue_name(settings, name), interval=every, job_timeout=JOB_TIMEOUT
        )
    scheduler.start()
