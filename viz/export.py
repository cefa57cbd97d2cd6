"""Export what a session shows as one zip: Parquet tables, a JSON manifest, the figures.

Contents::

    dashboard.json        settings (files, seed, overrides), hours, KPIs of both panes,
                          orgsim version; and the ensemble's summary if one was run
    A/series.parquet      model.series() of pane A (one row per tick)
    A/threads.parquet     model.threads() of pane A (one row per thread)
    B/...                 the same for pane B
    plots.png             the over-time plots, as the page draws them
    ensemble/summary.parquet, ensemble/runs.parquet, ensemble.png   if an ensemble ran
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pandas as pd

import sim
from experiments.compare import runs_frame
from sim.outputs import jsonable
from viz.ensemble import EnsembleResult, draw_ensemble
from viz.plots import draw_panels, plot_panels
from viz.session import PANES, Comparison

__all__ = ["export_zip"]


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def export_zip(comparison: Comparison, ensemble: EnsembleResult | None = None) -> bytes:
    """The zip of a comparison now (and of its ensemble, if given), as bytes."""
    with comparison.lock:
        snapshot = comparison.snapshot()
        tables = {
            pane: (model.series(), model.threads()) for pane, model in comparison.models.items()
        }
        scenarios = {
            pane: model.scenario_spec.model_dump(mode="json")
            for pane, model in comparison.models.items()
        }
    settings = snapshot.settings
    manifest: dict[str, Any] = {
        "orgsim_version": sim.__version__,
        "hours": snapshot.hours,
        "seed": settings.seed,
        "seeds": "both panes run on rng=seed (common random numbers)",
        "overrides": settings.overrides(),
        "panes": {
            pane: {
                "file": settings.scenarios[i],
                "pane_overrides": list(settings.pane_sets[i]),
                "name": snapshot.names[pane],
                "kpis": snapshot.kpis[pane],
                "scenario": scenarios[pane],
            }
            for i, pane in enumerate(PANES)
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for pane, (series, threads) in tables.items():
            archive.writestr(f"{pane}/series.parquet", _parquet(series))
            archive.writestr(f"{pane}/threads.parquet", _parquet(threads))
        names = {pane: f"{pane}: {snapshot.names[pane]}" for pane in PANES}
        panels = plot_panels(snapshot.series, snapshot.kpis)
        figure = draw_panels(panels, names, snapshot.markers, snapshot.hours)
        archive.writestr("plots.png", _png(figure))
        if ensemble is not None:
            archive.writestr("ensemble/summary.parquet", _parquet(ensemble.summary))
            files = list(ensemble.settings.scenarios)
            runs = runs_frame(ensemble.results, ensemble.names, files)
            archive.writestr("ensemble/runs.parquet", _parquet(runs))
            archive.writestr("ensemble.png", _png(draw_ensemble(ensemble)))
            manifest["ensemble"] = {
                "replications": ensemble.replications,
                "hours": ensemble.hours,
                "seed": ensemble.settings.seed,
                "seeds": "replication k of both panes: SeedSequence(seed).spawn(R)[k], "
                "as orgsim compare",
                "overrides": ensemble.settings.overrides(),
                "pane_overrides": {
                    pane: list(ensemble.settings.pane_sets[i]) for i, pane in enumerate(PANES)
                },
                "names": ensemble.names,
            }
        text = json.dumps(jsonable(manifest), indent=2, allow_nan=False)
        archive.writestr("dashboard.json", text)
    return buffer.getvalue()
