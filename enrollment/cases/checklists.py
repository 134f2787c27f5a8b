"""The checklist of each kind of insurance case (STD-4.1's included services): the papers
to collect and the steps to take, in order. A case gets one `CaseStep` per item when it
is opened (`case_open`); the labels are English msgids shown in Chinese (zh-Hans first).

- work_injury 工伤: papers 事故报告, 病历及诊断证明; steps 工伤认定申请 (statutory),
  劳动能力鉴定, 待遇核定与支付
- maternity 生育: paper 生育医学证明/出生证明; steps 生育津贴申领, 医疗费用报销
- medical_reimbursement 医疗报销: papers 医疗费用票据, 费用明细清单; steps 报销申请提交,
  报销款到账
- retirement 退休: paper 身份证; steps 档案审核, 养老金核定, 退休手续办结
- transfer_out 转出: steps 参保缴费凭证开具, 转出申请, 基金转移
- transfer_in 转入: paper 原参保地参保凭证; steps 转入申请, 联系函与接收函, 基金到账
- back_payment 补缴: steps 补缴申请, 补缴核定, 补缴款缴纳
- other 其他: step 办理
"""

from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from enrollment.models import CaseType


class ChecklistItem(NamedTuple):
    key: str
    label: "str | Promise"
    is_paper: bool
    statutory: bool = False  # the step a legal deadline (`Case.statutory_due`) is for


def _paper(key: str, label: "str | Promise") -> ChecklistItem:
    return ChecklistItem(key, label, True)


def _step(key: str, label: "str | Promise", *, statutory: bool = False) -> ChecklistItem:
    return ChecklistItem(key, label, False, statutory)


CHECKLISTS: dict[str, tuple[ChecklistItem, ...]] = {
    CaseType.WORK_INJURY: (
        _paper("accident_report", _("Accident report")),
        _paper("medical_records", _("Medical records and diagnosis certificate")),
        _step("injury_recognition", _("Work-injury recognition application"), statutory=True),
        _step("capacity_assessment", _("Work-capacity assessment")),
        _step("benefits_paid", _("Benefits assessed and paid")),
    ),
    CaseType.MATERNITY: (
        _paper("birth_certificate", _("Birth medical certificate or birth certificate")),
        _step("allowance_claim", _("Maternity allowance claim")),
        _step("medical_costs", _("Maternity medical costs reimbursed")),
    ),
    CaseType.MEDICAL_REIMBURSEMENT: (
        _paper("receipts", _("Medical expense receipts")),
        _paper("cost_list", _("Itemised list of expenses")),
        _step("claim_submitted", _("Reimbursement claim submitted")),
        _step("refund_received", _("Reimbursement received")),
    ),
    CaseType.RETIREMENT: (
        _paper("id_card", _("Identity card")),
        _step("file_review", _("Personnel file review")),
        _step("pension_assessed", _("Pension assessed")),
        _step("retirement_completed", _("Retirement formalities completed")),
    ),
    CaseType.TRANSFER_OUT: (
        _step("contribution_certificate", _("Contribution certificate issued")),
        _step("transfer_application", _("Transfer-out application")),
        _step("fund_transfer", _("Funds transferred")),
    ),
    CaseType.TRANSFER_IN: (
        _paper("origin_certificate", _("Contribution certificate of the former place")),
        _step("transfer_application", _("Transfer-in application")),
        _step("contact_letters", _("Contact letter and acceptance letter")),
        _step("fund_received", _("Funds received")),
    ),
    CaseType.BACK_PAYMENT: (
        _step("application", _("Back-payment application")),
        _step("assessment", _("Back-payment assessed")),
        _step("payment", _("Back-payment paid")),
    ),
    CaseType.OTHER: (
        _step("handling", _("Handling")),
    ),
}


def checklist_of(case_type: str) -> tuple[ChecklistItem, ...]:
    """The ordered checklist of a case type (empty for an unknown type)."""
    return CHECKLISTS.get(case_type, ())


def item_of(case_type: str, key: str) -> ChecklistItem | None:
    return next((item for item in checklist_of(case_type) if item.key == key), None)


def label_of(case_type: str, key: str) -> "str | Promise":
    """The item's label, or the key itself for an item no longer on the checklist."""
    item = item_of(case_type, key)
    return item.label if item is not None else key
