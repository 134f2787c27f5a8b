"""Documents of the clients app: the contract PDF (STD-4.2) with the agency's licence
numbers (STD-3.1)."""

from django.utils import timezone

from agency.pdf import render_pdf
from agency.selectors import licence_valid_list
from clients.models import Contract


def contract_pdf(*, contract: Contract) -> bytes:
    licences = list(licence_valid_list(today=timezone.localdate()))
    return render_pdf("clients/contract_pdf.html", {
        "contract": contract,
        "client": contract.client,
        "prices": list(contract.prices.select_related("city")),
        "licences": licences,
    })
