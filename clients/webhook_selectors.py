"""Reads of webhooks, scoped to the viewer."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from agency.viewer import Viewer, scope_to_viewer
from clients.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(*, viewer: Viewer) -> QuerySet[WebhookEndpoint]:
    qs = WebhookEndpoint.objects.select_related("client").order_by("pk")
    return scope_to_viewer(qs, viewer, "client_id")


def webhook_endpoint_get(*, viewer: Viewer, pk: int) -> WebhookEndpoint:
    endpoint = webhook_endpoint_list(viewer=viewer).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def webhook_delivery_list(
    *, endpoint: WebhookEndpoint, viewer: Viewer
) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries with their attempts. A client's viewer does not even load
    the attempts' error text (it may name an address or the network's answer)."""
    attempts = WebhookAttempt.objects.order_by("at", "pk")
    if not viewer.is_staff:
        attempts = attempts.only("pk", "delivery_id", "at", "status_code")
    return endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=attempts)
    ).order_by("-created_at", "-pk")
