"""Print a short SHA-256 of the daily table and event log of scenario runs.

Behaviour-preserving changes (restructuring, speed work that keeps the order of random draws)
must leave these digests unchanged: run before and after, and compare. Each mechanism draws
from its own stream, and individuals' draws are keyed to their ids (sim/model/context.py), so a
change to the draws of one purpose changes the digests but not the luck of the others.

    python scripts/run_digest.py                       # the four reference scenarios, seed 7
    python scripts/run_digest.py scenarios/adder-mix.yaml --seed 3
"""

from __future__ import annotations

import argparse
import hashlib

import sim

REFERENCE = ["baseline", "adder-mix", "surge-overtime", "focused-deterrence"]


def digest(path: str, seed: int) -> str:
    """One line: the scenario, the digests and the sizes of its daily table and event log."""
    result = sim.run(sim.load_scenario(path), seed=seed)
    daily = hashlib.sha256(result.daily.to_csv(index=False).encode()).hexdigest()[:16]
    events = hashlib.sha256(result.events.to_csv(index=False).encode()).hexdigest()[:16]
    return f"{path} seed {seed}: daily {daily} ({len(result.daily)} rows), events {events} ({len(result.events)} rows)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=[f"scenarios/{name}.yaml" for name in REFERENCE])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for path in args.scenarios:
        print(digest(path, args.seed), flush=True)


if __name__ == "__main__":
    main()
