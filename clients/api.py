"""API of the clients app: the caller (`/me/`), clients, contracts and API keys.

Role rules: every staff role reads clients and contracts; `admin` and `manager` create
and change them (create, verify licence, contracts, activation, API keys). A client
caller (portal user or API key) reads only its own client and contracts; staff-only
endpoints answer it 404, like another client's object."""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import RateField, paginated, viewer_of
from agency.errors import ErrorDetail, ValidationFailed
from agency.http import acting_user
from agency.models import User
from agency.roles import Role
from agency.viewer import Viewer
from clients.documents import contract_pdf
from clients.models import ApiKey, Client, Contract, size_tier
from clients.selectors import (
    client_get,
    client_list,
    client_with_headcount_list,
    contract_current,
    contract_get,
    contract_list,
)
from clients.services import (
    PriceInput,
    api_key_issue,
    client_save,
    client_verify_licence,
    contract_activate,
    contract_create,
)

CLIENT_MANAGERS = (Role.ADMIN, Role.MANAGER)


def staff_actor(request: Request) -> User:
    """The staff user behind a request that `require_staff` let through."""
    actor = acting_user(request)
    if actor is None:  # require_staff answered 404 to anyone else
        raise Http404
    return actor


def require_staff(viewer: Viewer, *roles: str) -> None:
    """Client callers get 404 (a staff endpoint does not exist for them); staff without
    one of `roles` get 403."""
    if not viewer.is_staff:
        raise Http404
    if roles and not viewer.has_role(*roles):
        raise exceptions.PermissionDenied()


class ContractOutput(serializers.Serializer):
    class PriceOutput(serializers.Serializer):
        city = serializers.CharField(source="city.code")
        city_name = serializers.CharField(source="city.name")
        price_per_head = serializers.DecimalField(max_digits=12, decimal_places=2)
        price_override_reason = serializers.CharField(source="override_reason")
        work_injury_rate = RateField(allow_null=True)

    id = serializers.IntegerField()
    number = serializers.CharField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    status = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    housing_fund_rate = serializers.DecimalField(max_digits=5, decimal_places=4,
                                                 allow_null=True)
    prices = PriceOutput(many=True, source="prices.all")
    included_services = serializers.ListField(child=serializers.CharField())
    rights_and_obligations = serializers.CharField()
    service_content = serializers.CharField()
    fees_and_payment = serializers.CharField()
    breach_liability = serializers.CharField()
    activated_at = serializers.DateTimeField(allow_null=True)


class ClientOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField()
    ownership_type = serializers.CharField()
    industry = serializers.CharField()
    office_address = serializers.CharField()
    city = serializers.CharField(source="city.code", allow_null=True, default=None)
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    work_injury_risk_class = serializers.IntegerField(allow_null=True)
    headcount = serializers.IntegerField()
    size_tier = serializers.SerializerMethodField()
    licence_verified = serializers.BooleanField()
    licence_verified_at = serializers.DateTimeField(allow_null=True)
    service_rep = serializers.CharField(allow_null=True,
                                        help_text="The representative's name; null if none.")

    def get_size_tier(self, obj: Client) -> str:
        return str(size_tier(getattr(obj, "headcount", 0)).value)


def _client_with_headcount(viewer: Viewer, pk: int) -> Client:
    client = client_with_headcount_list(viewer=viewer).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


@dataclass(frozen=True)
class Caller:
    """Who calls: a user (username) or an API key (none), the role, and for a client
    caller its company (with headcount); its current contract goes in the context."""

    username: str | None
    role: str
    client: Client | None


class MeView(APIView):
    """Who the caller is: user or API key, role, and (for clients) the client company
    with its profile and current contract."""

    class OutputSerializer(serializers.Serializer):
        class ClientSerializer(ClientOutput):
            contract = serializers.SerializerMethodField()

            @extend_schema_field(ContractOutput(allow_null=True))
            def get_contract(self, client: Client) -> Any:
                contract = self.context["contract"]
                return ContractOutput(contract).data if contract is not None else None

        username = serializers.CharField(allow_null=True)
        role = serializers.CharField()
        client = ClientSerializer(allow_null=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        viewer = viewer_of(request)
        client = contract = None
        if viewer.is_client and viewer.client_id is not None:
            client = _client_with_headcount(viewer, viewer.client_id)
            contract = contract_current(viewer=viewer, client=client)
        user = acting_user(request)
        caller = Caller(username=user.get_username() if user else None, role=viewer.role,
                        client=client)
        return Response(self.OutputSerializer(caller, context={"contract": contract}).data)


class ClientListCreateView(APIView):
    """GET: clients the caller may see (a client caller: its own). POST (admin, manager):
    a new client; the USCC must pass the GB 32100 check."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        uscc = serializers.CharField(max_length=40)
        ownership_type = serializers.ChoiceField(choices=Client.OwnershipType.choices)
        industry = serializers.ChoiceField(choices=Client.Industry.choices)
        office_address = serializers.CharField(max_length=300, allow_blank=True, default="")
        city = serializers.CharField(max_length=6, required=False, allow_null=True,
                                     allow_blank=True)
        contact_name = serializers.CharField(max_length=100, allow_blank=True, default="")
        contact_phone = serializers.CharField(max_length=30, allow_blank=True, default="")
        contact_email = serializers.EmailField(allow_blank=True, default="")
        work_injury_risk_class = serializers.IntegerField(
            min_value=1, max_value=8, required=False, allow_null=True,
            help_text="工伤保险行业风险类别, 1–8.")

    class FilterSerializer(serializers.Serializer):
        search = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                       help_text="Part of the name or of the USCC.")

    @extend_schema(parameters=[FilterSerializer], responses={200: ClientOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = client_with_headcount_list(viewer=viewer_of(request),
                                        search=filters.validated_data.get("search", ""))
        return paginated(request, self, qs, ClientOutput)

    @extend_schema(request=InputSerializer, responses={201: ClientOutput})
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        require_staff(viewer, *CLIENT_MANAGERS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        client = client_save(
            name=v["name"], uscc=v["uscc"], ownership_type=v["ownership_type"],
            industry=v["industry"], office_address=v["office_address"],
            city_code=v.get("city") or None, contact_name=v["contact_name"],
            contact_phone=v["contact_phone"], contact_email=v["contact_email"],
            work_injury_risk_class=v.get("work_injury_risk_class"),
            actor=staff_actor(request),
        )
        return Response(ClientOutput(_client_with_headcount(viewer, client.pk)).data,
                        status=status.HTTP_201_CREATED)


class ClientDetailView(APIView):
    @extend_schema(responses={200: ClientOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ClientOutput(_client_with_headcount(viewer_of(request), pk)).data)


class ClientVerifyLicenceView(APIView):
    """Record that the client's business licence was checked: who and when (STD-4.1.1)."""

    @extend_schema(request=None, responses={200: ClientOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        require_staff(viewer, *CLIENT_MANAGERS)
        client = client_get(viewer=viewer, pk=pk)
        client_verify_licence(client=client, actor=staff_actor(request))
        return Response(ClientOutput(_client_with_headcount(viewer, client.pk)).data)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    key: str


class ClientApiKeyCreateView(APIView):
    """Issue an API key for the client; the key is in this response only."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="api_key.pk")
        key = serializers.CharField(help_text="Shown only in this response.")
        name = serializers.CharField(source="api_key.name")
        prefix = serializers.CharField(source="api_key.prefix")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        require_staff(viewer, *CLIENT_MANAGERS)
        client = client_get(viewer=viewer, pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, key = api_key_issue(client=client, name=data.validated_data["name"],
                                     actor=staff_actor(request))
        return Response(self.OutputSerializer(IssuedKey(api_key=api_key, key=key)).data,
                        status=status.HTTP_201_CREATED)


class ContractListCreateView(APIView):
    """GET: contracts the caller may see. POST (admin, manager): a draft contract with
    per-city prices; a price outside 50–120 CNY needs `price_override_reason`."""

    class InputSerializer(serializers.Serializer):
        class PriceInputSerializer(serializers.Serializer):
            city = serializers.CharField(max_length=6)
            price_per_head = serializers.DecimalField(max_digits=12, decimal_places=2)
            price_override_reason = serializers.CharField(max_length=300, allow_blank=True,
                                                          default="")
            work_injury_rate = RateField(required=False, allow_null=True, help_text=(
                "The client's work-injury rate in this city (its industry risk class), "
                "within the city's range; absent: the city's base rate."))

        client = serializers.IntegerField()
        number = serializers.CharField(max_length=40, allow_blank=True, default="")
        starts_on = serializers.DateField()
        ends_on = serializers.DateField()
        prices = PriceInputSerializer(many=True, allow_empty=False)
        housing_fund_rate = serializers.DecimalField(max_digits=5, decimal_places=4,
                                                     required=False, allow_null=True)
        price_override_reason = serializers.CharField(max_length=300, allow_blank=True,
                                                      default="")

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Contract.Status.choices, required=False)

    @extend_schema(parameters=[FilterSerializer], responses={200: ContractOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = contract_list(viewer=viewer_of(request),
                           status=filters.validated_data.get("status", ""))
        return paginated(request, self, qs, ContractOutput)

    @extend_schema(request=InputSerializer, responses={201: ContractOutput})
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        require_staff(viewer, *CLIENT_MANAGERS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        client = client_list(viewer=viewer).filter(pk=v["client"]).first()
        if client is None:
            raise ValidationFailed([ErrorDetail("not_found", "客户不存在 / No such client",
                                                field="client")])
        prices = [
            PriceInput(city_code=p["city"], price_per_head=p["price_per_head"],
                       override_reason=p["price_override_reason"] or v["price_override_reason"],
                       work_injury_rate=p.get("work_injury_rate"))
            for p in v["prices"]
        ]
        contract = contract_create(
            client=client, number=v["number"], starts_on=v["starts_on"], ends_on=v["ends_on"],
            prices=prices, housing_fund_rate=v.get("housing_fund_rate"), actor=staff_actor(request),
        )
        out = ContractOutput(contract_get(viewer=viewer, pk=contract.pk)).data
        return Response(out, status=status.HTTP_201_CREATED)


class ContractDetailView(APIView):
    @extend_schema(responses={200: ContractOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ContractOutput(contract_get(viewer=viewer_of(request), pk=pk)).data)


class ContractActivateView(APIView):
    """draft → active; 400 `licence_unverified` while the client's licence is unchecked."""

    @extend_schema(request=None, responses={200: ContractOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        require_staff(viewer, *CLIENT_MANAGERS)
        contract = contract_activate(contract=contract_get(viewer=viewer, pk=pk),
                                     actor=staff_actor(request))
        return Response(ContractOutput(contract_get(viewer=viewer, pk=contract.pk)).data)


class ContractPdfView(APIView):
    """The contract as a PDF (Chinese), with the agency's licence numbers."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        contract: Contract = contract_get(viewer=viewer_of(request), pk=pk)
        response = HttpResponse(contract_pdf(contract=contract), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="contract-{contract.number}.pdf"'
        return response
