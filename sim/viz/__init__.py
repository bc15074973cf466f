"""The trainers' browser visualisation: a Solara page of the town for a workshop room.

`app` is the page; `workshop` runs the model as the page shows it (a named scenario, the page's
levers, a day-by-day view); `levers` reads the movable levers from the schema; `kpis` gives the
headline cards; `townmap` and `drawing` draw the map and the trend charts as light SVG; `story`
puts the levers in force, the costs and the story steps into words; `launch` starts the server
without needing the internet. `serve` starts it; importing this package does not import Solara,
so the command line stays quick.
"""

from sim.viz.launch import offline_problems, serve

__all__ = ["offline_problems", "serve"]
