"""The isolation matrix (see `tests/security/matrix.py` for the rules and how to add a
URL): every named URL of the staff, portal, API and admin faces and every operation of
the API schema has a case; each case is run for every role against an object of the
caller's own client and one of another client, reading and writing.

The data set is built once for the module (in a transaction rolled back at its end);
every request runs in a savepoint rolled back after it, so a write by one role never
changes what the next role sees."""

import uuid
from typing import Any

import pytest
from django.core.cache import cache

from tests.security import matrix
from tests.security.matrix import (
    ANONYMOUS,
    API_KEY,
    CLIENT,
    MISSING,
    PORTAL,
    ROLES,
    STAFF,
    build_path,
    face_of,
    outcome,
    request,
)
from tests.security.registry import REGISTRY, SKIPPED
from tests.security.world import World

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CLIENT_SCOPED = {"client", "contract", "person", "paper", "case", "inquiry", "complaint",
                 "webhook", "notification", "enrollment", "api_key", "archive_item",
                 "order", "order_line", "bill", "case_step"}


def test_every_url_has_a_case():
    # the admin site's routes are all checked by test_admin_face_is_closed_to_every_matrix_role
    urls = {name: route for name, route in matrix.named_urls().items()
            if face_of(route) != "admin"}
    missing = sorted(set(urls) - set(REGISTRY) - set(SKIPPED))
    stale = sorted((set(REGISTRY) | set(SKIPPED)) - set(urls))
    assert (missing, stale) == ([], []), (
        "URLs without a case in tests/security/registry.py (add one, see matrix.py): "
        f"{missing}; cases of URLs that no longer exist: {stale}")


def test_every_api_operation_has_a_case(api_methods):
    without = []
    for name, methods in sorted(api_methods.items()):
        case = REGISTRY.get(name)
        if case is None and name in SKIPPED:
            continue
        if case is None:
            without.append(f"{name} {sorted(methods)}")
            continue
        if "GET" in methods and case.read is None:
            without.append(f"{name} GET (read=None)")
        if methods & set(WRITE_METHODS) and case.write is None:
            without.append(f"{name} {sorted(methods & set(WRITE_METHODS))} (write=None)")
    assert without == [], f"API operations without a case: {without}"


def _object(world: World, kind: str, whose: str, user: Any) -> Any:
    data = world.mine if whose == "mine" else world.theirs
    if kind == "notification":
        from agency.services import notification_create

        if whose == "mine" and user is not None:
            return notification_create(user=user, message="通知", link="")
        return data.notification
    if kind == "staff_user":
        return world.staff[matrix.REP]
    if kind == "case_step":
        return data.case.steps.order_by("pk").first()
    if hasattr(data, kind):
        return getattr(data, kind)
    return data.objects.get(kind)


def _values(case: matrix.C, world: World, whose: str, user: Any) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for arg, kind in case.kinds().items():
        if kind == MISSING:
            values[arg] = "999999"
        elif kind == "city_code":
            values[arg] = "310000"
        elif kind == "uuid":
            values[arg] = str(uuid.UUID(int=1))
        elif kind.startswith("="):
            values[arg] = kind[1:]
        elif kind == "case_step":
            step = _object(world, kind, whose, user)
            if step is None:
                return None
            values[arg] = step.key
        else:
            obj = _object(world, kind, whose, user)
            if obj is None:
                values[arg] = "999999"
            else:
                values[arg] = str(obj.pk)
    return values


def expected(face: str, role: str, whose: str, allowed: bool, absent: bool) -> set[str]:
    """The answers the rules allow (see matrix.py). `absent`: the URL names an object the
    matrix does not make, so an allowed role meets 404 too."""
    ok = {"ok", "404"} if absent else {"ok"}
    if face in ("staff", "portal"):
        if role in (ANONYMOUS, API_KEY):
            return {"login"}
        if (face == "staff") != (role in STAFF):
            return {"404"}
        if whose == "theirs" and role in PORTAL:
            return {"404"}
        return ok if allowed else {"403", "404"}
    # the API
    if role == ANONYMOUS:
        return {"401"}
    if whose == "theirs" and role in CLIENT:
        return {"404"} if allowed else {"403", "404"}
    # a role without the right gets 403, or 404 where the view looks the object up in the
    # caller's scope first (finance and archivists see no cases): neither tells anything
    return ok if allowed else {"403", "404"}


def run_case(name: str, case: matrix.C, world: World, callers: dict[str, Any],
             api_methods: dict[str, set[str]], route: str) -> tuple[int, list[str]]:
    face = face_of(route)
    if face == "api":
        documented = api_methods.get(name, set())
        reads = ["GET"] if case.read is not None and "GET" in documented else []
        writes = [m for m in WRITE_METHODS if m in documented] if case.write is not None else []
    else:
        reads = ["GET"] if case.read is not None else []
        writes = ["POST"] if case.write is not None else []
    scoped = any(kind in CLIENT_SCOPED for kind in case.kinds().values())
    checked, failures = 0, []
    for role in ROLES:
        page, headers, user = callers[role]
        # staff see every client: another client's object is asked by client callers
        for whose in ("mine", "theirs") if scoped and role in CLIENT else ("mine",):
            values = _values(case, world, whose, user)
            if values is None:
                continue
            absent = "999999" in values.values()
            path = build_path(route, values)
            for method in reads + writes:
                allowed_roles = case.read if method == "GET" else case.write
                allowed = role in (allowed_roles or ())
                cache.clear()  # the throttles count per caller; each case starts afresh
                got = outcome(request(page, method, path, headers, face))
                want = expected(face, role, whose, allowed, absent)
                checked += 1
                if got not in want:
                    failures.append(f"{method} {path} as {role} ({whose} object): "
                                    f"expected {'/'.join(sorted(want))}, got {got}")
    return checked, failures


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_isolation(name, world, callers, api_methods, world_media, db, record_property):
    route = matrix.named_urls()[name]
    checked, failures = run_case(name, REGISTRY[name], world, callers, api_methods, route)
    record_property("isolation_matrix_cases", checked)
    assert failures == [], "\n".join(failures)


def _admin_paths() -> list[tuple[str, str]]:
    """(name, path) of every route of the admin site, its arguments filled in."""
    import re

    from django.urls import get_resolver

    from tests.security.matrix import _walk

    out = []
    for route, name in _walk(get_resolver()):
        if not route.startswith("admin/"):
            continue
        route = route.replace("^", "").replace("$", "")
        route = re.sub(r"\(\?P<app_label>[^)]*\)", "agency", route)
        route = re.sub(r"\(\?P<url>[^)]*\)", "x", route)
        route = re.sub(r"\(\[\^/\]\+\)", "1", route)
        route = re.sub(r"<(?:\w+:)?\w+>", "1", route)
        out.append((name or route, "/" + route))
    return out


def test_admin_face_is_closed_to_every_matrix_role(callers, db, record_property):
    """The back-office admin answers only to users flagged `is_staff` (made by
    createsuperuser): no role of the matrix (staff roles included) gets past its login."""
    failures, checked = [], 0
    for name, path in _admin_paths():
        if name in ("login", "logout", "admin:login", "admin:logout") or path in (
                "/admin/login/", "/admin/logout/"):
            continue
        for role in ROLES:
            page, headers, _ = callers[role]
            response = request(page, "GET", path, headers, "admin")
            checked += 1
            location = response.get("Location", "")
            if not (response.status_code == 302 and "/admin/login/" in location):
                failures.append(f"GET {path} as {role}: {response.status_code} {location}")
    record_property("isolation_matrix_cases", checked)
    assert failures == [], "\n".join(failures)
