"""What ``orgsim dashboard`` hands the Solara app, through the server's environment.

The command validates its arguments, then starts the server as a child process; the
app reads the scenario files and ``--set`` overrides back from these variables.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sim

__all__ = [
    "ENV_OVERRIDES",
    "ENV_SCENARIOS",
    "ENV_SEED",
    "SHIPPED",
    "AppConfig",
    "project_root",
    "read_config",
    "shipped_scenarios",
]

ENV_SCENARIOS = "ORGSIM_DASHBOARD_SCENARIOS"
"""JSON list of scenario files (absolute paths); the first two open in panes A and B."""
ENV_OVERRIDES = "ORGSIM_DASHBOARD_SET"
"""JSON list of ``--set`` strings applied to both panes."""
ENV_SEED = "ORGSIM_DASHBOARD_SEED"
"""The seed the page opens with."""

SHIPPED = ("switchboard", "direct_dial", "expert_routing", "coached_direct_dial")
"""The four shipped structure scenarios, offered in every pane's picker."""


def project_root() -> Path:
    """The directory holding ``sim/`` (the clone's root for an editable install)."""
    return Path(sim.__file__).resolve().parent.parent


def shipped_scenarios() -> list[Path]:
    """The shipped structure files that exist under the project's ``scenarios/``."""
    root = project_root() / "scenarios"
    return [root / f"{name}.toml" for name in SHIPPED if (root / f"{name}.toml").is_file()]


@dataclass(frozen=True)
class AppConfig:
    """The app's start-up settings.

    Attributes
    ----------
    scenarios
        Files the pickers offer: those given to the command first, then the shipped
        structures (no duplicates).
    initial
        Pane A's and pane B's files.
    base
        ``--set`` overrides for both panes.
    seed
        The seed the page opens with.
    """

    scenarios: tuple[str, ...]
    initial: tuple[str, str]
    base: tuple[str, ...]
    seed: int


def read_config(environ: Mapping[str, str] | None = None) -> AppConfig:
    """The settings from the environment (defaults: switchboard vs direct dial)."""
    env = os.environ if environ is None else environ
    given = [str(Path(p)) for p in json.loads(env.get(ENV_SCENARIOS, "[]"))]
    shipped = [str(p) for p in shipped_scenarios()]
    options: list[str] = []
    for path in [*given, *shipped]:
        if path not in options:
            options.append(path)
    if not options:
        raise RuntimeError("no scenario files: pass some to `orgsim dashboard`")
    first = given or [p for p in shipped if Path(p).stem in ("switchboard", "direct_dial")]
    first = first or options
    initial = (first[0], first[1] if len(first) > 1 else first[0])
    base = tuple(json.loads(env.get(ENV_OVERRIDES, "[]")))
    return AppConfig(tuple(options), initial, base, int(env.get(ENV_SEED, "0")))


def environment(scenarios: Sequence[Path], overrides: Sequence[str], seed: int) -> dict[str, str]:
    """The variables that hand these settings to the app."""
    return {
        ENV_SCENARIOS: json.dumps([str(Path(p).resolve()) for p in scenarios]),
        ENV_OVERRIDES: json.dumps(list(overrides)),
        ENV_SEED: str(seed),
    }
