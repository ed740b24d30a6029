"""A reproducible synthetic demo clinic, as plain Python (no Django).

``generate_demo_clinic()`` returns fictional therapists, clients, sessions and item-level
answers whose numbers tell recognisable clinical stories; a Django loader maps them onto
models so a demo login has something realistic to look at. Besides the current caseload
(``DemoClinic.clients``) it holds past clients whose episodes closed months ago
(``DemoClinic.past_clients``), the history a clinic's expected-trajectory models learn from.
Each current client also has a treatment plan history (``DemoClient.plan``, built by
:mod:`rapport.demo.plans`): versions, goal ratings and the client's agreement.
"""

from .model import (
    DemoClient,
    DemoClinic,
    DemoGoalRating,
    DemoPlan,
    DemoPlanFeedback,
    DemoPlanVersion,
    DemoResponse,
    DemoSession,
    DemoTherapist,
)
from .stories import CLINIC_NAME, NAMED_FOR_ALICE, THERAPISTS, generate_demo_clinic
from .trajectories import FILLER_STORIES, STORIES

__all__ = [
    "CLINIC_NAME",
    "FILLER_STORIES",
    "NAMED_FOR_ALICE",
    "STORIES",
    "THERAPISTS",
    "DemoClient",
    "DemoClinic",
    "DemoGoalRating",
    "DemoPlan",
    "DemoPlanFeedback",
    "DemoPlanVersion",
    "DemoResponse",
    "DemoSession",
    "DemoTherapist",
    "generate_demo_clinic",
]
