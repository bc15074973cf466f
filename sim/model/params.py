"""How a parameter is declared: value, unit, allowed bounds, plausible range and source.

Every number a planner or researcher may want to change is declared once, with `param`, in the
section class of the module whose mechanism uses it. The scenario schema, the JSON Schema, the
generated reference in docs/ and the sensitivity experiments all read these declarations, so a
unit or a source is written in exactly one place.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

ASSUMPTION = "assumption"


class Section(BaseModel):
    """A group of parameters for one part of the town; strict about unknown keys."""

    # allow_inf_nan: "inf", "nan", ".inf" and "1e400" are refused everywhere, in timed changes too.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_or_no_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse true/false (YAML also reads yes/no/on/off so) where a number is needed."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and field.annotation in (int, float):
            raise ValueError("a number is needed, not true/false (YAML reads yes, no, on and off as true/false)")
        return value


def param(
    default: Any,
    *,
    unit: str,
    doc: str,
    source: str = ASSUMPTION,
    plausible: tuple[float, float] | None = None,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a model parameter.

    `ge`/`le`/`gt`/`lt` are hard bounds a scenario may not cross (a probability above 1 is an
    error). `plausible` is the range a sensitivity analysis sweeps by default: where the evidence
    puts the value, or a deliberately wide range for an assumption.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        lo, hi = plausible
        if lo > hi:
            raise ValueError(f"plausible range {plausible} is reversed")
        extra["plausible"] = [lo, hi]
    return Field(
        default,
        description=doc,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        json_schema_extra=extra,
    )


def per_year_to_daily(rate_per_year: float) -> float:
    """Convert an annual hazard rate into a daily event probability (constant hazard)."""
    return -math.expm1(-rate_per_year / 365.25)


def half_life_factor(half_life_days: float) -> float:
    """Daily multiplicative factor for a quantity that halves every `half_life_days`."""
    return 0.5 ** (1.0 / half_life_days)
