"""Reads of the clients app, scoped to the viewer."""

from django.db.models import QuerySet
from django.http import Http404

from agency.viewer import Viewer
from clients.models import Client


def client_list(*, viewer: Viewer) -> QuerySet[Client]:
    """Staff see every client; a portal user or API key only its own."""
    qs = Client.objects.all()
    if viewer.is_staff:
        return qs
    if viewer.is_client and viewer.client_id is not None:
        return qs.filter(pk=viewer.client_id)
    return qs.none()


def client_get(*, viewer: Viewer, pk: int) -> Client:
    client = client_list(viewer=viewer).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client
