"""The town's mechanisms: the agent-based model itself.

`DrugMarketModel` (model.py) owns the order of the day; each actor lives in its own module:
the grid and hotspots (town), the market (market), people who use drugs (people), sellers
(dealers), the police drug team and its workforce (police, workforce), focused deterrence
(deterrence), treatment services (treatment), custody, the justice pathway and prison (custody,
justice, prison) and costs by agency (costs). `params` declares how a parameter is written;
`outcomes` keeps the daily table and event log. Nothing here reads files or knows about
scenarios on disk: the planner's tools hand the model a validated `Scenario`.
"""

from sim.model.model import DrugMarketModel

__all__ = ["DrugMarketModel"]
