"""The reference WSGI application."""

from incident_bridge.host import create_app

app = create_app()
