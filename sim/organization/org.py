"""The organization as arrays: silos, an org chart with spans of control, employees.

MODEL.md section 2 (employees, silos, hierarchy levels). Every employee is a row; the
columns are numpy arrays. Building loops over silos and levels (a handful each), never
over employees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario.schema import Scenario

__all__ = ["Organization", "build_organization", "level_sizes", "quota", "staff_flags"]


def level_sizes(n: int, spans: list[int]) -> np.ndarray:
    """Split ``n`` employees of one silo over len(spans) levels.

    Each level above the front line holds ``ceil(size_below / span_below)`` managers,
    where ``span_below`` is the span of control of the level below, and the front line
    takes the rest. Every level keeps at least one person while ``n`` allows.

    Examples
    --------
    >>> level_sizes(100, [8, 6, 5, 5]).tolist()
    [86, 11, 2, 1]
    >>> level_sizes(3, [8, 6, 5, 5]).tolist()
    [1, 1, 1, 0]
    """
    n_levels = len(spans)
    # fraction of the front line at each level: prod of 1/span below it
    ratio = np.cumprod([1.0] + [1.0 / s for s in spans[:-1]])
    front = n / ratio.sum()
    sizes = np.maximum(1, np.ceil(front * ratio[1:])).astype(np.int64)
    sizes = np.concatenate([[0], sizes])
    # not enough people for every level: fill from the bottom, one each
    if n < n_levels:
        return np.array([1 if i < n else 0 for i in range(n_levels)], dtype=np.int64)
    sizes[0] = n - sizes[1:].sum()
    while sizes[0] < 1:  # tiny silos: trim the upper levels
        top = np.flatnonzero(sizes[1:] > 1)
        sizes[1 + top[0] if top.size else n_levels - 1] -= 1
        sizes[0] = n - sizes[1:].sum()
    return sizes


def quota(share: float, size: np.ndarray) -> np.ndarray:
    """How many of each group of ``size`` people a ``share`` picks: round half up,
    ``floor(share x size + 1/2)`` (MODEL.md 7, exact quotas). Each silo is rounded on
    its own, so one silo's count never depends on another's size.

    Examples
    --------
    >>> quota(0.3, np.array([10, 70, 40, 5])).tolist()
    [3, 21, 12, 2]
    >>> quota(0.5, np.array([7, 1, 0])).tolist()
    [4, 1, 0]
    """
    size = np.asarray(size, dtype=np.int64)
    # the 1e-9 keeps a product a hair under .5 by float error (0.3 x 35) at .5
    return np.minimum(size, np.floor(share * size + 0.5 + 1e-9)).astype(np.int64)


def _lowest(
    draw: np.ndarray, group: np.ndarray, among: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Of the people ``among``, the ``counts[g]`` with the lowest ``draw`` in each
    group ``g`` (ties, which a float draw never has, by id)."""
    ids = np.flatnonzero(among)
    order = ids[np.lexsort((draw[ids], group[ids]))]  # by group, then draw
    first = np.searchsorted(group[order], np.arange(counts.size))
    rank = np.arange(order.size) - first[group[order]]
    chosen = np.zeros(draw.size, dtype=bool)
    chosen[order[rank < counts[group[order]]]] = True
    return chosen


def staff_flags(
    silo: np.ndarray,
    comms: int,
    onboard_draw: np.ndarray,
    empower_draw: np.ndarray,
    onboard_share: float,
    empowered_share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Who is on board and who is empowered at these shares: exact quotas per silo
    (MODEL.md 7), not independent draws.

    In each silo outside comms, the :func:`quota` of ``onboard_share`` of its people
    are on board: those with the lowest ``onboard_draw``. Comms is always on board.
    In each silo, the quota of ``empowered_share`` of its on-board people are
    empowered: those on board with the lowest ``empower_draw``. The draws are each
    employee's own and kept, so a rising on-board share only adds people, and a
    rising empowered share only empowers more of the same on-board people (a rising
    on-board share may change which on-board people hold the empowered quota).

    Examples
    --------
    >>> silo = np.array([0, 0, 1, 1, 1, 1])
    >>> draw = np.array([0.9, 0.1, 0.4, 0.2, 0.8, 0.6])
    >>> on, emp = staff_flags(silo, 0, draw, draw, 0.5, 0.5)
    >>> on.astype(int).tolist(), emp.astype(int).tolist()
    ([1, 1, 1, 1, 0, 0], [0, 1, 0, 1, 0, 0])
    """
    n_silos = int(silo.max()) + 1 if silo.size else 0
    size = np.bincount(silo, minlength=n_silos)
    wanted = quota(onboard_share, size)
    wanted[comms] = size[comms]
    on_board = _lowest(onboard_draw, silo, np.ones(silo.size, dtype=bool), wanted)
    aboard = np.bincount(silo[on_board], minlength=n_silos)
    empowered = _lowest(empower_draw, silo, on_board, quota(empowered_share, aboard))
    return on_board, empowered


@dataclass
class Organization:
    """Employee state as arrays (one row per employee) plus silo and level tables.

    Attributes
    ----------
    silo, level, manager : int arrays
        Department, hierarchy level (0 = front line) and manager (same silo, one level
        up; -1 at a silo's head).
    expertise : float32 array (employees x topics)
        High in the own silo's topics, low elsewhere.
    on_board, empowered : bool arrays
    training, authenticity, capacity, social_share : float32 arrays
    """

    silo: np.ndarray
    level: np.ndarray
    manager: np.ndarray
    expertise: np.ndarray
    on_board: np.ndarray
    empowered: np.ndarray
    training: np.ndarray
    authenticity: np.ndarray
    capacity: np.ndarray
    silo_names: list[str]
    topic_names: list[str]
    topic_silo: np.ndarray
    comms: int
    n_levels: int
    onboard_draw: np.ndarray
    """Each employee's uniform draw: each silo's on-board quota takes its lowest
    (:func:`staff_flags`; kept so that a rising share, mid-run, only adds people)."""
    empower_draw: np.ndarray
    """... and the draw by which the on-board people of a silo fill its empowered
    quota."""
    social_share: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.social_share = np.zeros(self.n_employees, dtype=np.float32)

    @property
    def n_employees(self) -> int:
        return int(self.silo.size)

    @property
    def n_silos(self) -> int:
        return len(self.silo_names)

    def staffed(
        self, onboard_share: float, empowered_share: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(on board, empowered) at these shares, from the kept draws
        (:func:`staff_flags`): what the quotas give, before any structure forces
        people on board (the switchboard's liaisons)."""
        return staff_flags(
            self.silo,
            self.comms,
            self.onboard_draw,
            self.empower_draw,
            onboard_share,
            empowered_share,
        )

    def members(self, silo: int, level: int | None = None) -> np.ndarray:
        """Ids of a silo's employees, optionally at one level."""
        mask = self.silo == silo
        if level is not None:
            mask &= self.level == level
        return np.flatnonzero(mask)


def build_organization(scenario: Scenario, rng: np.random.Generator) -> Organization:
    """Build the org chart and employee arrays from a scenario.

    Silo sizes follow the silos' ``share`` (normalised, at least two people each).
    Inside a silo, level sizes follow the spans of control (:func:`level_sizes`) and
    each employee's manager is a member of the level above, assigned in balanced
    blocks. Who is on board and empowered are exact quotas per silo
    (:func:`staff_flags`), filled by each employee's uniform draws from ``rng`` (the
    ``world`` stream), so every structure run on the same seed has the same people.
    """
    org_spec = scenario.organization
    n = org_spec.n_employees
    shares = np.array([s.share for s in scenario.silos], dtype=float)
    silo_sizes = np.maximum(2, np.floor(n * shares / shares.sum())).astype(np.int64)
    silo_sizes[np.argmax(silo_sizes)] += n - silo_sizes.sum()
    spans = [lv.span_of_control for lv in scenario.levels]
    n_levels = len(spans)

    silo = np.repeat(np.arange(len(silo_sizes), dtype=np.int16), silo_sizes)
    level = np.zeros(n, dtype=np.int8)
    manager = np.full(n, -1, dtype=np.int32)
    start = 0
    for size in silo_sizes:
        sizes = level_sizes(int(size), spans)
        level[start : start + size] = np.repeat(np.arange(n_levels, dtype=np.int8), sizes)
        offsets = start + np.concatenate([[0], np.cumsum(sizes)])
        for lv in range(n_levels - 1):
            below = np.arange(offsets[lv], offsets[lv + 1])
            above_n = sizes[lv + 1]
            if above_n == 0 or below.size == 0:
                continue
            manager[below] = offsets[lv + 1] + (np.arange(below.size) * above_n) // below.size
        start += size

    topic_names = scenario.topics
    topic_silo = np.array(
        [i for i, s in enumerate(scenario.silos) for _ in s.topics], dtype=np.int16
    )
    own = topic_silo[None, :] == silo[:, None]
    expertise = np.where(own, org_spec.expertise_own, org_spec.expertise_other).astype(np.float32)

    comms = [s.name for s in scenario.silos].index("comms")
    in_comms = silo == comms
    onboard_draw, empower_draw = rng.random(n), rng.random(n)
    on_board, empowered = staff_flags(
        silo, comms, onboard_draw, empower_draw, org_spec.onboard_share, org_spec.empowered_share
    )
    training = np.where(in_comms, org_spec.comms_training, org_spec.training).astype(np.float32)
    authenticity = np.where(in_comms, org_spec.comms_authenticity, org_spec.authenticity)
    return Organization(
        silo=silo,
        level=level,
        manager=manager,
        expertise=expertise,
        on_board=on_board,
        empowered=empowered,
        training=training,
        authenticity=authenticity.astype(np.float32),
        capacity=np.full(n, org_spec.capacity, dtype=np.float32),
        silo_names=[s.name for s in scenario.silos],
        topic_names=topic_names,
        topic_silo=topic_silo,
        comms=comms,
        n_levels=n_levels,
        onboard_draw=onboard_draw,
        empower_draw=empower_draw,
    )
