"""The page walk's list of pages and what it makes beyond the isolation matrix's data set.

The pages are the staff and portal routes of the URL map (`tests.security.matrix.
named_urls`) with a case in `tests/security/registry.py` that some role may read; each
is fetched as the first role of `PREFERRED` its case lets read, with the objects of
`tests/security/world.py` for its arguments. A route whose argument names a kind the
matrix does not make (`MISSING`) needs an entry in `WALK_KINDS` (a kind `extras()`
makes) or in `NOT_WALKED` (why not): `test_every_page_is_walked` fails otherwise, so a
page added later is walked too."""
# ruff: noqa: E501 - tables, one route a line

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tests.security.matrix import (
    ADMIN,
    ARCHIVIST,
    CLIENT_ADMIN,
    CLIENT_VIEWER,
    FINANCE,
    MANAGER,
    MISSING,
    REP,
    face_of,
    named_urls,
)
from tests.security.registry import REGISTRY
from tests.security.world import World

PREFERRED = (ADMIN, MANAGER, REP, FINANCE, ARCHIVIST, CLIENT_ADMIN, CLIENT_VIEWER)

# The log-in pages: fetched by an anonymous visitor.
ANONYMOUS_PAGES = ("staff-login", "portal-login")

# Routes whose MISSING argument the walk fills with a kind `extras()` makes.
WALK_KINDS: dict[str, dict[str, str]] = {
    "staff-archive-batches-detail": {"pk": "archive_batch"},
    "staff-billing-receipt-detail": {"pk": "receipt"},
    "staff-billing-reconciliation-detail": {"pk": "reconciliation"},
    "staff-billing-reconciliation-xlsx": {"pk": "reconciliation"},
    "staff-billing-invoice-pdf": {"pk": "invoice"},
    "portal-billing-invoice-pdf": {"pk": "invoice"},
    "staff-proof-batch-detail": {"pk": "proof_batch"},
    "staff-proof-batch-status": {"pk": "proof_batch"},
    "portal-proof-batch-detail": {"pk": "proof_batch"},
    "portal-proof-batch-status": {"pk": "proof_batch"},
}

# Pages that need a query string to answer 200 (without it they show their form, 400).
WALK_QUERY: dict[str, str] = {
    "staff-persons-proof": "month={month}",
    "portal-persons-proof": "month={month}",
}

# Pages the walk does not fetch, each with the reason.
NOT_WALKED: dict[str, str] = {
    "staff-cases-paper": "a paper's file download (the case's papers: tests/enrollment/test_case_pages.py)",
    "portal-cases-paper": "a paper's file download (the case's papers: tests/enrollment/test_case_pages.py)",
    "staff-two-factor": "the log-in's second step, for a half-logged-in session: tests/security/test_two_factor.py",
    "staff-two-factor-setup": "the log-in's second step, for a half-logged-in session: tests/security/test_two_factor.py",
    "staff-logout": "a POST that ends the session; no page",
    "staff-notification-open": "marks the notification read and redirects to its link",
    "portal-notification-open": "marks the notification read and redirects to its link",
    "staff-proof-batch-zip": "the batch's ZIP: redirects to the progress page until the worker made it",
    "portal-proof-batch-zip": "the batch's ZIP: redirects to the progress page until the worker made it",
    "portal-orders-import": "an Excel import's progress page: redirects to the order when the order came another way (the matrix's came through the API)",
    "portal-logout": "a POST that ends the session; no page",
}


def pages() -> dict[str, str]:
    """name -> route of every page the walk fetches."""
    out = {}
    for name, route in sorted(named_urls().items()):
        if face_of(route) not in ("staff", "portal") or name in NOT_WALKED:
            continue
        case = REGISTRY.get(name)
        if name in ANONYMOUS_PAGES or (case is not None and case.read):
            out[name] = route
    return out


def problems() -> list[str]:
    """Routes the walk cannot fetch and has no reason for, and stale entries."""
    out = []
    urls = {name: route for name, route in named_urls().items()
            if face_of(route) in ("staff", "portal")}
    for name in sorted(urls):
        case = REGISTRY.get(name)
        if name in NOT_WALKED or name in ANONYMOUS_PAGES:
            continue
        if case is None:
            out.append(f"{name}: no case in tests/security/registry.py (add one, see "
                       "tests/security/matrix.py)")
            continue
        missing = [arg for arg, kind in case.kinds().items()
                   if kind == MISSING and arg not in WALK_KINDS.get(name, {})]
        if case.read and missing:
            out.append(f"{name}: its argument(s) {missing} name an object the matrix does not "
                       "make: give it a kind in tests/ui/walk.py WALK_KINDS (made by "
                       "extras()) or a reason in NOT_WALKED")
    for name in sorted((set(WALK_KINDS) | set(NOT_WALKED)) - set(urls)):
        out.append(f"{name}: listed in tests/ui/walk.py but no such route")
    return out


def role_for(name: str) -> str | None:
    if name in ANONYMOUS_PAGES:
        return None
    readers = REGISTRY[name].read or frozenset()
    return next(role for role in PREFERRED if role in readers)


def _attempt(out: dict[str, Any], kind: str, make: Any) -> None:
    """Make one object in a savepoint; a failure is kept and shown by the walk."""
    from django.db import transaction

    try:
        with transaction.atomic():
            out[kind] = make()
    except Exception as exc:  # noqa: BLE001 - shown by the page's test
        out[kind] = None
        out[f"{kind}:error"] = repr(exc)


def extras(world: World) -> dict[str, Any]:
    """The objects of `WALK_KINDS`, made for the caller's own client."""
    from archive.services import batch_open
    from billing.models import Receipt
    from billing.money_services import statement_import
    from billing.reconciliation_services import reconciliation_run
    from billing.services import invoice_issue, payment_record
    from enrollment.persons.services import person_id_number
    from policies.models import City
    from tests.billing.test_money_services import icbc
    from tests.billing.test_reconciliation import figures_at, wide_file

    out: dict[str, Any] = {}
    mine = world.mine
    today = timezone.localdate()
    _attempt(out, "archive_batch", lambda: batch_open(month=today))

    def receipt() -> Any:
        data = icbc([today, mine.client.name, "6222000011112222", Decimal("100.00"), None,
                     "服务费", "WALK-1"])
        statement = statement_import(data=data, file_name="icbc.xlsx", actor=None)
        return Receipt.objects.get(statement=statement)

    _attempt(out, "receipt", receipt)

    def reconciliation() -> Any:
        person = mine.person
        data = wide_file([(person.name, person_id_number(person), figures_at("8000.00"))])
        return reconciliation_run(city=City.objects.get(code="310000"), month=today,
                                  scheme="social_insurance", data=data,
                                  file_name="缴费明细.xlsx", actor=None)

    _attempt(out, "reconciliation", reconciliation)

    def invoice() -> Any:
        from billing.models import AgencyEntity, VatMethod

        AgencyEntity.objects.create(
            name="上海安信人力资源服务有限公司", uscc="91310000MA1FL8XQ30",
            address="上海市黄浦区中山东一路1号", phone="021-63210000", bank="招商银行上海分行",
            bank_account="121900000010101", vat_method=VatMethod.GENERAL)
        bill = mine.objects["bill"]
        payment_record(bill=bill, amount=bill.total, paid_on=today, method="bank_transfer",
                       actor=None)
        bill.refresh_from_db()
        return invoice_issue(bill=bill, actor=None)[0]

    _attempt(out, "invoice", invoice)

    def proof_batch() -> Any:
        from agency.viewer import Viewer
        from enrollment.proofs.batch import proof_batch_start

        admin = world.staff[ADMIN]
        return proof_batch_start(viewer=Viewer.of(admin), client=mine.client, month=today,
                                 actor=admin, site_url="http://testserver/")

    _attempt(out, "proof_batch", proof_batch)

    def messages() -> None:
        """One message on each thread: the second count then shows what more rows cost,
        not what the first one does (a prefetch Django skips when there is nothing)."""
        from compliance.service_desk import complaint_reply, inquiry_reply
        from enrollment.cases.services import case_message

        admin = world.staff[ADMIN]
        inquiry_reply(inquiry=mine.inquiry, body="答复", actor=admin, from_client=False)
        complaint_reply(complaint=mine.complaint, body="答复", actor=admin, from_client=False)
        case_message(case=mine.case, body="留言", actor=admin, from_client=False)

    _attempt(out, "messages", messages)

    def last_month_bill() -> Any:
        """The staff's bill list shows last month: one bill there before the count."""
        from billing.services import bill_generate, bill_issue

        month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        return bill_issue(bill=bill_generate(client=mine.client, month=month, actor=None),
                          actor=None)

    _attempt(out, "last_month_bill", last_month_bill)
    return out


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
