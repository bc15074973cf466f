"""The trainers' browser visualisation: a Solara page of the town (`sim/viz/app.py`).

`serve` starts it; importing this package does not import Solara, so the command line stays quick.
"""

from sim.viz.launch import offline_problems, serve

__all__ = ["offline_problems", "serve"]
