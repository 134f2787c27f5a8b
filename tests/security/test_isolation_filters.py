"""Filters and foreign-key ids of another client reveal nothing.

Every list of the portal and the API, asked with another client's ids in every filter a
view reads (`client`, `client_id`, `person`, `about_id`, a search for their person's name),
shows none of that client's data; naming another client's person, case or order line in
a new case or inquiry is refused and saves nothing."""

import pytest
from django.core.cache import cache
from django.urls import resolve

from compliance.models import Inquiry
from enrollment.models import Case
from tests.security import matrix
from tests.security.matrix import (
    ANONYMOUS,
    API_KEY,
    CLIENT_ADMIN,
    CLIENT_VIEWER,
    face_of,
)
from tests.security.matrix import request as _request
from tests.security.registry import SKIPPED

pytestmark = pytest.mark.django_db


def _lists() -> list[tuple[str, str]]:
    """(name, route) of every portal and API route that takes no URL argument."""
    out = []
    for name, route in sorted(matrix.named_urls().items()):
        if face_of(route) in ("portal", "api") and "<" not in route and name not in SKIPPED:
            out.append((name, route))
    return out


def test_lists_filtered_by_another_clients_ids_show_none_of_its_data(world, callers,
                                                                      world_media):
    theirs = world.theirs
    query = (f"?client={theirs.client.pk}&client_id={theirs.client.pk}"
             f"&person={theirs.person.pk}&about_id={theirs.case.pk}")
    markers = [theirs.client.name, theirs.person.name, theirs.client.uscc]
    leaks, checked = [], 0
    for name, route in _lists():
        face = face_of(route)
        for role in (CLIENT_ADMIN, CLIENT_VIEWER, API_KEY):
            if face == "portal" and role == API_KEY:
                continue
            page, headers, _ = callers[role]
            cache.clear()
            response = _request(page, "GET", "/" + route + query, headers, face)
            checked += 1
            body = response.content.decode("utf-8", "replace") if not getattr(
                response, "streaming", False) else ""
            if response.status_code >= 500:
                leaks.append(f"{name} as {role}: {response.status_code}")
            for marker in markers:
                if marker in body:
                    leaks.append(f"{name} as {role}: shows {marker!r}")
    assert checked > 0
    assert leaks == []


@pytest.mark.parametrize("role", [CLIENT_ADMIN, API_KEY])
def test_a_case_for_another_clients_person_is_refused_and_not_saved(world, callers, role):
    page, headers, _ = callers[role]
    before = Case.objects.count()
    response = page.post("/api/v1/cases/", {"type": "other", "person": world.theirs.person.pk},
                         content_type="application/json", **headers)
    assert response.status_code in (400, 404)
    assert world.theirs.person.name not in response.content.decode()
    assert Case.objects.count() == before


@pytest.mark.parametrize("role", [CLIENT_ADMIN, API_KEY])
def test_an_inquiry_about_another_clients_case_is_refused_and_not_saved(world, callers, role):
    page, headers, _ = callers[role]
    before = Inquiry.objects.count()
    response = page.post("/api/v1/inquiries/",
                         {"subject": "问", "body": "问",
                          "about": {"type": "case", "id": world.theirs.case.pk}},
                         content_type="application/json", **headers)
    assert response.status_code in (400, 404)
    assert Inquiry.objects.count() == before


def test_a_removal_order_for_another_clients_person_tells_nothing(world, callers):
    """Naming a person the client does not employ gets the same answer as a number nobody
    holds: the other client's enrolment is not revealed."""
    page, headers, _ = callers[API_KEY]
    theirs_id = world.theirs.objects["id_number"]
    from tests.factories import make_id_number

    answers = []
    for id_number in (theirs_id, make_id_number(11999)):
        response = page.post("/api/v1/orders/", {"lines": [
            {"action": "remove", "id_number": id_number, "city": "310000",
             "effective_date": "2030-12-31", "reason": "resignation"}]},
            content_type="application/json", **headers)
        assert response.status_code == 400
        answers.append([(d["code"], d.get("field")) for d in
                        response.json()["error"]["details"]])
    assert answers[0] == answers[1]


def test_anonymous_gets_nothing_from_any_list(callers):
    page, headers, _ = callers[ANONYMOUS]
    for name, route in _lists():
        face = face_of(route)
        response = _request(page, "GET", "/" + route, headers, face)
        assert response.status_code in (302, 401, 405), (name, response.status_code)
        assert resolve("/" + route).url_name == name
