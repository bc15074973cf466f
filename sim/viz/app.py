"""The workshop page: the town's open drug market, live, for a room of twenty.

Start it with `drugmarket viz [SCENARIO]`. A custom Solara page rather than Mesa's SolaraViz:
SolaraViz keeps its own copy of the model's inputs, so a Reset after picking another scenario
rebuilt the first one and sliders kept values the model no longer had; and it redraws every
component every frame. Here the page owns one set of inputs (scenario, seed, levers): picking a
scenario sets every lever to that file's values, and Reset always rebuilds the scenario shown.

Each browser that opens the page gets its own town: the model is built inside the page
component, never at module level, where every visitor would share (and step) the same one.
"""

from __future__ import annotations

import html
import os
import threading
import time
from typing import Any, cast

# Workshops are often offline. `sim.viz.serve` sets this for the server it starts (Solara reads it
# at start-up); setting it here as well covers the page being opened some other way.
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import markdown
import solara

from sim.model.model import DrugMarketModel
from sim.viz.drawing import CHARTS, chart_svg, day_label
from sim.viz.kpis import cards_html, difference, ticker
from sim.viz.levers import LEVERS, mesa_params, shown, value_of
from sim.viz.story import STEPS, levers_in_force, moved_in_words
from sim.viz.townmap import map_key_html, town_background, town_svg
from sim.viz.workshop import WorkshopModel, load_named, scenario_library, starting_name

TITLE = "An open drug market in a town"

#: The scenarios on offer (file names and paths; read once, shared: they are not models).
LIBRARY = scenario_library()
START = starting_name(LIBRARY)

#: Days simulated per frame, by the name the speed picker shows.
SPEEDS = {"a day a frame": 1, "a week a frame": 7, "four weeks a frame": 28}
DEFAULT_SPEED = "a week a frame"
#: Shortest time between frames while playing (s): slow enough for the browser to keep up.
FRAME_GAP = 0.05
#: The levers drawer's choice in side-by-side mode: whose levers it shows.
MIXES = ("Mix A", "Mix B")

INTRO = """
**What you are looking at.** A simulated English town, day by day. About two thousand people with
dependent use of opiates and/or crack, about two in five of them in treatment, buy from about
seventy-five street sellers at a few market hotspots. A police drug team patrols the market and
arrests sellers; groups replace the sellers they lose while selling pays, and sellers under
pressure move next door. Hours the team's rosters cannot cover are offered as overtime, and long
hours tire officers out. Arrested people may be diverted to treatment, charged, or sent to prison;
treatment needs keyworkers in post to take people on. Overdoses are likeliest when tolerance is
low (after prison, after leaving treatment) and purity high; naloxone at hand turns many would-be
deaths into survivals.

**How to use it.** *Step* moves on one frame (a week unless you change the speed), *Play* runs
and *Pause* stops. Open *Levers*, move one and press *Reset* to start the town again with it;
pick another scenario to load its policy mix (every lever is set to that file's values). The
random seed makes a run repeatable: change it to see how much is just chance. *Side by side
with* runs a second mix (B) on the same town and random numbers; in the levers drawer, *Mix B*
shows B's own levers.

This is a teaching model, not a forecast: its numbers come from published figures where they
exist and are stated assumptions where they do not (see docs/trainer-guide.md).
"""

CSS = """
.solara-content-main, .v-main__wrap > div { padding: 0 !important; }
.workshop { padding: 6px 12px; font-size: 16px; max-width: 1600px; }
.workshop h2 { font-size: 22px; margin: 0; line-height: 1.25; }
.workshop .topbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
.workshop .topbar .v-btn { font-size: 16px; }
.workshop .ticker { font-size: 16px; margin: 0 0 2px 0; min-height: 22px; color: #222; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.workshop .pending { background: #fff3bf; padding: 2px 8px; font-size: 16px; }
.kpis { display: grid; grid-template-columns: repeat(8, 1fr); gap: 6px; margin: 4px 0; }
.kpi { border: 1px solid #bbb; border-radius: 6px; padding: 4px 8px; background: #fafafa; }
.kpi-title { font-size: 14px; color: #333; line-height: 1.2; }
.kpi-value { font-size: 28px; font-weight: 700; line-height: 1.15; }
.kpi-detail { font-size: 14px; color: #444; line-height: 1.2; }
.stage { display: grid; grid-template-columns: 34% 66%; gap: 8px; align-items: start; }
.town-map { width: 100%; height: auto; max-height: 330px; display: block; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 10px; }
.chart { width: 100%; height: auto; display: block; }
.map-key { display: grid; grid-template-columns: 1fr 1fr; gap: 0 10px; font-size: 14px; line-height: 1.3;
  margin-top: 4px; }
.map-key .key-item { white-space: nowrap; }
.map-key .mark { display: inline-block; margin-right: 4px; vertical-align: -4px; }
.lever-drawer { position: fixed; top: 66px; left: 0; bottom: 0; width: 400px; z-index: 5; background: white;
  overflow-y: auto; padding: 10px 16px; box-shadow: 4px 0 14px rgba(0,0,0,0.3); font-size: 16px; }
.lever-drawer .v-label { font-size: 16px; white-space: normal; height: auto; }
.lever-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.lever-drawer .v-input__slider .v-label { flex: 1 0 100%; max-width: 100%; margin-bottom: 4px; }
.lever-drawer .v-input__slider .v-slider { margin-top: 30px; }
.lever-drawer .v-slider__thumb-label-container { display: block !important; }
.workshop .notes { font-size: 16px; display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 10px; }
.workshop table { border-collapse: collapse; }
.workshop th, .workshop td { border-bottom: 1px solid #ccc; padding: 3px 10px; text-align: left; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.pair .panel-body { display: grid; grid-template-columns: 42% 58%; gap: 6px; align-items: start; }
.pair .kpis { grid-template-columns: repeat(2, 1fr); margin: 0; }
.pair .town-map { max-height: 360px; margin: 0 auto; }
.pair-key .map-key { grid-template-columns: repeat(4, auto); justify-content: start; }
.pair h3 { font-size: 20px; margin: 2px 0; }
.pair .moved { font-size: 15px; margin: 0 0 2px 0; color: #333; }
.lever-drawer .mix-pick { margin: 4px 0 8px 0; }
.diff { display: flex; gap: 8px; margin: 2px 0 4px 0; font-size: 17px; }
.diff span { border: 2px solid #0072B2; border-radius: 6px; padding: 2px 10px; }
.story { background: #e7f5ff; padding: 4px 10px; font-size: 17px; margin: 2px 0; }
.with-story .town-map { max-height: 240px; }
.with-story .pair .town-map { max-height: 280px; }
.with-story .pair .kpi-detail { display: none; }
/* A phone or a narrow window: one column, the cards wrap, the map and each chart full width. */
@media (max-width: 760px) {
  .workshop { padding: 4px 8px; }
  .workshop .ticker { white-space: normal; }
  .kpis, .pair .kpis { grid-template-columns: repeat(auto-fill, minmax(108px, 1fr)); }
  .kpi-value { font-size: 24px; }
  .stage, .charts, .pair, .pair .panel-body, .workshop .notes { grid-template-columns: 100%; }
  .town-map, .pair .town-map, .with-story .town-map, .with-story .pair .town-map { max-height: none; }
  .pair-key .map-key { grid-template-columns: 1fr 1fr; }
  .map-key .key-item { white-space: normal; }
  .lever-drawer { width: 100vw; }
  .workshop table { display: block; overflow-x: auto; }
}
"""


def Prose(text: str) -> solara.Element:  # noqa: N802 (Solara components are CamelCase)
    """Markdown rendered here rather than by solara.Markdown, whose browser side fetches a maths
    typesetter (KaTeX) that solara-assets does not ship: offline, that fails in the console."""
    return solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]))


def scenario_levers(name: str) -> dict[str, Any]:
    """Every lever at the named scenario file's value."""
    scenario = load_named(name, LIBRARY)
    return {key: value_of(scenario, lever.path) for key, lever in LEVERS.items()}


class Session:
    """One browser's town: the model, the inputs it was built with, and a lock so the play thread
    and the page never read a half-stepped day."""

    def __init__(self, scenario_name: str, seed: str, levers: dict[str, Any]) -> None:
        self.scenario_name = scenario_name
        self.seed = seed
        self.levers = dict(levers)
        self.model = WorkshopModel(scenario_name, rng=seed, **levers)
        self.moved = [key for key, value in levers.items() if value != scenario_levers(scenario_name)[key]]
        self.background = town_background(self.model)
        self.lock = threading.Lock()

    def advance(self, days: int) -> None:
        with self.lock:
            for _ in range(days):
                if not self.model.running:
                    break
                self.model.step()


def heading(session: Session) -> str:
    """'surge-overtime · Day 7 ...', with '(modified: patrol ...)' once levers differ from the file."""
    name = session.scenario_name
    if session.moved:
        name += " (modified)"
    return f"{name} · {day_label(session.model)}"


def panel_title(session: Session) -> str:
    """A side-by-side panel's title: the mix's scenario, '(modified)' once its levers differ."""
    return session.scenario_name + (" (modified)" if session.moved else "")


@solara.component
def LeverInputs(  # noqa: N802
    levers: solara.Reactive[dict], seed: solara.Reactive[str] | None, scenario_name: str
) -> None:
    """The levers, as the scenario file sets them until the trainer moves one; the seed box unless
    `seed` is None (mix B runs on mix A's seed: the same random numbers)."""
    specs = mesa_params(load_named(scenario_name, LIBRARY), scenario_name)

    def setter(key: str):
        return lambda value: levers.set({**levers.value, key: value})

    if seed is not None:
        solara.InputText("Random seed (another number, another run)", value=seed)
    for key in LEVERS:
        spec, value = specs[key], levers.value[key]
        if spec["type"] == "Checkbox":
            solara.Checkbox(label=spec["label"], value=bool(value), on_value=setter(key))
        elif spec["type"] == "Select":
            solara.Select(spec["label"], values=spec["values"], value=value, on_value=setter(key))
        elif spec["type"] == "SliderInt":
            solara.SliderInt(spec["label"], value=int(value), min=spec["min"], max=spec["max"], step=spec["step"],
                             on_value=setter(key), thumb_label="always")  # fmt: skip
        else:
            solara.SliderFloat(spec["label"], value=float(value), min=spec["min"], max=spec["max"],
                               step=spec["step"], on_value=setter(key), thumb_label="always")  # fmt: skip


@solara.component
def Live(session: Session, frame: solara.Reactive[int]) -> None:  # noqa: N802
    """Everything that changes as the town runs: heading, ticker, KPI cards, map and charts."""
    frame.value  # noqa: B018 (read to redraw on every frame)
    with session.lock:
        model = session.model
        head = heading(session)
        words = ticker(model)
        kpis = cards_html(model)
        town = town_svg(model, session.background)
        charts = "".join(chart_svg(model, chart) for chart in CHARTS)
        in_force = levers_in_force(model, session.moved)
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(head))
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(words), classes=["ticker"])
    solara.HTML(tag="div", unsafe_innerHTML=kpis)
    with solara.Div(classes=["stage"]):
        solara.HTML(tag="div", unsafe_innerHTML=town + map_key_html())
        solara.HTML(tag="div", unsafe_innerHTML=charts, classes=["charts"])
    with solara.Div(classes=["notes"]):
        Prose(INTRO)
        Prose(in_force)


@solara.component
def SideBySide(left: Session, right: Session, frame: solara.Reactive[int]) -> None:  # noqa: N802
    """Two mixes on the same town and the same random numbers: their maps and cards next to each
    other, and what mix B has done differently so far."""
    frame.value  # noqa: B018 (read to redraw on every frame)
    with left.lock, right.lock:
        strip = "".join(
            f"<span data-diff='{html.escape(what)}'><b>{html.escape(what)}</b> B - A: {html.escape(words)}</span>"
            for what, _, words in difference(left.model, right.model)
        )
        panels = [
            (
                panel_title(s),
                moved_in_words(s.model, s.moved, s.levers),
                cards_html(s.model),
                town_svg(s.model, s.background),
            )
            for s in (left, right)
        ]
        words = ticker(left.model)
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(f"Side by side · {day_label(left.model)}"))
    solara.HTML(tag="div", unsafe_innerHTML=html.escape(words), classes=["ticker"])
    solara.HTML(tag="div", unsafe_innerHTML="<b>Difference so far:</b>" + strip, classes=["diff"])
    with solara.Div(classes=["pair"]):
        for (title, moved, kpis, town), letter in zip(panels, "AB", strict=True):
            note = f"<div class='moved'>{html.escape(moved)}</div>" if moved else ""
            body = f"<h3>{letter}: {html.escape(title)}</h3>{note}<div class='panel-body'>{kpis}{town}</div>"
            solara.HTML(tag="div", unsafe_innerHTML=f"<div data-mix='{letter}'>{body}</div>")
    solara.HTML(tag="div", unsafe_innerHTML=map_key_html(), classes=["pair-key"])


@solara.component
def Page() -> None:  # noqa: N802
    """One town per browser session; picking a scenario sets every lever to its values."""
    chosen = solara.use_reactive(START)
    levers = solara.use_reactive(solara.use_memo(lambda: scenario_levers(START), []))
    seed = solara.use_reactive(solara.use_memo(lambda: str(load_named(START, LIBRARY).seed), []))
    session = solara.use_reactive(solara.use_memo(lambda: Session(START, seed.value, levers.value), []))
    frame = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    drawer = solara.use_reactive(False)
    story = solara.use_reactive("")
    versus = solara.use_reactive("")  # mix B's scenario for side by side ("" = one town)
    levers_b = solara.use_reactive(cast(dict[str, Any], {}))  # mix B's own levers
    other = solara.use_reactive(cast(Session | None, None))
    editing = solara.use_reactive(MIXES[0])  # which mix the levers drawer shows

    def rebuild(name: str, new_seed: str, new_levers: dict[str, Any]) -> None:
        """Both towns start again: mix A from its inputs, mix B (if any) from its own levers on the same seed."""
        playing.set(False)
        session.set(Session(name, new_seed, new_levers))
        other.set(Session(versus.value, new_seed, levers_b.value) if versus.value else None)
        frame.set(frame.value + 1)

    def compare(name: str) -> None:
        """Side by side: mix B from the named scenario (every B lever at its values), on the same
        seed; both start again."""
        versus.set(name)
        levers_b.set(scenario_levers(name) if name else {})
        editing.set(MIXES[0])
        rebuild(chosen.value, seed.value, levers.value)

    def pick(name: str) -> None:
        """A scenario picked: its levers and seed, and a fresh town built from them."""
        fresh, fresh_seed = scenario_levers(name), str(load_named(name, LIBRARY).seed)
        chosen.set(name)
        levers.set(fresh)
        seed.set(fresh_seed)
        story.set("")
        rebuild(name, fresh_seed, fresh)

    def reset() -> None:
        rebuild(chosen.value, seed.value, levers.value)

    def step() -> None:
        for town in (session.value, other.value):
            if town is not None:
                town.advance(SPEEDS[speed.value])
        frame.set(frame.value + 1)

    def take_step(title: str) -> None:
        """A story step: its scenario and levers, a fresh town, and what to look for."""
        chapter = STEPS[title]
        fresh = {**scenario_levers(chapter.scenario), **chapter.levers}
        fresh_seed = str(load_named(chapter.scenario, LIBRARY).seed)
        chosen.set(chapter.scenario)
        levers.set(fresh)
        seed.set(fresh_seed)
        story.set(title)
        rebuild(chapter.scenario, fresh_seed, fresh)

    def play(cancel: threading.Event) -> None:
        if not playing.value:
            return
        current, second = session.value, other.value
        # Stop as soon as Pause is pressed, not only when the thread is cancelled after the next render:
        # a frame set while that render runs would start another render, and so on without end.
        while not cancel.is_set() and playing.value:
            started = time.monotonic()
            current.advance(SPEEDS[speed.value])
            if second is not None:
                second.advance(SPEEDS[speed.value])
            frame.set(frame.value + 1)
            if not current.model.running:
                playing.set(False)
                return
            cancel.wait(max(0.0, FRAME_GAP - (time.monotonic() - started)))

    solara.use_thread(play, dependencies=[playing.value, session.value, other.value], intrusive_cancel=False)

    pending = levers.value != session.value.levers or seed.value != session.value.seed
    pending = pending or (other.value is not None and levers_b.value != other.value.levers)
    solara.Title(TITLE)
    solara.Style(CSS)
    # With a story step's prompt showing, the maps shrink so their keys stay on a projector's first screen.
    with solara.Column(classes=["workshop", "with-story"] if story.value else ["workshop"], gap="2px"):
        with solara.Row(classes=["topbar"], gap="8px"):
            solara.Button("Levers", icon_name="mdi-tune", on_click=lambda: drawer.set(not drawer.value),
                          outlined=not drawer.value)  # fmt: skip
            solara.Select("Scenario", values=list(LIBRARY), value=chosen.value, on_value=pick,
                          style={"max-width": "210px"})  # fmt: skip
            solara.Button("Step", on_click=step, disabled=playing.value, color="primary")
            if playing.value:
                solara.Button("Pause", icon_name="mdi-pause", on_click=lambda: playing.set(False), color="primary")
            else:
                solara.Button("Play", icon_name="mdi-play", on_click=lambda: playing.set(True), color="primary")
            solara.Button("Reset", on_click=reset, color="primary", outlined=True)
            solara.Select("Speed", values=list(SPEEDS), value=speed, style={"max-width": "160px"})
            solara.Select("Story step", values=["", *STEPS], value=story.value, on_value=take_step_or_clear(
                take_step, story), style={"max-width": "210px"})  # fmt: skip
            solara.Select("Side by side with", values=["", *LIBRARY], value=versus.value, on_value=compare,
                          style={"max-width": "200px"})  # fmt: skip
            if pending:
                solara.HTML(tag="span", unsafe_innerHTML="Levers moved: press Reset to start the town with them",
                            classes=["pending"])  # fmt: skip
        if story.value:
            solara.HTML(tag="div", unsafe_innerHTML=STEPS[story.value].html(), classes=["story"])
        if other.value is not None:
            SideBySide(session.value, other.value, frame)
        else:
            Live(session.value, frame)
    if drawer.value:
        with solara.Column(classes=["lever-drawer"]):
            with solara.Row():
                solara.HTML(tag="h3", unsafe_innerHTML="Levers")
                solara.Button("Close", on_click=lambda: drawer.set(False), text=True)
            mix_b = bool(versus.value) and editing.value == MIXES[1]
            if versus.value:
                solara.ToggleButtonsSingle(value=editing, values=list(MIXES), classes=["mix-pick"])
            shown_name = versus.value if mix_b else chosen.value
            solara.HTML(tag="p", unsafe_innerHTML="Move a lever, then press <b>Reset</b> to start the town with it.")
            if mix_b:
                solara.HTML(tag="p", unsafe_innerHTML=f"Levers of mix B ({html.escape(versus.value)}); it runs on "
                            "mix A's seed, so both mixes meet the same chance events.")  # fmt: skip
                LeverInputs(levers_b, None, versus.value).key(f"levers-b-{versus.value}")
            else:
                LeverInputs(levers, seed, chosen.value).key(f"levers-{chosen.value}")
            # The scenario's own words after the levers, so the levers are on the drawer's first screen.
            solara.HTML(tag="h4", unsafe_innerHTML=f"About {html.escape(shown_name)}")
            solara.Text(load_named(shown_name, LIBRARY).description or "")


def take_step_or_clear(take_step, story: solara.Reactive[str]):
    """The story picker's handler: a step taken, or the blank choice clears the story box."""

    def handler(title: str) -> None:
        if title:
            take_step(title)
        else:
            story.set("")

    return handler


def lever_words(model: DrugMarketModel) -> dict[str, str]:
    """Each lever's value in force now, in words (for tests and the levers table)."""
    return {key: shown(lever.path, value_of(model.params, lever.path)) for key, lever in LEVERS.items()}
