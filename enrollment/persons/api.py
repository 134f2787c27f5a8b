"""API of insured persons: `GET /api/v1/persons/`, `POST /api/v1/persons/search/` (by a
whole document number, which never goes in a query string) and `GET /api/v1/persons/{id}/`.

The full ID number is never in a response: `id_number_masked` only (the last four).
`birth_date` and `sex` keep their place in every response, so a client's HR system reads
the same shape, but are null unless the caller holds the reveal right (staff in
`REVEAL_ROLES`); `birth_year` is always there. Client API keys and portal users are not
reveal roles: they get the birth year only."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import MoneyField, MonthField, Pagination, viewer_of
from agency.errors import DomainError, ErrorDetail, ValidationFailed
from agency.http import acting_user
from agency.roles import Role
from enrollment.models import Enrollment, InsuredPerson, Paper
from enrollment.persons.id_numbers import looks_like_id_number
from enrollment.persons.paper_services import paper_download, paper_upload
from enrollment.persons.selectors import (
    id_number_search_hash,
    paper_checklist,
    paper_get,
    person_get,
    person_list,
    person_pages,
    shows_personal_data,
    supplying_client,
)
from enrollment.persons.views import paper_file_response


class EnrollmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    city = serializers.CharField(source="city.code")
    city_name = serializers.CharField(source="city.name")
    scheme = serializers.CharField()
    status = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    end_reason = serializers.CharField()
    base_kind = serializers.CharField()
    base = MoneyField(allow_null=True)
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    bureau_account_number = serializers.CharField()
    first_billed_month = MonthField(allow_null=True)


class PersonSummarySerializer(serializers.Serializer):
    """What a list row of a person carries (the detail adds to it). Never the full number.
    `city`, `scheme`, `status`, `base_kind`, `base` and `enrolled_from` are those of the
    person's current enrolment that the caller may see (null when there is none)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    id_document_type = serializers.CharField()
    id_number_masked = serializers.CharField()
    sex = serializers.SerializerMethodField()
    birth_date = serializers.SerializerMethodField()
    birth_year = serializers.SerializerMethodField()
    hukou_type = serializers.CharField()
    employment_type = serializers.CharField()
    city = serializers.CharField(source="current_enrollment.city.code", allow_null=True)
    scheme = serializers.CharField(source="current_enrollment.scheme", allow_null=True)
    status = serializers.CharField(source="current_enrollment.status", allow_null=True)
    base_kind = serializers.CharField(source="current_enrollment.base_kind", allow_null=True)
    base = MoneyField(source="current_enrollment.base", allow_null=True)
    enrolled_from = serializers.DateField(source="current_enrollment.starts_on",
                                          allow_null=True)

    def _full(self) -> bool:
        """Birth date and sex only for a caller with the reveal right (the view puts its
        viewer in the context; without one, nothing more than the birth year)."""
        viewer = self.context.get("viewer")
        return viewer is not None and shows_personal_data(viewer)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_sex(self, person: InsuredPerson) -> str | None:
        return person.sex if self._full() else None

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, person: InsuredPerson) -> Any:
        if not self._full() or person.birth_date is None:
            return None
        return person.birth_date.isoformat()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, person: InsuredPerson) -> int | None:
        return person.birth_date.year if person.birth_date else None


# the person's own fields a list row shows (PersonSummarySerializer)
LIST_FIELDS = ("id", "name", "id_document_type", "id_number_masked", "sex", "birth_date",
               "hukou_type", "employment_type")

ID_NUMBER_IN_QUERY = (
    "完整证件号码不能放在查询字符串中，请用 POST /api/v1/persons/search/ / "
    "A whole ID number must not travel in a query string: use POST /api/v1/persons/search/"
)


class PersonListView(APIView):
    """Insured persons of the caller's client (staff: every person), paginated."""

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Enrollment.Status.choices, required=False)
        search = serializers.CharField(required=False, allow_blank=True, max_length=50)
        city = serializers.RegexField(r"^[0-9]{6}$", required=False)

    class OutputSerializer(PersonSummarySerializer):
        """The list rows as they are (named apart for the schema)."""

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if looks_like_id_number(data.get("search", "")):
            raise ValidationFailed([ErrorDetail("id_number_in_query", ID_NUMBER_IN_QUERY,
                                                field="search")])
        viewer = viewer_of(request)
        persons = person_pages(
            viewer=viewer, search=data.get("search", ""),
            status=data.get("status", ""), city_code=data.get("city", ""),
            fields=LIST_FIELDS,  # the page's rows are read narrow, without the ciphertexts
        )
        paginator = Pagination()
        # a PersonPages pages as a queryset does (a count and slices)
        page = paginator.paginate_queryset(persons, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(
            self.OutputSerializer(page, many=True, context={"viewer": viewer}).data)


class PersonSearchView(APIView):
    """Find persons by a whole document number, sent in the body (never in a URL, where
    proxies and logs would keep it). The same rows as the list, at most one per document
    type; the caller's scope applies (a person the caller may not see is not found)."""

    class InputSerializer(serializers.Serializer):
        id_number = serializers.CharField(max_length=40)
        id_document_type = serializers.ChoiceField(
            choices=InsuredPerson.DocumentType.choices, required=False)

    class OutputSerializer(PersonSummarySerializer):
        """A found person: a list row."""

    class ResultSerializer(serializers.Serializer):
        """The list's shape, on one page."""

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = PersonSummarySerializer(many=True)

    @extend_schema(request=InputSerializer, responses={200: ResultSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        number_hash = id_number_search_hash(data.validated_data["id_number"])
        if not number_hash:
            raise ValidationFailed([ErrorDetail(
                "invalid_id_number", "证件号码格式不正确 / Document number is not valid",
                field="id_number")])
        viewer = viewer_of(request)
        persons = person_list(viewer=viewer, id_number_hash=number_hash)
        kind = data.validated_data.get("id_document_type")
        if kind:
            persons = persons.filter(id_document_type=kind)
        rows = list(persons[:10])
        return Response({
            "count": len(rows), "next": None, "previous": None,
            "results": self.OutputSerializer(rows, many=True, context={"viewer": viewer}).data,
        })


class PersonDetailView(APIView):
    """One person: masked ID, personal details, the caller's enrolments of the person and
    the papers checklist (the caller's own papers)."""

    class OutputSerializer(PersonSummarySerializer):
        class PaperSerializer(serializers.Serializer):
            kind = serializers.CharField()
            present = serializers.BooleanField()
            id = serializers.IntegerField(source="paper.id", allow_null=True)
            uploaded_at = serializers.DateTimeField(source="paper.uploaded_at", allow_null=True)
            sha256 = serializers.CharField(source="paper.sha256", allow_null=True)

        phone = serializers.CharField()
        education_level = serializers.CharField()
        labour_contract_starts_on = serializers.DateField(allow_null=True)
        labour_contract_ends_on = serializers.DateField(allow_null=True)
        enrollments = EnrollmentOutputSerializer(many=True, source="scoped_enrollments")
        papers = serializers.SerializerMethodField()
        papers_missing = serializers.SerializerMethodField()

        @extend_schema_field(PaperSerializer(many=True))
        def get_papers(self, person: InsuredPerson) -> Any:
            return self.PaperSerializer(self.context["checklist"], many=True).data

        def get_papers_missing(self, person: InsuredPerson) -> list[str]:
            return [item.kind for item in self.context["checklist"] if not item.present]

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        checklist = paper_checklist(viewer=viewer, person=person)
        return Response(self.OutputSerializer(
            person, context={"checklist": checklist, "viewer": viewer}).data)


class PaperUploadView(APIView):
    """Upload one paper of a person (multipart: `kind`, `file`; staff may name `client`).
    PDF, JPEG or PNG recognised by content, at most 10 MB."""

    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Paper.Kind.choices)
        file = serializers.FileField()
        client = serializers.IntegerField(required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.CharField()
        content_type = serializers.CharField()
        size = serializers.IntegerField()
        sha256 = serializers.CharField()
        uploaded_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        if viewer.has_role(Role.CLIENT_VIEWER):
            raise DomainError(code="permission_denied",
                              message="只读用户不能上传材料 / Viewers cannot upload papers",
                              status=403)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        raw_client = data.validated_data.get("client")
        client = supplying_client(viewer=viewer, person=person,
                                  raw=str(raw_client) if raw_client is not None else None)
        paper = paper_upload(person=person, client=client, kind=data.validated_data["kind"],
                             upload=data.validated_data["file"], actor=acting_user(request))
        return Response(self.OutputSerializer(paper).data, status=201)


class PaperDownloadView(APIView):
    """The file of one paper (audited)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, paper_pk: int) -> HttpResponse:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        paper = paper_get(viewer=viewer, person=person, pk=paper_pk)
        paper_download(paper=paper, actor=acting_user(request), request=request._request,
                       api_key_id=viewer.api_key_id)
        return paper_file_response(paper)
