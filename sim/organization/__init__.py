"""The organization side of the model: employees in silos and hierarchy levels who
triage, forward, draft, polish, approve and post, wired by a routing structure
(MODEL.md 4.3-4.6, 4.9).

Nothing here knows about customers or the social graph: the organization reads the
thread table (:mod:`sim.threads`) and the scenario, never :mod:`sim.public`. This
package's names below are the only way in from outside it.
"""

from sim.organization.core import OrgCore, TickEvents
from sim.organization.learning import learn
from sim.organization.needs import SecondSilos
from sim.organization.org import Organization, build_organization, level_sizes
from sim.organization.structures import Structure, make_structure, structure_names

__all__ = [
    "OrgCore",
    "Organization",
    "SecondSilos",
    "Structure",
    "TickEvents",
    "build_organization",
    "learn",
    "level_sizes",
    "make_structure",
    "structure_names",
]
