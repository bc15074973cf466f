"""Research tools built on the planner's runner and store.

`sensitivity` runs SALib experiments (Sobol, Morris) over the plausible ranges the parameters
declare; `calibration` fits parameters to published figures. Both save each run as it finishes
and resume after an interruption.
"""
