"""Building blocks shared by the scenario sections."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Hours", "PositiveHours", "Section", "Share"]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Hours = Annotated[float, Field(ge=0.0, le=100_000.0)]
PositiveHours = Annotated[float, Field(gt=0.0, le=100_000.0)]


class Section(BaseModel):
    """Base of every section: immutable, unknown keys and non-finite numbers rejected
    (files are validated strictly too: :func:`sim.scenario.scenario_from_dict`)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,
        use_attribute_docstrings=True,
        allow_inf_nan=False,
    )
