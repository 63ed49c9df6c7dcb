"""The reference app as `make run` and `wsgi.py` start it: no secret key or database configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from incident_bridge import IncidentBridge
from incident_bridge.host import create_app, database_url


def test_reference_app_makes_its_own_secret_key_and_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for key in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
        monkeypatch.delenv(key, raising=False)
    app = create_app({"TESTING": True})
    app.instance_path = str(tmp_path)
    assert app.config["SECRET_KEY"]
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    response = app.test_client().get("/login")
    assert response.status_code == 200
    assert "Вход" in response.get_data(as_text=True)


def test_environment_settings_reach_the_extension(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INCIDENT_BRIDGE_POLL_INTERVAL", "7")
    monkeypatch.setenv("INCIDENT_BRIDGE_PROFILE", "sobolevo")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    settings = app.extensions["incident_bridge"].settings
    assert (settings.poll_interval, settings.profile) == (7, "sobolevo")
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_registering_twice_says_what_to_do():
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="x")
    IncidentBridge(app)
    with pytest.raises(RuntimeError, match="already registered"):
        IncidentBridge(app)


def test_host_mounts_pages_under_its_prefix_and_shares_its_db():
    db = SQLAlchemy()
    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="x", INCIDENT_BRIDGE_URL_PREFIX="/bridge"
    )
    db.init_app(app)
    IncidentBridge(app, db=db)
    assert app.extensions["incident_bridge"].db is db
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert "/bridge/login" in rules and "/bridge/incidents/<ib_id:incident_id>" in rules
    assert "/login" not in rules
