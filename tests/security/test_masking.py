"""Issue 17, "masked IDs give the number away": only the last four of a number are shown,
and a birth date and sex only to the staff who may reveal numbers; whole numbers never
travel in a URL (search by POST or by the lookup hash)."""

import datetime
import importlib
import re

import pytest
from django.utils import timezone

from agency.crypto import lookup_hash
from agency.roles import Role
from agency.viewer import ApiKeyPrincipal
from enrollment.models import InsuredPerson
from enrollment.persons.id_numbers import age_on
from tests.enrollment.factories_person import enrolled_person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"  # born 1949-12-31, female
MASKED = "**************002X"


def _age() -> int:
    return age_on(datetime.date(1949, 12, 31), timezone.localdate())


def _stars_and_last4(text: str) -> list[str]:
    return re.findall(r"[0-9X*]{14,}[0-9X]", text)


def test_a_masked_number_with_what_a_non_reveal_role_sees_leaves_the_number_open(
        client, staff_user, client_company):
    """From the masked number and everything a finance user is shown of the person (birth
    year, no birth date, no sex, no first four) the number cannot be rebuilt: every
    birth date of the year and every county stay possible."""
    person = enrolled_person(client_company, name="王小明", id_number=NUMBER)
    client.force_login(staff_user(Role.FINANCE))

    html = client.get(f"/staff/persons/{person.pk}/").content.decode()

    assert person.id_number_masked == MASKED
    assert _stars_and_last4(html) == [MASKED]
    assert re.search(r'data-testid="birth">([^<]*)<', html).group(1) == (
        f"1949 年（{_age()} 岁）")
    assert ('data-testid="sex"' in html, "1949-12-31" in html, "1949年12月31日" in html,
            "19491231" in html, "1101" in html) == (False, False, False, False, False)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_the_reveal_roles_see_birth_date_and_sex(client, staff_user, client_company, role):
    person = enrolled_person(client_company, name="王小明", id_number=NUMBER)
    client.force_login(staff_user(role))

    html = client.get(f"/staff/persons/{person.pk}/").content.decode()

    assert re.search(r'data-testid="sex">([^<]*)<', html).group(1) == "女"
    assert re.search(r'data-testid="birth">([^<]*)<', html).group(1) == "1949年12月31日"
    assert _stars_and_last4(html) == [MASKED]


def test_portal_user_sees_the_birth_year_only(client, client_company):
    person = enrolled_person(client_company, name="王小明", id_number=NUMBER)
    client.force_login(UserFactory(role=Role.CLIENT_VIEWER, client=client_company))

    html = client.get(f"/portal/persons/{person.pk}/").content.decode()

    assert re.search(r'data-testid="birth">([^<]*)<', html).group(1) == (
        f"1949 年（{_age()} 岁）")
    assert ('data-testid="sex"' in html, "12月31日" in html) == (False, False)
    assert _stars_and_last4(html) == [MASKED]


def test_api_key_gets_birth_year_and_null_birth_date_and_sex(api_client, client_company):
    person = enrolled_person(client_company, name="王小明", id_number=NUMBER)
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client_company.pk,
                                                       api_key_id=1))

    row = api_client.get("/api/v1/persons/").json()["results"][0]
    detail = api_client.get(f"/api/v1/persons/{person.pk}/").json()

    assert {k: row[k] for k in ("id_number_masked", "birth_date", "birth_year", "sex")} == {
        "id_number_masked": MASKED, "birth_date": None, "birth_year": 1949, "sex": None}
    assert {k: detail[k] for k in ("id_number_masked", "birth_date", "birth_year", "sex")} == {
        "id_number_masked": MASKED, "birth_date": None, "birth_year": 1949, "sex": None}


@pytest.mark.parametrize(("role", "full"), [(Role.MANAGER, True), (Role.FINANCE, False),
                                            (Role.ARCHIVIST, False)])
def test_api_for_staff_follows_the_reveal_right(api_client, client_company, role, full):
    person = enrolled_person(client_company, name="王小明", id_number=NUMBER)
    api_client.force_authenticate(user=UserFactory(role=role))

    detail = api_client.get(f"/api/v1/persons/{person.pk}/").json()

    assert (detail["birth_date"], detail["sex"], detail["birth_year"]) == (
        ("1949-12-31", "F", 1949) if full else (None, None, 1949))


def test_a_passport_shows_its_document_type_beside_the_last_four(client, staff_user,
                                                                   client_company):
    from enrollment.persons.services import person_create
    from tests.factories import CityFactory, EnrollmentFactory

    person = person_create(name="John Smith", id_number="E12345678", actor=None,
                           id_document_type=InsuredPerson.DocumentType.PASSPORT)
    EnrollmentFactory(person=person, client=client_company, city=CityFactory())
    client.force_login(staff_user(Role.FINANCE))

    html = client.get("/staff/persons/").content.decode()

    assert '<td class="masked">*****5678 <span class="muted">护照</span></td>' in html


def test_the_data_migration_remasks_persons_and_their_history(client_company):
    person = enrolled_person(client_company, id_number=NUMBER)
    InsuredPerson.objects.filter(pk=person.pk).update(id_number_masked="1101**********002X")
    person.history.update(id_number_masked="1101**********002X")
    migration = importlib.import_module("enrollment.migrations.0013_remask_id_numbers")
    from django.apps import apps

    migration.remask_all(apps, None)

    person.refresh_from_db()
    assert person.id_number_masked == MASKED
    assert set(person.history.values_list("id_number_masked", flat=True)) == {MASKED}


# --- whole numbers stay out of URLs ------------------------------------------------------


def test_staff_search_by_a_whole_number_posts_and_redirects_to_its_hash(
        client, staff_user, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    enrolled_person(client_company, name="李四")
    client.force_login(staff_user(Role.MANAGER))

    posted = client.post("/staff/persons/", {"q": " 110105 19491231002x "})
    page = client.get(posted["Location"]).content.decode()

    assert posted.status_code == 302
    assert posted["Location"] == f"/staff/persons/?idh={lookup_hash(NUMBER)}"
    assert ("张三" in page, "李四" in page, NUMBER in page) == (True, False, False)


def test_a_whole_number_typed_into_the_url_is_moved_to_its_hash(client, staff_user):
    client.force_login(staff_user(Role.MANAGER))

    response = client.get("/staff/persons/", {"q": NUMBER, "status": "active"})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/persons/?status=active&idh={lookup_hash(NUMBER)}"


def test_last_four_and_name_search_stay_in_the_url(client, staff_user, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    client.force_login(staff_user(Role.MANAGER))

    by_get = client.get("/staff/persons/", {"q": "002x"})
    by_post = client.post("/staff/persons/", {"q": "张三"})

    assert (by_get.status_code, "张三" in by_get.content.decode()) == (200, True)
    assert (by_post.status_code, by_post["Location"]) == (
        302, "/staff/persons/?q=%E5%BC%A0%E4%B8%89")


def test_portal_search_by_a_whole_number_posts_too(client, client_company):
    enrolled_person(client_company, name="张三", id_number=NUMBER)
    client.force_login(UserFactory(role=Role.CLIENT_ADMIN, client=client_company))

    posted = client.post("/portal/persons/", {"q": NUMBER})
    page = client.get(posted["Location"]).content.decode()

    assert posted["Location"] == f"/portal/persons/?idh={lookup_hash(NUMBER)}"
    assert "张三" in page


def test_api_refuses_a_whole_number_in_the_query_and_finds_it_by_post(api_client,
                                                                        client_company,
                                                                        other_client_company):
    mine = enrolled_person(client_company, name="张三", id_number=NUMBER)
    theirs = enrolled_person(other_client_company, name="别家")
    api_client.force_authenticate(user=ApiKeyPrincipal(client_id=client_company.pk,
                                                       api_key_id=1))

    in_query = api_client.get("/api/v1/persons/", {"search": NUMBER})
    found = api_client.post("/api/v1/persons/search/", {"id_number": NUMBER.lower()})
    not_mine = api_client.post("/api/v1/persons/search/",
                               {"id_number": _number_of(theirs)})
    bad = api_client.post("/api/v1/persons/search/", {"id_number": "张三"})

    assert in_query.status_code == 400
    assert in_query.json()["error"]["details"][0]["code"] == "id_number_in_query"
    assert found.status_code == 200
    assert [(r["id"], r["id_number_masked"]) for r in found.json()["results"]] == [
        (mine.pk, MASKED)]
    assert not_mine.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert (bad.status_code, bad.json()["error"]["details"][0]["code"]) == (
        400, "invalid_id_number")


def _number_of(person):
    from enrollment.persons.services import person_id_number

    return person_id_number(person)
