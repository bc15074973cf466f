"""The planner's workflow: settings files in, runs and a report out.

`scenario` is the schema of a scenario file; `runner` runs replicates on any executor with
common random numbers; `store` keeps every finished run on disk, atomically and resumably;
`report` (a package: outcomes, stats, compare, verdict, charts, page) turns stored runs into the
verdict, the comparison tables, charts and the one-file HTML report;
`reference` regenerates the JSON Schema and the reference pages in docs/ from the code.
"""
