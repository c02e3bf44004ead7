"""The LCG's own records. Each area of the app keeps its models in its own module
(``lcgs/<area>/models.py``); they are imported here so Django finds them under the app
label ``lcgs``. LCGs and their memberships are organisation reference data and live in
``agencies`` (docs/decisions/0015)."""

from __future__ import annotations

from lcgs.intensive.models import IntensiveNomination, IntensivePlaces  # noqa: F401
from lcgs.meetings.models import *  # noqa: F403
from lcgs.money.models import LCGGrantRate, LCGTarget  # noqa: F401
from lcgs.retention.models import *  # noqa: F403
