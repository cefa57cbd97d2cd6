"""Experiments on the orgsim model: replicated, paired comparisons of structures.

``experiments`` imports ``sim``; ``sim`` never imports ``experiments``. The ``orgsim
compare`` subcommand reaches the CLI through the ``orgsim.commands`` entry point.

Every experiment runs through :mod:`experiments.runner` (jobs, seeds, executors) with
a measurement such as :func:`experiments.measurements.measure_kpis`, and reports
intervals with :func:`experiments.statistics.mean_ci`.
"""

from experiments.measurements import RunResult, measure_kpis
from experiments.runner import FinishedRun, Job, jobs_for, replication_seeds, run_job, run_jobs

__all__ = [
    "FinishedRun",
    "Job",
    "RunResult",
    "jobs_for",
    "measure_kpis",
    "replication_seeds",
    "run_job",
    "run_jobs",
]
