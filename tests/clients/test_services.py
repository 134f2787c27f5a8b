"""Rules of the clients app's services: size tiers, representatives, prices, contract
activation, expiry and reminders."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import Conflict, DomainError, ValidationFailed
from agency.models import AuditEvent
from agency.roles import Role
from clients.models import ApiKey, Contract, SizeTier, size_tier
from clients.selectors import client_headcount, client_with_headcount_list, rep_load_list
from clients.services import (
    PriceInput,
    api_key_authenticate,
    api_key_issue,
    api_key_revoke,
    client_assign_rep,
    client_save,
    client_verify_licence,
    contract_activate,
    contract_create,
    contract_expire_due,
    contract_terminate,
)
from tests.clients.factories import (
    ContractFactory,
    ScannedClientFactory,
    StaffProfileFactory,
    VerifiedClientFactory,
    enrol_many,
    qualified_rep,
)
from tests.factories import CityFactory, ClientFactory, EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("headcount", "tier"), [
    (0, SizeTier.SMALL), (1, SizeTier.SMALL), (100, SizeTier.SMALL), (101, SizeTier.MEDIUM),
    (299, SizeTier.MEDIUM), (300, SizeTier.LARGE), (5000, SizeTier.LARGE),
])
def test_size_tier_boundaries(headcount, tier):
    assert size_tier(headcount) == tier


@pytest.mark.parametrize(("enrolled", "tier"), [
    (100, SizeTier.SMALL), (101, SizeTier.MEDIUM), (299, SizeTier.MEDIUM), (300, SizeTier.LARGE),
])
def test_headcount_and_tier_come_from_active_enrolments(staff_user, enrolled, tier):
    client = ClientFactory()
    enrol_many(client, enrolled)
    enrol_many(client, 7, status="ended")  # not counted
    from agency.viewer import Viewer

    viewer = Viewer.of(staff_user(Role.MANAGER))
    row = client_with_headcount_list(viewer=viewer, tier=tier).get()

    assert row.pk == client.pk
    assert row.headcount == enrolled
    assert client_headcount(client=client) == enrolled


def test_a_person_with_two_active_enrolments_counts_once():
    client = ClientFactory()
    first = EnrollmentFactory(client=client, scheme="social_insurance")
    EnrollmentFactory(client=client, person=first.person, scheme="housing_fund")

    assert client_headcount(client=client) == 1


def test_assignment_that_makes_the_501st_person_is_refused():
    rep = qualified_rep()
    served = ClientFactory(service_rep=rep)
    enrol_many(served, 400)
    new_client = ClientFactory()
    enrol_many(new_client, 101)

    with pytest.raises(DomainError) as refused:
        client_assign_rep(client=new_client, rep=rep, actor=UserFactory(role=Role.MANAGER))

    assert refused.value.code == "rep_overloaded"
    assert "501" in refused.value.message
    new_client.refresh_from_db()
    assert new_client.service_rep is None


def test_assignment_up_to_500_persons_is_accepted():
    rep = qualified_rep()
    enrol_many(ClientFactory(service_rep=rep), 400)
    new_client = ClientFactory()
    enrol_many(new_client, 100)

    client_assign_rep(client=new_client, rep=rep, actor=UserFactory(role=Role.MANAGER))

    new_client.refresh_from_db()
    assert new_client.service_rep == rep
    from agency.viewer import Viewer

    load = rep_load_list(viewer=Viewer.of(UserFactory(role=Role.MANAGER))).get(pk=rep.pk)
    assert (load.load, load.client_count) == (500, 2)


def test_unqualified_staff_cannot_be_assigned_and_the_reasons_are_named():
    profile = StaffProfileFactory(education="below_college", certificate_number="")
    client = ClientFactory()

    with pytest.raises(DomainError) as refused:
        client_assign_rep(client=client, rep=profile.user, actor=UserFactory(role=Role.MANAGER))

    assert refused.value.code == "rep_unqualified"
    assert [d.message for d in refused.value.details] == [
        "学历低于大专", "无人力资源从业资格证",
    ]


def test_a_staff_member_without_profile_or_not_a_rep_cannot_be_assigned():
    client = ClientFactory()
    with pytest.raises(DomainError) as no_profile:
        client_assign_rep(client=client, rep=UserFactory(role=Role.SERVICE_REP),
                          actor=UserFactory(role=Role.MANAGER))
    with pytest.raises(ValidationFailed) as not_rep:
        client_assign_rep(client=client, rep=StaffProfileFactory(user__role=Role.FINANCE).user,
                          actor=UserFactory(role=Role.MANAGER))

    assert no_profile.value.code == "rep_unqualified"
    assert not_rep.value.details[0].field == "service_rep"


def test_client_save_refuses_a_bad_uscc_naming_the_field():
    with pytest.raises(ValidationFailed) as refused:
        client_save(name="坏代码公司", uscc="91350100M000100Y44", ownership_type="private",
                    industry="C", actor=UserFactory(role=Role.MANAGER))

    assert [(d.field, d.code) for d in refused.value.details] == [("uscc", "invalid_checksum")]


def test_client_save_normalises_the_uscc_and_links_the_city():
    city = CityFactory(code="310000")
    client = client_save(name="好公司", uscc=" 91350100m000100y43 ", ownership_type="private",
                         industry="C", city_code="310000", actor=UserFactory(role=Role.MANAGER))

    assert (client.uscc, client.city) == ("91350100M000100Y43", city)


def _contract(client, price, reason=""):
    CityFactory(code="310000")
    return contract_create(
        client=client, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
        prices=[PriceInput(city_code="310000", price_per_head=Decimal(price),
                           override_reason=reason)],
        housing_fund_rate=Decimal("0.07"), actor=None,
    )


@pytest.mark.parametrize("price", ["49.00", "121.00"])
def test_price_outside_50_to_120_without_a_reason_is_refused(price):
    with pytest.raises(ValidationFailed) as refused:
        _contract(ClientFactory(), price)

    assert [(d.field, d.line, d.code) for d in refused.value.details] == [
        ("price_override_reason", 1, "price_out_of_range")]
    assert Contract.objects.count() == 0


@pytest.mark.parametrize("price", ["49.00", "121.00"])
def test_price_outside_50_to_120_with_a_reason_is_accepted(price):
    contract = _contract(ClientFactory(), price, reason="集团客户协议价")

    stored = contract.prices.get()
    assert (stored.price_per_head, stored.override_reason) == (Decimal(price), "集团客户协议价")
    assert contract.status == Contract.Status.DRAFT


@pytest.mark.parametrize("price", ["50.00", "120.00"])
def test_prices_at_the_bounds_need_no_reason(price):
    assert _contract(ClientFactory(), price).prices.get().price_per_head == Decimal(price)


def test_activation_is_refused_before_the_licence_is_verified():
    contract = ContractFactory(client=ClientFactory(), ends_on=datetime.date(2099, 1, 1))

    with pytest.raises(DomainError) as refused:
        contract_activate(contract=contract, actor=None)

    assert refused.value.code == "licence_unverified"
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_activation_after_verification_and_only_once():
    contract = ContractFactory(client=VerifiedClientFactory(), ends_on=datetime.date(2099, 1, 1))

    assert contract_activate(contract=contract, actor=None).status == Contract.Status.ACTIVE
    with pytest.raises(Conflict) as again:
        contract_activate(contract=contract, actor=None)
    assert again.value.code == "invalid_transition"


def test_an_active_contract_whose_end_date_passed_flips_to_expired():
    ends = datetime.date(2026, 6, 30)
    due = ContractFactory(status=Contract.Status.ACTIVE, ends_on=ends)
    draft = ContractFactory(status=Contract.Status.DRAFT, ends_on=ends)

    assert contract_expire_due(today=ends) == 0  # the last day is still in force
    assert contract_expire_due(today=ends + datetime.timedelta(days=1)) == 1
    assert contract_expire_due(today=ends + datetime.timedelta(days=1)) == 0  # safe twice

    due.refresh_from_db()
    draft.refresh_from_db()
    assert (due.status, draft.status) == (Contract.Status.EXPIRED, Contract.Status.DRAFT)


def test_api_key_is_stored_hashed_authenticates_and_is_revocable():
    client = ClientFactory()
    manager = UserFactory(role=Role.MANAGER)

    api_key, key = api_key_issue(client=client, name="HR 系统", actor=manager)

    stored = ApiKey.objects.get()
    assert key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    assert api_key_authenticate(key=key) == api_key
    assert ApiKey.objects.get().last_used_at is not None
    api_key_revoke(api_key=api_key, actor=manager)
    assert api_key_authenticate(key=key) is None
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "api_key_issued", "api_key_revoked"]


def test_the_actor_of_a_client_service_is_in_the_history_and_the_audit_log():
    manager = UserFactory(role=Role.MANAGER)
    rep = qualified_rep()
    client = ScannedClientFactory()
    contract = ContractFactory(client=client)

    client_verify_licence(client=client, actor=manager)
    client_assign_rep(client=client, rep=rep, actor=manager)
    contract_activate(contract=contract, actor=manager)
    contract_terminate(contract=contract, reason="客户终止合作", actor=manager)

    assert [h.history_user for h in client.history.order_by("history_id")][-2:] == [
        manager, manager]
    assert contract.history.order_by("history_id").last().history_user == manager
    assert list(AuditEvent.objects.filter(client_id_ref=client.pk).order_by("pk").values_list(
        "actor", "detail__event")) == [
        (manager.pk, "licence_verified"), (manager.pk, "service_rep_assigned"),
        (manager.pk, "contract_activated"), (manager.pk, "contract_terminated")]
