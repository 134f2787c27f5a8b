"""Routes of the billing app: bills, payments and invoices; receipts, ledgers and refunds
(`money_routes`); bureau reconciliation (`reconciliation_routes`) on the staff pages, the
portal and the API. Each part's routes live beside its views."""

from agency.routing import faces
from billing import api_routes, money_routes, reconciliation_routes, web_routes

urlpatterns = faces(
    staff=[*web_routes.STAFF, *money_routes.STAFF, *reconciliation_routes.STAFF],
    portal=[*web_routes.PORTAL, *money_routes.PORTAL, *reconciliation_routes.PORTAL],
    api=[*api_routes.API, *money_routes.API, *reconciliation_routes.API],
)
