"""The isolation matrix: which roles may read and write each URL, and the rules every
answer must follow. The URL map and the API schema are walked (`named_urls`,
`api_operations`), so a route without an entry in `REGISTRY` (or in `SKIPPED`, with a
reason) fails `test_every_url_has_a_case`.

Adding a URL: give its name a `C(...)` entry in `REGISTRY` (in `registry.py`):
  - `pk=` (and `kw=` for further URL arguments) the kind of object each argument names;
    a kind is a key of `OBJECT_KINDS` (an object of the caller's own client and one of
    another client are made by `tests/security/world.py`); `MISSING` when no object of
    that kind is made here yet (then only the role guards are checked);
  - `read=` the roles that may GET it, `write=` the roles that may POST (pages) or use
    the schema's write methods (API); `None` when the route has no such method.

The rules (`expectation`), for every role × own/other object × read/write:
  - anonymous: a page redirects to its face's login, the API answers 401;
  - a user of the other face (and a client's API key on a page) is sent away as above
    (API key: login redirect) or gets 404 (agency.access: "faces answer 404 to the other
    face"; a role of the right face without the right also gets 404 on a page);
  - on the API a role without the right gets 403;
  - a portal user or API key naming another client's object gets 404;
  - an allowed role gets an answer that is neither 401, 403, 404 nor 5xx."""

import copy
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client as PageClient
from django.urls import URLPattern, URLResolver, get_resolver

from agency.roles import Role

ADMIN, MANAGER, REP, FINANCE, ARCHIVIST = (Role.ADMIN, Role.MANAGER, Role.SERVICE_REP,
                                           Role.FINANCE, Role.ARCHIVIST)
CLIENT_ADMIN, CLIENT_VIEWER = Role.CLIENT_ADMIN, Role.CLIENT_VIEWER
API_KEY, ANONYMOUS = "api_key", "anonymous"

STAFF = frozenset({ADMIN, MANAGER, REP, FINANCE, ARCHIVIST})
PORTAL = frozenset({CLIENT_ADMIN, CLIENT_VIEWER})
CLIENT = PORTAL | {API_KEY}  # everyone scoped to one client
ROLES = (ADMIN, MANAGER, REP, FINANCE, ARCHIVIST, CLIENT_ADMIN, CLIENT_VIEWER, API_KEY,
         ANONYMOUS)
FACES = {"staff/": "staff", "portal/": "portal", "api/v1/": "api", "admin/": "admin"}

MISSING = "missing"  # no object of that kind is made by the matrix: guards only


@dataclass(frozen=True)
class C:
    """One URL's case: what its arguments name, who may read and who may write."""

    pk: str | None = None
    kw: tuple[tuple[str, str], ...] = ()
    read: frozenset[str] | None = None
    write: frozenset[str] | None = None
    note: str = ""

    def kinds(self) -> dict[str, str]:
        out = dict(self.kw)
        if self.pk is not None:
            out["pk"] = self.pk
        return out


def roles(*names: str | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in names:
        out |= {name} if isinstance(name, str) else set(name)
    return frozenset(out)


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


@functools.cache
def named_urls() -> dict[str, str]:
    """Every named route of the staff, portal, API and admin faces: name -> route."""
    out: dict[str, str] = {}
    for route, name in _walk(get_resolver()):
        route = route.lstrip("^")
        if any(route.startswith(prefix) for prefix in FACES) and name:
            out.setdefault(name, route)
    return out


def face_of(route: str) -> str:
    for prefix, face in FACES.items():
        if route.lstrip("^").startswith(prefix):
            return face
    return "public"


def api_operations() -> list[tuple[str, str]]:
    """(path, METHOD) of every operation of the drf-spectacular schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    out = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((path, method.upper()))
    return out


ARG = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def build_path(route: str, values: dict[str, str]) -> str:
    return "/" + ARG.sub(lambda m: str(values[m.group("name")]), route)


def outcome(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return "5xx"
    if status in (301, 302, 303) and "login" in response.get("Location", ""):
        return "login"
    if status in (401, 403, 404, 405):
        return str(status)
    return "ok"


def request(page: PageClient, method: str, path: str, headers: dict[str, str],
             face: str) -> Any:
    cookies = copy.copy(page.cookies)  # a logout (or a deactivation) must not stick
    with transaction.atomic():
        if face == "api":
            response = page.generic(method, path, data=b"{}", content_type="application/json",
                                    **headers)
        elif method == "GET":
            response = page.get(path, **headers)
        else:
            response = page.post(path, data={}, **headers)
        transaction.set_rollback(True)
    page.cookies = cookies
    return response
