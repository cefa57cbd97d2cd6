"""The reference's initial world: the org chart, the employees and the customers on
their follower network (MODEL.md 2).

Only initial conditions come from shared code: the graph generators of
:func:`sim.public.build_graph` and the level sizes of
:func:`sim.organization.level_sizes`. Everything else is built here, one object at a
time, from the reference's own random streams.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from sim.organization import level_sizes
from sim.public import build_graph
from sim.reference.agents import Customer, Employee
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel

__all__ = ["build_customers", "build_employees", "follower_graph"]


def _quota(share: float, size: int) -> int:
    """How many of ``size`` people a ``share`` picks: rounded half up."""
    return min(size, math.floor(share * size + 0.5 + 1e-9))


def build_employees(model: ReferenceModel, rnd: random.Random) -> list[Employee]:
    """The org chart: silos sized by share (at least two people each, the largest
    silo takes the rounding), levels by span of control, each employee managed by a
    member of the level above in balanced blocks.

    On board and empowered are exact quotas per silo (MODEL.md 7): every employee
    draws two uniforms; in each silo outside comms the ``floor(onboard_share x size +
    1/2)`` people with the lowest first draw are on board (comms always is), and of a
    silo's on-board people the ``floor(empowered_share x on board + 1/2)`` with the
    lowest second draw are empowered.
    """
    scenario = model.spec
    spec = scenario.organization
    n = spec.n_employees
    total_share = sum(s.share for s in scenario.silos)
    sizes = [max(2, math.floor(n * s.share / total_share)) for s in scenario.silos]
    sizes[sizes.index(max(sizes))] += n - sum(sizes)
    spans = [level.span_of_control for level in scenario.levels]
    employees: list[Employee] = []
    for silo, (silo_spec, size) in enumerate(zip(scenario.silos, sizes, strict=True)):
        in_comms = silo_spec.name == "comms"
        draws = [(rnd.random(), rnd.random()) for _ in range(size)]
        by_first = sorted(range(size), key=lambda i: draws[i][0])
        aboard = set(by_first[: size if in_comms else _quota(spec.onboard_share, size)])
        by_second = sorted(aboard, key=lambda i: draws[i][1])
        empowers = set(by_second[: _quota(spec.empowered_share, len(aboard))])
        by_level: list[list[Employee]] = []
        for level, count in enumerate(level_sizes(size, spans).tolist()):
            members = []
            for _ in range(count):
                index = sum(len(m) for m in by_level) + len(members)  # within the silo
                on_board, empowered = index in aboard, index in empowers
                expertise = {
                    topic: spec.expertise_own if topic in silo_spec.topics else spec.expertise_other
                    for topic in scenario.topics
                }
                employee = Employee(
                    model,
                    len(employees),
                    silo=silo,
                    level=level,
                    expertise=expertise,
                    on_board=on_board,
                    empowered=empowered,
                    training=spec.comms_training if in_comms else spec.training,
                    authenticity=spec.comms_authenticity if in_comms else spec.authenticity,
                    capacity=spec.capacity,
                )
                employees.append(employee)
                members.append(employee)
            by_level.append(members)
        for below, above in itertools.pairwise(by_level):
            for i, employee in enumerate(below):
                if above:
                    employee.manager = above[(i * len(above)) // len(below)]
    return employees


def follower_graph(scenario: Scenario, rng: np.random.Generator) -> nx.DiGraph:
    """The customers' graph as a networkx DiGraph: edge i -> j means j sees i's posts."""
    return build_graph(scenario, rng).to_networkx(force=True)


def build_customers(model: ReferenceModel, network: Network, rnd: random.Random) -> list[Customer]:
    """One customer per node: sentiment normal and clipped to [-1, 1], activity
    lognormal with mean 1, influence = (1 + followers) / (1 + mean followers)."""
    spec = model.spec.customers
    graph = network.G
    sigma = spec.activity_sigma
    customers = []
    for index in range(graph.number_of_nodes()):
        sentiment = min(1.0, max(-1.0, rnd.gauss(spec.sentiment_mean, spec.sentiment_sd)))
        customer = Customer(
            model,
            index,
            sentiment=sentiment,
            trust=spec.trust_initial,
            activity=math.exp(sigma * rnd.gauss(0.0, 1.0) - 0.5 * sigma * sigma),
            follows_brand=rnd.random() < spec.brand_follower_share,
        )
        customer.cell = network[index]
        customers.append(customer)
    mean_followers = graph.number_of_edges() / max(1, len(customers))
    for customer in customers:
        customer.followers = [customers[j] for j in graph.successors(customer.index)]
        customer.n_following = graph.in_degree(customer.index)
        customer.influence = (1.0 + len(customer.followers)) / (1.0 + mean_followers)
        customer.was_fan = customer.fan
    for customer in customers:
        if customer.was_fan:
            for follower in customer.followers:
                follower.fans_followed += 1
    return customers
