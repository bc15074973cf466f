"""The workshop page in a real browser, as a trainer uses it in front of a room.

Marked `browser` (select or deselect on purpose). It starts the page's Solara server on a free
loopback port and drives Debian's Chromium with Playwright at a projector's 1280x720; nothing is
fetched from the internet, so an asset the page needs but the installation lacks shows up here as
a failed request, as it would in a workshop room without wifi.

Each defect found on the old page has a test here: Reset after picking a scenario rebuilt the
baseline; picking a scenario left moved sliders where they were; the heading kept the scenario's
name after levers were moved; chart text was 6-7 px; the "runs on Solara" badge covered the page.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
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
    with running_server(str(scenario), timeout=90) as url:
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


def open_page(browser: Browser, url: str, width: int = 1280, height: int = 720) -> tuple[Page, AssetProblems]:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    problems = AssetProblems(page)
    page.goto(url, timeout=WAIT)
    expect(heading(page)).to_contain_text("Day 0", timeout=WAIT)
    return page, problems


def map_changes(page: Page, before: str, timeout_ms: int = WAIT) -> bool:
    """True once the town map's SVG differs from `before`, polling until `timeout_ms`."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        if page.locator("svg.town-map").inner_html() != before:
            return True
        page.wait_for_timeout(200)
    return False


def heading(page: Page):
    return page.locator(".workshop h2").first


def settle(page: Page) -> None:
    """Let every asset request the page has started finish (or fail), so none escapes the check."""
    page.wait_for_load_state("networkidle", timeout=WAIT)


def pick(page: Page, label: str, option: str) -> None:
    """Choose an option in one of the page's drop-down lists."""
    page.locator(".v-select", has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def patrol_slider(page: Page):
    return page.locator(".v-input", has_text="Police patrol at the market").locator("[role=slider]")


def move_patrol(page: Page, presses: int, mix: str | None = None) -> None:
    """Open the levers drawer if needed (at `mix`'s levers in side-by-side mode) and move the
    patrol slider by keyboard."""
    if patrol_slider(page).count() == 0:
        page.get_by_role("button", name="Levers").click()
    if mix is not None:
        page.locator(".mix-pick").get_by_role("button", name=mix).click()
        expect(page.locator(".lever-drawer")).to_contain_text("Levers of mix B" if mix == "Mix B" else "Random seed")
    slider = patrol_slider(page)
    slider.focus()
    for _ in range(presses):
        slider.press("ArrowRight")
    # The browser sends a slider's value when it is idle: wait for the page's own notice.
    expect(page.get_by_text("Levers moved: press Reset")).to_be_visible(timeout=WAIT)


def rendered_font_sizes(page: Page) -> list[float]:
    """The on-screen size (px) of every text in the charts and the map key."""
    return page.evaluate(
        """() => {
        const sizes = [];
        for (const svg of document.querySelectorAll('svg.chart')) {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            for (const t of svg.querySelectorAll('text'))
                sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
        }
        for (const el of document.querySelectorAll('.map-key, .kpi-title, .kpi-detail'))
            sizes.push(parseFloat(getComputedStyle(el).fontSize));
        return sizes;
    }"""
    )


def test_page_loads_offline_is_readable_at_1280x720_and_steps(chromium: Browser, page_url: str) -> None:
    page, problems = open_page(chromium, page_url)
    expect(page).to_have_title(re.compile("open drug market"), timeout=WAIT)
    expect(heading(page)).to_contain_text("workshop-crackdown · Day 0")
    crackdown = "day 3: Police patrol at the market → 80 officer-hours/day (crackdown starts)"
    expect(page.get_by_text(crackdown)).to_be_visible()
    expect(page.locator("td", has_text="24 officer-hours/day")).to_be_visible()
    expect(page.locator(".kpi")).to_have_count(8)
    expect(page.locator(".chart")).to_have_count(4)
    # Nothing covers the page, and every word on the charts is legible from the back of a room.
    expect(page.get_by_text("runs on Solara")).to_have_count(0)
    expect(page.get_by_text("Use Threads")).to_have_count(0)
    sizes = rendered_font_sizes(page)
    assert sizes and min(sizes) >= 14, f"smallest text {min(sizes):.1f} px"
    # The map, the cards and all four charts are on the first screen at 1280x720.
    for locator in (page.locator("svg.town-map"), page.locator(".kpis"), page.locator(".chart").last):
        box = locator.bounding_box()
        assert box is not None and box["y"] + box["height"] * 0.9 <= 720, box
    before = page.locator("svg.town-map").inner_html()

    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("Day 7 ", timeout=WAIT)
    # The heading and the map are separate widgets: on a busy machine the map's new frame can reach
    # the browser a moment after the heading's, so wait for it rather than read it once.
    assert map_changes(page, before), "the town map did not change after a step"
    expect(page.locator("td", has_text="80 officer-hours/day")).to_be_visible(timeout=WAIT)  # the crackdown began
    expect(page.get_by_text(re.compile(r"Costs so far \(2024/25 prices\): £[\d.]+[mk]? in all"))).to_be_visible()
    expect(page.locator(".ticker")).to_contain_text("Last 7 days:")
    # The x axis follows the run: after a week it spans weeks, not the whole five years.
    expect(page.locator(".chart").first).to_contain_text("months")
    ticks = page.locator(".chart").first.locator("text").all_text_contents()
    assert "60" not in ticks and "1" in ticks, ticks

    page.get_by_role("button", name="Play", exact=True).click()
    expect(heading(page)).to_contain_text(re.compile(r"Day (1[4-9]|[2-9]\d|\d{3,}) "), timeout=WAIT)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled(timeout=WAIT)
    settle(page)
    assert problems.found == [], "\n".join(problems.found)


def test_reset_after_picking_a_scenario_rebuilds_that_scenario(chromium: Browser, page_url: str) -> None:
    page, problems = open_page(chromium, page_url)
    pick(page, "Scenario", "surge-overtime")
    expect(heading(page)).to_contain_text("surge-overtime · Day 0", timeout=WAIT)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("surge-overtime · Day 7 ", timeout=WAIT)
    page.get_by_role("button", name="Reset").click()
    expect(heading(page)).to_contain_text("surge-overtime · Day 0", timeout=WAIT)
    expect(page.get_by_text("Timed changes in this scenario")).to_be_visible()
    expect(page.get_by_text(re.compile(r"day 182: Police patrol at the market → 48 officer-hours/day"))).to_be_visible()
    expect(page.locator(".v-select", has_text="Scenario").first).to_contain_text("surge-overtime")
    assert problems.found == [], "\n".join(problems.found)


def test_picking_a_scenario_sets_every_lever_to_its_values(chromium: Browser, page_url: str) -> None:
    page, _ = open_page(chromium, page_url)
    move_patrol(page, 5)  # 24 -> 34 officer-hours a day
    expect(patrol_slider(page)).to_have_attribute("aria-valuenow", "34")
    pick(page, "Scenario", "surge-funded-posts")
    expect(heading(page)).to_contain_text("surge-funded-posts · Day 0", timeout=WAIT)
    expect(patrol_slider(page)).to_have_attribute("aria-valuenow", "24", timeout=WAIT)
    expect(page.get_by_text("Levers moved: press Reset")).to_have_count(0)
    page.get_by_role("button", name="Reset").click()
    expect(heading(page)).to_contain_text("surge-funded-posts · Day 0", timeout=WAIT)
    expect(page.locator("td", has_text="24 officer-hours/day")).to_be_visible()
    expect(heading(page)).not_to_contain_text("modified")


def test_a_moved_lever_marks_the_heading_and_each_browser_keeps_its_own_town(chromium: Browser, page_url: str) -> None:
    first, first_problems = open_page(chromium, page_url)
    second, second_problems = open_page(chromium, page_url)
    move_patrol(first, 3)  # 24 -> 30
    first.get_by_role("button", name="Reset").click()
    expect(heading(first)).to_contain_text("workshop-crackdown (modified) · Day 0", timeout=WAIT)
    expect(first.locator("td", has_text="Police patrol at the market (moved on the page)")).to_be_visible()
    expect(first.locator("td", has_text="30 officer-hours/day")).to_be_visible()
    first.get_by_role("button", name="Step", exact=True).click()
    expect(heading(first)).to_contain_text("Day 7 ", timeout=WAIT)
    expect(heading(second)).to_contain_text("workshop-crackdown · Day 0")
    expect(second.locator("td", has_text="24 officer-hours/day")).to_be_visible()
    settle(first)
    assert first_problems.found + second_problems.found == []


def test_side_by_side_runs_two_mixes_on_the_same_town(chromium: Browser, page_url: str) -> None:
    page, problems = open_page(chromium, page_url)
    pick(page, "Side by side with", "surge-funded-posts")
    expect(heading(page)).to_contain_text("Side by side · Day 0", timeout=WAIT)
    expect(page.locator("svg.town-map")).to_have_count(2)
    expect(page.locator(".kpi")).to_have_count(16)
    expect(page.locator(".pair h3").last).to_have_text("B: surge-funded-posts")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("Side by side · Day 7 ", timeout=WAIT)
    expect(page.locator("[data-diff]")).to_have_count(4)
    expect(page.locator("[data-diff='Cost']")).to_contain_text("B - A: ")
    # Both mixes start from the same town: the maps' deprivation ground is the same.
    grounds = page.locator("svg.town-map").evaluate_all(
        "maps => maps.map(m => Array.from(m.querySelectorAll('rect:not(.patrol)')).slice(0, 400)"
        ".map(r => r.getAttribute('fill')).join())"
    )
    assert grounds[0] == grounds[1]
    assert problems.found == [], "\n".join(problems.found)


def test_a_story_step_loads_its_scenario_and_levers_and_says_what_to_look_for(chromium: Browser, page_url: str) -> None:
    page, _ = open_page(chromium, page_url)
    pick(page, "Story step", "2. A crackdown: patrol 80 h a day")
    expect(heading(page)).to_contain_text("baseline (modified) · Day 0", timeout=WAIT)
    expect(page.locator(".story")).to_contain_text("groups recruit new sellers")
    expect(page.locator("td", has_text="80 officer-hours/day")).to_be_visible()
    # The step's prompt does not push the map's key off a 1280x720 projector screen.
    _key_fits_the_first_screen(page)


def test_side_by_side_with_a_story_step_keeps_both_map_keys_on_the_first_screen(
    chromium: Browser, page_url: str
) -> None:
    page, _ = open_page(chromium, page_url)
    pick(page, "Story step", "2. A crackdown: patrol 80 h a day")
    expect(page.locator(".story")).to_be_visible(timeout=WAIT)
    pick(page, "Side by side with", "surge-funded-posts")
    expect(heading(page)).to_contain_text("Side by side · Day 0", timeout=WAIT)
    _key_fits_the_first_screen(page)


def _key_fits_the_first_screen(page: Page) -> None:
    for key in page.locator(".map-key").all():
        box = key.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720, box


def test_the_map_shows_treatment_custody_and_sellers_by_group_with_a_readable_key(
    chromium: Browser, page_url: str
) -> None:
    page, _ = open_page(chromium, page_url)
    town = page.locator("svg.town-map")
    expect(town.locator(".site.treatment")).to_have_count(1)
    expect(town.locator(".site.custody")).to_have_count(1)
    expect(town.locator(".site.treatment text")).to_have_text("T")
    expect(town.locator(".site.custody text")).to_have_text("C")
    # Sellers of the force's high-harm groups and of other groups are drawn apart on the first day.
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("Day 7 ", timeout=WAIT)
    expect(town.locator(".seller.high-harm").first).to_be_visible(timeout=WAIT)
    expect(town.locator(".seller.other").first).to_be_visible()
    key = page.locator(".map-key")
    for item, words in (
        ("high-harm", "Sellers, high-harm group"),
        ("other", "Sellers, other groups"),
        ("warned", "Group warned at a call-in"),
        ("treatment", "Treatment service"),
        ("custody", "Custody suite"),
    ):
        entry = key.locator(f"[data-key='{item}']")
        expect(entry).to_contain_text(words)
        box = entry.bounding_box()  # on the first screen at 1280x720, at projector size
        assert box is not None and box["y"] + box["height"] <= 720, (item, box)
        assert float(entry.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
    # The services' tiles are large enough to spot: at least 16 px across on screen.
    tile = town.locator(".site.treatment rect").bounding_box()
    assert tile is not None and tile["width"] >= 16, tile


def test_mix_b_has_levers_of_its_own(chromium: Browser, page_url: str) -> None:
    page, problems = open_page(chromium, page_url)
    pick(page, "Side by side with", "surge-funded-posts")
    expect(heading(page)).to_contain_text("Side by side · Day 0", timeout=WAIT)
    move_patrol(page, 5, mix="Mix B")  # B's patrol: 24 -> 34 officer-hours a day
    expect(patrol_slider(page)).to_have_attribute("aria-valuenow", "34")
    # Mix A's drawer still shows A's own value.
    page.locator(".mix-pick").get_by_role("button", name="Mix A").click()
    expect(patrol_slider(page)).to_have_attribute("aria-valuenow", "24", timeout=WAIT)
    # Back at B, the slider is drawn afresh from the page's state: B's value has reached the server.
    page.locator(".mix-pick").get_by_role("button", name="Mix B").click()
    expect(patrol_slider(page)).to_have_attribute("aria-valuenow", "34", timeout=WAIT)
    page.get_by_role("button", name="Reset").click()
    mix_a, mix_b = page.locator("[data-mix='A']"), page.locator("[data-mix='B']")
    expect(mix_b.locator("h3")).to_have_text("B: surge-funded-posts (modified)", timeout=WAIT)
    expect(mix_b.locator(".moved")).to_have_text("Moved on the page: Police patrol at the market 34 officer-hours/day")
    expect(mix_a.locator("h3")).to_have_text("A: workshop-crackdown")
    expect(mix_a.locator(".moved")).to_have_count(0)
    # Both still run on the same town and the same seed; the difference strip stays.
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("Side by side · Day 7 ", timeout=WAIT)
    expect(page.locator("[data-diff]")).to_have_count(4)
    expect(mix_b.locator(".moved")).to_contain_text("34 officer-hours/day")
    assert problems.found == [], "\n".join(problems.found)


#: For every seller count drawn on the map: its mark's shape and size, and its glyphs' box
#: (advance width from the browser; digit height 0.72 of the font size, centred on the mark).
_COUNTS_AND_MARKS = """
() => [...document.querySelectorAll('.seller + text')].map(t => {
  const mark = t.previousElementSibling, box = mark.getBBox(), font = parseFloat(t.getAttribute('font-size'));
  return {n: t.textContent, shape: mark.tagName, cx: box.x + box.width / 2, cy: box.y + box.height / 2,
          size: box.width / 2, x: t.getBBox().x, width: t.getBBox().width, height: 0.72 * font,
          baseline: parseFloat(t.getAttribute('y')), font};
})
"""


def test_two_digit_seller_counts_stay_inside_their_marks(chromium: Browser) -> None:
    """A crowded square's "24" must not spill over its diamond or circle into the next square, alone
    in the square or beside the other kind of group (where the marks are drawn smaller)."""
    from sim.viz.townmap import town_svg
    from sim.viz.workshop import WorkshopModel

    model = WorkshopModel(rng=3)
    model.step()
    ids = model.dealers.active()
    high = model.enforcement.high_harm[model.dealers.group[ids]]
    assert high.sum() >= 10 and (~high).sum() >= 10, "the test needs two-digit counts of both kinds"
    first, second = model.town.hotspot_cells[:2]
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    try:
        for placing in ("apart", "together"):
            model.dealers.cell[ids] = np.where(high, first, second) if placing == "apart" else first
            page.set_content(f"<html><body>{town_svg(model)}</body></html>")
            drawn = page.evaluate(_COUNTS_AND_MARKS)
            assert {d["n"] for d in drawn} == {str(high.sum()), str((~high).sum())}, drawn
            for d in drawn:
                half_w, half_h = d["width"] / 2, d["height"] / 2
                dx = abs(d["x"] + half_w - d["cx"])  # the text is centred on the mark
                dy = abs(d["baseline"] - half_h - d["cy"])
                if d["shape"] == "path":  # a diamond: |x| + |y| within its half-diagonal
                    inside = dx + half_w + dy + half_h <= d["size"] + 0.5
                else:
                    inside = math.hypot(dx + half_w, dy + half_h) <= d["size"] + 0.5
                assert inside and d["font"] >= 11, (placing, d["width"], d["font"], d["size"])
    finally:
        page.close()


_BOXES = """selector => Array.from(document.querySelectorAll(selector), element => {
    const box = element.getBoundingClientRect();
    return {x: box.x, width: box.width};
})"""


def test_on_a_phone_the_page_is_one_column_with_every_card_in_view(chromium: Browser, page_url: str) -> None:
    """At a phone's 390 px the cards wrap instead of running off the right edge, and the map and
    each chart take the full width instead of a third of it."""
    page, problems = open_page(chromium, page_url, width=390, height=844)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(heading(page)).to_contain_text("Day 7 ", timeout=WAIT)
    # Boxes read in one pass in the page: the page re-renders its cards each frame, so a handle
    # taken a moment earlier may already be detached.
    cards = page.evaluate(_BOXES, ".kpi")
    assert len(cards) >= 6 and all(box["x"] + box["width"] <= 390 for box in cards), cards
    for element in ("svg.town-map", ".charts .chart"):
        boxes = page.evaluate(_BOXES, element)
        assert boxes, element
        for box in boxes:
            assert box["width"] >= 340 and box["x"] + box["width"] <= 390, (element, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    settle(page)
    assert problems.found == [], problems.found
