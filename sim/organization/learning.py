"""Learning: complaints heard by the owning silo improve its topic's quality
(MODEL.md 4.9; essay 000: whoever monitors the feed "is empowered to get it fixed.
Now.").

A complaint answered by an employee of the silo that owns its topic teaches with its
*fidelity*: 1 when the expert heard the customer directly, ``switchboard_fidelity``
after a switchboard's paraphrase (:class:`sim.organization.structures.switchboard.Switchboard`).
Complaints heard with less than ``min_fidelity`` teach nothing; abandoned complaints
were never heard and teach nothing. Each topic's quality rises by
``rate x leadership integrity x (sum of fidelities) x (1 - quality)`` per tick:
leaders who listen turn feedback into fixes.
"""

from __future__ import annotations

import numpy as np

from sim.organization.org import Organization
from sim.scenario.schema import CultureSpec, LearningSpec
from sim.threads import Kind, ThreadTable

__all__ = ["learn"]

COMPLAINT = Kind.COMPLAINT


def learn(
    threads: ThreadTable,
    answered: np.ndarray,
    org: Organization,
    topic_quality: np.ndarray,
    spec: LearningSpec,
    culture: CultureSpec,
) -> None:
    """Raise ``topic_quality`` in place from the complaints answered this tick."""
    if answered.size == 0 or spec.rate == 0:
        return
    topic = threads.topic[answered]
    owner_heard = org.silo[threads.drafter[answered]] == org.topic_silo[topic]
    fidelity = threads.fidelity[answered]
    teaches = (threads.kind[answered] == COMPLAINT) & owner_heard & (fidelity >= spec.min_fidelity)
    heard = np.bincount(topic[teaches], weights=fidelity[teaches], minlength=topic_quality.size)
    gain = spec.rate * culture.leadership_integrity * heard * (1.0 - topic_quality)
    np.minimum(topic_quality + gain.astype(np.float32), 1.0, out=topic_quality)
