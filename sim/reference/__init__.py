"""A plain Mesa implementation of the model for docking (MODEL.md 6.5).

One Mesa agent per customer and per employee, one object per thread, Python loops:
written for clarity, not speed. It shares the scenario files and the KPI definitions
with :class:`sim.OrgModel` and nothing of its stepping code or random numbers.
"""

from sim.reference.agents import Customer, Employee, Pool, Thread
from sim.reference.model import ReferenceModel

__all__ = ["Customer", "Employee", "Pool", "ReferenceModel", "Thread"]
