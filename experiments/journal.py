"""A journal of finished runs, so that a batch interrupted by a crash resumes where it
stopped (``orgsim compare --out DIR``; issue 15).

Each finished run is written, atomically, as its own file in a hidden directory beside
the output directory (``.DIR.runs``), together with the batch's plan: everything that
decides the runs' results (the resolved scenarios, run lengths, seeds, replications,
the measurement and orgsim's version). A rerun with the same plan loads the runs found
there and runs only the missing ones; since a run depends only on its job, the result
equals an uninterrupted batch's, bit for bit. A journal of another plan is discarded.
The journal is removed once the batch's outputs are in place. Runs are kept as Python
pickles (exact, whatever a measurement returns), so a journal is read only when it is
the user's own (owned by them, writable by no one else) and carries the plan.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from experiments.runner import FinishedRun, Job
from sim.outputs import OutputError, atomic_write, jsonable

__all__ = ["RunJournal", "plan_digest", "plan_of"]

PLAN = "plan.json"


def plan_of(jobs: Iterable[Job], measurement: str, version: str) -> dict[str, Any]:
    """What decides a batch's results: every job (its resolved scenario, length and
    seed), the measurement's name and orgsim's version."""
    return {
        "orgsim_version": version,
        "measurement": measurement,
        "jobs": [
            {
                "key": list(job.key),
                "hours": job.hours,
                "seed_entropy": job.seed_entropy,
                "seed_spawn_key": list(job.seed_spawn_key),
                "scenario": job.scenario.model_dump(mode="json"),
            }
            for job in jobs
        ],
    }


def plan_digest(plan: Mapping[str, Any]) -> str:
    """SHA-256 of a plan's canonical JSON: two batches with the same digest give the
    same results, run for run (the journal of ``compare`` and a sweep's manifest)."""
    text = json.dumps(jsonable(plan), sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


class RunJournal:
    """Finished runs of one batch, kept beside the output directory ``out``.

    Parameters
    ----------
    out
        The batch's output directory (it need not exist).
    plan
        :func:`plan_of` the batch's jobs.
    """

    def __init__(self, out: Path, plan: Mapping[str, Any]) -> None:
        out = Path(out)
        self.directory = out.resolve().parent / f".{out.name}.runs"
        self.digest = plan_digest(plan)
        self.plan = plan
        self.discarded = 0
        """Runs of another plan found and thrown away by :meth:`load`."""

    def load(self) -> dict[tuple[int, int], FinishedRun]:
        """The runs of this plan finished earlier, by key; a journal of another plan is
        discarded (:attr:`discarded` counts its runs)."""
        plan_file = self.directory / PLAN
        if self.directory.exists():
            info = self.directory.lstat()
            if not self.directory.is_dir() or info.st_uid != os.getuid() or info.st_mode & 0o022:
                raise OutputError(
                    f"{self.directory}: a journal of runs that is not yours alone (owner, "
                    "mode or kind); remove it or choose another --out"
                )
            try:
                recorded = json.loads(plan_file.read_text(encoding="utf-8"))
                same = recorded.get("digest") == self.digest
            except (OSError, ValueError, AttributeError):
                same = False  # (no plan: a journal cut short before it began, or not ours)
            if not same:
                self.discarded = len(list(self.directory.glob("run-*.pickle")))
                shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps({"digest": self.digest, "plan": jsonable(self.plan)}, indent=1)
        atomic_write(plan_file, lambda tmp: tmp.write_text(payload, encoding="utf-8"))
        finished = {}
        for path in sorted(self.directory.glob("run-*.pickle")):
            try:
                run = pickle.loads(path.read_bytes())
            except Exception:  # a file cut short by a crash: run it again
                path.unlink(missing_ok=True)
                continue
            if isinstance(run, FinishedRun):
                finished[run.key] = run
        return finished

    def record(self, run: FinishedRun) -> None:
        """Keep one finished run (written atomically: a crash leaves it whole or absent)."""
        scenario, replication = run.key
        data = pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write(
            self.directory / f"run-{scenario}-{replication}.pickle",
            lambda tmp: tmp.write_bytes(data),
        )

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
