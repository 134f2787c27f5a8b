"""API of the clients app."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api import viewer_of
from clients.selectors import client_list


class MeView(APIView):
    """Who the caller is: user or API key, role, and (for clients) the client company."""

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField(allow_null=True)
        role = serializers.CharField()
        client = serializers.DictField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        viewer = viewer_of(request)
        client: dict[str, Any] | None = None
        if viewer.is_client:
            c = client_list(viewer=viewer).get()
            client = {"id": c.pk, "name": c.name, "uscc": c.uscc}
        username = request.user.get_username() if viewer.user_id else None
        out = {"username": username, "role": viewer.role, "client": client}
        return Response(self.OutputSerializer(out).data)
