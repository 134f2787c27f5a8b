"""`GET /api/v1/persons/{id}/proof/?month=2026-12`: the proof-of-enrolment PDF."""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from agency.api import MonthField, viewer_of
from agency.models import User
from enrollment.persons.selectors import person_get
from enrollment.proofs.services import proof_issue
from enrollment.proofs.views import proof_response


class PersonProofView(APIView):
    """参保证明 of one person for one month (PDF, Chinese, with a verification code).
    Staff name the client when several enrolled the person that month."""

    class InputSerializer(serializers.Serializer):
        month = MonthField()
        client = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(parameters=[InputSerializer],
                   responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        viewer = viewer_of(request)
        person = person_get(viewer=viewer, pk=pk)
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        issued = proof_issue(
            viewer=viewer, person=person, month=params["month"],
            actor=request.user if isinstance(request.user, User) else None,
            site_url=request.build_absolute_uri("/"),
            client_id=params.get("client") if viewer.is_staff else None,
            request=request._request,
        )
        return proof_response(issued)
