"""Documents of the clients app: the contract PDF (STD-4.2) with the agency's licence
numbers (STD-3.1), and the audited download of the stored scans."""

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from agency.models import AuditEvent, User
from agency.pdf import render_pdf
from agency.selectors import licence_valid_list
from agency.services import audit_record
from clients.models import Client, Contract


def contract_pdf(*, contract: Contract) -> bytes:
    licences = list(licence_valid_list(today=timezone.localdate()))
    return render_pdf("clients/contract_pdf.html", {
        "contract": contract,
        "client": contract.client,
        "prices": list(contract.prices.select_related("city")),
        "licences": licences,
    })


@transaction.atomic
def client_document_download(
    *, document: Client | Contract, actor: User | None, request: HttpRequest | None = None,
) -> FieldFile:
    """Record that a client's business-licence scan or a contract's signed scan was
    downloaded (the view sends it after this): every file download leaves an audit row.
    These name the company and its signatories but hold no ID number, so any caller the
    view's scope lets see the client may have them."""
    if isinstance(document, Client):
        file, client_id, kind = document.licence_scan, document.pk, "licence_scan"
    else:
        file, client_id, kind = document.signed_scan, document.client_id, "signed_scan"
    if not file or not file.name:
        raise Http404
    audit_record(actor=actor, action=AuditEvent.Action.DOWNLOAD, target=document,
                 client_id=client_id, detail={"file": kind, "name": file.name},
                 request=request)
    return file
