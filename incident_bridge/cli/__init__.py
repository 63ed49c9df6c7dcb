"""`flask bridge ...`: commands for admins, testers and the sync workers.

Each module of this package adds its commands to the ``bridge`` group in a
``register(group)`` function; commands stay thin: parse, call one service, print.
"""

from __future__ import annotations

from flask.cli import AppGroup

bridge = AppGroup("bridge", help="incident-bridge: sync, deadlines, checks, demo data.")


def _register_all() -> None:
    from importlib import import_module

    for name in ("core", "worktime", "checks", "sync"):
        try:
            module = import_module(f"incident_bridge.cli.{name}")
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name != f"incident_bridge.cli.{name}":
                raise
            continue
        module.register(bridge)


_register_all()

__all__ = ["bridge"]
