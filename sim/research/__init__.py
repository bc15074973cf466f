"""Research tools built on the planner's runner and store (commands in `commands`).

`experiment` is the shared machinery (factors with bounds, designs run through the runner and
store or on a plain function, every replicate kept); `sensitivity` analyses designs with SALib
and reports seed noise and 90% intervals; `abc` and `calibration` fit parameters to published
figures by ABC-SMC (pyabc), resumably, and check the posterior against every target;
`posterior_runs` carries the posterior into planners' comparisons; `discovery_experiment` and
`discovery` cross lever mixes with uncertain parameters and find PRIM boxes (EMA Workbench);
`frontier` searches lever mixes for the cost-effectiveness frontier (pymoo); `pairing` measures how
well common random numbers pair two scenarios; `evidence` counts what each published fact in
`facts` is about over replicates of the baseline and writes the fit table (docs/evidence.md). The
`*_plots` modules draw each tool's figures; `outputs_reference` documents their files.
"""
