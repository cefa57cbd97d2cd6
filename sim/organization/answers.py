"""Answers: quality, voice, authenticity, gaffes, resolution (MODEL.md 4.5 and 4.6).

Everything here is vectorized over the threads answered in one tick.

- **Quality** = expertise x (0.5 + 0.5 x training), times ``generalist_quality`` when
  the author does not own the topic and ``offboard_engagement`` when the author is
  not on board (essay 003: experts "who aren't on board" answer "less engaged").
- **Authenticity** = the author's authenticity x (1 - polish), polish being the comms
  team's ``spin`` when the answer went through polishing (essay 000: "Social Media
  values authenticity and honesty").
- **Voice**: brand account if polished, executive at the top level, field expert when
  the author owns the topic, generalist otherwise (essay 000: "your guy in the field
  ... has a lot more credibility than you do").
- **Gaffe** with probability ``gaffe_base x (1 - training)`` of whoever posts (essay
  003: direct dial "without enabling the employees ... may result in substandard
  responses or maybe even in some major commercial or reputational hazards").
- **Resolution** with probability ``quality x fixability`` (essay 001: "Social media
  can't improve a widget").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.organization.legs import Leg
from sim.organization.service import EXPONENTIAL
from sim.threads import Kind, Phase, Speaker, State

if TYPE_CHECKING:
    from sim.organization.core import OrgCore

__all__ = ["fixability", "post_answers"]

COMPLAINT = Kind.COMPLAINT


def fixability(
    core: OrgCore, kind: np.ndarray, topic: np.ndarray, complaint: np.ndarray | None = None
) -> np.ndarray:
    """Chance that a perfect answer resolves the thread (MODEL.md 4.6), as float32.

    Complaints need the product fixed and a service attitude that cares:
    ``topic_quality x (0.5 + 0.5 x service_attitude)``. A question needs only the
    attitude: ``0.5 + 0.5 x service_attitude``. Praise is settled by any answer.

    Parameters
    ----------
    kind, topic
        Each thread's kind (complaint, question or praise) and topic.
    complaint
        ``kind == COMPLAINT``, if the caller has it already.
    """
    if complaint is None:
        complaint = kind == COMPLAINT
    attitude = 0.5 + 0.5 * core.culture.service_attitude
    per_kind = np.ones(len(Kind), dtype=np.float32)  # praise: any answer settles it
    per_kind[Kind.QUESTION] = attitude
    out = per_kind[kind]
    out[complaint] = core.topic_quality[topic[complaint]] * attitude
    return out


def decide_honesty(
    core: OrgCore,
    ids: np.ndarray,
    complaint: np.ndarray,
    u_admit: np.ndarray,
    u_found: np.ndarray,
    found_after: np.ndarray,
) -> None:
    """Complaints mean the organization was at fault: the answer admits it with
    probability ``honesty``; otherwise it spins, and the spin is found out with
    probability ``spin_found_probability`` after an exponential delay with mean
    ``spin_found_hours`` (MODEL.md 4.5). Every answer comes with its uniforms and its
    delay (``found_after``, ticks) whether it spins or not, so honesty never changes
    which random numbers later answers or services get (MODEL.md 7). Each discovery is
    also left in ``core.events.spin_found``: the public side queues it once.
    ``complaint`` says which of ``ids`` are complaints."""
    th, spec = core.threads, core.scenario.opinions
    admitted = complaint & (u_admit < core.culture.honesty)
    spun = complaint & ~admitted
    th.admitted[ids] = admitted
    th.spun[ids] = spun
    is_found = spun & (u_found < spec.spin_found_probability)
    found = ids[is_found]
    if found.size == 0:
        return
    when = core.tick + np.maximum(found_after[is_found], 1)
    th.spin_found_tick[found] = when
    core.events.spin_found.append((found, when.astype(np.int64)))


def post_answers(core: OrgCore, ids: np.ndarray) -> None:
    """Publish answers for ``ids``.

    The drafter (``threads.drafter``) gives the content; whoever posts (the comms
    editor for a polished answer, else the drafter) gives the gaffe risk: a comms
    polisher is trained, an untrained direct dialler is not.
    """
    if ids.size == 0:
        return
    th, org, spec = core.threads, core.org, core.scenario
    t = core.tick
    author = th.drafter[ids]
    polished = th.polished[ids]
    topic = th.topic[ids]
    kind = th.kind[ids]
    complaint = kind == COMPLAINT
    level = org.level[author]
    owns = org.silo[author] == org.topic_silo[topic]
    engaged = core.engagement[author]
    quality = org.expertise[author, topic] * (0.5 + 0.5 * org.training[author]) * engaged
    quality = np.where(owns, quality, quality * core.structure_spec.generalist_quality)
    speaker = np.where(owns, Speaker.EXPERT, Speaker.GENERALIST)
    speaker[level == org.n_levels - 1] = Speaker.EXECUTIVE
    level_voice = core.level_voice[level]
    if polished.any():  # the comms team polished (in a switchboard, every answer)
        poster = np.where(polished, th.editor[ids], author)
        polish = np.where(polished, core.culture.spin, 0.0)
        authenticity = org.authenticity[author] * (1.0 - polish) * engaged
        speaker[polished] = Speaker.BRAND
        level_voice = np.where(polished, 1.0, level_voice)  # the brand's voice has no level
    else:  # the same numbers without a polish of 0 (1 - 0 = 1, exactly)
        poster = author
        authenticity = org.authenticity[author] * engaged
    voice = core.speaker_voice[speaker] * level_voice

    rng = core.streams.answers
    u = rng.random((5, ids.size))
    conv = spec.conversation
    # one of each delay per answer, used or not: a fixed number of draws per answer
    found_after = core.draw_delay(EXPONENTIAL, spec.opinions.spin_found_hours, ids.size, rng)
    reply_after = core.draw_delay(EXPONENTIAL, conv.followup_hours, ids.size, rng)
    gaffe = u[0] < conv.gaffe_base * (1.0 - org.training[poster])
    resolved = ~gaffe & (u[1] < quality * fixability(core, kind, topic, complaint))

    th.quality[ids] = quality
    th.authenticity[ids] = authenticity
    th.voice[ids] = speaker
    th.voice_weight[ids] = voice
    th.gaffe[ids] |= gaffe
    turns = th.turns[ids] + 1
    th.turns[ids] = turns
    first = th.first_response_tick[ids] < 0
    th.first_response_tick[ids[first]] = t
    th.holder[ids] = -1
    th.pool[ids] = -1
    core.counters["answered"] += ids.size
    core.counters["gaffes"] += int(np.count_nonzero(gaffe))
    decide_honesty(core, ids, complaint, u[3], u[4], found_after)

    core.events.answered.append(ids)
    core.events.resolved.append(resolved)
    # resolved threads close; the others are answered, and talk on when the author replies
    talk = ~resolved & (u[2] < conv.followup_probability) & (turns < conv.max_turns)
    th.state[ids] = State.ANSWERED
    th.phase[ids] = Phase.IDLE
    done = ids[resolved]
    th.state[done] = State.RESOLVED
    th.resolution_tick[done] = t
    core.counters["resolved"] += done.size
    again = ids[talk]
    if again.size:
        th.phase[again] = Phase.DELAY
        th.leg[again] = Leg.FOLLOWUP
        th.ready_tick[again] = t + reply_after[talk]
