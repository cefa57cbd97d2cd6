"""The public side of the model: customers on a social graph who post, spread what
they see, and change their minds (MODEL.md 4.1, 4.2, 4.7, 4.8).

Nothing here knows how the organization is wired: the public side reads the thread
table (:mod:`sim.threads`) and the scenario, never :mod:`sim.organization`. This
package's names below are the only way in from outside it.
"""

from sim.public.arrivals import PoissonArrivals
from sim.public.broadcast import Broadcasting, interactivity
from sim.public.customers import Customers, build_customers
from sim.public.edge_list import GraphFileError, read_edge_list
from sim.public.graph import SocialGraph
from sim.public.graph_generators import build_graph
from sim.public.opinions import Opinions
from sim.public.posting import CustomerPosting, PostingEvents
from sim.public.side import CustomerPublic, OrganizationActs, PoissonPublic, build_public
from sim.public.spread import Exposed, Spread

__all__ = [
    "Broadcasting",
    "CustomerPosting",
    "CustomerPublic",
    "Customers",
    "Exposed",
    "GraphFileError",
    "Opinions",
    "OrganizationActs",
    "PoissonArrivals",
    "PoissonPublic",
    "PostingEvents",
    "SocialGraph",
    "Spread",
    "build_customers",
    "build_graph",
    "build_public",
    "interactivity",
    "read_edge_list",
]
