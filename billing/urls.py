"""Routes of the billing app: bills, payments and invoices on the staff pages, the portal
and the API. Each face's routes live beside its views (`web_routes`, `api_routes`)."""

from agency.routing import faces
from billing import api_routes, web_routes

urlpatterns = faces(staff=web_routes.STAFF, portal=web_routes.PORTAL, api=api_routes.API)
