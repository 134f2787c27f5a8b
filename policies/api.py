"""API of the enrollment app: cities and contribution quotes."""

import datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.months import MONTH_RE, parse_month
from policies.calculator import Contribution, contributions
from policies.selectors import city_get, city_list, policy_rules_for_month


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def rate(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7, decimal_places=6, min_value=Decimal(0), max_value=Decimal(1), **kwargs
    )


def quote_out(*, city_code: str, month: datetime.date, result: Contribution) -> dict[str, Any]:
    """The contract's quote body (amounts as strings with two places)."""
    return {
        "city": city_code,
        "month": f"{month:%Y-%m}",
        "policy": result.policy.name,
        "items": [
            {"kind": i.kind, "base": i.base, "employer": i.employer, "employee": i.employee}
            for i in result.items
        ],
        "totals": {
            "employer": result.employer, "employee": result.employee, "total": result.total,
        },
    }


class CityListView(APIView):
    """The cities the agency serves (GB/T 2260 codes)."""

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        order_cutoff_day = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(city_list(), many=True).data)


class QuoteView(APIView):
    """One person's monthly contributions at a base under the policy in force that month."""

    class InputSerializer(serializers.Serializer):
        base = money(min_value=Decimal(0))
        month = serializers.RegexField(MONTH_RE, error_messages={
            "invalid": "须为 YYYY-MM / Use YYYY-MM"})
        housing_fund_base = money(min_value=Decimal(0), required=False)
        housing_fund_rate = rate(required=False)
        work_injury_rate = rate(required=False)

    class OutputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            kind = serializers.CharField()
            base = money()
            employer = money()
            employee = money()

        class TotalsSerializer(serializers.Serializer):
            employer = money()
            employee = money()
            total = money()

        city = serializers.CharField()
        month = serializers.CharField()
        policy = serializers.CharField()
        items = ItemSerializer(many=True)
        totals = TotalsSerializer()

    @extend_schema(
        parameters=[InputSerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, code: str) -> Response:
        city = city_get(code=code)
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        month = parse_month(params["month"])
        result = contributions(
            policy_rules_for_month(city=city, month=month),
            base=params["base"],
            housing_fund_base=params.get("housing_fund_base"),
            housing_fund_rate=params.get("housing_fund_rate"),
            work_injury_rate=params.get("work_injury_rate"),
        )
        body = quote_out(city_code=city.code, month=month, result=result)
        return Response(self.OutputSerializer(body).data)

