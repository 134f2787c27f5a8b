"""Reads of the clients app, scoped to the viewer."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from agency.models import User
from agency.roles import Role
from agency.viewer import Viewer, scope_to_viewer
from clients.headcount import headcounts
from clients.models import (
    MEDIUM_TIER_MAX,
    SMALL_TIER_MAX,
    ApiKey,
    Client,
    Contract,
    SizeTier,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Headcount(TypedDict):
    """`headcount`: distinct persons with an active enrolment (annotated by a selector)."""

    headcount: int


def client_list(*, viewer: Viewer) -> QuerySet[Client]:
    """Staff see every client; a portal user or API key only its own."""
    qs = Client.objects.all()
    return scope_to_viewer(qs, viewer, "pk")


def client_get(*, viewer: Viewer, pk: int) -> Client:
    client = client_list(viewer=viewer).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def client_of_viewer(*, viewer: Viewer) -> Client:
    """A client viewer's (portal user's or API key's) own client; 404 for anyone else."""
    if viewer.client_id is None:
        raise Http404
    return client_get(viewer=viewer, pk=viewer.client_id)


def client_with_headcount_list(
    *,
    viewer: Viewer,
    search: str = "",
    ownership_type: str = "",
    industry: str = "",
    tier: str = "",
    service_rep_id: int | None = None,
) -> "QuerySet[WithAnnotations[Client, Headcount]]":
    """Clients with `headcount` (distinct persons with an active enrolment) annotated;
    the size tier follows from it (`clients.models.size_tier`)."""
    qs = (
        client_list(viewer=viewer)
        .select_related("service_rep", "city")
        .annotate(headcount=headcounts().of_client())
        .order_by("name", "pk")
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(uscc__icontains=search.upper()))
    if ownership_type:
        qs = qs.filter(ownership_type=ownership_type)
    if industry:
        qs = qs.filter(industry=industry)
    if service_rep_id:
        qs = qs.filter(service_rep_id=service_rep_id)
    if tier == SizeTier.SMALL:
        qs = qs.filter(headcount__lte=SMALL_TIER_MAX)
    elif tier == SizeTier.MEDIUM:
        qs = qs.filter(headcount__gt=SMALL_TIER_MAX, headcount__lte=MEDIUM_TIER_MAX)
    elif tier == SizeTier.LARGE:
        qs = qs.filter(headcount__gt=MEDIUM_TIER_MAX)
    return qs


def client_headcount(*, client: Client) -> int:
    return headcounts().of_clients([client.pk])


def rep_load_list(*, viewer: Viewer) -> QuerySet[User]:
    """Service representatives with `load` (distinct active insured persons of their
    clients) and `client_count` annotated (STD-3.2.4)."""
    if not viewer.is_staff:
        return User.objects.none()
    return (
        User.objects.filter(role=Role.SERVICE_REP, is_active=True)
        .annotate(
            load=headcounts().of_representative(),
            client_count=Count("represented_clients", distinct=True),
        )
        .order_by("-load", "username")
    )


def contract_list(*, viewer: Viewer, status: str = "", search: str = "") -> QuerySet[Contract]:
    qs = Contract.objects.select_related("client").prefetch_related("prices__city")
    if viewer.is_client and viewer.client_id is not None:
        qs = qs.filter(client_id=viewer.client_id)
    elif not viewer.is_staff:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(client__name__icontains=search))
    return qs


def contract_get(*, viewer: Viewer, pk: int) -> Contract:
    contract = contract_list(viewer=viewer).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def contract_current(*, viewer: Viewer, client: Client) -> Contract | None:
    """The client's active contract, else its newest one."""
    qs = contract_list(viewer=viewer).filter(client=client)
    return qs.filter(status=Contract.Status.ACTIVE).first() or qs.first()


def contract_in_force(*, client: Client, on: datetime.date) -> Contract | None:
    """The client's active contract on that day, its prices prefetched (for services:
    the order intake and the workflow; not scoped to a viewer)."""
    return (
        Contract.objects.filter(client=client, status=Contract.Status.ACTIVE,
                                starts_on__lte=on, ends_on__gte=on)
        .prefetch_related("prices")
        .order_by("-starts_on")
        .first()
    )


def work_injury_rate_in_force(
    *, client: Client, city_id: int, on: datetime.date
) -> Decimal | None:
    """The client's work-injury rate in a city on that day (its contract price's, by its
    industry risk class); None: the city's base rate applies."""
    contract = contract_in_force(client=client, on=on)
    if contract is None:
        return None
    for price in contract.prices.all():
        if price.city_id == city_id:
            return price.work_injury_rate
    return None


def contract_expiring_list(*, viewer: Viewer, today: datetime.date,
                           within_days: int = 60) -> QuerySet[Contract]:
    return contract_list(viewer=viewer).filter(
        status=Contract.Status.ACTIVE, ends_on__gte=today,
        ends_on__lte=today + datetime.timedelta(days=within_days),
    ).order_by("ends_on")


def api_key_list(*, viewer: Viewer, client: Client) -> QuerySet[ApiKey]:
    if not viewer.is_staff:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(client=client)


def api_key_get(*, viewer: Viewer, pk: int) -> ApiKey:
    if not viewer.is_staff:
        raise Http404
    key = ApiKey.objects.select_related("client").filter(pk=pk).first()
    if key is None:
        raise Http404
    return key


def client_search(*, viewer: Viewer, term: str, limit: int = 10) -> list[Client]:
    """The search box's clients (issue 16): by name or unified social credit code (six
    characters of it or more), the first `limit` by name, in one query. Nothing for an
    empty search."""
    term = term.strip()
    if not term:
        return []
    condition = Q(name__icontains=term)
    if len(term) >= 6:  # a few digits would match half the codes: they are an order number
        condition |= Q(uscc__icontains=term.upper())
    qs = client_list(viewer=viewer).filter(condition)
    return list(qs.only("id", "name", "uscc", "is_active").order_by("name", "pk")[:limit])
