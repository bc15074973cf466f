"""Take the screenshot of the workshop page used in the docs (docs/img/viz.png).

Starts the page on a free loopback port with the ADDER-style policy mix (scenarios/adder-mix.yaml,
chosen because every panel moves in it: posts filled, treatment, diversion, deterrence), plays it
for about two years in headless Chromium, pauses and saves what a trainer would see on a
projector (1440 x 900).

    PYTHONPATH=. .venv/bin/python scripts/viz_screenshot.py [--days 700] [--scenario FILE] [--out docs/img/viz.png]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import CHROMIUM_FLAGS, chromium_executable, running_server  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=700, help="play the town at least this many days (about two years)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "viz.png"))
    parser.add_argument(
        "--scenario",
        default=str(ROOT / "scenarios" / "adder-mix.yaml"),
        help="scenario file to open (default: %(default)s)",
    )
    args = parser.parse_args()
    executable = chromium_executable()
    if executable is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with running_server(args.scenario) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url, timeout=60_000)
        expect(page.get_by_text("What you are looking at")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="▶").click()
        heading = page.locator("h2", has_text="Day")
        while int(re.search(r"Day (\d+)", heading.inner_text()).group(1)) < args.days:
            page.wait_for_timeout(500)
        page.get_by_role("button", name="❚❚").click()
        expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=30_000)
        page.wait_for_timeout(1500)  # let the last frame arrive
        # Show the controls and the first levers at the top of the sidebar, below a long description.
        page.get_by_text("Controls", exact=True).evaluate("card => card.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.out)
        print(f"{heading.inner_text()} -> {args.out}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
