"""API of billing: bills, their lines, payments and invoices, and their files.

Role rules: every staff role reads every bill and invoice; `admin`, `manager` and
`finance` generate, issue, record payments and invoice (client callers get 404 from these
staff endpoints, other staff 403). A client caller (portal user or API key) reads only its
own client's bills once issued (a draft answers 404, like another client's bill) and its
invoices; it confirms or disputes a bill as an API key or a `client_admin` (a
`client_viewer` gets 403). The services decide every rule; these views check the shape
of what comes in and render what goes out."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MoneyField, MonthField, Pagination, paginated, viewer_of
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.files import download_response
from agency.http import acting_user
from agency.roles import CallerKind, Role
from agency.viewer import Viewer
from billing.models import Bill, BillStatus, Invoice, Payment
from billing.selectors import bill_get, bill_lines, bill_list, invoice_get, invoice_list
from billing.services import (
    ADJUSTABLE,
    bill_adjust,
    bill_confirm,
    bill_dispute,
    bill_generate,
    bill_issue,
    billing_file_download,
    invoice_issue,
    payment_record,
)
from clients.api import require_staff, staff_actor
from clients.selectors import client_list

BILLING_STAFF = (Role.ADMIN, Role.MANAGER, Role.FINANCE)
# who answers for the client: its API key or a portal administrator (not a viewer)
CLIENT_DECIDERS = (CallerKind.API_KEY, Role.CLIENT_ADMIN)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_client_decider(viewer: Viewer) -> None:
    """Only the client itself confirms or disputes its bill: an API key or a portal
    administrator; a portal viewer and staff get 403."""
    if not (viewer.is_client and viewer.has_role(*CLIENT_DECIDERS)):
        raise DomainError(
            code="permission_denied", status=403,
            message="仅客户的管理员或API密钥可确认或提出异议 / Only the client's administrator "
                    "or API key may confirm or dispute a bill",
        )


# --- output -------------------------------------------------------------------------------

class BillOutput(serializers.Serializer):
    """A bill as lists show it (the contract's id, month, status and amounts, and more)."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The bill's reference, e.g. B202611-000042.")
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    month = MonthField()
    status = serializers.CharField(
        help_text="draft, issued, confirmed, disputed, paid or void (a client sees no draft).")
    social_insurance = MoneyField()
    housing_fund = MoneyField()
    service_fee = MoneyField()
    total = MoneyField()
    paid = MoneyField()
    outstanding = MoneyField()
    line_count = serializers.IntegerField()
    issued_at = serializers.DateTimeField(allow_null=True)
    invoice_due_by = serializers.DateField(
        allow_null=True, help_text="10 working days after the payment in full.")


class PaymentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    bill = serializers.IntegerField(source="bill_id")
    amount = MoneyField()
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Payment.Method.choices)
    reference = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class BillDetailOutput(BillOutput):
    """One bill: the list's fields, its dispute, payments and invoices."""

    class InvoiceRefOutput(serializers.Serializer):
        id = serializers.IntegerField()
        number = serializers.CharField()
        kind = serializers.CharField()

    generated_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    disputed_at = serializers.DateTimeField(allow_null=True)
    dispute_reason = serializers.CharField()
    dispute_answer = serializers.CharField()
    paid_on = serializers.DateField(allow_null=True, help_text="The day it was paid in full.")
    payments = PaymentOutput(many=True, source="payments.all")
    invoices = InvoiceRefOutput(many=True, source="invoices.all")


class BillLineOutput(serializers.Serializer):
    """One line of a bill: a person's month (or months), each item's figures exactly as
    the quote gives them for that person's base, city and month."""

    class ItemOutput(serializers.Serializer):
        kind = serializers.CharField()
        base = MoneyField()
        employer = MoneyField()
        employee = MoneyField()

    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id", allow_null=True,
                                      help_text="The insured person's id (null for a "
                                                "manual adjustment).")
    person_name = serializers.CharField(source="person.name", allow_null=True, default=None)
    id_number_masked = serializers.CharField(source="person.id_number_masked",
                                             allow_null=True, default=None)
    city = serializers.CharField(source="city.code", allow_null=True, default=None)
    line_type = serializers.CharField()
    months = serializers.ListField(child=serializers.CharField(),
                                   help_text="The months charged, YYYY-MM.")
    items = ItemOutput(many=True)
    social_insurance = MoneyField()
    housing_fund = MoneyField()
    service_fee = MoneyField()
    total = MoneyField()
    description = serializers.CharField()


class InvoiceOutput(serializers.Serializer):
    class ItemOutput(serializers.Serializer):
        name = serializers.CharField()
        amount = MoneyField(help_text="Tax included.")
        tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
        tax = MoneyField()
        taxable = serializers.BooleanField(
            help_text="False for amounts paid on the client's behalf (pass-through).")

    id = serializers.IntegerField()
    number = serializers.CharField()
    bill = serializers.IntegerField(source="bill_id")
    bill_number = serializers.CharField(source="bill.number")
    kind = serializers.CharField(help_text="ordinary (普通发票) or special (专用发票).")
    issued_on = serializers.DateField()
    due_by = serializers.DateField()
    amount = MoneyField(help_text="Tax included.")
    tax = MoneyField()
    buyer_name = serializers.CharField()
    buyer_uscc = serializers.CharField()
    seller_name = serializers.CharField()
    seller_uscc = serializers.CharField()
    tax_platform_number = serializers.CharField()
    items = ItemOutput(many=True, source="items.all")


class LinePagination(Pagination):
    """A bill's lines come in pages of up to 1000."""

    max_page_size = 1000


def _bill_detail(viewer: Viewer, pk: int) -> Any:
    return BillDetailOutput(bill_get(viewer=viewer, pk=pk)).data


def _billing_staff(request: Request) -> Viewer:
    viewer = viewer_of(request)
    require_staff(viewer, *BILLING_STAFF)
    return viewer


# --- bills --------------------------------------------------------------------------------

class BillListView(APIView):
    """Bills newest month first: a client caller's own once issued; staff every bill."""

    class FilterSerializer(serializers.Serializer):
        month = MonthField(required=False)
        status = serializers.ChoiceField(choices=BillStatus.choices, required=False)
        client = serializers.IntegerField(required=False, min_value=1,
                                          help_text="Staff: one client's bills.")

    @extend_schema(parameters=[FilterSerializer], responses={200: BillOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        v = filters.validated_data
        bills = bill_list(viewer=viewer_of(request), month=v.get("month"),
                          status=v.get("status", ""), client_id=v.get("client"))
        return paginated(request, self, bills, BillOutput)


class BillDetailView(APIView):
    @extend_schema(responses={200: BillDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_bill_detail(viewer_of(request), pk))


class BillLinesView(APIView):
    """A bill's lines in their order, paged (`?page`, `?page_size` up to 1000)."""

    @extend_schema(responses={200: BillLineOutput(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        bill = bill_get(viewer=viewer_of(request), pk=pk)
        paginator = LinePagination()
        page = paginator.paginate_queryset(bill_lines(bill=bill), request, view=self)
        return paginator.get_paginated_response(BillLineOutput(page, many=True).data)


class BillGenerateView(APIView):
    """The draft bill of a client for a month, computed from its enrolments; regenerating
    a draft replaces it (same id); an issued bill answers 409 `bill_issued`."""

    class InputSerializer(serializers.Serializer):
        client = serializers.IntegerField(min_value=1)
        month = MonthField()

    @extend_schema(request=InputSerializer, responses={201: BillDetailOutput})
    def post(self, request: Request) -> Response:
        viewer = _billing_staff(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = client_list(viewer=viewer).filter(pk=data.validated_data["client"]).first()
        if client is None:
            raise ValidationFailed([ErrorDetail("not_found", "客户不存在 / No such client",
                                                field="client")])
        bill = bill_generate(client=client, month=data.validated_data["month"],
                             actor=staff_actor(request))
        return Response(_bill_detail(viewer, bill.pk), status=status.HTTP_201_CREATED)


class BillIssueView(APIView):
    """Send the draft to the client; from now on it is frozen."""

    @extend_schema(request=None, responses={200: BillDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = _billing_staff(request)
        bill = bill_issue(bill=bill_get(viewer=viewer, pk=pk), actor=staff_actor(request))
        return Response(_bill_detail(viewer, bill.pk))


class BillConfirmView(APIView):
    """The client agrees with its issued bill (or with the answer to its dispute)."""

    @extend_schema(request=None, responses={200: BillDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        bill = bill_get(viewer=viewer, pk=pk)
        require_client_decider(viewer)
        bill_confirm(bill=bill, actor=acting_user(request))
        return Response(_bill_detail(viewer, bill.pk))


class BillDisputeView(APIView):
    """The client disputes its issued bill, giving the reason; it goes back to staff."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={200: BillDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        bill = bill_get(viewer=viewer, pk=pk)
        require_client_decider(viewer)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bill_dispute(bill=bill, reason=data.validated_data["reason"],
                     actor=acting_user(request))
        return Response(_bill_detail(viewer, bill.pk))


class BillPaymentView(APIView):
    """Money received against an issued bill; partial payments add up, never above what
    is owed (400 naming `amount`). Paid in full, the bill is `paid`."""

    class InputSerializer(serializers.Serializer):
        amount = MoneyField()
        paid_on = serializers.DateField()
        method = serializers.ChoiceField(choices=Payment.Method.choices)
        reference = serializers.CharField(max_length=100, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: PaymentOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = _billing_staff(request)
        bill = bill_get(viewer=viewer, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        payment = payment_record(bill=bill, amount=v["amount"], paid_on=v["paid_on"],
                                 method=v["method"], reference=v["reference"],
                                 actor=staff_actor(request))
        return Response(PaymentOutput(payment).data, status=status.HTTP_201_CREATED)


class BillAdjustmentView(APIView):
    """A manual adjustment line on a draft (`part`: social_insurance, housing_fund or
    service_fee; a negative amount reduces it); it stays when the draft is regenerated.
    Answers 201 with the bill."""

    class InputSerializer(serializers.Serializer):
        part = serializers.ChoiceField(choices=sorted(ADJUSTABLE))
        amount = MoneyField()
        description = serializers.CharField(max_length=300)

    @extend_schema(request=InputSerializer, responses={201: BillDetailOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = _billing_staff(request)
        bill = bill_get(viewer=viewer, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        bill_adjust(bill=bill, part=v["part"], amount=v["amount"],
                    description=v["description"], actor=staff_actor(request))
        return Response(_bill_detail(viewer, bill.pk), status=status.HTTP_201_CREATED)


class BillInvoiceView(APIView):
    """The invoice of a bill paid in full (409 `bill_not_paid` before). For a client who
    takes a special VAT invoice the service fee goes on its own invoice: the answer is the
    first invoice, with the numbers of the others in `related`."""

    class OutputSerializer(InvoiceOutput):
        related = serializers.SerializerMethodField()

        def get_related(self, invoice: Invoice) -> list[str]:
            return list(self.context["related"])

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        viewer = _billing_staff(request)
        invoices = invoice_issue(bill=bill_get(viewer=viewer, pk=pk),
                                 actor=staff_actor(request))
        first = invoice_get(viewer=viewer, pk=invoices[0].pk)
        related = [i.number for i in invoices[1:]]
        return Response(self.OutputSerializer(first, context={"related": related}).data,
                        status=status.HTTP_201_CREATED)


# --- invoices -----------------------------------------------------------------------------

class InvoiceListView(APIView):
    """Invoices newest first: a client caller's own; staff every invoice."""

    class FilterSerializer(serializers.Serializer):
        month = MonthField(required=False, help_text="The month the invoice was issued in.")

    @extend_schema(parameters=[FilterSerializer], responses={200: InvoiceOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        invoices = invoice_list(viewer=viewer_of(request),
                                month=filters.validated_data.get("month"))
        return paginated(request, self, invoices, InvoiceOutput)


class InvoiceDetailView(APIView):
    @extend_schema(responses={200: InvoiceOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(InvoiceOutput(invoice_get(viewer=viewer_of(request), pk=pk)).data)


# --- files --------------------------------------------------------------------------------

def _download(request: Request, *, target: Bill | Invoice, file: str, data: bytes,
              filename: str, content_type: str) -> HttpResponse:
    """Hand out a generated file after its audit row (who took which bill's figures)."""
    viewer = viewer_of(request)
    billing_file_download(target=target, file=file, filename=filename,
                          actor=acting_user(request), api_key_id=viewer.api_key_id,
                          request=request._request)
    return download_response(data, filename=filename, content_type=content_type,
                             inline=content_type == "application/pdf")


class BillPdfView(APIView):
    """The bill as a PDF (Chinese): its totals and every line (names, masked ID numbers);
    each download is audited."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from billing.documents import bill_pdf  # the renderers load WeasyPrint and openpyxl

        bill = bill_get(viewer=viewer_of(request), pk=pk)
        return _download(request, target=bill, file="bill_pdf", data=bill_pdf(bill),
                         filename=f"{bill.number}.pdf", content_type="application/pdf")


class BillXlsxView(APIView):
    """The bill as a workbook: its lines and each item's figures; each download is
    audited."""

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from billing.documents import bill_xlsx

        bill = bill_get(viewer=viewer_of(request), pk=pk)
        return _download(request, target=bill, file="bill_xlsx", data=bill_xlsx(bill),
                         filename=f"{bill.number}.xlsx", content_type=XLSX_CONTENT_TYPE)


class InvoicePdfView(APIView):
    """The agency's record of an invoice as a PDF (Chinese); each download is audited."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        from billing.documents import invoice_pdf

        invoice = invoice_get(viewer=viewer_of(request), pk=pk)
        return _download(request, target=invoice, file="invoice_pdf",
                         data=invoice_pdf(invoice), filename=f"invoice-{invoice.number}.pdf",
                         content_type="application/pdf")
