"""Domain corrections an agency's staff would catch in the first week (issue 10): each test
names the defect it guards against; every one failed before its fix."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import DomainError, ValidationFailed
from agency.roles import Role
from agency.viewer import SYSTEM_VIEWER
from clients.models import Contract
from clients.services import PriceInput, contract_create
from enrollment.models import Enrollment
from enrollment.orders.services import order_submit
from enrollment.orders.workflow import line_transition
from enrollment.persons.enrollment_services import enrollment_open
from enrollment.proofs.services import proof_issue, proof_sections
from policies.models import City
from tests.clients.factories import (
    ContractFactory,
    ContractPriceFactory,
    VerifiedClientFactory,
    enrol_many,
    qualified_rep,
)
from tests.enrollment.order_fixtures import RECEIVED, SH, active, add_line, enrolled, valid_id
from tests.factories import CityFactory, InsuredPersonFactory, UserFactory
from tests.pdf_utils import pdf_text
from tests.policies.factories import PolicyItemFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def submit(client, lines, received_at=RECEIVED):
    return order_submit(client=client, lines=lines, channel="api", actor=None,
                        received_at=received_at)


def refused(client, lines, received_at=RECEIVED) -> list[tuple[int | None, str, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        submit(client, lines, received_at)
    return [(d.line, d.field or "", d.code, d.message) for d in caught.value.details]


# --- the housing-fund rate of each city ----------------------------------------------


def test_a_contract_pricing_shanghai_refuses_a_12_percent_housing_fund_rate(policies):
    client = VerifiedClientFactory()

    with pytest.raises(ValidationFailed) as caught:
        contract_create(client=client, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31),
                        prices=[PriceInput("110000", Decimal("80")),
                                PriceInput("310000", Decimal("80"))],
                        housing_fund_rate=Decimal("0.12"), actor=None)

    # Beijing allows 5–12 %, Shanghai 5–7 %: only Shanghai is named
    assert [(d.field, d.code, d.message) for d in caught.value.details] == [(
        "housing_fund_rate", "rate_out_of_range",
        "上海市的住房公积金缴存比例须在 0.05 至 0.07 之间 / The housing fund rate of 310000 "
        "must lie between 0.05 and 0.07")]


def test_a_contract_at_a_rate_every_priced_city_allows_is_saved(policies):
    contract = contract_create(
        client=VerifiedClientFactory(), starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31),
        prices=[PriceInput("110000", Decimal("80")), PriceInput("310000", Decimal("80"))],
        housing_fund_rate=Decimal("0.07"), actor=None)

    assert contract.housing_fund_rate == Decimal("0.07")


def test_an_enrolment_takes_the_rate_of_a_city_that_fixes_it_and_is_refused_out_of_range():
    fixed_city = CityFactory(code="320500", name="苏州市")
    version = PolicyVersionFactory(city=fixed_city, effective_from=D(2026, 1, 1),
                                   effective_to=None)
    PolicyItemFactory(version=version, kind="housing_fund", base_floor=Decimal("2500"),
                      base_ceiling=Decimal("30000"), employer_rate=Decimal("0.08"),
                      employee_rate=Decimal("0.08"))
    shanghai_version = PolicyVersionFactory(city=CityFactory(), effective_from=D(2026, 1, 1),
                                            effective_to=None)
    PolicyItemFactory(version=shanghai_version, kind="housing_fund", rate_choice="both",
                      rate_min=Decimal("0.05"), rate_max=Decimal("0.07"),
                      employer_rate=Decimal("0.07"), employee_rate=Decimal("0.07"))
    client = VerifiedClientFactory()

    fixed = enrollment_open(person=InsuredPersonFactory(), client=client, city=fixed_city,
                            scheme="housing_fund", starts_on=D(2026, 3, 1),
                            base=Decimal("9000"), rate=Decimal("0.12"), actor=None)
    with pytest.raises(ValidationFailed) as caught:
        enrollment_open(person=InsuredPersonFactory(), client=client,
                        city=shanghai_version.city, scheme="housing_fund",
                        starts_on=D(2026, 3, 1), base=Decimal("9000"), rate=Decimal("0.12"),
                        actor=None)

    assert (fixed.rate, fixed.bases.get().rate) == (Decimal("0.0800"), Decimal("0.0800"))
    assert [(d.field, d.code) for d in caught.value.details] == [("rate", "rate_out_of_range")]


# --- months: back-dated lines -----------------------------------------------------------


def test_an_add_dated_before_the_back_payment_window_is_refused_naming_the_earliest_month(
    company,
):
    # received 27 Nov after the cut-off: December is the earliest regular month; Shanghai
    # takes three months late by default (September), not across the year
    errors = refused(company, [add_line(1, effective_date="2026-08-01")])

    assert errors == [(1, "effective_date", "date_too_early",
                       "日期过早：最早可自 2026-09 起补缴（正常生效最早为 2026-12） / The date is "
                       "too early: months can be paid late back to 2026-09 at the earliest (the "
                       "earliest regular month is 2026-12)")]


def test_an_add_within_the_window_is_a_back_payment_that_lists_its_months(company, shanghai):
    order = submit(company, [add_line(1, effective_date="2026-09-15")])
    line = order.lines.get()

    assert (line.effective_month, line.backpay_months) == (
        D(2026, 9, 1), ["2026-09", "2026-10", "2026-11"])

    line.tasks.all().update(status="submitted")
    line_transition(line=line, to="succeeded", actor=None)
    # the enrolment starts in the month the add names: September is not dropped
    assert active(line.person, shanghai).first_billed_month == D(2026, 9, 1)


def test_a_back_payment_across_the_year_end_needs_the_city_to_allow_it(company, shanghai):
    january = datetime.datetime(2027, 1, 20, 10, 0, tzinfo=SH)  # earliest: February 2027
    contract = Contract.objects.get(client=company)
    contract.ends_on = D(2030, 12, 31)
    contract.save()

    errors = refused(company, [add_line(1, effective_date="2026-12-01")], received_at=january)
    shanghai.backpay_across_year = True
    shanghai.save()
    line = submit(company, [add_line(1, effective_date="2026-12-01")], january).lines.get()

    assert [(code, message.split(" / ")[0]) for _n, _f, code, message in errors] == [
        ("date_too_early", "日期过早：最早可自 2027-01 起补缴（正常生效最早为 2027-02）")]
    assert line.backpay_months == ["2026-12", "2027-01"]


def test_a_city_that_takes_no_back_payment_says_so(company, shanghai):
    shanghai.backpay_months_social_insurance = 0
    shanghai.save()

    errors = refused(company, [add_line(1, effective_date="2026-11-01", housing_fund=False)])

    assert [(code, message.split(" / ")[0]) for _n, _f, code, message in errors] == [
        ("date_too_early", "日期过早：该城市不接受补缴，最早生效月份为 2026-12")]


# --- base adjustments are effective-dated -----------------------------------------------


def test_a_base_adjustment_holds_from_its_month_and_earlier_months_keep_theirs(
    company, shanghai, policies
):
    person = enrolled(company, shanghai, 5)  # base 8,000 since January 2026
    order = submit(company, [{"action": "adjust_base", "id_number": valid_id(5),
                              "city": "310000", "base": "12000", "effective_date": "2026-12-01"}])
    line = order.lines.get()
    line_transition(line=line, to="submitted", actor=None)
    line_transition(line=line, to="succeeded", actor=None)
    enrollment = Enrollment.objects.prefetch_related("bases").get(person=person)

    november, december = (
        proof_sections(enrollments=[enrollment], month=month)[0] for month in
        (D(2026, 11, 1), D(2026, 12, 1)))

    assert [(row.starts_month, row.base) for row in enrollment.bases.order_by("starts_month")] == [
        (D(2026, 1, 1), Decimal("8000.00")), (D(2026, 12, 1), Decimal("12000.00"))]
    assert [i.base for i in november.items if i.kind == "pension"] == [Decimal("8000.00")]
    assert [i.base for i in december.items if i.kind == "pension"] == [Decimal("12000.00")]


# --- the work-injury rate of the client's industry class --------------------------------


def test_a_contract_sets_the_clients_work_injury_rate_within_the_citys_range(policies):
    client = VerifiedClientFactory(work_injury_risk_class=3)

    with pytest.raises(ValidationFailed) as caught:
        contract_create(client=client, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31),
                        prices=[PriceInput("310000", Decimal("80"),
                                           work_injury_rate=Decimal("0.02"))], actor=None)
    contract = contract_create(client=client, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31),
                               prices=[PriceInput("310000", Decimal("80"),
                                                  work_injury_rate=Decimal("0.0048"))],
                               actor=None)

    assert [(d.line, d.field, d.code) for d in caught.value.details] == [
        (1, "work_injury_rate", "rate_out_of_range")]
    assert contract.prices.get().work_injury_rate == Decimal("0.004800")


def test_the_proof_charges_work_injury_at_the_clients_rate_not_the_citys_lowest(
    shanghai, policies
):
    client = VerifiedClientFactory()
    contract = ContractFactory(client=client, status=Contract.Status.ACTIVE,
                               starts_on=D(2026, 1, 1), ends_on=D(2030, 12, 31))
    ContractPriceFactory(contract=contract, city=shanghai, work_injury_rate=Decimal("0.0048"))
    person = enrolled(client, shanghai, 5)  # base 8,000
    enrollment = Enrollment.objects.prefetch_related("bases").get(person=person)

    section = proof_sections(enrollments=[enrollment], month=D(2026, 12, 1))[0]

    # 8,000 × 0.48 % = 38.40 (the city's lowest, 0.16 %, would be 12.80)
    assert [(i.kind, i.employer) for i in section.items if i.kind == "work_injury"] == [
        ("work_injury", Decimal("38.40"))]


# --- provisional figures are marked -----------------------------------------------------


def test_a_proof_under_a_provisional_policy_says_so(policies):
    hangzhou = City.objects.get(code="330100")
    client = VerifiedClientFactory(name="杭州测试客户有限公司")
    ContractPriceFactory(contract=ContractFactory(client=client, status=Contract.Status.ACTIVE,
                                                  starts_on=D(2026, 1, 1),
                                                  ends_on=D(2030, 12, 31)),
                         city=hangzhou)
    person = enrolled(client, hangzhou, 5)

    provisional = proof_issue(viewer=SYSTEM_VIEWER, person=person, month=D(2026, 2, 1),
                              actor=None, site_url="https://portal.example.cn")

    assert "本月按暂行标准计算" in pdf_text(provisional.pdf)


# --- one person, one enrolment (重复参保) ------------------------------------------------


def test_an_add_in_beijing_of_a_person_active_in_shanghai_names_shanghai(company, shanghai):
    enrolled(company, shanghai, 5)

    errors = refused(company, [add_line(5, city="110000", housing_fund=False)])

    assert errors == [(1, "id_number", "already_enrolled",
                       "该人员已在上海市参保，须在同一派单中先在该地减员或转移 / The person is "
                       "enrolled in 310000: remove (or transfer) them there in the same order "
                       "first")]


def test_a_move_to_another_city_is_a_removal_and_an_add_in_one_order(company, shanghai,
                                                                     beijing):
    person = enrolled(company, shanghai, 5)
    order = submit(company, [
        {"action": "remove", "id_number": valid_id(5), "city": "310000",
         "effective_date": "2026-12-31", "reason": "transfer"},
        add_line(5, name=person.name, city="110000", housing_fund=False),
    ])
    removal, add = order.lines.order_by("line_no")

    with pytest.raises(DomainError) as too_early:  # the add cannot succeed before the removal
        add.tasks.update(status="submitted")
        line_transition(line=add, to="succeeded", actor=None)
    removal.tasks.update(status="submitted")
    line_transition(line=removal, to="succeeded", actor=None)
    line_transition(line=add, to="succeeded", actor=None)

    assert too_early.value.code == "already_enrolled"
    assert "上海市" in too_early.value.message
    assert [(e.city.code, e.status) for e in person.enrollments.order_by("pk")] == [
        ("310000", "ended"), ("110000", "active")]


# --- at most 500 persons per representative, on every path -------------------------------


def test_roster_adds_that_push_the_representative_past_500_are_refused(company):
    rep = qualified_rep()
    company.service_rep = rep
    company.save()
    enrol_many(company, 499)

    with pytest.raises(DomainError) as caught:
        submit(company, [add_line(1), add_line(2)])
    order = submit(company, [add_line(1)])

    assert caught.value.code == "rep_overloaded"
    assert "将服务 501 名参保人员" in caught.value.message
    assert order.lines.count() == 1


def test_the_order_page_shows_the_representatives_load(client, company):
    rep = qualified_rep(user__display_name="客服专员 张伟")
    company.service_rep = rep
    company.save()
    enrol_many(company, 40)
    order = submit(company, [add_line(1), add_line(2)])
    client.force_login(UserFactory(role=Role.SERVICE_REP))

    html = client.get(f"/staff/orders/{order.pk}/").content.decode()

    assert "客服专员 张伟 · 服务 42 名参保人员（上限 500 人）" in html
