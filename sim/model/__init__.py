"""The town's mechanisms: the agent-based model itself.

`DrugMarketModel` (model.py) owns the order of the day, and `context` what every mechanism shares
(random streams by purpose, keyed to individuals; the event log in `events`; the daily record; the
calendar). `rows` is the growable per-individual table that `people`, `dealers`, `officers` and the
case register (`cases`) are built on, and `params`/`states` declare parameters and careers. The
actors: the grid and hotspots (`town`); the market, the street price and days without drugs
(`market`, `price`, `scarcity`); people who use drugs and their offending and overdoses (`people`,
`offending`, `overdose`); sellers and their lines (`dealers`); the drug team, its officers and its
day (`police`, `officers`, `workforce`); focused deterrence, its call-ins and its credibility
(`deterrence`, `call_ins`, `credibility`); treatment services (the `treatment` package); custody,
charging, courts, the justice pathway and prison (`custody`, `charging`, `courts`, `justice`,
`prison`); costs by agency (`costs`); and what a run reports (`outcomes`). Nothing here reads files
or knows about scenarios on disk: the planner's tools hand the model a validated `Scenario`.
"""

from sim.model.model import DrugMarketModel

__all__ = ["DrugMarketModel"]
