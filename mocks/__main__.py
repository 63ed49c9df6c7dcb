"""Run the mock incident system: ``python -m mocks --port 5050 --seed 1 --count 50``."""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from mocks.app import create_app


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m mocks", description=__doc__)
    parser.add_argument("--port", type=int, default=5050)
    parser.add_argument("--seed", type=int, default=1, help="seed of the data generator")
    parser.add_argument("--count", type=int, default=20, help="incidents generated at start")
    parser.add_argument("--token", help="a static bearer token that never expires")
    parser.add_argument("--client-id", default="bridge")
    parser.add_argument("--client-secret", default="secret")
    parser.add_argument("--fault-seed", type=int, default=0)
    args = parser.parse_args(argv)
    app = create_app(
        {
            "MOCK_SEED": args.seed,
            "MOCK_COUNT": args.count,
            "MOCK_TOKEN": args.token,
            "MOCK_CLIENT_ID": args.client_id,
            "MOCK_CLIENT_SECRET": args.client_secret,
            "MOCK_FAULT_SEED": args.fault_seed,
        }
    )
    print(f"Mock incident system: http://127.0.0.1:{args.port}/_control/", file=sys.stderr)
    # Bound to loopback only: the mock has no access control of its own.
    run_simple("127.0.0.1", args.port, app, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
