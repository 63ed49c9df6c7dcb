"""incident-bridge: a Flask extension for working citizens' social-network messages."""

from incident_bridge.extension import IncidentBridge

__all__ = ["IncidentBridge"]
