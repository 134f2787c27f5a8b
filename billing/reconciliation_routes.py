"""Staff, portal and API routes of bureau reconciliation (views in
`billing.reconciliation_views`)."""

from agency.routing import Route

STAFF: list[Route] = []
PORTAL: list[Route] = []
API: list[Route] = []
