"""API of insured persons: `GET /api/v1/persons/` and `GET /api/v1/persons/{id}/`.

The full ID number is never in a response: `id_number_masked` only."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import Pagination, viewer_of
from agency.errors import DomainError
from agency.roles import Role
from enrollment.models import Enrollment, InsuredPerson, Paper
from enrollment.persons.paper_services import paper_download, paper_upload
from enrollment.persons.selectors import (
    current_enrollment,
    paper_checklist,
    paper_get,
    person_get,
    person_list,
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
    base = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    bureau_account_number = serializers.CharField()
    first_billed_month = serializers.DateField(format="%Y-%m", allow_null=True)


class PersonSummarySerializer(serializers.Serializer):
    """What a list row of a person carries (the detail adds to it). Never the full number."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    id_document_type = serializers.CharField()
    id_number_masked = serializers.CharField()
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    hukou_type = serializers.CharField()
    employment_type = serializers.CharField()
    city = serializers.CharField(allow_null=True)
    scheme = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    base_kind = serializers.CharField(allow_null=True)
    base = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    enrolled_from = serializers.DateField(allow_null=True)


def _summary(person: InsuredPerson) -> dict[str, Any]:
    current = current_enrollment(person)
    return {
        "id": person.pk,
        "name": person.name,
        "id_document_type": person.id_document_type,
        "id_number_masked": person.id_number_masked,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "hukou_type": person.hukou_type,
        "employment_type": person.employment_type,
        "city": current.city.code if current else None,
        "scheme": current.scheme if current else None,
        "status": current.status if current else None,
        "base_kind": current.base_kind if current else None,
        "base": current.base if current else None,
        "enrolled_from": current.starts_on if current else None,
    }


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
        persons = person_list(
            viewer=viewer_of(request), search=data.get("search", ""),
            status=data.get("status", ""), city_code=data.get("city", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(persons, request, view=self)
        rows = [_summary(p) for p in page or []]
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


class PersonDetailView(APIView):
    """One person: masked ID, personal details, the caller's enrolments of the person and
    the papers checklist."""

    class OutputSerializer(PersonSummarySerializer):
        class PaperSerializer(serializers.Serializer):
            kind = serializers.CharField()
            present = serializers.BooleanField()
            id = serializers.IntegerField(source="paper.id", allow_null=True, default=None)
            uploaded_at = serializers.DateTimeField(source="paper.uploaded_at", allow_null=True,
                                                    default=None)
            sha256 = serializers.CharField(source="paper.sha256", allow_null=True, default=None)

        phone = serializers.CharField()
        education_level = serializers.CharField()
        labour_contract_starts_on = serializers.DateField(allow_null=True)
        labour_contract_ends_on = serializers.DateField(allow_null=True)
        enrollments = EnrollmentOutputSerializer(many=True)
        papers = PaperSerializer(many=True)
        papers_missing = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request, pk: int) -> Response:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        checklist = paper_checklist(viewer=viewer, person=person)
        out = {
            **_summary(person),
            "phone": person.phone,
            "education_level": person.education_level,
            "labour_contract_starts_on": person.labour_contract_starts_on,
            "labour_contract_ends_on": person.labour_contract_ends_on,
            "enrollments": person.scoped_enrollments,  # type: ignore[attr-defined]
            "papers": checklist,
            "papers_missing": [item.kind for item in checklist if not item.present],
        }
        return Response(self.OutputSerializer(out).data)


def _user_or_none(request: Request) -> Any:
    """The acting User for audit rows and `uploaded_by` (None for an API key)."""
    return request.user if viewer_of(request).user_id else None


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
                             upload=data.validated_data["file"], actor=_user_or_none(request))
        return Response(self.OutputSerializer(paper).data, status=201)


class PaperDownloadView(APIView):
    """The file of one paper (audited)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, paper_pk: int) -> HttpResponse:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        paper = paper_get(viewer=viewer, person=person, pk=paper_pk)
        paper_download(paper=paper, actor=_user_or_none(request), request=request._request,
                       api_key_id=viewer.api_key_id)
        return paper_file_response(paper)
