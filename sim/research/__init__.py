"""Research tools built on the planner's runner and store.

`experiment` is the shared machinery (factors with bounds, designs run through the runner and
store or on a plain function, every replicate kept); `sensitivity` analyses designs with SALib
and reports seed noise and 90% intervals; `abc` and `calibration` fit parameters to published
figures by ABC-SMC (pyabc) and check the posterior against every target; `evidence` counts what
each published fact in `facts` is about over replicates of the baseline and writes the fit table
(docs/evidence.md).
"""
