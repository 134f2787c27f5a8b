"""Staff and portal routes of billing (the views are in `billing.views`)."""

from agency.routing import Route

STAFF: list[Route] = []
PORTAL: list[Route] = []
