"""Bills computed from the shipped policy data, checked against figures worked by hand."""

import datetime
from decimal import Decimal

import pytest

from agency.errors import DomainError, ValidationFailed
from billing.models import Bill, BillLine, BillStatus, LineType
from billing.services import (
    bill_confirm,
    bill_correct,
    bill_dispute,
    bill_generate,
    bill_issue,
    payment_record,
)
from enrollment.models import Enrollment, Scheme
from enrollment.persons.enrollment_services import enrollment_adjust_base, enrollment_end
from policies.models import City, PolicyVersion
from policies.services import policy_item_update, policy_version_supersede
from tests.billing.conftest import NOV, enrol

pytestmark = pytest.mark.django_db
DEC = datetime.date(2026, 12, 1)


def lines_by_name(bill):
    return {(line.person.name if line.person else "", line.line_type,
             line.month_from.strftime("%Y-%m")): line
            for line in bill.lines.select_related("person")}


def figures(line):
    return {i["kind"]: (i["base"], i["employer"], i["employee"]) for i in line.items}


def test_a_two_city_bill_matches_the_hand_computed_figures(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    enrol(two_city_client, "110000", name="乙", base="5000.00", fund_base="5000.00")
    enrol(two_city_client, "110000", name="丙", base="40000.00")

    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    lines = lines_by_name(bill)
    assert sorted(lines) == [("丙", "regular", "2026-11"), ("乙", "regular", "2026-11"),
                             ("甲", "regular", "2026-11")]

    # 上海 2026-07 version, base 10000 (within 7546–37731), work injury at the base 0.16 %,
    # housing fund 7 % both sides, rounded to the yuan
    a = lines[("甲", "regular", "2026-11")]
    assert figures(a) == {
        "pension": ("10000.00", "1600.00", "800.00"),
        "medical": ("10000.00", "900.00", "200.00"),
        "maternity": ("10000.00", "100.00", "0.00"),
        "unemployment": ("10000.00", "50.00", "50.00"),
        "work_injury": ("10000.00", "16.00", "0.00"),
        "housing_fund": ("10000.00", "700.00", "700.00"),
    }
    assert (a.social_insurance, a.housing_fund, a.service_fee, a.total) == (
        Decimal("3716.00"), Decimal("1400.00"), Decimal("80.00"), Decimal("5196.00"))

    # 北京 2026-07 version: 5000 is below the floor 7270; medical adds the employee's fixed
    # 3 yuan; work injury at the contract's 0.4 %; the fund's floor is 2540, so 5000 stands
    b = lines[("乙", "regular", "2026-11")]
    assert figures(b) == {
        "pension": ("7270.00", "1163.20", "581.60"),
        "medical": ("7270.00", "712.46", "148.40"),
        "unemployment": ("7270.00", "36.35", "36.35"),
        "work_injury": ("7270.00", "29.08", "0.00"),
        "housing_fund": ("5000.00", "350.00", "350.00"),
    }
    assert (b.social_insurance, b.housing_fund, b.service_fee, b.total) == (
        Decimal("2707.44"), Decimal("700.00"), Decimal("100.00"), Decimal("3507.44"))

    # 40000 is above the ceiling 36348; 36348 × 9.8 % = 3562.104 → 3562.10;
    # × 0.4 % = 145.392 → 145.39; no housing fund
    c = lines[("丙", "regular", "2026-11")]
    assert figures(c) == {
        "pension": ("36348.00", "5815.68", "2907.84"),
        "medical": ("36348.00", "3562.10", "729.96"),
        "unemployment": ("36348.00", "181.74", "181.74"),
        "work_injury": ("36348.00", "145.39", "0.00"),
    }
    assert (c.social_insurance, c.housing_fund, c.service_fee, c.total) == (
        Decimal("13524.45"), Decimal("0.00"), Decimal("100.00"), Decimal("13624.45"))

    assert (bill.social_insurance, bill.housing_fund, bill.service_fee, bill.total) == (
        Decimal("19947.89"), Decimal("2100.00"), Decimal("280.00"), Decimal("22327.89"))
    assert bill.total == sum(line.total for line in bill.lines.all())
    assert bill.line_count == 3


def test_regenerating_a_draft_replaces_it_and_an_issued_bill_is_frozen(two_city_client):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00")
    first = bill_generate(client=two_city_client, month=NOV, actor=None)
    again = bill_generate(client=two_city_client, month=NOV, actor=None)
    assert again.pk == first.pk
    assert BillLine.objects.filter(bill=first).count() == 1
    assert again.total == Decimal("3796.00")  # 3716.00 social insurance + 80.00 fee

    bill_issue(bill=again, actor=None)
    with pytest.raises(DomainError) as exc:
        bill_generate(client=two_city_client, month=NOV, actor=None)
    assert (exc.value.code, exc.value.status) == ("bill_issued", 409)
    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.billed_through == datetime.date(2026, 11, 30)
    assert PolicyVersion.objects.get(pk=again.lines.get().policy_version_id).locked


def test_a_back_dated_add_is_charged_as_back_payment_once(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00",
          starts=datetime.date(2026, 9, 1))
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    lines = lines_by_name(bill)
    assert sorted(lines) == [("甲", "backpay", "2026-09"), ("甲", "backpay", "2026-10"),
                             ("甲", "regular", "2026-11")]
    assert bill.total == Decimal("3796.00") * 3
    bill_issue(bill=bill, actor=None)
    december = bill_generate(client=two_city_client, month=DEC, actor=None)
    assert sorted(lines_by_name(december)) == [("甲", "regular", "2026-12")]


def test_a_base_adjustment_bills_each_month_at_its_own_base(two_city_client):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00",
                   starts=datetime.date(2026, 10, 1))
    social = Enrollment.objects.get(person=person, scheme=Scheme.SOCIAL_INSURANCE)
    enrollment_adjust_base(enrollment=social, base_kind=Enrollment.BaseKind.DECLARED,
                           base=Decimal("20000.00"), from_month=NOV, actor=None)
    lines = lines_by_name(bill_generate(client=two_city_client, month=NOV, actor=None))
    assert figures(lines[("甲", "backpay", "2026-10")])["pension"] == (
        "10000.00", "1600.00", "800.00")
    assert figures(lines[("甲", "regular", "2026-11")])["pension"] == (
        "20000.00", "3200.00", "1600.00")


def test_a_removal_processed_after_billing_is_refunded(two_city_client):
    person = enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00",
                   starts=datetime.date(2026, 10, 1))
    bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None), actor=None)
    for enrollment in Enrollment.objects.filter(person=person):
        enrollment_end(enrollment=enrollment, ends_on=datetime.date(2026, 10, 31),
                       reason="resignation", actor=None)
    december = bill_generate(client=two_city_client, month=DEC, actor=None)
    refunds = list(december.lines.order_by("pk"))
    assert [(line.line_type, line.months) for line in refunds] == [("refund", ["2026-11"])] * 2
    assert sum(line.total for line in refunds) == Decimal("-5196.00")
    assert {line.service_fee for line in refunds} == {Decimal("0.00"), Decimal("-80.00")}
    bill_issue(bill=december, actor=None)
    january = bill_generate(client=two_city_client, month=datetime.date(2027, 1, 1), actor=None)
    assert january.line_count == 0


def test_a_superseded_provisional_version_is_topped_up_exactly_once(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="5000.00",
          starts=datetime.date(2026, 10, 1))
    shanghai = City.objects.get(code="310000")
    version = PolicyVersion.objects.get(city=shanghai, effective_from=datetime.date(2026, 7, 1))
    version.provisional = True
    version.save()
    bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None), actor=None)

    final = policy_version_supersede(version=version, actor=None)
    pension = final.items.get(kind="pension")
    policy_item_update(item=pension, fields={"base_floor": Decimal("7600.00")}, actor=None)

    december = bill_generate(client=two_city_client, month=DEC, actor=None)
    topups = list(december.lines.filter(line_type=LineType.TOPUP).order_by("month_from"))
    assert [t.months for t in topups] == [["2026-10"], ["2026-11"]]
    # only the pension's floor moved: 7546 → 7600, so 54 × 16 % and 54 × 8 % more
    assert [figures(t) for t in topups] == [{"pension": ("7600.00", "8.64", "4.32")}] * 2
    assert [t.total for t in topups] == [Decimal("12.96")] * 2
    regenerated = bill_generate(client=two_city_client, month=DEC, actor=None)
    assert regenerated.lines.filter(line_type=LineType.TOPUP).count() == 2
    bill_issue(bill=regenerated, actor=None)
    january = bill_generate(client=two_city_client, month=datetime.date(2027, 1, 1), actor=None)
    assert not january.lines.filter(line_type=LineType.TOPUP).exists()


def test_confirm_dispute_and_correct(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                      actor=None)
    with pytest.raises(ValidationFailed) as exc:
        bill_dispute(bill=bill, reason="  ", actor=None)
    assert exc.value.details[0].field == "reason"
    disputed = bill_dispute(bill=bill, reason="甲已于10月离职", actor=None)
    assert (disputed.status, disputed.dispute_reason) == (BillStatus.DISPUTED, "甲已于10月离职")
    corrected = bill_correct(bill=disputed, reason="重新核算", actor=None)
    assert corrected.status == BillStatus.DRAFT and corrected.replaces_id == bill.pk
    assert Bill.objects.get(pk=bill.pk).status == BillStatus.VOID
    assert Enrollment.objects.get().billed_through is None
    issued = bill_issue(bill=corrected, actor=None)
    assert bill_confirm(bill=issued, actor=None).status == BillStatus.CONFIRMED


def test_payments_add_up_and_over_payment_is_refused(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                      actor=None)
    payment_record(bill=bill, amount=Decimal("1000.00"), paid_on=datetime.date(2026, 11, 20),
                   method="bank_transfer", reference="HX001", actor=None)
    with pytest.raises(ValidationFailed) as exc:
        payment_record(bill=bill, amount=Decimal("2796.01"),
                       paid_on=datetime.date(2026, 11, 25), method="bank_transfer", actor=None)
    assert [(d.field, d.code) for d in exc.value.details] == [("amount", "overpayment")]
    payment_record(bill=bill, amount=Decimal("2796.00"), paid_on=datetime.date(2026, 11, 25),
                   method="bank_transfer", actor=None)
    bill.refresh_from_db()
    assert (bill.status, bill.paid, bill.paid_on) == (
        BillStatus.PAID, Decimal("3796.00"), datetime.date(2026, 11, 25))
    # 10 working days after Wednesday 25 November 2026
    assert bill.invoice_due_by == datetime.date(2026, 12, 9)


def test_a_version_used_by_an_issued_bill_is_locked_and_only_superseded(two_city_client):
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    version = PolicyVersion.objects.get(pk=bill.lines.get().policy_version_id)
    assert not version.locked
    bill_issue(bill=bill, actor=None)
    version.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        policy_item_update(item=version.items.get(kind="pension"),
                           fields={"employer_rate": Decimal("0.15")}, actor=None)
    assert (exc.value.code, exc.value.status) == ("policy_locked", 409)
    with pytest.raises(DomainError) as exc:  # final figures replace provisional ones only
        policy_version_supersede(version=version, actor=None)
    assert exc.value.code == "policy_not_provisional"


def test_a_month_without_a_contract_in_force_is_not_billed(two_city_client):
    with pytest.raises(DomainError) as exc:
        bill_generate(client=two_city_client, month=datetime.date(2025, 12, 1), actor=None)
    assert (exc.value.code, [d.field for d in exc.value.details]) == ("no_contract", ["month"])
    assert not Bill.objects.exists()


def test_final_figures_in_the_data_file_top_up_months_billed_provisionally(two_city_client):
    """杭州's 2026-07 version is provisional in the shipped data; the bureau's final
    figures raise the social-insurance floor from 4986 to 5200."""
    import dataclasses

    from clients.models import Contract, ContractPrice
    from policies.policy_file import POLICY_FILE, read_policy_file
    from policies.services import policies_load

    hangzhou = City.objects.get(code="330100")
    ContractPrice.objects.create(contract=Contract.objects.get(client=two_city_client),
                                 city=hangzhou, price_per_head=Decimal("60.00"))
    enrol(two_city_client, "330100", name="丁", base="4000.00",
          starts=datetime.date(2026, 10, 1))
    november = bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None),
                          actor=None)
    assert [line.line_type for line in november.lines.order_by("month_from")] == [
        "backpay", "regular"]

    def final(city):
        if city.code != "330100":
            return city
        versions = list(city.versions)
        last = versions[-1]
        items = tuple({**i, "base_floor": Decimal("5200.00")} if i["kind"] != "housing_fund"
                      else i for i in last.items)
        versions[-1] = dataclasses.replace(last, provisional=False, items=items)
        return dataclasses.replace(city, versions=tuple(versions))

    report = policies_load(cities=[final(c) for c in read_policy_file(POLICY_FILE)])
    assert report.count("superseded") == 1

    december = bill_generate(client=two_city_client, month=DEC, actor=None)
    topups = list(december.lines.filter(line_type=LineType.TOPUP).order_by("month_from"))
    assert [t.months for t in topups] == [["2026-10"], ["2026-11"]]
    # 5200 − 4986 = 214 more base: pension 34.24 / 17.12, medical 20.33 / 4.28,
    # unemployment 1.07 / 1.07, work injury 10.40 − 9.97 = 0.43
    assert figures(topups[0]) == {
        "pension": ("5200.00", "34.24", "17.12"), "medical": ("5200.00", "20.33", "4.28"),
        "unemployment": ("5200.00", "1.07", "1.07"), "work_injury": ("5200.00", "0.43", "0.00")}
    assert [t.total for t in topups] == [Decimal("78.54")] * 2
    assert december.total == sum(line.total for line in december.lines.all())


def test_a_manual_adjustment_stays_through_regeneration_and_counts_in_the_totals(
        two_city_client):
    from billing.services import bill_adjust

    enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill = bill_generate(client=two_city_client, month=NOV, actor=None)
    with pytest.raises(ValidationFailed) as exc:
        bill_adjust(bill=bill, part="pension", amount=Decimal("0"), description=" ",
                    actor=None)
    assert [d.field for d in exc.value.details] == ["part", "amount", "description"]
    bill_adjust(bill=bill, part="service_fee", amount=Decimal("-80.00"),
                description="首月服务费减免", actor=None)
    bill.refresh_from_db()
    assert (bill.service_fee, bill.total, bill.line_count) == (
        Decimal("0.00"), Decimal("3716.00"), 2)
    again = bill_generate(client=two_city_client, month=NOV, actor=None)
    assert (again.total, again.line_count) == (Decimal("3716.00"), 2)
    manual = again.lines.get(line_type=LineType.MANUAL)
    assert (manual.description, manual.total, manual.months) == (
        "首月服务费减免", Decimal("-80.00"), ["2026-11"])
    bill_issue(bill=again, actor=None)
    with pytest.raises(DomainError) as exc2:
        bill_adjust(bill=again, part="service_fee", amount=Decimal("1.00"),
                    description="x", actor=None)
    assert exc2.value.code == "bill_issued"


def test_an_accepted_reconciliation_difference_is_one_topup_line_on_the_next_bill(
        two_city_client):
    from billing.models import Difference, ReconciliationRun

    person = enrol(two_city_client, "310000", name="甲", base="10000.00")
    bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None), actor=None)
    run = ReconciliationRun.objects.create(
        city=City.objects.get(code="310000"), month=NOV, scheme="social_insurance",
        file_name="bureau.xlsx", sha256="0" * 64)
    accepted = Difference.objects.create(
        run=run, kind="base", person=person, client=two_city_client, name="甲",
        item="pension", billed_base=Decimal("10000.00"), charged_base=Decimal("10100.00"),
        billed_amount=Decimal("2400.00"), charged_amount=Decimal("2424.00"),
        delta=Decimal("24.00"), status="accepted")
    Difference.objects.create(run=run, kind="rounding", person=person, client=two_city_client,
                              item="medical", delta=Decimal("0.01"))  # open: not billed

    december = bill_generate(client=two_city_client, month=DEC, actor=None)
    december = bill_generate(client=two_city_client, month=DEC, actor=None)  # idempotent
    [topup] = december.lines.filter(line_type=LineType.TOPUP)
    assert (topup.basis, topup.months, topup.social_insurance, topup.housing_fund) == (
        {"difference": accepted.pk}, ["2026-11"], Decimal("24.00"), Decimal("0.00"))
    assert figures(topup) == {"pension": ("10100.00", "24.00", "0.00")}
    assert december.total == Decimal("3796.00") + Decimal("24.00")
    bill_issue(bill=december, actor=None)
    accepted.refresh_from_db()
    assert accepted.settled_line_id == topup.pk
    january = bill_generate(client=two_city_client, month=datetime.date(2027, 1, 1), actor=None)
    assert not january.lines.filter(line_type=LineType.TOPUP).exists()
