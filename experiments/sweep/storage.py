"""A sweep's output directory: a manifest, the design, and finished runs streamed into
Parquet parts of bounded size, so a crash loses at most one unwritten part and
``--resume`` runs only what is missing.

Layout of ``DIR``::

    manifest.json        the plan (sweep file and its hash, resolved bases, factors,
                         design, seeds, KPIs, orgsim's version), then the outcome
    design.parquet       one row per design point (values and unit coordinates)
    parts/part-NNNNNN.parquet    finished runs: point, replication, seconds, KPIs
    parts/failed-NNNNNN.parquet  runs that raised: point, replication, error, traceback
    runs.parquet         when complete: every finished run with its design values,
                         sorted by (point, replication), free of timings

Every file is written atomically (a temporary file renamed), so a part is whole or
absent; a run is in at most one part, because a resumed sweep skips the runs already
in a part. The journal of ``compare`` (:mod:`experiments.journal`) uses the same plan
digest and ownership checks (:func:`experiments.journal.plan_digest`).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.journal import plan_digest
from experiments.runner import FailedRun, FinishedRun, replication_seeds
from experiments.sweep.spec import SweepSpec
from sim.outputs import OutputError, atomic_write, write_json

__all__ = ["MANIFEST", "SweepStore", "read_runs", "sweep_plan"]

MANIFEST = "manifest.json"
KIND = "orgsim sweep"
KEY = ["point", "replication"]


def sweep_plan(spec: SweepSpec, design: pd.DataFrame, version: str) -> dict[str, Any]:
    """Everything that decides a sweep's results (and the manifest's plan part)."""
    seeds = replication_seeds(spec.design.seed, spec.design.replications)
    bases = []
    for index, (path, name) in enumerate(zip(spec.bases, spec.base_names, strict=True)):
        scenario = spec.scenario(index)
        bases.append(
            {
                "name": name,
                "file": str(path),
                "hours": spec.hours_of(scenario),
                "scenario": scenario.model_dump(mode="json"),
            }
        )
    records = design.drop(columns=[c for c in design if c.startswith("u:")])
    return {
        "orgsim_version": version,
        "kind": KIND,
        "name": spec.name,
        "sweep_file": spec.source,
        "sweep_sha256": spec.digest,
        "sweep_text": spec.text,
        "bases": bases,
        "overrides": list(spec.overrides),
        "factors": [f.record() for f in spec.factors],
        "design": {
            "sampler": spec.design.sampler,
            "size": spec.design.size,
            "replications": spec.design.replications,
            "hours": spec.design.hours,
            "seed": spec.design.seed,
            "points": len(design),
            "table": records.to_dict(orient="list"),
        },
        "kpis": list(spec.design.kpis),
        "analysis": spec.analysis,
        "seeds": {
            "rule": "replication k of every point: SeedSequence(seed).spawn(replications)[k]",
            "replications": [
                {"replication": k, "entropy": int(s.entropy), "spawn_key": list(s.spawn_key)}
                for k, s in enumerate(seeds)
            ],
        },
    }


def _part_schema(kpis: Sequence[str]) -> pa.Schema:
    fields = [
        pa.field("point", pa.int64()),
        pa.field("replication", pa.int64()),
        pa.field("seconds", pa.float64()),
    ]
    return pa.schema(fields + [pa.field(k, pa.float64()) for k in kpis])


FAILED_SCHEMA = pa.schema(
    [
        pa.field("point", pa.int64()),
        pa.field("replication", pa.int64()),
        pa.field("error", pa.string()),
        pa.field("traceback", pa.string()),
    ]
)


class SweepStore:
    """The output directory of one sweep, open for writing (a context manager that
    holds an exclusive lock on ``DIR/.lock``).

    Parameters
    ----------
    directory
        ``DIR``.
    plan
        :func:`sweep_plan`.
    design
        The design table.
    part_rows
        Most runs in one part; a part is also written once ``part_seconds`` passed
        since the last one.
    """

    def __init__(
        self,
        directory: Path,
        plan: dict[str, Any],
        design: pd.DataFrame,
        part_rows: int = 256,
        part_seconds: float = 30.0,
    ) -> None:
        self.directory = Path(directory)
        self.parts = self.directory / "parts"
        self.plan = plan
        self.digest = plan_digest({k: v for k, v in plan.items() if k != "sweep_text"})
        self.design = design
        self.kpis = list(plan["kpis"])
        self.schema = _part_schema(self.kpis)
        self.part_rows = part_rows
        self.part_seconds = part_seconds
        self._rows: list[dict[str, Any]] = []
        self._failed: list[dict[str, Any]] = []
        self._last_write = time.monotonic()
        self._next_part = 1
        self._lock: int | None = None

    # ------------------------------------------------------------------ opening
    def __enter__(self) -> SweepStore:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise OutputError(f"--out {self.directory}: another sweep is writing there") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    @staticmethod
    def check(directory: Path, spec: SweepSpec, resume: bool) -> dict[str, Any] | None:
        """Refuse, before any work, a ``DIR`` this sweep cannot write; return the
        manifest found there (``None`` for a new or empty directory).

        Raises
        ------
        OutputError
            A file; a non-empty directory that holds no sweep; a sweep of another
            sweep file; an earlier sweep without ``--resume``.
        """
        import json

        where = f"--out {directory}"
        if directory.exists() and not directory.is_dir():
            raise OutputError(f"{where}: exists and is not a directory")
        if not directory.is_dir() or not any(_ours_or_more(directory)):
            return None  # (new, empty, or cut short before its manifest was written)
        try:
            manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
            assert manifest.get("kind") == KIND
        except (OSError, ValueError, AssertionError, AttributeError):
            raise OutputError(
                f"{where}: a non-empty directory that holds no sweep ({MANIFEST}); "
                "name a new or empty directory"
            ) from None
        if manifest.get("sweep_sha256") != spec.digest:
            raise OutputError(
                f"{where}: made by another sweep file ({manifest.get('sweep_file')}, sha256 "
                f"{str(manifest.get('sweep_sha256'))[:12]}), not {spec.source} (sha256 "
                f"{spec.digest[:12]}); name another directory"
            )
        if not resume:
            raise OutputError(
                f"{where}: holds this sweep already ({manifest.get('status')}); "
                "pass --resume to finish it, or name another directory"
            )
        return manifest

    def start(self, earlier: dict[str, Any] | None) -> set[tuple[int, int]]:
        """Write the plan (manifest and design), read what earlier attempts finished.

        Returns
        -------
        set of (point, replication)
            The runs found in parts (they are not run again).

        Raises
        ------
        OutputError
            If ``DIR`` was started with another plan (the bases or orgsim changed).
        """
        if earlier is not None and earlier.get("plan_sha256") != self.digest:
            raise OutputError(
                f"--out {self.directory}: started with other base scenarios or another "
                "orgsim version than this sweep resolves to now; name another directory"
            )
        self.write_manifest({"status": "running"})  # first: the directory is a sweep's
        self.parts.mkdir(exist_ok=True)
        for folder in (self.directory, self.parts):  # writes cut short by a crash
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)
        atomic_write(
            self.directory / "design.parquet",
            lambda tmp: self.design.to_parquet(tmp, index=False, engine="pyarrow"),
        )
        done = set(self._keys("part"))
        numbers = [0, *(int(p.stem.rsplit("-", 1)[1]) for p in self.parts.glob("*.parquet"))]
        self._next_part = max(numbers) + 1
        return done

    def write_manifest(self, outcome: dict[str, Any]) -> None:
        write_json(self.directory / MANIFEST, {**self.plan, "plan_sha256": self.digest, **outcome})

    # ------------------------------------------------------------------ writing
    def record(self, run: FinishedRun | FailedRun) -> None:
        """Keep one run; a part is written when enough have come or time has passed."""
        point, replication = run.key
        if isinstance(run, FailedRun):
            self._failed.append(
                {
                    "point": point,
                    "replication": replication,
                    "error": run.error,
                    "traceback": run.traceback,
                }
            )
        else:
            row = {"point": point, "replication": replication, "seconds": run.seconds}
            kpis = run.measured
            row.update({k: float(kpis.get(k, np.nan)) for k in self.kpis})
            self._rows.append(row)
        full = len(self._rows) + len(self._failed) >= self.part_rows
        if full or time.monotonic() - self._last_write >= self.part_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the runs kept so far as a part (and the failures as another)."""
        for prefix, rows, schema in (
            ("part", self._rows, self.schema),
            ("failed", self._failed, FAILED_SCHEMA),
        ):
            if rows:
                table = pa.Table.from_pylist(rows, schema=schema)
                name = f"{prefix}-{self._next_part:06d}.parquet"
                atomic_write(self.parts / name, lambda tmp, t=table: pq.write_table(t, tmp))
                self._next_part += 1
                rows.clear()
        self._last_write = time.monotonic()

    # ------------------------------------------------------------------ closing
    def failures(self) -> list[dict[str, Any]]:
        """Runs that raised and never finished in a later attempt, by key."""
        done = set(self._keys("part"))
        failed: dict[tuple[int, int], dict[str, Any]] = {}
        for path in sorted(self.parts.glob("failed-*.parquet")):
            for row in pq.read_table(path).to_pylist():
                key = (row["point"], row["replication"])
                if key not in done:
                    failed[key] = row
        return [failed[key] for key in sorted(failed)]

    def _keys(self, prefix: str) -> Iterator[tuple[int, int]]:
        for path in sorted(self.parts.glob(f"{prefix}-*.parquet")):
            keys = pq.read_table(path, columns=KEY)
            yield from zip(keys["point"].to_pylist(), keys["replication"].to_pylist(), strict=True)

    def finish(self, outcome: dict[str, Any]) -> Path:
        """Write ``runs.parquet`` (sorted, joined with the design) and the manifest."""
        self.flush()
        runs = read_runs(self.parts, self.design, self.plan)
        path = atomic_write(
            self.directory / "runs.parquet",
            lambda tmp: pq.write_table(pa.Table.from_pandas(runs, preserve_index=False), tmp),
        )
        self.write_manifest(outcome)
        return path


def _ours_or_more(directory: Path) -> Iterator[Path]:
    """What is in ``directory`` besides a sweep's lock, an empty ``parts/`` and
    temporary files: what a coordinator killed before its manifest leaves."""
    for entry in directory.iterdir():
        if entry.name == ".lock" or (entry.name.startswith(".") and entry.name.endswith(".tmp")):
            continue
        if entry.name == "parts" and entry.is_dir() and not any(entry.iterdir()):
            continue
        yield entry


def _concat(paths: Iterable[Path]) -> pd.DataFrame:
    tables = [pq.read_table(p) for p in paths]
    return pa.concat_tables(tables).to_pandas() if tables else pd.DataFrame()


def read_runs(parts: Path, design: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """Every finished run of a sweep, with its design values, sorted by key.

    Columns: the design's (``point``, ``base``, ``structure``, ``sample`` and each
    factor), ``replication``, ``seed_entropy``, ``seed_spawn_key``, ``hours``, then the
    KPIs. Timings are left out, so the table depends only on the sweep.
    """
    kpis = list(plan["kpis"])
    frame = _concat(sorted(Path(parts).glob("part-*.parquet")))
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=float) for c in ["point", "replication", *kpis]})
    frame = frame.drop(columns=["seconds"], errors="ignore")
    frame = frame.drop_duplicates(subset=KEY, keep="first")
    frame = frame.astype({"point": np.int64, "replication": np.int64})
    values = design.drop(columns=[c for c in design if c.startswith("u:")])
    merged = values.merge(frame, on="point", how="inner", validate="one_to_many")
    seeds = plan["seeds"]["replications"]
    entropy = np.array([s["entropy"] for s in seeds], dtype=np.int64)
    spawn = np.array([",".join(map(str, s["spawn_key"])) for s in seeds], dtype=object)
    hours = np.array([b["hours"] for b in plan["bases"]], dtype=float)
    if plan["design"]["hours"] is not None:
        hours[:] = plan["design"]["hours"]
    rep = merged["replication"].to_numpy()
    merged.insert(len(values.columns) + 1, "seed_entropy", entropy[rep])
    merged.insert(len(values.columns) + 2, "seed_spawn_key", spawn[rep])
    merged.insert(len(values.columns) + 3, "hours", hours[merged["base"].to_numpy()])
    merged = merged.sort_values(KEY, kind="stable").reset_index(drop=True)
    return merged[
        [*values.columns, "replication", "seed_entropy", "seed_spawn_key", "hours", *kpis]
    ]


def compute_seconds(parts: Path) -> float:
    """Total compute time of the finished runs (wall time of each run, summed)."""
    total = 0.0
    for path in Path(parts).glob("part-*.parquet"):
        total += float(np.sum(pq.read_table(path, columns=["seconds"])["seconds"].to_numpy()))
    return total
