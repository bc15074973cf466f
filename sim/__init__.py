"""A town's open drug market, for testing a policy mix before paying for it.

Quick start::

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    result = sim.run(scenario, seed=1)
    result.daily        # one row per day
    result.events       # the event log
    result.summary      # whole-run outcomes
"""

from sim.model import DrugMarketModel
from sim.planner.runner import RunResult, run
from sim.planner.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["DrugMarketModel", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
