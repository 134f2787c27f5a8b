"""Models of the enrollment app, one module per topic.

core: insured persons and enrolments (shared by every other topic).
person: an insured person's papers and requests to export full ID numbers.
order: roster orders (增减员), their lines and per-scheme tasks.
proof: proofs of enrolment (参保证明) and their verification codes.
case: insurance matters (claims, retirement, transfers, back-payments) and their steps."""

from enrollment.models.case import (
    OPEN_CASE_STATUSES,
    BackPaymentMonth,
    Case,
    CaseMessage,
    CasePaper,
    CaseStatus,
    CaseStep,
    CaseType,
)
from enrollment.models.client_person import ClientPerson
from enrollment.models.core import Enrollment, EnrollmentBase, InsuredPerson, Scheme
from enrollment.models.order import (
    OPEN_LINE_STATUSES,
    OPEN_TASK_STATUSES,
    LineAction,
    LineStatus,
    OrderStatus,
    RosterLine,
    RosterOrder,
    RosterTask,
    TaskStatus,
    line_status_of,
    order_status_of,
)
from enrollment.models.order_import import ImportState, OrderImport
from enrollment.models.person import Paper, PersonExportRequest
from enrollment.models.proof import ProofOfEnrolment
from enrollment.models.proof_batch import ProofBatch, ProofBatchItem

__all__ = [
    "OPEN_CASE_STATUSES",
    "OPEN_LINE_STATUSES",
    "OPEN_TASK_STATUSES",
    "BackPaymentMonth",
    "Case",
    "CaseMessage",
    "CasePaper",
    "CaseStatus",
    "CaseStep",
    "CaseType",
    "ClientPerson",
    "Enrollment",
    "EnrollmentBase",
    "ImportState",
    "InsuredPerson",
    "LineAction",
    "LineStatus",
    "OrderImport",
    "OrderStatus",
    "Paper",
    "PersonExportRequest",
    "ProofBatch",
    "ProofBatchItem",
    "ProofOfEnrolment",
    "RosterLine",
    "RosterOrder",
    "RosterTask",
    "Scheme",
    "TaskStatus",
    "line_status_of",
    "order_status_of",
]
