"""Background work: rq tasks (thin, idempotent), their schedule, and the in-process runner."""
