"""Routes of the people side: revisits, training sessions, monthly assessments."""

from agency.routing import Route

staff: list[Route] = []
