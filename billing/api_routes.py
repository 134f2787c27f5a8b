"""API routes of billing (the endpoints are in `billing.api`)."""

from agency.routing import Route

API: list[Route] = []
