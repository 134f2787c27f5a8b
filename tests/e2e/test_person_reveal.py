"""A service representative reveals an ID number with htmx in the real browser."""

import pytest

from agency.models import AuditEvent
from agency.roles import Role
from tests.enrollment.factories_person import enrolled_person
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reveal_button_swaps_in_the_full_number(live_server, page, client_company):
    person = enrolled_person(client_company, name="张三", id_number="11010519491231002X")
    user = UserFactory(role=Role.SERVICE_REP)
    # a representative sees the persons of the clients they serve
    type(client_company).objects.filter(pk=client_company.pk).update(service_rep=user)
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")

    page.goto(f"{live_server.url}/staff/persons/?q=002X")
    page.click("text=张三")
    assert page.inner_text("[data-testid=id-number-masked]") == "**************002X"
    page.click("text=显示完整号码")

    page.wait_for_selector("[data-testid=id-number-revealed]")
    assert page.inner_text("[data-testid=id-number-revealed]") == "11010519491231002X"
    assert page.url == f"{live_server.url}/staff/persons/{person.pk}/"  # swapped in place
    assert AuditEvent.objects.filter(action="reveal", actor=user).count() == 1
