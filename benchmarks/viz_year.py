"""How long the workshop page takes to play a simulated year, measured in a real browser.

Starts the page on a free loopback port, opens it in headless Chromium at 1280x720, presses Play
at the default settings (a week a frame) and times until the heading reaches day 365; also times
the model alone for a year, so the page's own cost shows. Target: a year in under 15 s.

Run:  PYTHONPATH=. .venv/bin/python benchmarks/viz_year.py [--days 365] [--scenario FILE]
A machine shared with other work gives noisy, slower figures: note the load with the result.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import chromium_executable, workshop_page  # noqa: E402

from sim.viz.workshop import WorkshopModel  # noqa: E402


def model_seconds(days: int) -> float:
    """The model alone, stepping `days` days of the baseline town."""
    town = WorkshopModel("baseline")
    started = time.perf_counter()
    for _ in range(days):
        town.step()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scenario", default=None, help="scenario file to open (default: the baseline)")
    args = parser.parse_args()
    if chromium_executable() is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with workshop_page(args.scenario) as (page, heading):
        started = time.perf_counter()
        page.get_by_role("button", name="Play", exact=True).click()
        frames, last = 0, ""
        while True:
            text = heading.inner_text()
            if text != last:
                frames, last = frames + 1, text
            day = int(re.search(r"Day (\d+)", text).group(1))
            if day >= args.days:
                break
            page.wait_for_timeout(50)
        page_seconds = time.perf_counter() - started
        page.get_by_role("button", name="Pause", exact=True).click()
    alone = model_seconds(args.days)
    load = os.getloadavg()[0]
    print(
        f"page: day {day} in {page_seconds:.1f} s ({frames} frames seen); "
        f"model alone: {alone:.1f} s; load average {load:.1f} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
