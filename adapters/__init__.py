"""Adapters to the federal «Система Инцидент»: its HTTP API and its file exports."""

from adapters.file_import import ImportRow, import_file
from adapters.http import HttpIncidentSystem

__all__ = ["HttpIncidentSystem", "ImportRow", "import_file"]
