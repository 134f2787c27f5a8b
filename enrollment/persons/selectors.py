"""Reads about insured persons and their papers, scoped to the viewer.

Administrators, managers, finance and archivists see every person (finance and
archivists only ever masked: they hold no reveal right). A service representative sees
the persons of the clients they serve (`Client.service_rep`) the way such a client would:
only those clients' enrolments, roster orders and papers; another client's person answers
404 on every route (staff page, reveal, export, API), since each reads through
`person_list`. A client (portal user or API key) sees the persons it has
enrolled (any enrolment of that client, current or ended) or named in one of its roster
orders (a new hire waiting for the bureau has no enrolment yet, and needs papers first),
only its own enrolments of them and only the papers it supplied; anything else answers
404."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, TypedDict, TypeVar, Unpack

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from agency.crypto import lookup_hash
from agency.roles import REVEAL_ROLES, Role
from agency.viewer import Viewer, scope_to_viewer
from clients.models import Client
from clients.selectors import client_get
from enrollment.models import (
    ClientPerson,
    Enrollment,
    EnrollmentBase,
    InsuredPerson,
    Paper,
    PersonExportRequest,
)
from enrollment.persons.id_numbers import age_on, looks_like_id_number, normalize_id_number

M = TypeVar("M", bound=Model)


class _ActiveHeadcounts:
    """The headcounts the clients app asks for (`clients.headcount`): distinct persons with
    an active enrolment, per client, per representative, or across a set of clients."""

    @staticmethod
    def _count(qs: QuerySet[Enrollment], group: str) -> Expression:
        counted = (qs.filter(status=Enrollment.Status.ACTIVE).order_by().values(group)
                   .annotate(n=Count("person", distinct=True)).values("n"))
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    def of_client(self) -> Expression:
        return self._count(Enrollment.objects.filter(client=OuterRef("pk")), "client")

    def of_representative(self) -> Expression:
        return self._count(Enrollment.objects.filter(client__service_rep=OuterRef("pk")),
                           "client__service_rep")

    def of_clients(self, client_ids: Iterable[int]) -> int:
        n: int = Enrollment.objects.filter(
            client_id__in=list(client_ids), status=Enrollment.Status.ACTIVE
        ).aggregate(n=Count("person", distinct=True))["n"]
        return n


ACTIVE_HEADCOUNTS = _ActiveHeadcounts()


def serves_only_own_clients(viewer: Viewer) -> bool:
    """A service representative: sees only the clients whose `service_rep` they are."""
    return viewer.is_staff and viewer.has_role(Role.SERVICE_REP)


def scope_persons_data(
    qs: "QuerySet[M]", viewer: Viewer, client_field: str = "client_id"
) -> "QuerySet[M]":
    """The one staff-scope rule of person data, on top of tenant isolation: rows of
    `qs` whose client (`client_field`) the viewer may see. A representative without a user
    id (never a real login) sees nothing."""
    qs = scope_to_viewer(qs, viewer, client_field)
    if serves_only_own_clients(viewer):
        if viewer.user_id is None:
            return qs.none()
        rep_field = ("service_rep_id" if client_field == "pk"
                     else client_field.removesuffix("_id") + "__service_rep_id")
        return qs.filter(**{rep_field: viewer.user_id})
    return qs


def _enrollments_of(viewer: Viewer) -> QuerySet[Enrollment]:
    return scope_persons_data(Enrollment.objects.all(), viewer, "client_id")


def _ordered(qs: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Active first, then the latest start."""
    return qs.annotate(
        _not_active=Case(When(status=Enrollment.Status.ACTIVE, then=0), default=1,
                         output_field=IntegerField())
    ).order_by("_not_active", "-starts_on", "-id")


def _search(qs: QuerySet[InsuredPerson], search: str) -> QuerySet[InsuredPerson]:
    """By name, by the last four of the number, or by a whole document number (through
    its keyed hash: see `id_number_search_hash`)."""
    term = search.strip()
    if not term:
        return qs
    number_hash = id_number_search_hash(term)
    if number_hash:
        return qs.filter(id_number_hash=number_hash)
    folded = normalize_id_number(term)
    condition = Q(name__icontains=term)
    if len(folded) == 4 and folded.isalnum():
        condition |= Q(id_number_last4=folded)
    return qs.filter(condition)


def id_number_search_hash(term: str) -> str:
    """The lookup hash to search by when `term` is a whole document number (18-character
    ID, an old 15-digit one, a passport number: letters and digits, five or more, at least
    one digit); "" for a name or the last four. Pages and the API turn such a term into
    this hash before it could reach a URL."""
    folded = normalize_id_number(term)
    if looks_like_id_number(folded):
        return lookup_hash(folded)
    return ""


def person_list(
    *,
    viewer: Viewer,
    search: str = "",
    status: str = "",
    client_id: int | None = None,
    city_code: str = "",
    id_number_hash: str = "",
) -> QuerySet[InsuredPerson]:
    """Persons the viewer may see (see the module's docstring for a representative),
    filtered by name, last four of the ID number or the lookup hash of a whole number
    (`id_number_hash`), and by an enrolment of the given status, client (staff only) and
    city. Each person carries `scoped_enrollments` (what the viewer may see of its
    enrolments, active first). To page through it, see `person_pages`."""
    if not (viewer.is_staff or viewer.is_client):
        return InsuredPerson.objects.none()
    enrollments = _enrollments_of(viewer).filter(person=OuterRef("pk"))
    if status:
        enrollments = enrollments.filter(status=status)
    if client_id is not None and viewer.is_staff:
        enrollments = enrollments.filter(client_id=client_id)
    if city_code:
        enrollments = enrollments.filter(city__code=city_code)
    qs = InsuredPerson.objects.all()
    if status or client_id is not None or city_code:
        qs = qs.filter(Exists(enrollments))
    elif viewer.is_client or serves_only_own_clients(viewer):
        # a person enrolled by, or named in an order of, one of the clients the viewer may
        # see: the rows the triggers keep in ClientPerson (one semi-join on an index)
        qs = qs.filter(pk__in=_client_persons(viewer).values("person_id"))
    qs = _search(qs, search)
    if id_number_hash:
        qs = qs.filter(id_number_hash=id_number_hash)
    return _with_scoped_enrollments(qs, viewer)


def _with_scoped_enrollments(
    qs: QuerySet[InsuredPerson], viewer: Viewer
) -> QuerySet[InsuredPerson]:
    """`qs` in the list's order, each person with `scoped_enrollments`."""
    return qs.prefetch_related(
        Prefetch(
            "enrollments",
            queryset=_ordered(_enrollments_of(viewer).select_related("city", "client")),
            to_attr="scoped_enrollments",
        )
    ).order_by("name", "id")


def _client_persons(viewer: Viewer) -> QuerySet[ClientPerson]:
    return scope_persons_data(ClientPerson.objects.all(), viewer, "client_id")


class PersonPages:
    """`person_list` as a paginator's object list, for the unfiltered list of a client
    (its portal users and API keys) or of every person (staff who see them all). The order
    is the list's (name, id), but a page is found along an index, not by sorting every
    person the viewer may see: the client's ClientPerson rows (client, name, person), or
    the persons' own (name, id). The count is the index's as well. Then only that page's
    persons are read, by id alone: the ids come from the viewer's own scope (a semi-join
    on it again made SQLite list all 100,000 ids first), and each person's enrolments are
    the viewer's (`scoped_enrollments`)."""

    def __init__(self, persons: QuerySet[InsuredPerson], ids: "QuerySet[Any]") -> None:
        self._persons = persons
        self._ids = ids  # the person ids in the list's order, flat

    def count(self) -> int:
        return self._ids.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[InsuredPerson]:
        if not isinstance(page, slice):
            raise TypeError("PersonPages is read a page (a slice) at a time")
        ids = list(self._ids[page])
        found = {person.pk: person for person in self._persons.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


class PersonFilters(TypedDict, total=False):
    """`person_list`'s filters, as `person_pages` passes them on."""

    search: str
    status: str
    client_id: int | None
    city_code: str
    id_number_hash: str


def person_pages(
    *, viewer: Viewer, fields: Sequence[str] = (), **filters: Unpack[PersonFilters]
) -> "PersonPages | QuerySet[InsuredPerson]":
    """What a paginator pages through for `person_list(viewer=…, **filters)` (`fields`
    narrows the columns read): a `PersonPages` for the whole list of a client viewer or of
    staff who see every person, else `person_list` itself (filtered lists, a staff member's
    choice of one client, which counts its enrolments only, and a representative's list:
    a person of two of their clients has two ClientPerson rows, and a representative
    serves at most 500 persons)."""
    narrowed = any(filters.get(name) for name in ("search", "status", "city_code",
                                                "id_number_hash"))
    ids: QuerySet[Any] | None = None  # the list's ids in order, found along an index
    whole_list = not (narrowed or serves_only_own_clients(viewer))
    if whole_list and viewer.is_client and viewer.client_id is not None:
        ids = (ClientPerson.objects.filter(client_id=viewer.client_id)
               .order_by("name", "person_id").values_list("person_id", flat=True))
    elif whole_list and viewer.is_staff and filters.get("client_id") is None:  # everyone
        ids = InsuredPerson.objects.order_by("name", "id").values_list("id", flat=True)
    persons = (person_list(viewer=viewer, **filters) if ids is None
               else _with_scoped_enrollments(InsuredPerson.objects.all(), viewer))
    if fields:
        persons = persons.only(*fields)
    return persons if ids is None else PersonPages(persons, ids)


def person_get(*, viewer: Viewer, pk: int) -> InsuredPerson:
    person = person_list(viewer=viewer).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def shows_personal_data(viewer: Viewer) -> bool:
    """Whether the viewer sees a person's birth date and sex: the staff who may reveal ID
    numbers (`REVEAL_ROLES`). Everyone else (finance, archivists, portal users, API keys)
    sees the birth year and age only: with the last four of the number, a birth date and
    sex narrow a number down to a handful of candidates."""
    return viewer.is_staff and viewer.has_role(*REVEAL_ROLES)


@dataclass(frozen=True)
class PersonalData:
    """What a viewer is shown of a person's birth and sex (`personal_data`): `birth_date`
    and `sex` only with the reveal right (else None and ""), birth year and age always
    (None when the birth date is unknown)."""

    full: bool
    birth_date: datetime.date | None
    sex: str
    birth_year: int | None
    age: int | None


def personal_data(*, viewer: Viewer, person: InsuredPerson, today: datetime.date) -> PersonalData:
    full = shows_personal_data(viewer)
    born = person.birth_date
    return PersonalData(
        full=full,
        birth_date=born if full else None,
        sex=person.sex if full else "",
        birth_year=born.year if born else None,
        age=age_on(born, today) if born else None,
    )


def export_request_list(*, viewer: Viewer) -> QuerySet[PersonExportRequest]:
    """Requests to export full ID numbers: managers and administrators (who decide) see
    all of them; another member of the reveal roles only their own; nobody else any."""
    qs = PersonExportRequest.objects.select_related("requester", "decided_by", "client")
    if viewer.is_staff and viewer.has_role(Role.ADMIN, Role.MANAGER):
        return qs
    if viewer.is_staff and viewer.has_role(*REVEAL_ROLES) and viewer.user_id is not None:
        return qs.filter(requester_id=viewer.user_id)
    return qs.none()


def export_request_get(*, viewer: Viewer, pk: int) -> PersonExportRequest:
    export = export_request_list(viewer=viewer).filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


def base_in_month(enrollment: Enrollment, month: datetime.date) -> EnrollmentBase:
    """The base (and rate) of `enrollment` in force in `month` (调基 is effective-dated):
    its newest base row from that month or before, from `enrollment.bases` (prefetch them
    for many enrolments). An enrolment without rows (one made before base rows existed
    and not migrated) answers its own current base."""
    rows = sorted(enrollment.bases.all(), key=lambda row: row.starts_month)
    chosen = None
    for row in rows:
        if row.starts_month <= month:
            chosen = row
    if chosen is None and rows:
        chosen = rows[0]
    if chosen is None:
        chosen = EnrollmentBase(enrollment=enrollment, starts_month=month,
                                base_kind=enrollment.base_kind, base=enrollment.base,
                                rate=enrollment.rate)
    return chosen


def scoped_enrollments(person: InsuredPerson) -> list[Enrollment]:
    """The enrolments of a person from `person_list` / `person_get` that the viewer may
    see, active first (prefetched there; empty for a person read any other way)."""
    enrollments: list[Enrollment] = getattr(person, "scoped_enrollments", [])
    return enrollments


def supplying_client(*, viewer: Viewer, person: InsuredPerson, raw: str | None = None) -> Client:
    """The client a paper or letter of this person is for: a client viewer's own client;
    for staff the client named by `raw` (an id: one that enrolled the person or named it in
    a roster order), else the client of the current enrolment, else of the latest roster
    order. A person no client has enrolled or ordered has none: 404."""
    if viewer.is_client and viewer.client_id is not None:
        return client_get(viewer=viewer, pk=viewer.client_id)
    enrollments: list[Enrollment] = getattr(person, "scoped_enrollments", [])
    ordering: QuerySet[Client] = scope_persons_data(
        Client.objects.filter(roster_orders__lines__person=person), viewer, "pk"
    ).order_by("-roster_orders__received_at")
    if raw and raw.isdigit():
        for enrollment in enrollments:
            if enrollment.client_id == int(raw):
                return enrollment.client
        named = ordering.filter(pk=int(raw)).first()
        if named is not None:
            return named
    current = current_enrollment(person)
    if current is not None:
        return current.client
    latest = ordering.first()
    if latest is None:
        raise Http404
    return latest


def current_enrollment(person: InsuredPerson) -> Enrollment | None:
    """The enrolment a one-line summary shows (see `InsuredPerson.current_enrollment`)."""
    return person.current_enrollment


def paper_list(*, viewer: Viewer, person: InsuredPerson) -> QuerySet[Paper]:
    qs = Paper.objects.filter(person=person).select_related("person", "client", "uploaded_by")
    return scope_persons_data(qs, viewer, "client_id")


def paper_get(*, viewer: Viewer, person: InsuredPerson, pk: int) -> Paper:
    paper = paper_list(viewer=viewer, person=person).filter(pk=pk).first()
    if paper is None:
        raise Http404
    return paper


def required_paper_kinds(person: InsuredPerson) -> list[Paper.Kind]:
    """Every kind the standard names (STD-4.4); the household register only for a mainland
    resident (others have none)."""
    kinds = list(Paper.Kind)
    if person.id_document_type != InsuredPerson.DocumentType.RESIDENT_ID:
        kinds.remove(Paper.Kind.HOUSEHOLD_REGISTER)
    return kinds


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    paper: Paper | None

    @property
    def present(self) -> bool:
        return self.paper is not None


def paper_checklist(*, viewer: Viewer, person: InsuredPerson) -> list[ChecklistItem]:
    """One line per required kind with the latest paper of that kind, or None (missing)."""
    latest: dict[str, Paper] = {}
    for paper in paper_list(viewer=viewer, person=person).order_by("-uploaded_at", "-id"):
        latest.setdefault(paper.kind, paper)
    return [
        ChecklistItem(kind=kind.value, label=str(kind.label), paper=latest.get(kind))
        for kind in required_paper_kinds(person)
    ]


def papers_missing(persons: Iterable[InsuredPerson]) -> dict[int, list[Paper.Kind]]:
    """Person id → the required kinds nobody has supplied yet, in one query for all the
    persons. This is the roster workflow's view (a line waits for its papers and cannot be
    submitted without them): a paper from any client counts. Pages show a viewer's own
    papers through `paper_checklist`."""
    people = {p.pk: p for p in persons}
    present: dict[int, set[str]] = {pk: set() for pk in people}
    for start in range(0, len(people), 2000):
        chunk = list(people)[start:start + 2000]
        for person_id, kind in Paper.objects.filter(person_id__in=chunk).values_list(
            "person_id", "kind"
        ).distinct():
            present[person_id].add(kind)
    return {
        pk: [kind for kind in required_paper_kinds(person) if kind not in present[pk]]
        for pk, person in people.items()
    }


def billable_enrollments(
    *, client_ids: Iterable[int], month: datetime.date
) -> QuerySet[Enrollment]:
    """The enrolments of these clients a bill for `month` must look at: processed (not
    pending), started by the month's end, and with a month still to charge (never billed,
    or billed through an earlier month than both the bill's and their own end) or a month
    charged after their end to refund. Person and city joined, base rows prefetched."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    to_charge = Q(billed_through__isnull=True) | (
        Q(billed_through__lt=last)
        & (Q(ends_on__isnull=True) | Q(ends_on__gt=F("billed_through")))
    )
    to_refund = Q(billed_through__isnull=False, ends_on__lt=F("billed_through"))
    return (
        Enrollment.objects.filter(client_id__in=list(client_ids), starts_on__lte=last)
        .exclude(status=Enrollment.Status.PENDING)
        .filter(to_charge | to_refund)
        .select_related("person")
        .only(*BILLING_FIELDS)
        .order_by("client_id", "person__name", "person_id", "city_id", "scheme")
    )


class BaseRow(NamedTuple):
    """A base-history row as plain values (a bill run reads one per enrolment and month)."""

    starts_month: datetime.date
    base_kind: str
    base: Decimal | None
    rate: Decimal | None


def base_rows(enrollment_ids: Iterable[int]) -> dict[int, list[BaseRow]]:
    """The base history of these enrolments, oldest first, in one query (a prefetch would
    build a queryset per enrolment: a third of a bill run's time)."""
    out: dict[int, list[BaseRow]] = {}
    ids = list(enrollment_ids)
    for start in range(0, len(ids), 5000):
        rows = (EnrollmentBase.objects.filter(enrollment_id__in=ids[start:start + 5000])
                .order_by("enrollment_id", "starts_month")
                .values_list("enrollment_id", "starts_month", "base_kind", "base", "rate"))
        for pk, month, kind, base, rate in rows:
            out.setdefault(pk, []).append(BaseRow(month, kind, base, rate))
    return out


def base_row_in_month(rows: list[BaseRow] | None, enrollment: Enrollment,
                      month: datetime.date) -> BaseRow:
    """The row of `rows` (oldest first) in force in `month`, as `base_in_month` chooses."""
    chosen = None
    for row in rows or ():
        if row.starts_month <= month:
            chosen = row
        else:
            break
    if chosen is None and rows:
        chosen = rows[0]
    if chosen is None:
        return BaseRow(month, enrollment.base_kind, enrollment.base, enrollment.rate)
    return chosen


# what a bill run reads of an enrolment (a bill run reads 100,000 of them)
BILLING_FIELDS = (
    "client_id", "person_id", "person__name", "city_id", "scheme", "status", "starts_on",
    "ends_on", "sealed_on", "first_billed_month", "billed_through", "base_kind", "base",
    "rate",
)


def person_search(
    *, viewer: Viewer, term: str = "", id_number_hash: str = "", limit: int = 10
) -> list[InsuredPerson]:
    """The search box's persons (issue 16): by name, the last four of the number or the
    lookup hash of a whole one (never by decrypting a row), scoped as `person_list` (a
    representative sees only the persons of the clients they serve); the first `limit` by
    name, masked fields only, in one query. Nothing for an empty search."""
    if not term.strip() and not id_number_hash:
        return []
    qs = person_list(viewer=viewer, search=term, id_number_hash=id_number_hash)
    return list(qs.prefetch_related(None).only("id", "name", "id_number_masked")[:limit])


# --- the dashboards' charts (issue 16) ------------------------------------------------------

def _month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - \
        datetime.timedelta(days=1)


def headcount_by_month(
    *, viewer: Viewer, months: list[datetime.date], today: datetime.date
) -> dict[str, list[int]]:
    """Insured persons per city and month, as the viewer may see them (a client its own, a
    representative the clients they serve, other staff all): a person counts in a month
    when one of their enrolments in that city was in force on some day of it (started on
    or before its last day, or `today` for the running month, and not ended or sealed
    before its first day; pending ones never). {city name: [count per month of
    `months`]}, cities by their latest count, largest first. One aggregate query, whatever
    the number of rows."""
    if not months:
        return {}
    until = Coalesce("ends_on", "sealed_on")
    counted = (scope_persons_data(Enrollment.objects.all(), viewer, "client_id")
               .exclude(status=Enrollment.Status.PENDING).filter(starts_on__isnull=False)
               .annotate(_until=until))
    per_month = {}
    for i, month in enumerate(months):
        last = min(_month_end(month), today)
        per_month[f"m{i}"] = Count("person", distinct=True, filter=Q(starts_on__lte=last) & (
            Q(_until__isnull=True) | Q(_until__gte=month)))
    rows = (counted.filter(starts_on__lte=min(_month_end(months[-1]), today))
            .filter(Q(_until__isnull=True) | Q(_until__gte=months[0]))
            .order_by().values("city__name").annotate(**per_month))
    out = {r["city__name"]: [r[f"m{i}"] for i in range(len(months))] for r in rows}
    return dict(sorted(out.items(), key=lambda kv: (-kv[1][-1], -sum(kv[1]), kv[0])))
