"""The search box of every page (issue 16: "what a representative does fifty times a day
is one step").

One query finds a person by name or the last four of the ID number (the keyed hash of a
whole number: `person_search`; no row is ever decrypted), a client by name or unified social
credit code, an order by its number (#42) and a bill by its number (B202611-000042, or
B202611 for that month's bills). Each kind reads through its app's selector, so it is
scoped as that app's pages are: a representative finds only the persons of the clients
they serve, a portal user only its own client's persons, orders and bills (never a draft
bill). Results are grouped by kind, `LIMIT` of each, in one query per kind whatever the
data. The page shows masked numbers only, so it writes no audit row (no revealed data).

The box posts (a whole ID number must never reach a URL): the answer is a redirect to the
results page, whose URL carries the term; a term that may be a whole document number
(five or more letters and digits: an ID or passport number, a credit code, B202611) is
answered on the POST itself, and never echoed. A whole number typed into the address is
sent on to `idh`, its lookup hash, which finds persons only. An order or bill number that
names exactly one object, with nothing else found, jumps straight to its page; so do an
order number written "#42" and a whole bill number."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from agency.access import portal_required, staff_required
from agency.http import ViewerRequest
from agency.viewer import Viewer
from billing.selectors import bill_number_parse, bill_search
from billing.views import BILLING_STAFF
from clients.selectors import client_search
from enrollment.orders.selectors import order_search
from enrollment.persons.selectors import id_number_search_hash, person_search

LIMIT = 10  # results of each kind
MAX_TERM = 100  # characters of a search taken into account


@dataclass
class SearchResults:
    """What one search found, by kind; `more` names the kinds cut at `LIMIT`."""

    term: str
    by_number: bool  # a whole ID number was searched (through its hash)
    persons: list[Any] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)
    orders: list[Any] = field(default_factory=list)
    bills: list[Any] = field(default_factory=list)
    more: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.persons) + len(self.clients) + len(self.orders) + len(self.bills)


def _cut(rows: list[Any], kind: str, more: set[str]) -> list[Any]:
    if len(rows) > LIMIT:
        more.add(kind)
    return rows[:LIMIT]


def quick_search(*, viewer: Viewer, term: str = "", id_number_hash: str = "",
                 bills: bool = True, clients: bool = True) -> SearchResults:
    """Every kind the viewer may see (`bills`, `clients`: whether to look for them), at most
    `LIMIT` of each (one row more is read to know whether there are more). `id_number_hash`
    (a whole ID number's lookup hash, from a results page's URL) looks for persons only; a
    `term` that may be a whole document number finds persons through its hash (see
    `person_list`) and the other kinds by the term."""
    term = term.strip()[:MAX_TERM]
    found = SearchResults(term=term, by_number=bool(
        id_number_hash or (term and id_number_search_hash(term))))
    if not term and not id_number_hash:
        return found
    found.persons = _cut(person_search(viewer=viewer, term=term, id_number_hash=id_number_hash,
                                       limit=LIMIT + 1), "persons", found.more)
    if not term:  # only the hash of a whole ID number: it names a person, nothing else
        return found
    if clients:
        found.clients = _cut(client_search(viewer=viewer, term=term, limit=LIMIT + 1),
                             "clients", found.more)
    found.orders = order_search(viewer=viewer, term=term)
    if bills:
        found.bills = _cut(bill_search(viewer=viewer, term=term, limit=LIMIT + 1), "bills",
                           found.more)
    return found


def jump_target(found: SearchResults, face: str) -> str | None:
    """The page to go straight to: the one order or bill an exact number names, when it is
    the only thing found (a bare number may also be the last four of ID numbers), or when
    the number cannot be anything else (#42, B202611-000042)."""
    term = found.term
    explicit_order = term.startswith("#")
    parsed = bill_number_parse(term)
    explicit_bill = parsed is not None and parsed[1] is not None
    if len(found.orders) == 1 and (explicit_order or found.count == 1):
        return reverse(f"{face}-orders-detail", args=[found.orders[0].pk])
    if len(found.bills) == 1 and (explicit_bill or found.count == 1):
        name = "staff-billing-bill-detail" if face == "staff" else "portal-billing-bill-detail"
        return reverse(name, args=[found.bills[0].pk])
    return None


def _search_page(request: ViewerRequest, face: str, *, bills: bool, clients: bool
                 ) -> HttpResponse:
    if request.method == "POST":
        term = request.POST.get("q", "").strip()[:MAX_TERM]
        if not (term and id_number_search_hash(term)):
            return redirect(f"{request.path}?{urlencode({'q': term})}")
        # a term that may be a whole document number (an ID or passport number, but also a
        # credit code or B202611) never reaches a URL: it is answered here, on the POST
        return _results(request, face, term=term, bills=bills, clients=clients)
    term = request.GET.get("q", "").strip()[:MAX_TERM]
    number_hash = id_number_search_hash(term) if term else ""
    if number_hash:  # typed into the address by hand: the page's URL keeps its hash only
        return redirect(f"{request.path}?{urlencode({'idh': number_hash})}")
    idh = request.GET.get("idh", "")[:128]
    return _results(request, face, term="" if idh else term, id_number_hash=idh, bills=bills,
                    clients=clients)


def _results(request: ViewerRequest, face: str, *, term: str, bills: bool, clients: bool,
             id_number_hash: str = "") -> HttpResponse:
    found = quick_search(viewer=request.viewer, term=term, id_number_hash=id_number_hash,
                         bills=bills, clients=clients)
    target = jump_target(found, face)
    if target is not None:
        return redirect(target)
    response = render(request, "compliance/search.html", {
        "face": face, "found": found, "limit": LIMIT,
        "searched": bool(term or id_number_hash), "show_bills": bills,
        "persons_only": bool(id_number_hash),
        "show_clients": clients,
        # a whole number is never echoed (not in the box, not in a link)
        "quick_search_term": "" if found.by_number else found.term,
    })
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required()
@require_http_methods(["GET", "POST"])
def staff_search(request: ViewerRequest) -> HttpResponse:
    """Staff: persons (a representative: of the clients they serve), clients, orders, and
    bills for the staff who read bills (`billing.views.BILLING_STAFF`)."""
    return _search_page(request, "staff", clients=True,
                        bills=request.viewer.has_role(*BILLING_STAFF))


@portal_required()
@require_http_methods(["GET", "POST"])
def portal_search(request: ViewerRequest) -> HttpResponse:
    """Portal: the client's own persons, orders and issued bills."""
    return _search_page(request, "portal", clients=False, bills=True)
