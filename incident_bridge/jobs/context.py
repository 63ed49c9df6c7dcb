"""Giving tasks an application context, in rq workers (forked) and in-process threads alike."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from incident_bridge.state import BridgeState, bridge_state

_app: Flask | None = None
_pid: int | None = None


def bind_app(app: Flask) -> None:
    """Remember the application tasks run in (called by the worker command and the embedded runner)."""
    global _app, _pid
    _app = app
    _pid = os.getpid()


@contextmanager
def task_context() -> Iterator[BridgeState]:
    """Yield the bridge state inside an app context; a forked child gets fresh DB connections."""
    global _pid
    if has_app_context():
        yield bridge_state(current_app)
        return
    if _app is None:
        raise RuntimeError(
            "incident-bridge tasks need an application: run workers with 'flask bridge worker'."
        )
    with _app.app_context():
        state = bridge_state(_app)
        if _pid != os.getpid():
            # Connections inherited over fork belong to the parent; never share them.
            state.db.engine.dispose(close=False)
            _pid = os.getpid()
        try:
            yield state
        finally:
            state.db.session.remove()
