"""Bureau reconciliation (稽核): the bureau's files read, compared with the bills, and the
differences decided.

The figures are those of `test_bills.py`: in Shanghai in November 2026 a base of 10000.00
is charged pension 1600.00 + 800.00, medical 900.00 + 200.00, maternity 100.00,
unemployment 50.00 + 50.00 and work injury 16.00: 3716.00 of social insurance; a
housing fund base of 10000.00 at 7 % is 700.00 + 700.00."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from agency.errors import DomainError, ValidationFailed
from billing.bureau_files import read_bureau_file
from billing.models import Difference, DifferenceStatus, LineType, ReconciliationRun
from billing.reconciliation_services import (
    difference_accept,
    difference_mark_bureau_error,
    differences_accept_kind,
    reconciliation_run,
)
from billing.services import bill_generate, bill_issue
from enrollment.persons.services import person_id_number
from policies.models import City
from tests.billing.conftest import NOV, enrol
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
DEC = datetime.date(2026, 12, 1)
D = Decimal
# Shanghai's rates: (employer, employee) per item, as the bureau's file states them
RATES = {"pension": ("0.16", "0.08"), "medical": ("0.09", "0.02"), "maternity": ("0.01", "0"),
         "unemployment": ("0.005", "0.005"), "work_injury": ("0.0016", "0")}
TITLES = {"pension": "养老保险", "medical": "医疗保险", "maternity": "生育保险",
          "unemployment": "失业保险", "work_injury": "工伤保险"}


def figures_at(base: str, *, cents: dict[str, str] | None = None) -> dict[str, tuple]:
    """The bureau's block of each item for a base: (base, employer rate, employer amount,
    employee rate, employee amount); `cents` adds to an item's employer amount."""
    out = {}
    for kind, (er, ee) in RATES.items():
        employer = (D(base) * D(er)).quantize(D("0.01")) + D((cents or {}).get(kind, "0"))
        out[kind] = (D(base), D(er), employer, D(ee), (D(base) * D(ee)).quantize(D("0.01")))
    return out


def wide_file(people: list[tuple[str, str, dict[str, tuple]]]) -> bytes:
    """The bureau's wide workbook: a title row, a two-row header (the item's name merged
    over its five columns; 序号, 姓名, 身份证号 merged over both rows), a totals row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年11月 上海市社会保险费缴费明细"])
    sheet.append(["序号", "姓名", "身份证号", *[t for k in RATES for t in (
        TITLES[k], None, None, None, None)]])
    sheet.append([None, None, None, *["缴费基数", "单位缴费比例", "单位缴费金额", "个人缴费比例",
                                      "个人缴费金额"] * len(RATES)])
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    for n, (name, id_number, items) in enumerate(people, start=1):
        row = [n, name, id_number]
        for kind in RATES:
            row += [float(v) for v in items[kind]] if kind in items else [None] * 5
        sheet.append(row)
    sheet.append(["合计"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def shanghai():
    return City.objects.get(code="310000")


def bill_four(client):
    """Four persons billed for November (issued): 甲, 乙 and 丁 at 10000, 丙 at 8000."""
    persons = {name: enrol(client, "310000", name=name, base=base)
               for name, base in (("甲", "10000.00"), ("乙", "10000.00"), ("丙", "8000.00"),
                                  ("丁", "10000.00"))}
    bill_issue(bill=bill_generate(client=client, month=NOV, actor=None), actor=None)
    return persons


@pytest.fixture
def billed_month(two_city_client):
    return bill_four(two_city_client)


def four_changes(persons, stranger):
    """The bureau's file: 甲 as billed, 乙 missing, 丙 at base 9000, 丁 one cent more on the
    pension, and 戊 whom nobody billed."""
    return wide_file([
        ("甲", person_id_number(persons["甲"]), figures_at("10000")),
        ("丙", person_id_number(persons["丙"]), figures_at("9000")),
        ("丁", person_id_number(persons["丁"]), figures_at("10000", cents={"pension": "0.01"})),
        ("戊", person_id_number(stranger), figures_at("10000")),
    ])


def run_of(data: bytes, scheme: str = "social_insurance", actor=None) -> ReconciliationRun:
    return reconciliation_run(city=shanghai(), month=NOV, scheme=scheme, data=data,
                              file_name="社保缴费明细.xlsx", actor=actor)


def as_rows(run):
    return [(d.kind, d.name, d.item, d.billed_base, d.charged_base, d.billed_amount,
             d.charged_amount, d.delta, d.client_id, d.person_id)
            for d in run.differences.order_by("kind", "name", "item")]


def test_a_missing_an_extra_a_rebased_and_a_cent_off_person_are_exactly_four_differences(
        two_city_client, billed_month):
    stranger = InsuredPersonFactory(name="戊")  # known to us, billed by no client

    run = run_of(four_changes(billed_month, stranger))

    c, p = two_city_client.pk, billed_month
    assert as_rows(run) == [
        # 丙: the bureau's base 9000 on every item: one difference of the whole charge,
        # 3344.40 charged against 2972.80 billed
        ("base", "丙", "", D("8000.00"), D("9000.00"), D("2972.80"), D("3344.40"),
         D("371.60"), c, p["丙"].pk),
        ("not_billed", "戊", "", None, D("10000.00"), None, D("3716.00"), D("3716.00"),
         None, stranger.pk),
        ("not_charged", "乙", "", D("10000.00"), None, D("3716.00"), None, D("-3716.00"),
         c, p["乙"].pk),
        ("rounding", "丁", "pension", D("10000.00"), D("10000.00"), D("2400.00"),
         D("2400.01"), D("0.01"), c, p["丁"].pk),
    ]
    assert (run.rows, run.persons_matched, run.differences_found) == (4, 3, 4)
    assert run.sha256 and run.file_name == "社保缴费明细.xlsx"
    assert {d.id_number_masked for d in run.differences.all()} == {
        person.id_number_masked for person in (p["乙"], p["丙"], p["丁"], stranger)}
    assert all(d.status == DifferenceStatus.OPEN for d in run.differences.all())
    not_charged = run.differences.get(kind="not_charged")
    assert not_charged.bill_line.person_id == p["乙"].pk
    assert not_charged.bill_line.line_type == LineType.REGULAR


def test_an_unknown_id_number_is_not_billed_without_person_or_client(billed_month):
    persons = billed_month
    data = wide_file([(name, person_id_number(p), figures_at(base)) for name, p, base in (
        ("甲", persons["甲"], "10000"), ("乙", persons["乙"], "10000"),
        ("丙", persons["丙"], "8000"), ("丁", persons["丁"], "10000"))]
        + [("无名", "11010519491231002X", figures_at("10000"))])

    run = run_of(data)

    [difference] = run.differences.all()
    assert (difference.kind, difference.person_id, difference.client_id, difference.name,
            difference.id_number_masked, difference.delta) == (
        "not_billed", None, None, "无名", "**************002X", D("3716.00"))


def test_a_person_charged_but_not_billed_is_put_to_the_client_that_enrolled_him(
        two_city_client, billed_month):
    late = enrol(two_city_client, "310000", name="己", base="10000.00")  # after the bill
    persons = {**billed_month, "己": late}
    data = wide_file([(name, person_id_number(p), figures_at("8000" if name == "丙" else "10000"))
                      for name, p in persons.items()])

    [difference] = run_of(data).differences.all()

    assert (difference.kind, difference.person_id, difference.client_id, difference.delta) == (
        "not_billed", late.pk, two_city_client.pk, D("3716.00"))


def test_a_rate_difference_and_an_item_only_one_side_has(two_city_client, billed_month):
    persons = billed_month
    medical_more = figures_at("10000")
    medical_more["medical"] = (D("10000"), D("0.095"), D("950.00"), D("0.02"), D("200.00"))
    without_injury = {k: v for k, v in figures_at("10000").items() if k != "work_injury"}
    data = wide_file([
        ("甲", person_id_number(persons["甲"]), medical_more),
        ("乙", person_id_number(persons["乙"]), without_injury),
        ("丙", person_id_number(persons["丙"]), figures_at("8000")),
        ("丁", person_id_number(persons["丁"]), figures_at("10000")),
    ])

    run = run_of(data)

    assert [(d.kind, d.name, d.item, d.billed_amount, d.charged_amount, d.delta)
            for d in run.differences.order_by("kind")] == [
        ("not_charged", "乙", "work_injury", D("16.00"), None, D("-16.00")),
        ("rate", "甲", "medical", D("1100.00"), D("1150.00"), D("50.00")),
    ]


def test_medical_including_maternity_is_compared_with_medical_and_maternity_billed(
        billed_month):
    """Many cities merged maternity into medical: the bureau's 基本医疗保险(含生育) block
    holds both, and matches the bill's two items."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "基本养老保险", None, None, "基本医疗保险(含生育)", None,
                  None, "失业保险", None, None, "工伤保险", None, None])
    sheet.append([None, None, *["缴费基数", "单位应缴", "个人应缴"] * 4])
    for name, person in billed_month.items():
        base = D("8000") if name == "丙" else D("10000")
        sheet.append([name, person_id_number(person),
                      *[float(x) for x in (base, base * D("0.16"), base * D("0.08"),
                                           base, base * D("0.10"), base * D("0.02"),
                                           base, base * D("0.005"), base * D("0.005"),
                                           base, base * D("0.0016"), 0)]])
    out = io.BytesIO()
    workbook.save(out)

    run = run_of(out.getvalue())

    assert (run.persons_matched, run.differences_found) == (4, 0)


def test_a_housing_fund_file(two_city_client):
    a = enrol(two_city_client, "310000", name="甲", base="10000.00", fund_base="10000.00")
    b = enrol(two_city_client, "310000", name="乙", base="8000.00", fund_base="8000.00")
    enrol(two_city_client, "310000", name="丙", base="8000.00")  # no housing fund
    bill_issue(bill=bill_generate(client=two_city_client, month=NOV, actor=None), actor=None)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位住房公积金汇缴明细（2026年11月）"])
    sheet.append(["个人账号", "姓名", "身份证号", "缴存基数（元）", "缴存比例", "月缴存额"])
    sheet.append(["0012345678", "甲", person_id_number(a), 10000, "7%", 1400])
    sheet.append(["0012345679", "乙", person_id_number(b), 8000, "7%", "1,200.00"])
    out = io.BytesIO()
    workbook.save(out)

    run = run_of(out.getvalue(), scheme="housing_fund")

    assert (run.rows, run.persons_matched) == (2, 2)
    assert as_rows(run) == [
        ("rate", "乙", "housing_fund", D("8000.00"), D("8000.00"), D("1120.00"), D("1200.00"),
         D("80.00"), two_city_client.pk, b.pk),
    ]


def test_a_housing_fund_file_read_with_split_amounts():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["公积金账号", "姓名", "证件号码", "月缴存额", None])
    sheet.append([None, None, None, "单位", "个人"])
    sheet.merge_cells("D1:E1")
    sheet.append(["001", "张三", "11010519491231002x", 700, 700.5])
    out = io.BytesIO()
    workbook.save(out)

    [row] = read_bureau_file(out.getvalue(), scheme="housing_fund")

    assert (row.line, row.id_number, row.name, row.account) == (
        1, "11010519491231002X", "张三", "001")
    assert row.items["housing_fund"] == (None, D("700.00"), D("700.50"), D("1400.50"), None,
                                         None)


def test_long_joined_and_csv_layouts_read_alike():
    expected = {"pension": (D("10000.00"), D("1600.00"), D("800.00"), D("2400.00"), None, None),
                "work_injury": (D("10000.00"), D("16.00"), None, D("16.00"), None, None)}
    long = Workbook()
    long.active.append(["证件号码", "姓名", "险种", "缴费基数", "单位缴费金额", "个人缴费金额"])
    long.active.append(["11010519491231002X", "张三", "基本养老保险", 10000, 1600, 800])
    long.active.append(["11010519491231002X", "张三", "工伤保险", 10000, 16, None])
    joined = Workbook()
    joined.active.append(["公民身份号码", "姓名", "养老保险缴费基数", "养老保险单位缴费金额",
                          "养老(个人)", "工伤保险缴费基数", "工伤单位"])
    joined.active.append(["11010519491231002X", "张三", 10000, 1600, 800, 10000, 16])
    csv = ("身份证号,姓名,养老保险缴费基数,养老保险单位缴费金额,养老保险个人缴费金额,"
           "工伤保险缴费基数,工伤保险单位缴费金额\n"
           "11010519491231002X,张三,\"10,000.00\",1600.00,800,10000,16\n").encode("gb18030")
    results = []
    for workbook in (long, joined):
        out = io.BytesIO()
        workbook.save(out)
        results.append(out.getvalue())
    results.append(csv)

    read = [read_bureau_file(data, scheme="social_insurance") for data in results]

    long_rows, joined_rows, csv_rows = read
    assert [r.items for r in long_rows] == [{"pension": expected["pension"]},
                                           {"work_injury": expected["work_injury"]}]
    assert [r.items for r in joined_rows] == [expected]
    assert [r.items for r in csv_rows] == [expected]


def test_a_bad_row_names_the_row_and_the_field_and_nothing_is_saved(billed_month):
    rows = [("甲", person_id_number(billed_month["甲"]), figures_at("10000")),
            ("乙", "", figures_at("10000")),
            ("丙", person_id_number(billed_month["丙"]), figures_at("8000"))]
    data = wide_file(rows)
    workbook_bytes = io.BytesIO(data)
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_bytes)
    workbook.active["F6"] = "一千六"  # 丙's pension employer amount
    out = io.BytesIO()
    workbook.save(out)

    with pytest.raises(ValidationFailed) as exc:
        run_of(out.getvalue())

    assert [(d.line, d.field, d.code) for d in exc.value.details] == [
        (2, "id_number", "required"), (3, "pension.employer", "amount_invalid")]
    assert exc.value.details[1].message.startswith("第 3 行 养老保险 单位缴费金额")
    assert ReconciliationRun.objects.count() == 0
    assert Difference.objects.count() == 0


def test_a_file_that_is_no_table_or_declares_a_dtd_is_refused():
    with pytest.raises(DomainError) as exc:
        read_bureau_file(b"%PDF-1.7 not a workbook\x00\x01", scheme="social_insurance")
    assert exc.value.code == "file_not_xlsx"

    workbook = Workbook()
    workbook.active.append(["身份证号", "养老保险单位缴费金额"])
    out = io.BytesIO()
    workbook.save(out)
    parts = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        for info in parts.infolist():
            content = parts.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = content.index(b"<worksheet")
                content = (content[:start] + b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                           b'<!ENTITY b "&a;&a;&a;">]>' + content[start:])
            archive.writestr(info, content)
    with pytest.raises(DomainError) as exc:
        read_bureau_file(bomb.getvalue(), scheme="social_insurance")
    assert exc.value.code == "file_corrupt"

    with pytest.raises(DomainError) as exc:
        read_bureau_file(out.getvalue(), scheme="housing_fund")
    assert exc.value.code == "header_not_found"


def test_accepting_and_marking_the_bureau_error_follow_the_rules(two_city_client, billed_month):
    finance = UserFactory(role="finance")
    run = run_of(four_changes(billed_month, InsuredPersonFactory(name="戊")))
    rounding = run.differences.get(kind="rounding")
    stranger = run.differences.get(kind="not_billed")
    missing = run.differences.get(kind="not_charged")

    accepted = difference_accept(difference=rounding, actor=finance)
    assert (accepted.status, accepted.decided_by, accepted.decided_at is not None) == (
        "accepted", finance, True)
    assert accepted.history.first().history_user == finance
    with pytest.raises(DomainError) as exc:
        difference_accept(difference=rounding, actor=finance)
    assert (exc.value.code, exc.value.status) == ("difference_decided", 409)

    with pytest.raises(DomainError) as exc:
        difference_accept(difference=stranger, actor=finance)
    assert exc.value.code == "difference_without_client"

    with pytest.raises(ValidationFailed) as exc:
        difference_mark_bureau_error(difference=stranger, note="  ", actor=finance)
    assert [(d.field, d.code) for d in exc.value.details] == [("note", "required")]
    marked = difference_mark_bureau_error(difference=stranger, note="已退工，社保局多扣",
                                          actor=finance)
    assert (marked.status, marked.note, marked.decided_by) == (
        "bureau_error", "已退工，社保局多扣", finance)
    with pytest.raises(DomainError) as exc:
        difference_mark_bureau_error(difference=rounding, note="x", actor=finance)
    assert exc.value.code == "difference_decided"

    # a second run of the month finds 乙 again: accepted once, not twice before it is billed
    difference_accept(difference=missing, actor=finance)
    again = run_of(four_changes(billed_month, InsuredPersonFactory(name="庚"))).differences.get(
        kind="not_charged")
    with pytest.raises(DomainError) as exc:
        difference_accept(difference=again, actor=finance)
    assert exc.value.code == "difference_already_accepted"


def test_accepting_one_puts_exactly_one_topup_line_on_the_next_bill(two_city_client,
                                                                    billed_month):
    data = four_changes(billed_month, InsuredPersonFactory(name="戊"))
    run = run_of(data)
    base = run.differences.get(kind="base")

    difference_accept(difference=base, actor=None)
    december = bill_generate(client=two_city_client, month=DEC, actor=None)

    topups = list(december.lines.filter(line_type=LineType.TOPUP))
    assert [(t.basis.get("difference"), t.social_insurance, t.months) for t in topups] == [
        (base.pk, D("371.60"), ["2026-11"])], (
        "billing does not put an accepted difference on the next bill as one 补差 line")
    bill_issue(bill=december, actor=None)
    base.refresh_from_db()
    assert base.settled_line_id == topups[0].pk
    january = bill_generate(client=two_city_client, month=datetime.date(2027, 1, 1), actor=None)
    assert not january.lines.filter(line_type=LineType.TOPUP).exists()
    # the same file again: 丙's base is settled, the three others stay
    assert sorted(run_of(data).differences.values_list("kind", flat=True)) == [
        "not_billed", "not_charged", "rounding"]


def test_accepting_a_kind_accepts_its_open_differences_with_a_client(billed_month):
    run = run_of(four_changes(billed_month, InsuredPersonFactory(name="戊")))

    result = differences_accept_kind(run=run, kind="not_billed", actor=None)
    assert (result.accepted, result.skipped) == (0, 1)  # 戊 belongs to no client
    result = differences_accept_kind(run=run, kind="rounding", actor=None)
    assert (result.accepted, result.skipped) == (1, 0)
    assert sorted(run.differences.values_list("kind", "status")) == [
        ("base", "open"), ("not_billed", "open"), ("not_charged", "open"),
        ("rounding", "accepted")]


def test_the_demo_run_is_made_from_the_issued_bill_with_four_changes_once(two_city_client,
                                                                         billed_month):
    from billing import reconciliation_demo

    reconciliation_demo.seed(datetime.date(2026, 12, 15))
    reconciliation_demo.seed(datetime.date(2026, 12, 15))

    run = ReconciliationRun.objects.get()
    assert (run.month, run.rows, run.persons_matched) == (NOV, 4, 3)
    assert [(d.kind, d.name, d.item, d.delta) for d in run.differences.order_by("kind")] == [
        ("base", "丙", "", D("371.60")),  # 8000 → 9000
        ("not_billed", "陆晓峰", "", D("3716.00")),
        ("not_charged", "丁", "", D("-3716.00")),
        ("rounding", "乙", "pension", D("0.01")),
    ]


def test_a_row_without_amounts_is_a_person_not_charged(two_city_client, billed_month):
    persons = billed_month
    data = wide_file([
        ("甲", person_id_number(persons["甲"]), figures_at("10000")),
        ("乙", person_id_number(persons["乙"]), {}),
        ("丙", person_id_number(persons["丙"]), figures_at("8000")),
        ("丁", person_id_number(persons["丁"]), figures_at("10000")),
        ("无名", "11010519491231002X", {}),
    ])

    run = run_of(data)

    assert (run.rows, run.persons_matched) == (5, 3)
    assert [(d.kind, d.name, d.item, d.delta) for d in run.differences.all()] == [
        ("not_charged", "乙", "", D("-3716.00"))]
