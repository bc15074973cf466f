"""What every part of the treatment system works on, declared once for its mixins."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.context import Luck
    from sim.model.events import EventLog
    from sim.model.outcomes import Recorder
    from sim.model.people import People
    from sim.model.rows import Calendar, Table
    from sim.model.treatment.params import TreatmentParams


class TreatmentPart:
    """The state `Treatment.__init__` sets, shared by `Referrals` and `Courses`."""

    p: TreatmentParams
    people: People
    rows: Table
    rng: np.random.Generator
    luck: Luck
    log: EventLog
    record: Recorder
    calendar: Calendar
