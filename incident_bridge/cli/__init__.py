"""`flask bridge ...`: commands for admins, testers and the sync workers.

Each module of this package adds its commands to the ``bridge`` group in a
``register(group)`` function; commands stay thin: parse, call one service, print.
"""

from __future__ import annotations

from flask.cli import AppGroup

bridge = AppGroup("bridge", help="incident-bridge: sync, deadlines, checks, demo data.")


from incident_bridge.cli import api_tokens, checks, core, profiles, sync, webhooks, worktime  # noqa: E402  (they import ``bridge``'s siblings only)

for _module in (core, worktime, checks, sync, profiles, api_tokens, webhooks):
    _module.register(bridge)

__all__ = ["bridge"]
