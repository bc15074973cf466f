"""The planner's workflow: settings files in, runs and a report out.

`settings` reads settings files safely (size cap, plain data only, `extends`); `scenario` is the
schema of a scenario file; `levers` walks lever paths and gathers each parameter's facts;
`library` lists a folder of scenarios with their questions and problems; `runner` runs
replicates with common random numbers on any of the `executors` (this process, a process pool that
survives a dead worker, dask); `store` keeps every finished run on disk, checked and resumable,
and `files` writes every output atomically; `report` (a package: outcomes, stats, compare,
verdict, charts, page) turns stored runs into the verdict, the comparison tables, charts and the
one-file HTML report; `reference` and `town_figures` regenerate the JSON Schema, the reference
pages in docs/ and the default town's figures in the README from the code.
"""
