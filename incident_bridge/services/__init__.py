"""Use cases of the bridge: no Flask, no requests, no rq."""
