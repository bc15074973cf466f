"""`python -m sim.viz [SCENARIO]`: start the workshop page (the same as `drugmarket viz`)."""

from __future__ import annotations

import argparse
import sys

from sim.planner.scenario import ScenarioError
from sim.viz.launch import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.viz", description="Open the workshop page in a browser.")
    parser.add_argument("scenario", nargs="?", help="scenario YAML to open with (default: the baseline)")
    parser.add_argument("--port", type=int, default=8765, help="port on this machine (default 8765)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 lets other machines on the network in)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    args = parser.parse_args(argv)
    try:
        return serve(args.scenario, port=args.port, open_browser=not args.no_browser, host=args.host)
    except ScenarioError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
