"""Structured logs carry the incident id as a field."""

from __future__ import annotations

import json
import logging

from incident_bridge.logs import JsonFormatter


def test_json_log_line_has_incident_field_and_keeps_russian_text():
    record = logging.makeLogRecord(
        {
            "name": "incident_bridge.services.sync",
            "levelname": "WARNING",
            "msg": "record quarantined",
            "incident": "INC-7",
            "reason": "нет поля text",
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["incident"] == "INC-7" and line["reason"] == "нет поля text"
    assert line["level"] == "warning" and line["message"] == "record quarantined"
