"""`flask bridge profile list|show`: everything a regulation profile decides, with its clauses."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from incident_bridge.domain.errors import BridgeError
from incident_bridge.domain.profile_loader import list_profiles, load_profile
from incident_bridge.domain.regulations import Profile
from incident_bridge.domain.review import Check
from incident_bridge.domain.workflow import Role
from incident_bridge.state import bridge_state


def register(group: click.Group) -> None:
    """Add the ``profile`` commands to ``flask bridge``."""
    group.add_command(profile)


@click.group("profile")
def profile() -> None:
    """Regulation profiles: clocks, steps, blocking checks, exclusion, with their clauses."""


@profile.command("list")
@with_appcontext
def profile_list() -> None:
    """The profiles found (shipped and in INCIDENT_BRIDGE_PROFILE_DIRS); * marks the active one."""
    settings = bridge_state(current_app).settings
    for name in list_profiles(settings.profile_dirs):
        mark = "*" if name == settings.profile else " "
        click.echo(f"{mark} {name:<12} {_load(name).title}")


@profile.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@with_appcontext
def profile_show(name: str, as_json: bool) -> None:
    """Print everything profile NAME decides, each rule with its clause and the file it lives in."""
    loaded = _load(name)
    if as_json:
        click.echo(json.dumps(loaded.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in describe(loaded):
        click.echo(line)


def _load(name: str) -> Profile:
    try:
        return load_profile(name, bridge_state(current_app).settings.profile_dirs)
    except BridgeError as exc:
        raise click.UsageError(exc.user_message) from exc


def describe(p: Profile) -> list[str]:
    """The profile as lines of Russian text for a person."""
    data: dict[str, Any] = p.to_dict()
    lines = [
        f"Профиль {p.name}: {p.title}",
        f"Файл: {p.path}",
        f"Источник: {p.source}",
        f"Часовой пояс: {p.timezone}; сроки считаются от: "
        + ("выявления (дата обнаружения карточки)" if data["counts_from"] == "detection"
           else "поступления в систему Инцидент (дата создания карточки)"),
        "",
        "Сроки (срок · отвечает · пункт):",
    ]  # fmt: skip
    for rule in p.clocks.values():
        extra = f" до истечения срока «{p.clocks[rule.before].label}»" if rule.before else ""
        lines.append(
            f"  {rule.name:<20} {rule.label}: {rule.term.describe()}{extra} · {rule.who.label} · {rule.clause}"
        )
        for track, variant in rule.variants.items():
            lines.append(
                f"  {'':<20}   вариант «{track}»: {variant.term.describe()} · {variant.clause}"
            )
    for name, why in p.absent.items():
        lines.append(f"  {name:<20} нет срока: {why}")
    lines += ["", "Кто выполняет шаги (шаг · роль · пункт):"]
    for action, step in p.steps.items():
        lines.append(f"  {action.value:<20} {action.label} · {step.who.label} · {step.clause}")
    lines += ["", f"Обязательные проверки перед одобрением ({p.blocking_clause}):"]
    for kind, checks in p.blocking.items():
        names = ", ".join(c.label for c in Check if c in checks) or "нет"
        lines.append(f"  {kind.label}: {names}")
    lines += ["", "Исключение из работы:"]
    if p.exclusion.clause is None:
        lines.append(f"  пункта нет: {p.exclusion.grounds}")
    else:
        lines.append(f"  {p.exclusion.clause}: {p.exclusion.grounds}")
    roles = sorted({s.who for s in p.steps.values()} - {Role.EXECUTOR})
    lines += ["", "Роли, которые ведут сообщения: " + ", ".join(r.label for r in roles)]
    return lines
