"""Adapters to the federal «Система Инцидент»: its HTTP API and its file exports."""

from adapters.file_import import ImportLimits, ImportRow, RevisionSource, import_file, size_text
from adapters.http import HttpIncidentSystem

__all__ = [
    "HttpIncidentSystem",
    "ImportLimits",
    "ImportRow",
    "RevisionSource",
    "import_file",
    "size_text",
]
