"""What every use case knows of the organisation: its regulation, calendars and text checker.

The extension builds one ``Context`` per application and hands it to the use
cases explicitly; nothing falls back to a default profile behind a caller's back.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_bridge.checks.report import DraftChecker
from incident_bridge.domain.regulations import Profile
from incident_bridge.services.calendars import Calendars


@dataclass(frozen=True, slots=True)
class Context:
    """The organisation's regulation profile, its calendars and the draft checker."""

    profile: Profile
    calendars: Calendars
    checker: DraftChecker

    @classmethod
    def build(cls, profile: Profile, checker: DraftChecker | None = None) -> Context:
        """A context for ``profile``; the checker loads its dictionaries on first use."""
        return cls(profile, Calendars(profile), checker or DraftChecker())
