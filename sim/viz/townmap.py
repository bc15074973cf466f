"""The town map as light SVG: deprivation, hotspots, patrol, the treatment service and the custody
suite, sellers by their group, and recent overdoses at home.

The model keeps people, sellers and patrol as numpy arrays (not Mesa agents on a Mesa space), so
the page draws them itself. Every kind of mark differs by shape as well as colour (Okabe-Ito
colours, Okabe & Ito 2008), so the map reads with the common forms of colour blindness and on a
washed-out projector.
"""

from __future__ import annotations

import html
import math
from collections import Counter

import numpy as np

from sim.model.events import Event
from sim.model.model import DrugMarketModel
from sim.viz.drawing import BLACK, BLUE, FONT, GREEN, ORANGE, PURPLE, VERMILLION, YELLOW

#: How far back the map shows overdoses (days): recent enough to see where harm is now.
RECENT_DAYS = 28
#: Patrol hours in a cell that draw it fully blue; more still draws the same.
PATROL_FULL = 8.0
#: Pixels per map cell in the SVG's own units (the map is scaled to its box on the page).
CELL = 26
#: A margin round the town (map units), so marks on its edge streets are drawn whole.
EDGE = 8

PATROL, HOTSPOT = BLUE, ORANGE
HIGH_HARM, OTHER_GROUP = VERMILLION, YELLOW
DEATH, REVERSED, SURVIVED = BLACK, GREEN, PURPLE
#: The services' symbols: a white tile with a letter (and the name as a tooltip).
SITES = (("treatment", "T", GREEN, "Treatment"), ("custody", "C", BLACK, "Custody"))
#: Text on the map, in the map's own units (about 0.7 px each at 1280x720, so 20 shows at 14 px).
LABEL = 20


def town_background(model: DrugMarketModel) -> str:
    """Deprivation shading, drawn once per town (it never changes during a run)."""
    town = model.town
    shade = town.deprivation[town.neighbourhood]
    lo, hi = float(shade.min()), float(shade.max())
    parts = []
    for cell in range(town.n_cells):
        level = (shade[cell] - lo) / (hi - lo) if hi > lo else 0.5
        grey = int(245 - 110 * level)
        parts.append(
            f"<rect x='{town.x[cell] * CELL}' y='{town.y[cell] * CELL}' width='{CELL}' height='{CELL}' "
            f"fill='rgb({grey},{grey},{grey})'/>"
        )
    return "".join(parts)


def town_svg(model: DrugMarketModel, background: str | None = None) -> str:
    """The town map: deprivation, patrol, hotspots, services, sellers and recent overdoses at home."""
    town = model.town
    w, h = town.width * CELL + 2 * EDGE, town.height * CELL + 2 * EDGE
    out = [f"<svg viewBox='{-EDGE} {-EDGE} {w} {h}' class='town-map' role='img' aria-label='Map of the town' {FONT}>"]
    out.append(background if background is not None else town_background(model))
    patrol = getattr(model, "patrol", np.zeros(town.n_cells))
    for cell in np.flatnonzero(patrol > 0.05):
        opacity = 0.3 + 0.55 * min(float(patrol[cell]) / PATROL_FULL, 1.0)
        out.append(
            f"<rect class='patrol' x='{town.x[cell] * CELL}' y='{town.y[cell] * CELL}' width='{CELL}' "
            f"height='{CELL}' fill='{PATROL}' fill-opacity='{opacity:.2f}'/>"
        )
    for cell in town.hotspot_cells:
        out.append(
            f"<rect x='{town.x[cell] * CELL + 2}' y='{town.y[cell] * CELL + 2}' width='{CELL - 4}' "
            f"height='{CELL - 4}' fill='none' stroke='{HOTSPOT}' stroke-width='3.5'/>"
        )
    out.extend(_sites(model))
    out.extend(_sellers(model))
    out.extend(_recent_overdoses(model))
    out.append("</svg>")
    return "".join(out)


def _sites(model: DrugMarketModel) -> list[str]:
    """The treatment service and the custody suite: a lettered tile each (the key names them).

    The model gives them no location; `Town.service_sites` places them by a stated assumption.
    """
    town = model.town
    marks = []
    for cell, (kind, letter, colour, name) in zip(town.service_sites(), SITES, strict=True):
        x, y = int(town.x[cell]) * CELL, int(town.y[cell]) * CELL
        marks.append(
            f"<g class='site {kind}'><rect x='{x - 2}' y='{y - 2}' width='{CELL + 4}' height='{CELL + 4}' rx='4' "
            f"fill='white' stroke='{BLACK}' stroke-width='2.5'/>"
            f"<text x='{x + CELL / 2}' y='{y + CELL / 2 + 7}' text-anchor='middle' font-size='{LABEL}' "
            f"font-weight='800' fill='{colour}'>{letter}</text><title>{name}</title></g>"
        )
    return marks


def _sellers(model: DrugMarketModel) -> list[str]:
    """Sellers by group: a diamond for the force's high-harm groups, a circle for the rest, with
    how many stand there; a dashed ring when their group has been warned at a call-in."""
    town, dealers = model.town, model.dealers
    ids = dealers.active()
    groups, cells = dealers.group[ids], dealers.cell[ids]
    high = model.enforcement.high_harm[groups]
    today = model.record.days_recorded - 1
    warned = model.deterrence.group_warned_until[groups] >= today if today >= 0 else np.zeros(ids.size, bool)
    marks = []
    kinds = ((high, "high-harm"), (~high, "other"))
    counts = {kind: np.bincount(cells[mask], minlength=town.n_cells) for mask, kind in kinds}
    rings = {kind: np.bincount(cells[mask & warned], minlength=town.n_cells) for mask, kind in kinds}
    both = (counts["high-harm"] > 0) & (counts["other"] > 0)
    for kind, shift in (("other", 0.42), ("high-harm", -0.42)):
        for cell in np.flatnonzero(counts[kind]):
            n = int(counts[kind][cell])
            # Two kinds in one square stand side by side, smaller, so neither hides the other's number.
            offset = shift * CELL if both[cell] else 0.0
            cx, cy = (town.x[cell] + 0.5) * CELL + offset, (town.y[cell] + 0.5) * CELL
            r = min(11.0, 6.5 + 1.6 * n) if both[cell] else min(CELL * 0.44, 7 + 2.2 * n)
            if rings[kind][cell]:
                marks.append(
                    f"<circle class='warned' cx='{cx:.1f}' cy='{cy:.1f}' r='{r + 4:.1f}' fill='none' "
                    f"stroke='{BLACK}' stroke-width='2.5' stroke-dasharray='4 2'/>"
                )
            # A diamond's half-diagonal, a circle's radius: what a count must fit inside.
            reach = r * 1.15 if kind == "high-harm" else r
            if kind == "high-harm":
                d = reach
                marks.append(
                    f"<path class='seller high-harm' d='M{cx:.1f},{cy - d:.1f}L{cx + d:.1f},{cy:.1f}L{cx:.1f},"
                    f"{cy + d:.1f}L{cx - d:.1f},{cy:.1f}Z' fill='{HIGH_HARM}' stroke='white' stroke-width='1.5'/>"
                )
            else:
                marks.append(
                    f"<circle class='seller other' cx='{cx:.1f}' cy='{cy:.1f}' r='{r:.1f}' fill='{OTHER_GROUP}' "
                    f"stroke='{BLACK}' stroke-width='1.2'/>"
                )
            if n >= 2:
                ink = "white" if kind == "high-harm" else BLACK
                font = _count_size(len(str(n)), reach, diamond=kind == "high-harm")
                marks.append(
                    f"<text class='count' x='{cx:.1f}' y='{cy + DIGIT_HEIGHT / 2 * font:.1f}' text-anchor='middle' "
                    f"font-size='{font:.1f}' font-weight='700' fill='{ink}'>{n}</text>"
                )
    return marks


#: Bold digits' width and height as shares of the font size (DejaVu Sans Bold, the usual fallback
#: for system-ui on Linux, is 0.70 wide; most sans-serif faces are narrower).
DIGIT_WIDTH, DIGIT_HEIGHT = 0.7, 0.72


def _count_size(digits: int, size: float, *, diamond: bool) -> float:
    """The largest font (up to 17 px, readable across a room) at which a count of `digits` digits
    stays inside its mark: a circle of radius `size`, or a diamond of half-diagonal `size`, so a
    crowded square's "12" does not spill over the mark into the next square."""
    half_width, half_height = DIGIT_WIDTH * digits / 2, DIGIT_HEIGHT / 2
    fits = size / (half_width + half_height) if diamond else size / math.hypot(half_width, half_height)
    return min(17.0, fits)


def _recent_overdoses(model: DrugMarketModel) -> list[str]:
    """One mark per overdose in the last four weeks, scattered inside the person's home cell."""
    since = model.record.days_recorded - RECENT_DAYS
    town, home = model.town, model.people.home
    died, _ = model.log.since(Event.OVERDOSE_DEATH, since)
    reversed_, _ = model.log.since(Event.NALOXONE_REVERSAL, since)
    overdosed, _ = model.log.since(Event.OVERDOSE, since)
    # Overdoses that were neither reversed nor fatal (a person may overdose more than once).
    left = Counter(overdosed.tolist())
    left.subtract(died.tolist())
    left.subtract(reversed_.tolist())
    survived = np.array([pid for pid, n in left.items() for _ in range(n)], dtype=np.int64)
    # A fixed scatter per person, so a mark stays put from one frame to the next.
    jitter = np.random.default_rng(0).uniform(-0.36, 0.36, size=(2, 4096))
    marks = []
    for ids, kind in ((survived, "survived"), (reversed_, "reversed"), (died, "died")):
        cells = home[ids]
        xs = (town.x[cells] + 0.5 + jitter[0, ids % 4096]) * CELL
        ys = (town.y[cells] + 0.5 + jitter[1, ids % 4096]) * CELL
        for x, y in zip(xs, ys, strict=True):
            if kind == "died":
                marks.append(
                    f"<path class='died' d='M{x - 6:.0f},{y - 6:.0f}L{x + 6:.0f},{y + 6:.0f}M{x - 6:.0f},"
                    f"{y + 6:.0f}L{x + 6:.0f},{y - 6:.0f}' stroke='{DEATH}' stroke-width='4'/>"
                )
            else:
                colour = REVERSED if kind == "reversed" else SURVIVED
                marks.append(
                    f"<circle class='{kind}' cx='{x:.0f}' cy='{y:.0f}' r='4.5' fill='{colour}' stroke='white'/>"
                )
    return marks


def _mark(shape: str) -> str:
    """A legend symbol drawn as on the map (16 px inline SVG)."""
    return f"<svg class='mark' width='18' height='18' viewBox='0 0 18 18'>{shape}</svg>"


_TILE = f"<rect x='1' y='1' width='16' height='16' rx='3' fill='white' stroke='{BLACK}' stroke-width='1.5'/>"
_LETTER = "<text x='9' y='14' text-anchor='middle' font-size='13' font-weight='800' fill='{}'>{}</text>"
_BOX = f"<rect x='2' y='2' width='14' height='14' fill='none' stroke='{HOTSPOT}' stroke-width='3'/>"
_RING = f"<circle cx='9' cy='9' r='7' fill='none' stroke='{BLACK}' stroke-width='2' stroke-dasharray='4 2'/>"

#: The map's key: (data-key, symbol, words). Short words, so the key fits under the map at 1280x720.
MAP_KEY: tuple[tuple[str, str, str], ...] = (
    ("high-harm", f"<path d='M9,1L17,9L9,17L1,9Z' fill='{HIGH_HARM}'/>", "Sellers, high-harm group"),
    ("other", f"<circle cx='9' cy='9' r='7' fill='{OTHER_GROUP}' stroke='{BLACK}'/>", "Sellers, other groups"),
    ("warned", _RING, "Group warned at a call-in"),
    ("hotspot", _BOX, "Known market hotspot"),
    ("patrol", f"<rect x='1' y='1' width='16' height='16' fill='{PATROL}' fill-opacity='0.7'/>", "Police patrol today"),
    ("treatment", _TILE + _LETTER.format(GREEN, "T"), "Treatment service"),
    ("custody", _TILE + _LETTER.format(BLACK, "C"), "Custody suite"),
    ("survived", f"<circle cx='9' cy='9' r='6' fill='{SURVIVED}'/>", "Overdose survived (4 wk)"),
    ("reversed", f"<circle cx='9' cy='9' r='6' fill='{REVERSED}'/>", "Reversed with naloxone"),
    ("died", f"<path d='M3,3L15,15M3,15L15,3' stroke='{DEATH}' stroke-width='3.5'/>", "Overdose death"),
)


def map_key_html() -> str:
    """The map's key as HTML (large text, two columns under the map)."""
    items = [
        f"<span class='key-item' data-key='{key}'>{_mark(shape)}{html.escape(words)}</span>"
        for key, shape, words in MAP_KEY
    ]
    items.append("<span class='key-item' data-key='ground'>Darker ground: more deprived</span>")
    return "<div class='map-key'>" + "".join(items) + "</div>"
