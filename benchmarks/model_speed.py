"""Speed and memory of the model core.

Measures, on this machine, one process each:
- microseconds per agent-day on the default town and on a 20,000-person city;
- the wall time of a 5-year run of the default town;
- the peak memory (resident set) of a 100,000-person city.

An agent-day is one individual (a person who uses drugs and is still followed, or an active
street seller) simulated for one day. Targets (ARCHITECTURE.md): under 0.25 us per agent-day, a
5-year default run in about a second, a 100,000-person city under 2 GB.

Run:  .venv/bin/python benchmarks/model_speed.py          (about two minutes)
      .venv/bin/python benchmarks/model_speed.py --quick  (skips the 100,000-person city)
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import subprocess
import sys
import time

import numpy as np

import sim
from sim.model.people import UseState
from sim.planner.scenario import Scenario

FOLLOWED = [s for s in UseState if s not in (UseState.CEASED, UseState.DEAD)]


#: Counts that grow with the town (besides every `initial_*` population): services and teams.
SCALED = {
    ("people", "initiation_per_year"),
    ("police", "patrol_hours_per_day"),
    ("police", "operation_hours_per_week"),
    ("dealers", "groups"),
    ("officers", "establishment"),
    ("officers", "overtime_pool"),
    ("treatment", "keyworkers"),
    ("treatment", "qualified_staff_available"),
    ("treatment", "residential_places"),
    ("treatment", "outreach_workers"),
}


def followed_at_start(scenario: Scenario) -> int:
    """People who use drugs present on day 0, wherever they are."""
    p, t, j = scenario.people, scenario.treatment, scenario.prison
    return (
        p.initial_dependent + p.initial_occasional + p.initial_in_recovery
        + t.initial_in_ost + j.initial_in_prison + j.initial_on_remand
    )  # fmt: skip


def city(people_who_use_drugs: int, years: float = 5.0) -> Scenario:
    """The default town scaled so that about `people_who_use_drugs` are followed at the start.

    Every starting population, the groups, the police team and patrol, and the treatment services
    grow in proportion, so the city's market and services work as the town's do.
    """
    base = Scenario()
    scale = people_who_use_drugs / followed_at_start(base)
    side = int(min(64, max(20, round(20 * math.sqrt(scale)))))
    data = base.model_dump()
    data["years"] = years
    data["name"] = f"city-{people_who_use_drugs}"
    data["town"].update(
        width=side,
        height=side,
        population_15_64=int(base.town.population_15_64 * scale),
        hotspots=max(2, round(base.town.hotspots * math.sqrt(scale))),
    )
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            grows = (key.startswith("initial_") and isinstance(value, int)) or (section, key) in SCALED
            if grows and isinstance(value, int | float) and not isinstance(value, bool):
                scaled = value * scale
                values[key] = max(1, round(scaled)) if isinstance(value, int) else scaled
    return Scenario.model_validate(data)


def measure(people_who_use_drugs: int, years: float) -> dict[str, float]:
    """Run one city once; report wall time, agent-days and microseconds per agent-day.

    The timed run does no counting; agent-days are counted on an identical second run (same
    seed, so the same trajectory) whose time is not measured.
    """
    scenario = city(people_who_use_drugs, years)
    model = sim.DrugMarketModel(scenario, rng=np.random.SeedSequence(1))
    start = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    twin = sim.DrugMarketModel(scenario, rng=np.random.SeedSequence(1))
    agent_days = 0
    for _ in range(twin.n_days):
        twin.step()
        agent_days += int(np.count_nonzero(twin.people.in_states(*FOLLOWED))) + twin.dealers.active().size
    return {
        "people": people_who_use_drugs,
        "years": years,
        "seconds": seconds,
        "agent_days": agent_days,
        "us_per_agent_day": 1e6 * seconds / agent_days,
        "peak_rss_mb": peak_mb,
    }


def in_fresh_process(people_who_use_drugs: int, years: float) -> dict[str, float]:
    """Measure in a new interpreter so peak memory belongs to that city alone."""
    command = [sys.executable, __file__, "--one", str(people_who_use_drugs), str(years)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def default_run_seconds(repeats: int = 3) -> float:
    """Best of `repeats` wall times of `sim.run` on the default 5-year town."""
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        sim.run(Scenario(), seed=seed)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-person city")
    parser.add_argument("--one", nargs=2, metavar=("PEOPLE", "YEARS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(int(args.one[0]), float(args.one[1]))))
        return
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    n_default = followed_at_start(Scenario())
    print(f"5-year default run (sim.run, best of 3): {default_run_seconds():.2f} s")
    cities = [(n_default, 5.0), (20_000, 5.0)]
    if not args.quick:
        cities.append((100_000, 1.0))
    print(f"{'people':>8} {'years':>5} {'seconds':>8} {'agent-days':>12} {'us/agent-day':>12} {'peak MB':>8}")
    for people, years in cities:
        r = in_fresh_process(people, years)
        print(
            f"{r['people']:>8,} {r['years']:>5g} {r['seconds']:>8.2f} {r['agent_days']:>12,} "
            f"{r['us_per_agent_day']:>12.3f} {r['peak_rss_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
