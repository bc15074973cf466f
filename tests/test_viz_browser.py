"""The workshop page in a real browser: it loads offline, draws the town, steps, and keeps sessions apart.

Runs in the default test run (marked `browser` so it can be selected or deselected on purpose).
It starts the page's Solara server on a free loopback port and drives Debian's Chromium with
Playwright; nothing is fetched from the internet, so an asset the page needs but the installation
lacks shows up here as a failed request, as it would in a workshop room without wifi.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM_FLAGS, chromium_executable, running_server
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, expect, sync_playwright

pytestmark = pytest.mark.browser

WAIT = 45_000  # ms: generous, for a busy two-core machine


#: The page is opened with this scenario, as `drugmarket viz FILE` would: the baseline town with a
#: crackdown that starts on day 3, so a timed lever change happens within the first week.
CRACKDOWN = """
extends: {baseline}
name: workshop-crackdown
description: The baseline town; patrol at the market rises to 80 officer-hours a day from day 3.
events:
  - day: 3
    set: {{police.patrol_hours_per_day: 80}}
    note: crackdown starts
"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[str]:
    scenario = tmp_path_factory.mktemp("viz") / "workshop-crackdown.yaml"
    scenario.write_text(CRACKDOWN.format(baseline=repo_root / "scenarios" / "baseline.yaml"))
    with running_server(str(scenario), timeout=60) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = chromium_executable()
    if executable is None:
        pytest.fail("Debian's chromium is needed for the browser test: run scripts/setup.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, timeout=WAIT)
        try:
            yield browser
        finally:
            browser.close()


class AssetProblems:
    """Collects what a trainer offline would see as a broken page: failed loads and script errors."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.on("console", self._console)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.found.append(f"script error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.found.append(f"console error: {message.text}")

    def _failed(self, request: Request) -> None:
        self.found.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.found.append(f"HTTP {response.status}: {response.url}")


def open_page(browser: Browser, url: str) -> tuple[Page, AssetProblems]:
    page = browser.new_context(viewport={"width": 1400, "height": 950}).new_page()
    problems = AssetProblems(page)
    page.goto(url, timeout=WAIT)
    expect(page.get_by_text("What you are looking at")).to_be_visible(timeout=WAIT)
    settle(page)
    return page, problems


def settle(page: Page) -> None:
    """Let every asset request the page has started finish (or fail), so none escapes the check."""
    page.wait_for_load_state("networkidle", timeout=WAIT)


def town_images(page: Page) -> list[str]:
    """The sources of the drawn figures (PNG data), once both have rendered."""
    images = page.locator(".town-dashboard img")
    expect(images).to_have_count(2, timeout=WAIT)
    return [images.nth(i).get_attribute("src") or "" for i in range(2)]


def test_workshop_page_loads_offline_draws_the_town_and_steps(chromium: Browser, page_url: str) -> None:
    page, problems = open_page(chromium, page_url)
    expect(page).to_have_title(re.compile("open drug market"), timeout=WAIT)
    expect(page.get_by_text("An open drug market in a town").first).to_be_visible()
    expect(page.get_by_text("people with dependent use").first).to_be_visible()
    expect(page.locator("h2", has_text="workshop-crackdown · Day 0")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("day 3: police.patrol_hours_per_day → 80 (crackdown starts)")).to_be_visible()
    expect(page.locator("td", has_text="24 officer-hours/day")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Focused deterrence programme running")).not_to_be_checked()
    expect(page.get_by_text("Treatment keyworkers: funded posts (posts)")).to_be_visible()
    before = town_images(page)
    sizes = page.locator(".town-dashboard img").evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert all(w > 300 and h > 300 for w, h in sizes), sizes

    page.get_by_role("button", name="Step").click()
    expect(page.locator("h2", has_text="Day 7 ")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Time: 7.0")).to_be_visible(timeout=WAIT)
    after = town_images(page)
    assert after[0] != before[0], "the town map did not change after a step"
    assert after[1] != before[1], "the trend plots did not change after a step"
    expect(page.locator("td", has_text="80 officer-hours/day")).to_be_visible(timeout=WAIT)  # the crackdown began
    expect(page.get_by_text(re.compile(r"Costs so far \(2024/25 prices\): £[\d.]+[mk]? in all"))).to_be_visible()

    page.get_by_role("button", name="▶").click()
    expect(page.locator("h2", has_text=re.compile(r"Day (1[4-9]|[2-9]\d|\d{3,}) "))).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="Step")).to_be_enabled(timeout=WAIT)

    settle(page)
    assert problems.found == [], "\n".join(problems.found)


def test_each_browser_gets_its_own_town_and_reset_applies_a_moved_lever(
    chromium: Browser, page_url: str, repo_root: Path
) -> None:
    first, first_problems = open_page(chromium, page_url)
    first.get_by_role("button", name="Step").click()
    expect(first.locator("h2", has_text="Day 7 ")).to_be_visible(timeout=WAIT)

    second, second_problems = open_page(chromium, page_url)
    expect(second.locator("h2", has_text="Day 0")).to_be_visible(timeout=WAIT)
    expect(second.get_by_text("Time: 0.0")).to_be_visible(timeout=WAIT)
    expect(first.locator("h2", has_text="Day 7 ")).to_be_visible()

    # A trainer moves the patrol lever (three steps of 2 officer-hours) and resets: the new town has it.
    patrol = first.locator(".v-input", has_text="Police patrol at the market").locator("[role=slider]")
    patrol.focus()
    for _ in range(3):
        patrol.press("ArrowRight")
    expect(patrol).to_have_attribute("aria-valuenow", "30")
    # The browser sends slider moves when the server is idle and clicks at once: a step (a round
    # trip) lets the slider's value reach the server before Reset reads it, as a human pause would.
    first.get_by_role("button", name="Step").click()
    expect(first.locator("h2", has_text="Day 14 ")).to_be_visible(timeout=WAIT)
    first.get_by_role("button", name="Reset").click()
    expect(first.locator("h2", has_text="Day 0")).to_be_visible(timeout=WAIT)
    expect(first.get_by_text("Time: 0.0")).to_be_visible(timeout=WAIT)
    expect(first.locator("td", has_text="30 officer-hours/day")).to_be_visible(timeout=WAIT)
    expect(second.locator("td", has_text="24 officer-hours/day")).to_be_visible()

    # The picker offers the launched file and every scenario in scenarios/; picking one builds that
    # town instead (the baseline has no timed changes).
    second.locator(".v-select", has_text="Scenario").click()
    offered = len(list((repo_root / "scenarios").glob("*.yaml"))) + 1
    expect(second.get_by_role("option")).to_have_count(offered, timeout=WAIT)
    second.get_by_role("option", name="baseline", exact=True).click()
    expect(second.get_by_text("Scenario: baseline.")).to_be_visible(timeout=WAIT)
    expect(second.get_by_text("crackdown starts")).to_have_count(0)

    settle(first)
    assert first_problems.found + second_problems.found == []
