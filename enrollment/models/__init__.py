"""Models of the enrollment app, one module per topic.

core: cities, insured persons, enrolments (shared by every other topic)."""

from enrollment.models.core import City, Enrollment, InsuredPerson, Scheme

__all__ = ["City", "Enrollment", "InsuredPerson", "Scheme"]
