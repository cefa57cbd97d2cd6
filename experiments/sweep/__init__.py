"""Researchers' sweeps (issue 16): sweep files, designs of experiments, streamed
crash-safe results on any executor, and their sensitivity analysis.

Modules, one concept each: :mod:`~experiments.sweep.spec` (the sweep file),
:mod:`~experiments.sweep.designs` (samplers), :mod:`~experiments.sweep.storage` (the
output directory: manifest and Parquet parts), :mod:`~experiments.sweep.execution`
(jobs on common random numbers through :mod:`experiments.runner`),
:mod:`~experiments.sweep.analysis` (indices and effects), :mod:`~experiments.sweep.prim`
(scenario discovery), :mod:`~experiments.sweep.figures` and
:mod:`~experiments.sweep.cli`.
"""
