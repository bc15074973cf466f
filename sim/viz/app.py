"""The workshop page: a Mesa SolaraViz view of the town's open drug market.

Start it with `drugmarket viz [SCENARIO]` (or `solara run sim/viz/app.py`). Each browser that
opens the page gets its own town: the model is built inside the page component, never at module
level, where every visitor would share (and step) the same one.
"""

from __future__ import annotations

import html
import os

# Workshops are often offline. `sim.viz.serve` sets this for the server it starts (Solara reads it
# at start-up); setting it here as well covers the page being opened some other way, such as a
# notebook, as long as nothing has imported Solara yet.
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import markdown
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model.model import DrugMarketModel
from sim.viz.drawing import day_label, draw_town, draw_trends
from sim.viz.levers import LEVERS, mesa_params, shown, value_of
from sim.viz.workshop import WorkshopModel, load_named, scenario_library, starting_name

TITLE = "An open drug market in a town"

#: The scenarios on offer (file names and paths; read once, shared: they are not models).
LIBRARY = scenario_library()
START = starting_name(LIBRARY)

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

**How to use it.** *Step* moves on one week, *▶* plays and pauses. Move a lever on the left and
press *Reset* to start the town again with it; pick another scenario at the top left to compare a
policy mix. The random seed makes a run repeatable: change it to see how much is just chance.

This is a teaching model, not a forecast: its numbers come from published figures where they
exist and are stated assumptions where they do not (see docs/trainer-guide.md).
"""

#: Layout tweaks: figures shrink to their column, and slider labels sit above their slider
#: (Mesa's sliders put the label inline, which squeezes the slider to nothing for long labels).
CSS = """
.town-dashboard img { width: 100%; height: auto; }
.town-dashboard h2 { margin: 0 0 6px 0; }
.town-dashboard strong { font-weight: 700; }
.town-dashboard table { border-collapse: collapse; margin-top: 8px; }
.town-dashboard th, .town-dashboard td { border-bottom: 1px solid #dee2e6; padding: 3px 10px; text-align: left; }
.town-dashboard td:last-child { white-space: nowrap; }
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-label { flex: 1 0 100%; max-width: 100%; white-space: normal; height: auto;
  margin-bottom: 4px; }
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-input__slider .v-slider { margin-top: 34px; }
"""


def Prose(text: str) -> solara.Element:  # noqa: N802 (Solara components are CamelCase)
    """Markdown rendered here rather than by solara.Markdown, whose browser side fetches a maths
    typesetter (KaTeX) that solara-assets does not ship: offline, that fails in the console."""
    return solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]))


@solara.component
def Dashboard(model: DrugMarketModel) -> None:  # noqa: N802 (Solara components are CamelCase)
    """The main panel: the scenario and where the run has got to, the town map beside the trends,
    then the text."""
    update_counter.get()  # redraw whenever Mesa's controls step the model
    with solara.Column(classes=["town-dashboard"], style={"padding": "0 12px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(f"{model.params.name} · {day_label(model)}"))
        with solara.Columns([4, 5]):
            solara.FigureMatplotlib(draw_town(model), format="png", dpi=130)
            solara.FigureMatplotlib(draw_trends(model), format="png", dpi=130)
        with solara.Columns([10, 11]):
            Prose(INTRO)
            Prose(levers_in_force(model))


def levers_in_force(model: DrugMarketModel) -> str:
    """The levers as the model has them now (a timed change shows once it has come into force)."""
    params = model.params
    lines = [f"**Scenario: {html.escape(params.name)}.** {html.escape(params.description)}", ""]
    lines += [costs_so_far(model), ""]
    lines += ["| Lever | Now |", "|---|---|"]
    for lever in LEVERS.values():
        lines.append(f"| {lever.label} | {html.escape(shown(lever.path, value_of(params, lever.path)))} |")
    if params.events:
        lines += ["", "**Timed changes in this scenario:**", ""]
    for change in params.events:
        levers = ", ".join(f"{path} → {in_words(value)}" for path, value in change.set.items())
        note = f" ({change.note})" if change.note else ""
        lines.append(f"- day {change.day}: {html.escape(levers + note)}")
    return "\n".join(lines)


#: What each agency's costs are called in the costs sentence, and the cost columns they sum.
COSTS: dict[str, tuple[str, ...]] = {
    "police officers": ("cost_police",),
    "custody": ("cost_custody",),
    "prosecution and courts": ("cost_prosecution", "cost_courts"),
    "prison": ("cost_prison",),
    "treatment": ("cost_treatment",),
    "naloxone": ("cost_naloxone",),
    "emergency care": ("cost_emergency",),
}


def cost_breakdown(model: DrugMarketModel) -> dict[str, float]:
    """What the run has cost each agency so far (GBP), in the order the sentence names them."""
    daily = model.record.frame(model.params.start_date)
    return {words: float(daily[list(columns)].to_numpy().sum()) for words, columns in COSTS.items()}


def costs_so_far(model: DrugMarketModel) -> str:
    """One sentence: what the run has cost so far, in all and by agency."""
    if model.record.days_recorded == 0:
        return "**Costs so far:** none yet (the run has not started)."
    parts = ", ".join(f"{words} {money(amount)}" for words, amount in cost_breakdown(model).items())
    total = model.record.frame(model.params.start_date)["cost_total"].sum()
    return f"**Costs so far** (2024/25 prices): {money(total)} in all: {parts}."


def money(amount: float) -> str:
    """'£1.2m', '£340k', '£900' for the costs sentence."""
    if amount >= 1e6:
        return f"£{amount / 1e6:.1f}m"
    if amount >= 1e4:
        return f"£{amount / 1e3:.0f}k"
    return f"£{amount:,.0f}"


def in_words(value: object) -> str:
    """A timed change's value in words: yes/no for a switch, a custody drug workers' rota as its shifts."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and value and all(isinstance(v, dict) and "start_hour" in v for v in value):
        return "; ".join(shift_in_words(v) for v in value)
    return str(value)


def shift_in_words(shift: dict) -> str:
    """'1 worker 10:00-18:00 every day' for one shift of a rota."""
    start, hours = float(shift["start_hour"]), float(shift.get("hours", 8))
    workers = int(shift.get("workers", 1))
    days = "every day" if shift.get("weekends", False) else "weekdays"
    return f"{workers} worker{'s' if workers != 1 else ''} {clock(start)}-{clock(start + hours)} {days}"


def clock(hour: float) -> str:
    """'16:00', '09:30' for an hour of the day (past midnight wraps round)."""
    minutes = round(hour * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@solara.component
def Page() -> None:  # noqa: N802
    """One town per browser session; picking a scenario builds a new town and resets the levers."""
    chosen = solara.use_reactive(START)
    scenario = solara.use_memo(lambda: load_named(chosen.value, LIBRARY), [chosen.value])
    first = solara.use_memo(lambda: WorkshopModel(scenario_name=chosen.value), [chosen.value])
    model = solara.use_reactive(first)  # Mesa's Reset puts a new town in here
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario", values=list(LIBRARY), value=chosen)
        solara.Text(scenario.description or "")
    # Keyed by scenario, so picking one remounts Mesa's controls with that scenario's lever values.
    SolaraViz(
        model,
        components=[],  # the main panel is laid out below, full width, rather than in Mesa's grid
        model_params=mesa_params(scenario, chosen.value),
        name=TITLE,
        play_interval=150,
        render_interval=7,
    ).key(f"viz-{chosen.value}")
    Dashboard(model.value)
