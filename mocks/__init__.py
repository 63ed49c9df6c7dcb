"""A stand-in for the federal «Система Инцидент»: its API, a control API and a testers' page.

It imports nothing from ``incident_bridge`` or ``adapters``: it plays the
external system and must stay an honest stand-in.
"""

from mocks.app import create_app

__all__ = ["create_app"]
