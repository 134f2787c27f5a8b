"""Staff, portal and API routes of billing's money pages (views in `billing.money_views`)."""

from agency.routing import Route

STAFF: list[Route] = []
PORTAL: list[Route] = []
API: list[Route] = []
