"""Pure domain of incident-bridge: no Flask, database, queue or HTTP imports."""
