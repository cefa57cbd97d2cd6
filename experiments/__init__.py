"""Experiments on the orgsim model: replicated, paired comparisons of structures.

``experiments`` imports ``sim``; ``sim`` never imports ``experiments``. The ``orgsim
compare`` subcommand reaches the CLI through the ``orgsim.commands`` entry point.
"""

from experiments.runner import Job, RunResult, jobs_for, replication_seeds, run_job, run_jobs

__all__ = ["Job", "RunResult", "jobs_for", "replication_seeds", "run_job", "run_jobs"]
