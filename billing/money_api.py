"""API of money in and out: the client ledger (往来), `GET /api/v1/ledger/`.

A client caller (API key or portal user) reads its own ledger; `?client=` naming another
client answers 404. Staff read any client's ledger with `?client=` (required). The
entries come oldest first with the running balance (positive: the client owes), in
pages; `balance` is the balance after every entry."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MoneyField, Pagination, viewer_of
from agency.errors import ErrorDetail, ValidationFailed
from billing.money_selectors import LedgerEntry, client_ledger, ledger_client_get


@dataclass(frozen=True)
class LedgerPage:
    balance: Decimal
    count: int
    next: str | None
    previous: str | None
    entries: list[LedgerEntry]


class LedgerView(APIView):
    """The caller's client ledger: bills (+), receipts and credit kept (−), refunds (+)."""

    class FilterSerializer(serializers.Serializer):
        client = serializers.IntegerField(
            required=False, min_value=1,
            help_text="Staff: the client whose ledger to read (required). A client caller "
                      "may name only itself.")

    class OutputSerializer(serializers.Serializer):
        class EntryOutput(serializers.Serializer):
            date = serializers.DateField()
            kind = serializers.ChoiceField(
                choices=["bill", "receipt", "credit", "refund"],
                help_text="bill: a bill issued; receipt: money received on bills; credit: "
                          "money received and kept on the account; refund: credit paid back.")
            reference = serializers.CharField(
                help_text="The bill number, the bank's serial number or reference, or the "
                          "refund's reason.")
            amount = MoneyField(help_text="Positive: the client owes more.")
            balance = MoneyField(help_text="The running balance after this entry.")

        balance = MoneyField(help_text="What the client owes now (negative: in credit).")
        count = serializers.IntegerField()
        next = serializers.URLField(allow_null=True)
        previous = serializers.URLField(allow_null=True)
        entries = EntryOutput(many=True)

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        viewer = viewer_of(request)
        pk = filters.validated_data.get("client") or viewer.client_id
        if pk is None:
            raise ValidationFailed([ErrorDetail("required", "请指定客户 / Name the client",
                                                field="client")])
        ledger = client_ledger(viewer=viewer, client=ledger_client_get(viewer=viewer, pk=pk))
        paginator = Pagination()
        # a list pages like a queryset (DRF slices it)
        items: Any = ledger.entries
        entries = paginator.paginate_queryset(items, request, view=self)
        page = LedgerPage(balance=ledger.balance, count=len(ledger.entries),
                          next=paginator.get_next_link(),
                          previous=paginator.get_previous_link(), entries=entries or [])
        return Response(self.OutputSerializer(page).data)
