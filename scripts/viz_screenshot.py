"""Take the screenshot of the workshop page used in the docs (docs/img/viz.png).

Starts the page on a free loopback port with the ADDER-style policy mix (scenarios/adder-mix.yaml,
chosen because every panel moves in it: posts filled, treatment, diversion, deterrence), plays it
for about two years in headless Chromium, pauses and saves what a trainer would see on a
projector (1280 x 720): the presenter layout, levers tucked away in their drawer.

    PYTHONPATH=. .venv/bin/python scripts/viz_screenshot.py [--days 700] [--scenario FILE] [--out docs/img/viz.png]

Side by side (docs/img/viz-side-by-side.png), and the levers drawer open at mix B's levers
(docs/img/viz-mix-b-levers.png):

    ... scripts/viz_screenshot.py --scenario scenarios/baseline.yaml --versus adder-mix --days 365 \
        --out docs/img/viz-side-by-side.png
    ... scripts/viz_screenshot.py --scenario scenarios/baseline.yaml --versus adder-mix --days 0 \
        --levers B --out docs/img/viz-mix-b-levers.png
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import chromium_executable, workshop_page  # noqa: E402
from playwright.sync_api import expect  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=700, help="play the town at least this many days (about two years)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "viz.png"))
    parser.add_argument(
        "--scenario",
        default=str(ROOT / "scenarios" / "adder-mix.yaml"),
        help="scenario file to open (default: %(default)s)",
    )
    parser.add_argument("--versus", help="side by side with this scenario name (for viz-side-by-side.png)")
    parser.add_argument("--levers", choices=("A", "B"), help="open the levers drawer at this mix's levers")
    args = parser.parse_args()
    if chromium_executable() is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with workshop_page(args.scenario) as (page, heading):
        if args.versus:
            page.locator(".v-select", has_text="Side by side with").first.click()
            page.get_by_role("option", name=args.versus, exact=True).click()
            expect(heading).to_contain_text("Side by side", timeout=90_000)
        if args.days > 0:
            page.get_by_role("button", name="Play", exact=True).click()
            while int(re.search(r"Day (\d+)", heading.inner_text()).group(1)) < args.days:
                page.wait_for_timeout(500)
            page.get_by_role("button", name="Pause", exact=True).click()
            expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled(timeout=30_000)
        if args.levers:
            page.get_by_role("button", name="Levers").click()
            if args.versus:
                page.locator(".mix-pick").get_by_role("button", name=f"Mix {args.levers}").click()
            expect(page.locator(".lever-drawer")).to_contain_text("Move a lever", timeout=30_000)
        page.wait_for_timeout(1500)  # let the last frame arrive
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.out)
        print(f"{heading.inner_text()} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
