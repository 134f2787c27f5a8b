"""API of insurance cases (contract "Insurance matters"): open a case, list and read the
caller's cases with their checklist and papers, write on a case's thread.

A client caller (portal user or API key) sees and opens its own client's cases only
(another client's case answers 404, another client's person is refused like one that
does not exist); staff see what their role allows and name the client when they open one.
Thin: the input serializers check the shape, the services decide, the output serializers
render."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MonthField, paginated, viewer_of
from agency.errors import ErrorDetail, ValidationFailed
from agency.http import acting_user
from enrollment.cases.checklists import label_of
from enrollment.cases.selectors import case_client, case_get, case_list, case_person
from enrollment.cases.services import CaseChannel, case_message, case_open
from enrollment.models import BackPaymentMonth, CaseStatus, CaseStep, CaseType


class CaseStepOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    is_paper = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)

    def get_label(self, step: CaseStep) -> str:
        return str(label_of(step.case.type, step.key))


class CasePaperOutput(serializers.Serializer):
    id = serializers.IntegerField()
    step_key = serializers.CharField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class CaseMessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    from_client = serializers.BooleanField()
    author = serializers.CharField(source="author_label")
    created_at = serializers.DateTimeField()


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    type = serializers.CharField(help_text=", ".join(CaseType.values))
    status = serializers.CharField(help_text=", ".join(CaseStatus.values))
    description = serializers.CharField()
    channel = serializers.CharField()
    opened_at = serializers.DateTimeField()
    handle_by = serializers.DateTimeField(help_text="The 48-hour handling deadline.")
    first_action_at = serializers.DateTimeField(allow_null=True)
    incident_date = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(
        allow_null=True, help_text="A work injury's 工伤认定 deadline: incident date + 30 days.")
    period_from = MonthField(allow_null=True)
    period_to = MonthField(allow_null=True, help_text="Exclusive.")
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()


class BackMonthOutput(serializers.Serializer):
    """One month a back-payment owes, computed with that month's policy."""

    month = MonthField()
    city = serializers.CharField(source="city.code")
    base = serializers.DecimalField(max_digits=12, decimal_places=2)
    employer = serializers.DecimalField(max_digits=12, decimal_places=2)
    employee = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    billed = serializers.SerializerMethodField()

    def get_billed(self, row: BackPaymentMonth) -> bool:
        return row.billed_bill_id is not None


class CaseDetailOutput(CaseOutput):
    steps = CaseStepOutput(many=True, source="steps.all")
    papers = CasePaperOutput(many=True, source="papers.all")
    messages = CaseMessageOutput(many=True, source="messages.all")
    back_months = BackMonthOutput(many=True, source="back_months.all",
                                  help_text="A back-payment's months (empty otherwise).")


class CaseInput(serializers.Serializer):
    """The shape only: the service names a bad type, person, date or period."""

    person = serializers.IntegerField(required=False, allow_null=True)
    type = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text=", ".join(CaseType.values))
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=20000)
    incident_date = serializers.DateField(required=False, allow_null=True,
                                          help_text="Work injury: the day of the injury.")
    period_from = MonthField(required=False, allow_null=True,
                             help_text="Back-payment: the first month owed, YYYY-MM.")
    period_to = MonthField(required=False, allow_null=True,
                           help_text="Back-payment: the month after the last owed, YYYY-MM.")
    client = serializers.IntegerField(required=False, help_text="Staff only.")


class CaseFilter(serializers.Serializer):
    status = serializers.CharField(required=False, allow_blank=True)
    type = serializers.CharField(required=False, allow_blank=True)


class CaseMessageInput(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=20000)


def _filters(request: Request) -> dict[str, str | None]:
    data = CaseFilter(data=request.query_params)
    data.is_valid(raise_exception=True)
    out: dict[str, str | None] = {}
    errors = []
    for field, choices in (("status", CaseStatus.values), ("type", CaseType.values)):
        value = data.validated_data.get(field) or None
        if value is not None and value not in choices:
            errors.append(ErrorDetail("invalid_choice", "取值无效 / Unknown value",
                                      field=field))
        out[field] = value
    if errors:
        raise ValidationFailed(errors)
    return out


class CaseListCreateView(APIView):
    """GET: the caller's cases, newest first (`?status=`, `?type=`). POST: a new case for
    one of the client's persons, to be handled within 48 hours."""

    @extend_schema(parameters=[CaseFilter], responses={200: CaseOutput(many=True)})
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        qs = case_list(viewer=viewer_of(request), status=filters["status"],
                       type=filters["type"])
        return paginated(request, self, qs, CaseOutput)

    @extend_schema(request=CaseInput, responses={201: CaseDetailOutput})
    def post(self, request: Request) -> Response:
        viewer = viewer_of(request)
        data = CaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        client = case_client(viewer=viewer, client_id=v.get("client"))
        case = case_open(
            client=client, person=case_person(person_id=v.get("person")), type=v["type"],
            description=v["description"], incident_date=v.get("incident_date"),
            period_from=v.get("period_from"), period_to=v.get("period_to"),
            channel=CaseChannel.API, actor=acting_user(request),
            actor_label=str(request.user.get_username()),
        )
        return Response(CaseDetailOutput(case_get(viewer=viewer, pk=case.pk)).data,
                        status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    """One case with its steps (key, label, done_at), papers and thread."""

    @extend_schema(responses={200: CaseDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(CaseDetailOutput(case_get(viewer=viewer_of(request), pk=pk)).data)


class CaseMessageView(APIView):
    """A message on the case's thread (the client's, or the agency's)."""

    @extend_schema(request=CaseMessageInput, responses={201: CaseMessageOutput})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        case = case_get(viewer=viewer, pk=pk)
        data = CaseMessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = case_message(case=case, body=data.validated_data["body"],
                               actor=acting_user(request), from_client=viewer.is_client,
                               actor_label=str(request.user.get_username()))
        return Response(CaseMessageOutput(message).data, status=status.HTTP_201_CREATED)
