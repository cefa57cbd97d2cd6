"""orgsim: an agent-based simulator of how organizations answer the public.

The model follows ``MODEL.md``; start with :class:`OrgModel` and
:func:`load_scenario`. ``OrgModel`` (and with it Mesa and pandas) is imported when
first used, so that the ``orgsim`` command starts fast.
"""

from typing import Any

import sim.organization  # noqa: F401 - registers every structure with the schema
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["OrgModel", "Scenario", "ScenarioError", "__version__", "load_scenario"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "OrgModel":
        from sim.model import OrgModel

        return OrgModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
