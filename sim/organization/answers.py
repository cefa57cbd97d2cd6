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

from dataclasses import dataclass

import numpy as np

from sim.levers import Levers
from sim.organization.org import Organization
from sim.scenario.schema import SPEAKERS, Scenario
from sim.threads import Kind, Speaker, ThreadTable

__all__ = ["AnswerDraws", "GradedAnswers", "Voices", "fixability", "grade_answers"]

COMPLAINT = Kind.COMPLAINT


@dataclass(frozen=True)
class Voices:
    """Voice weights (MODEL.md 4.5): by speaker (``[voice]``, indexed by
    :class:`~sim.threads.Speaker`) and by the author's hierarchy level."""

    speaker: np.ndarray
    level: np.ndarray

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Voices:
        return cls(
            speaker=np.array([getattr(scenario.voice, s) for s in SPEAKERS], np.float32),
            level=np.array([lv.voice_weight for lv in scenario.levels], np.float32),
        )


@dataclass(frozen=True)
class AnswerDraws:
    """The random numbers of a batch of answers, drawn by the core in a fixed amount
    per answer whatever is decided (MODEL.md 7): five uniforms each (gaffe, resolution,
    follow-up, admission, spin found out) and two delays in ticks (when a spin is found
    out, when the author replies)."""

    uniforms: np.ndarray
    found_after: np.ndarray
    reply_after: np.ndarray


@dataclass(frozen=True)
class GradedAnswers:
    """What a batch of answers is, one entry per answer (nothing written yet)."""

    quality: np.ndarray
    authenticity: np.ndarray
    speaker: np.ndarray
    voice_weight: np.ndarray
    gaffe: np.ndarray
    resolved: np.ndarray
    talk: np.ndarray
    """Unresolved, and the author replies (a follow-up turn) after ``reply_after``."""
    admitted: np.ndarray
    spun: np.ndarray
    spin_found: np.ndarray
    """Spun, and the spin will be found out ``found_after`` ticks later."""
    turns: np.ndarray
    """The thread's answers so far, this one included."""


def fixability(
    levers: Levers, kind: np.ndarray, topic: np.ndarray, complaint: np.ndarray | None = None
) -> np.ndarray:
    """Chance that a perfect answer resolves the thread (MODEL.md 4.6), as float32.

    Complaints need the product fixed and a service attitude that cares:
    ``topic_quality x (0.5 + 0.5 x service_attitude)``. A question needs only the
    attitude: ``0.5 + 0.5 x service_attitude``. Praise is settled by any answer.

    Parameters
    ----------
    levers
        The levers in force (service attitude, each topic's quality).
    kind, topic
        Each thread's kind (complaint, question or praise) and topic.
    complaint
        ``kind == COMPLAINT``, if the caller has it already.
    """
    if complaint is None:
        complaint = kind == COMPLAINT
    attitude = 0.5 + 0.5 * levers.culture.service_attitude
    per_kind = np.ones(len(Kind), dtype=np.float32)  # praise: any answer settles it
    per_kind[Kind.QUESTION] = attitude
    out = per_kind[kind]
    out[complaint] = levers.topic_quality[topic[complaint]] * attitude
    return out


def grade_answers(
    threads: ThreadTable,
    ids: np.ndarray,
    org: Organization,
    engagement: np.ndarray,
    levers: Levers,
    voices: Voices,
    scenario: Scenario,
    draws: AnswerDraws,
) -> GradedAnswers:
    """Grade the answers to threads ``ids``: a pure function of its arguments.

    The drafter (``threads.drafter``) gives the content; whoever posts (the comms
    editor for a polished answer, else the drafter) gives the gaffe risk: a comms
    polisher is trained, an untrained direct dialler is not. ``engagement`` is each
    employee's (1 on board, else ``offboard_engagement``).
    """
    th = threads
    author = th.drafter[ids]
    polished = th.polished[ids]
    topic = th.topic[ids]
    kind = th.kind[ids]
    complaint = kind == COMPLAINT
    level = org.level[author]
    owns = org.silo[author] == org.topic_silo[topic]
    engaged = engagement[author]
    quality = org.expertise[author, topic] * (0.5 + 0.5 * org.training[author]) * engaged
    # a generalist, or an answer without the second silo's knowledge it needs, is worth
    # generalist_quality of an expert's; shared knowledge on the intranet closes part of
    # the gap (MODEL.md 4.3, 4.5)
    general = levers.structure.generalist_quality
    backed = general + (1.0 - general) * levers.structure.intranet_knowledge
    partial = np.where(th.backed[ids], backed, general)
    second = th.second_silo[ids]
    lacking = (second >= 0) & ~th.consulted[ids] & (org.silo[author] != second)
    quality = np.where(owns, quality, quality * partial)
    quality = np.where(lacking, quality * partial, quality)
    speaker = np.where(owns, Speaker.EXPERT, Speaker.GENERALIST)
    speaker[level == org.n_levels - 1] = Speaker.EXECUTIVE
    level_voice = voices.level[level]
    if polished.any():  # the comms team polished (in a switchboard, every answer)
        poster = np.where(polished, th.editor[ids], author)
        polish = np.where(polished, levers.culture.spin, 0.0)
        authenticity = org.authenticity[author] * (1.0 - polish) * engaged
        speaker[polished] = Speaker.BRAND
        level_voice = np.where(polished, 1.0, level_voice)  # the brand's voice has no level
    else:  # the same numbers without a polish of 0 (1 - 0 = 1, exactly)
        poster = author
        authenticity = org.authenticity[author] * engaged
    voice = voices.speaker[speaker] * level_voice

    u = draws.uniforms
    conv = scenario.conversation
    gaffe = u[0] < conv.gaffe_base * (1.0 - org.training[poster])
    resolved = ~gaffe & (u[1] < quality * fixability(levers, kind, topic, complaint))
    turns = th.turns[ids] + 1
    # resolved threads close; the others are answered, and talk on when the author replies
    talk = ~resolved & (u[2] < conv.followup_probability) & (turns < conv.max_turns)
    # honesty (MODEL.md 4.5): complaints mean the organization was at fault; the answer
    # admits it with probability ``honesty``, otherwise it spins, and the spin is found
    # out with probability ``spin_found_probability`` after an exponential delay
    admitted = complaint & (u[3] < levers.culture.honesty)
    spun = complaint & ~admitted
    spin_found = spun & (u[4] < scenario.opinions.spin_found_probability)
    return GradedAnswers(
        quality=quality,
        authenticity=authenticity,
        speaker=speaker,
        voice_weight=voice,
        gaffe=gaffe,
        resolved=resolved,
        talk=talk,
        admitted=admitted,
        spun=spun,
        spin_found=spin_found,
        turns=turns,
    )
