"""Headcounts: how many insured persons a client (or a representative's clients) has, i.e.
the distinct persons with an active enrolment (STD-3.4.1, 3.2.4, 7.4). Never typed in.

Enrolments belong to the enrollment app, which sits above clients in the layering, so
clients neither imports it nor names its tables. It asks through this port instead, and
enrollment answers it: its app config registers a `HeadcountSource` when the apps are
ready (`enrollment.persons.selectors.ACTIVE_HEADCOUNTS`)."""

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression


class HeadcountSource(Protocol):
    def of_client(self) -> Expression:
        """An expression for a queryset of clients: each client's headcount (0 if none)."""

    def of_representative(self) -> Expression:
        """An expression for a queryset of users: the headcount of the clients each one
        represents (a person counted once)."""

    def of_clients(self, client_ids: Iterable[int]) -> int:
        """The distinct persons served across these clients."""


_source: list[HeadcountSource] = []


def register(source: HeadcountSource) -> None:
    """Called once by the app that owns enrolments, when the apps are ready."""
    _source[:] = [source]


def headcounts() -> HeadcountSource:
    if not _source:
        raise ImproperlyConfigured("no headcount source registered (is enrollment installed?)")
    return _source[0]
