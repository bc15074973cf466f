"""The research commands' output files, for the generated outputs reference (docs/outputs.md).

Kept beside the code that writes them so a new file is listed where it is made;
`sim.planner.reference.outputs_markdown` appends these lines.
"""

from __future__ import annotations

from sim.research.experiment import SEED_STREAMS
from sim.research.sensitivity import CONF_LEVEL

_LEVEL = f"{CONF_LEVEL:.0%}"


def research_outputs() -> list[str]:
    """Markdown lines: the files `sweep`, `analyze`, `calibrate`, `discover` and `frontier` write."""
    return [
        "## Files the research commands write",
        "",
        "Each research command writes into `results/<kind>/<name>/` (or `--out`), whole files only, and keeps",
        "its runs in `runs/` there (the same store format as above, so rerunning the command resumes and",
        "reuses every finished run). `--dry-run` prints the runs needed and the estimated time and writes",
        "nothing.",
        "",
        "`drugmarket sweep EXPERIMENT.yaml` (`results/sweeps/<name>/`; `drugmarket analyze FOLDER` rewrites",
        "the analysis files from `outputs.parquet` without running anything):",
        "",
        "| Path | What |",
        "|---|---|",
        "| `outputs.csv`, `outputs.parquet` | one row per design point and replicate: `point`, `replicate`, the "
        "factor values actually run, every outcome (nothing averaged away). With `noise: seed-factor` a `seed` "
        f"column holds the seed factor u (stream floor(u x {SEED_STREAMS}) was run) |",
        "| `experiment.json` | the experiment's settings and factor ranges (what `analyze` re-reads) |",
        f"| `indices.csv`, `indices.parquet` | indices per outcome and parameter with SALib's bootstrap {_LEVEL} "
        "half-widths (`*_conf`): Sobol and eFAST `S1`, `ST`; Morris `mu`, `mu_star`, `sigma`; RBD-FAST `S1`; "
        "PAWN `median` and others |",
        "| `seed-noise.csv` | per outcome, the share of a single run's variance that comes from the seed "
        "(empty with one replicate per point) |",
        "| `second-order.csv` | Sobol with `second_order: true`: `S2` per pair of parameters |",
        "| `convergence.csv`, `convergence.png` | Sobol: indices from the first N/8, N/4, N/2 and N base samples |",
        "| `sensitivity.png` | the indices with their intervals (Morris: mu* against sigma, signed by mu) |",
        "| `notes.txt` | method, points and runs, the noise handling chosen (`average` or `seed-factor`), the "
        "interval level, and every warning (indices outside [0, 1], wide intervals) |",
        "",
        "`drugmarket calibrate CONFIG.yaml` (`results/calibration/<name>/`):",
        "",
        "| Path | What |",
        "|---|---|",
        "| `posterior.csv` | the last ABC-SMC generation's particles (one column per parameter) and `weight` |",
        "| `posterior-summary.csv` | per parameter: mean, median, 90% credible interval, prior range |",
        "| `generations.csv` | the tolerance reached by each generation (in target half-widths; 1 or less fits) |",
        "| `pairs.png` | weighted histograms and pairwise particles |",
        "| `predictive.csv`, `predictive-check.csv`, `predictive.png` | posterior draws rerun, and where they land "
        "against every target (median, 5-95% range, share inside the band) |",
        "| `calibrated.yaml` | only when every target is met: a scenario with the posterior medians |",
        "| `NOT-FITTED.txt` | otherwise: why nothing is called calibrated |",
        "| `abc.db` | pyabc's database of every finished generation; a stopped calibration carries on from it |",
        "",
        "`drugmarket discover EXPERIMENT.yaml` (`results/discovery/<name>/`):",
        "",
        "| Path | What |",
        "|---|---|",
        "| `experiments.csv`, `experiments.parquet` | one row per policy and Latin hypercube point: levers, "
        "uncertain parameters, outcomes (replicates averaged) and `meets_criteria` |",
        "| `policies.csv` | per policy, the share of the uncertain space where every criterion holds |",
        "| `prim-boxes.csv` | per PRIM box and input: the box's `low` and `high` (or the policies kept), the range "
        "varied, whether the box restricts it, and each restricted side's quasi-p value (`qp_low`, `qp_high`; "
        "Bryant and Lempert 2010: above about 0.05 the limit may be noise) |",
        "| `prim-stats.csv` | per box: coverage (share of all successes inside it), density (share of the box "
        "that succeeds), mass and the number of restricted inputs |",
        "| `prim-boxes.png` | the experiments on the first two criteria, and each box's limits on every input |",
        "| `feature-scores.csv`, `feature-scores.png` | extra-trees feature scores: how much each input drives "
        "each outcome (each outcome's scores sum to 1) |",
        "| `notes.txt`, `discovery.json` | the question, design, noise handling and methods; the settings |",
        "",
        "`drugmarket frontier EXPERIMENT.yaml` (`results/frontier/<name>/`):",
        "",
        "| Path | What |",
        "|---|---|",
        "| `all-candidates.csv` | every lever mix NSGA-II evaluated: `candidate`, `generation` (0 is the baseline "
        "scenario's own mix), the lever values actually run, each objective's mean over the replicates (the same "
        "seeds for every mix), its standard error (`*_se`) and `on_frontier` |",
        "| `frontier.csv` | the mixes no other evaluated mix beats on every objective (Pareto non-dominated), "
        "sorted by the first objective; same columns |",
        "| `frontier.png` | cost a year (£) against the other objective: every mix in grey, the frontier joined "
        "and labelled with its levers, the baseline starred |",
        "| `notes.txt`, `frontier.json` | the question, search settings, runs, noise handling; the settings |",
        "",
    ]
