"""Models of the enrollment app, one module per topic.

core: cities, insured persons, enrolments (shared by every other topic).
policy: city contribution policies (versions and their items).
person: an insured person's papers.
order: roster orders (增减员), their lines and per-scheme tasks.
proof: proofs of enrolment (参保证明) and their verification codes."""

from enrollment.models.core import City, Enrollment, InsuredPerson, Scheme
from enrollment.models.order import (
    LineAction,
    LineStatus,
    RosterLine,
    RosterOrder,
    RosterTask,
    TaskStatus,
)
from enrollment.models.person import Paper
from enrollment.models.policy import PolicyItem, PolicyVersion
from enrollment.models.proof import ProofOfEnrolment

__all__ = [
    "City", "Enrollment", "InsuredPerson", "LineAction", "LineStatus", "Paper", "PolicyItem",
    "PolicyVersion", "ProofOfEnrolment", "RosterLine", "RosterOrder", "RosterTask", "Scheme",
    "TaskStatus",
]
