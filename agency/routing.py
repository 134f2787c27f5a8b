"""How an app's `urls.py` lays out its routes on the four faces.

Each app lists its staff, portal and API routes without the face's prefix; `faces()`
puts them under `/staff/`, `/portal/` and `/api/v1/`. The root URLconf (`agency/urls.py`)
only includes each app's `urls.py`."""

from collections.abc import Sequence

from django.urls import URLPattern, URLResolver, include, path

Route = URLPattern | URLResolver
STAFF_PREFIX = "staff/"
PORTAL_PREFIX = "portal/"
API_PREFIX = "api/v1/"


def faces(
    *, staff: Sequence[Route] = (), portal: Sequence[Route] = (), api: Sequence[Route] = (),
    public: Sequence[Route] = (),
) -> list[Route]:
    """The `urlpatterns` of an app: its routes of each face under that face's prefix
    (`public` ones, such as a verification page, at the top level)."""
    out: list[Route] = list(public)
    for prefix, routes in ((STAFF_PREFIX, staff), (PORTAL_PREFIX, portal), (API_PREFIX, api)):
        if routes:
            out.append(path(prefix, include(list(routes))))
    return out
