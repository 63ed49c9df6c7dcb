"""SQLAlchemy 2 models and the unit of work; the only layer that talks SQL."""
