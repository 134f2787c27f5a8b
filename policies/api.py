"""API of the policies app: cities and contribution quotes."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MoneyField, MonthField, RateField
from policies.selectors import city_get, city_list, quote


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
        base = MoneyField(min_value=Decimal(0))
        month = MonthField()
        housing_fund_base = MoneyField(min_value=Decimal(0), required=False)
        housing_fund_rate = RateField(required=False)
        work_injury_rate = RateField(required=False)

    class OutputSerializer(serializers.Serializer):
        class ItemSerializer(serializers.Serializer):
            kind = serializers.CharField()
            base = MoneyField()
            employer = MoneyField()
            employee = MoneyField()

        class TotalsSerializer(serializers.Serializer):
            employer = MoneyField()
            employee = MoneyField()
            total = MoneyField()

        city = serializers.CharField(source="city_code")
        month = MonthField()
        policy = serializers.CharField(source="policy_name")
        provisional = serializers.BooleanField(help_text=(
            "True when the policy version is provisional: the bureau has not announced this "
            "year's figures, last year's apply, and a top-up (补差) follows."))
        items = ItemSerializer(many=True, source="contribution.items")
        totals = TotalsSerializer(source="contribution")

    @extend_schema(parameters=[InputSerializer], responses={200: OutputSerializer})
    def get(self, request: Request, code: str) -> Response:
        city = city_get(code=code)
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        return Response(self.OutputSerializer(quote(city=city, **data.validated_data)).data)
