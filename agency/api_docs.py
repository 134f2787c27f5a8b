"""The API's schema and docs page: for signed-in callers only. (Apart from agency.schema:
drf-spectacular's views read the API settings, which name agency.schema.AutoSchema.)"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated


class PrivateSchemaView(SpectacularAPIView):
    """The OpenAPI schema, for a signed-in caller only (an API key, a portal or staff
    session): the map of every endpoint is no help to a stranger (anonymous → 401)."""

    permission_classes = [IsAuthenticated]


class PrivateDocsView(SpectacularSwaggerView):
    """The API docs page; like the schema it loads, for a signed-in caller only."""

    permission_classes = [IsAuthenticated]
