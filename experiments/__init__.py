"""Experiments on the orgsim model: replicated, paired comparisons of structures.

``experiments`` imports ``sim``; ``sim`` never imports ``experiments``. The ``orgsim
compare`` subcommand reaches the CLI through the ``orgsim.commands`` entry point.

Every experiment runs through :mod:`experiments.runner` (jobs, seeds, executors) with
a measurement such as :func:`experiments.measurements.measure_kpis`, and reports
intervals with :func:`experiments.statistics.mean_ci`. The names below are imported
when first used, so that the ``orgsim`` command starts without loading the model.
"""

from importlib import import_module
from typing import Any

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

_HOME = {"RunResult": "measurements", "measure_kpis": "measurements"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    return getattr(import_module(f"experiments.{_HOME.get(name, 'runner')}"), name)
