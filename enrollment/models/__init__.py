"""Models of the enrollment app, one module per topic.

core: cities, insured persons, enrolments (shared by every other topic).
person: an insured person's papers."""

from enrollment.models.core import City, Enrollment, InsuredPerson, Scheme
from enrollment.models.person import Paper

__all__ = ["City", "Enrollment", "InsuredPerson", "Paper", "Scheme"]
