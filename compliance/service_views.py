"""Pages of the service desk: the client's inquiries, complaints and feedback in the
portal; the agency's queue, threads, entry of what came by phone, e-mail or in person, and
the complaint workflow on the staff side. Thin: a form parses, a service decides, a
selector reads (a representative sees only the clients they represent; another client's
inquiry or complaint answers 404)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import portal_required, staff_required
from agency.errors import DomainError
from agency.forms import add_domain_errors
from agency.http import ViewerRequest
from clients.selectors import client_of_viewer
from compliance.models import Channel, Complaint, Feedback, Inquiry
from compliance.service_desk import (
    DESK_ROLES,
    INQUIRY_DONE,
    action_get,
    complaint_action_done,
    complaint_add_action,
    complaint_can_confirm,
    complaint_confirm_closed,
    complaint_get,
    complaint_investigate,
    complaint_list,
    complaint_open,
    complaint_overdue,
    complaint_reply,
    feedback_give,
    feedback_of,
    feedback_pending,
    inquiry_about_line,
    inquiry_clock,
    inquiry_close,
    inquiry_get,
    inquiry_list,
    inquiry_open,
    inquiry_queue,
    inquiry_reply,
)
from compliance.service_forms import (
    ActionForm,
    FeedbackForm,
    FindingsForm,
    OpenForm,
    PortalInquiryForm,
    ReplyForm,
    StaffEntryForm,
)

PAGE_SIZE = 50


def _page(request: ViewerRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _error(request: ViewerRequest, error: DomainError) -> None:
    messages.error(request, "; ".join([str(error.message),
                                       *(str(d.message) for d in error.details)]))


def _status_filter(request: ViewerRequest, choices: list[str]) -> str:
    status = request.GET.get("status", "")
    return status if status in choices else ""


# ---------------------------------------------------------------------------------------
# portal: inquiries


@portal_required()
def portal_inquiry_list(request: ViewerRequest) -> HttpResponse:
    viewer = request.viewer
    return render(request, "compliance/service/portal_inquiry_list.html", {
        "page": _page(request, inquiry_list(viewer=viewer)),
        "pending": feedback_pending(viewer=viewer),
    })


@portal_required()
def portal_inquiry_create(request: ViewerRequest) -> HttpResponse:
    client = client_of_viewer(viewer=request.viewer)
    if request.method == "POST":
        form = PortalInquiryForm(request.POST)
    else:
        form = PortalInquiryForm(initial={"about_type": request.GET.get("about_type", ""),
                                          "about_id": request.GET.get("about_id", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inquiry = inquiry_open(
                client=client, subject=data["subject"], body=data["body"],
                channel=Channel.PORTAL, actor=request.user,
                about_type=data["about_type"], about_id=data["about_id"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your question is sent. We answer within 12 hours."))
            return redirect("portal-inquiries-detail", pk=inquiry.pk)
    about_type = form["about_type"].value() or ""
    about_id = form["about_id"].value()
    line = inquiry_about_line(client_id=client.pk, about_type=str(about_type),
                              about_id=int(about_id) if str(about_id or "").isdigit() else None)
    return render(request, "compliance/service/portal_inquiry_form.html", {
        "form": form, "about_line": line})


def _portal_inquiry_page(request: ViewerRequest, inquiry: Inquiry, *,
                         reply_form: ReplyForm | None = None,
                         feedback_form: FeedbackForm | None = None) -> HttpResponse:
    feedback = feedback_of(about=Feedback.About.INQUIRY, about_id=inquiry.pk)
    return render(request, "compliance/service/portal_inquiry_detail.html", {
        "inquiry": inquiry,
        "about_line": inquiry_about_line(client_id=inquiry.client_id,
                                         about_type=inquiry.about_type,
                                         about_id=inquiry.about_id),
        "reply_form": reply_form or ReplyForm(),
        "can_reply": inquiry.status != Inquiry.Status.CLOSED,
        "feedback": feedback,
        "feedback_form": (feedback_form or FeedbackForm())
        if feedback is None and inquiry.status in INQUIRY_DONE else None,
    })


@portal_required()
def portal_inquiry_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _portal_inquiry_page(request, inquiry_get(viewer=request.viewer, pk=pk))


@require_POST
@portal_required()
def portal_inquiry_reply(request: ViewerRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_get(viewer=request.viewer, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            inquiry_reply(inquiry=inquiry, body=form.cleaned_data["body"], actor=request.user,
                          from_client=True)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("portal-inquiries-detail", pk=inquiry.pk)
    return _portal_inquiry_page(request, inquiry, reply_form=form)


@require_POST
@portal_required()
def portal_inquiry_close(request: ViewerRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_get(viewer=request.viewer, pk=pk)
    try:
        inquiry_close(inquiry=inquiry, actor=request.user)
    except DomainError as error:
        _error(request, error)
    return redirect("portal-inquiries-detail", pk=inquiry.pk)


@require_POST
@portal_required()
def portal_inquiry_feedback(request: ViewerRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_get(viewer=request.viewer, pk=pk)
    form = _feedback_post(request, inquiry, Feedback.About.INQUIRY)
    if form is None:
        return redirect("portal-inquiries-detail", pk=inquiry.pk)
    return _portal_inquiry_page(request, inquiry, feedback_form=form)


def _feedback_post(request: ViewerRequest, matter: Inquiry | Complaint,
                   about: str) -> FeedbackForm | None:
    """Give the portal's feedback on a matter: None once given, else the form to show
    again with its errors (a refusal, not done yet or already rated, is a message)."""
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            feedback_give(client=matter.client, about=about, about_id=matter.pk,
                          score=form.cleaned_data["score"],
                          comment=form.cleaned_data["comment"], actor=request.user)
        except DomainError as error:
            _error(request, error)
        else:
            messages.success(request, _("Thank you for your feedback."))
            return None
    return form


# ---------------------------------------------------------------------------------------
# portal: complaints


@portal_required()
def portal_complaint_list(request: ViewerRequest) -> HttpResponse:
    return render(request, "compliance/service/portal_complaint_list.html", {
        "page": _page(request, complaint_list(viewer=request.viewer)),
    })


@portal_required()
def portal_complaint_create(request: ViewerRequest) -> HttpResponse:
    client = client_of_viewer(viewer=request.viewer)
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_open(client=client, subject=form.cleaned_data["subject"],
                                       body=form.cleaned_data["body"], channel=Channel.PORTAL,
                                       actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your complaint is received. We handle it within "
                                        "48 hours."))
            return redirect("portal-complaints-detail", pk=complaint.pk)
    return render(request, "compliance/service/portal_complaint_form.html", {"form": form})


def _portal_complaint_page(request: ViewerRequest, complaint: Complaint, *,
                           reply_form: ReplyForm | None = None,
                           feedback_form: FeedbackForm | None = None) -> HttpResponse:
    closed = complaint.status == Complaint.Status.CLOSED
    feedback = feedback_of(about=Feedback.About.COMPLAINT, about_id=complaint.pk)
    return render(request, "compliance/service/portal_complaint_detail.html", {
        "complaint": complaint,
        "reply_form": reply_form or ReplyForm(),
        "can_reply": not closed,
        "can_confirm": complaint_can_confirm(complaint),
        "feedback": feedback,
        "feedback_form": (feedback_form or FeedbackForm())
        if feedback is None and closed else None,
    })


@portal_required()
def portal_complaint_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _portal_complaint_page(request, complaint_get(viewer=request.viewer, pk=pk))


@require_POST
@portal_required()
def portal_complaint_reply(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            complaint_reply(complaint=complaint, body=form.cleaned_data["body"],
                            actor=request.user, from_client=True)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("portal-complaints-detail", pk=complaint.pk)
    return _portal_complaint_page(request, complaint, reply_form=form)


@require_POST
@portal_required()
def portal_complaint_confirm(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    try:
        complaint_confirm_closed(complaint=complaint, actor=request.user,
                                 viewer=request.viewer)
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("Thank you: the complaint is closed."))
    return redirect("portal-complaints-detail", pk=complaint.pk)


@require_POST
@portal_required()
def portal_complaint_feedback(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    form = _feedback_post(request, complaint, Feedback.About.COMPLAINT)
    if form is None:
        return redirect("portal-complaints-detail", pk=complaint.pk)
    return _portal_complaint_page(request, complaint, feedback_form=form)


# ---------------------------------------------------------------------------------------
# staff: inquiries


@staff_required(*DESK_ROLES)
def staff_inquiry_list(request: ViewerRequest) -> HttpResponse:
    """The queue (awaiting a response, the most urgent first) or, by status, the rest."""
    viewer = request.viewer
    status = _status_filter(request, Inquiry.Status.values) or Inquiry.Status.OPEN
    qs = inquiry_queue(viewer=viewer) if status == Inquiry.Status.OPEN else inquiry_list(
        viewer=viewer, status=status)
    page = _page(request, qs)
    now = timezone.now()
    return render(request, "compliance/service/staff_inquiry_list.html", {
        "page": page, "status": status, "statuses": Inquiry.Status.choices,
        "rows": [(inquiry, inquiry_clock(inquiry, now)) for inquiry in page],
    })


def _staff_entry(request: ViewerRequest, kind: str) -> HttpResponse:
    form = StaffEntryForm(request.POST or None, viewer=request.viewer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        opener = inquiry_open if kind == "inquiry" else complaint_open
        try:
            matter = opener(client=data["client"], subject=data["subject"], body=data["body"],
                            channel=data["channel"], actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect(f"staff-{'inquiries' if kind == 'inquiry' else 'complaints'}"
                            "-detail", pk=matter.pk)
    return render(request, "compliance/service/staff_entry_form.html", {
        "form": form, "kind": kind})


@staff_required(*DESK_ROLES)
def staff_inquiry_create(request: ViewerRequest) -> HttpResponse:
    return _staff_entry(request, "inquiry")


def _staff_inquiry_page(request: ViewerRequest, inquiry: Inquiry, *,
                        reply_form: ReplyForm | None = None) -> HttpResponse:
    return render(request, "compliance/service/staff_inquiry_detail.html", {
        "inquiry": inquiry, "clock": inquiry_clock(inquiry, timezone.now()),
        "about_line": inquiry_about_line(client_id=inquiry.client_id,
                                         about_type=inquiry.about_type,
                                         about_id=inquiry.about_id),
        "reply_form": reply_form or ReplyForm(),
        "can_reply": inquiry.status != Inquiry.Status.CLOSED,
        "feedback": feedback_of(about=Feedback.About.INQUIRY, about_id=inquiry.pk),
    })


@staff_required(*DESK_ROLES)
def staff_inquiry_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _staff_inquiry_page(request, inquiry_get(viewer=request.viewer, pk=pk))


@require_POST
@staff_required(*DESK_ROLES)
def staff_inquiry_reply(request: ViewerRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_get(viewer=request.viewer, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            inquiry_reply(inquiry=inquiry, body=form.cleaned_data["body"], actor=request.user,
                          from_client=False)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The answer is sent."))
            return redirect("staff-inquiries-detail", pk=inquiry.pk)
    return _staff_inquiry_page(request, inquiry, reply_form=form)


@require_POST
@staff_required(*DESK_ROLES)
def staff_inquiry_close(request: ViewerRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_get(viewer=request.viewer, pk=pk)
    try:
        inquiry_close(inquiry=inquiry, actor=request.user)
    except DomainError as error:
        _error(request, error)
    return redirect("staff-inquiries-detail", pk=inquiry.pk)


# ---------------------------------------------------------------------------------------
# staff: complaints


@staff_required(*DESK_ROLES)
def staff_complaint_list(request: ViewerRequest) -> HttpResponse:
    status = _status_filter(request, Complaint.Status.values)
    page = _page(request, complaint_list(viewer=request.viewer, status=status or None))
    now = timezone.now()
    return render(request, "compliance/service/staff_complaint_list.html", {
        "page": page, "status": status, "statuses": Complaint.Status.choices,
        "rows": [(c, complaint_overdue(c, now)) for c in page],
    })


@staff_required(*DESK_ROLES)
def staff_complaint_create(request: ViewerRequest) -> HttpResponse:
    return _staff_entry(request, "complaint")


def _staff_complaint_page(request: ViewerRequest, complaint: Complaint, *,
                          findings_form: FindingsForm | None = None,
                          action_form: ActionForm | None = None,
                          reply_form: ReplyForm | None = None) -> HttpResponse:
    status = complaint.status
    return render(request, "compliance/service/staff_complaint_detail.html", {
        "complaint": complaint,
        "overdue": complaint_overdue(complaint, timezone.now()),
        # a refused form shows with its errors; else the step's form when it is due
        "findings_form": findings_form or (
            FindingsForm(initial={"findings": complaint.findings})
            if status in (Complaint.Status.RECEIVED, Complaint.Status.INVESTIGATING) else None),
        "action_form": action_form or (
            ActionForm()
            if status in (Complaint.Status.INVESTIGATING, Complaint.Status.ACTION) else None),
        "reply_form": reply_form or ReplyForm(),
        "open": status != Complaint.Status.CLOSED,
        "steps": Complaint.Status.choices,
        "feedback": feedback_of(about=Feedback.About.COMPLAINT, about_id=complaint.pk),
    })


@staff_required(*DESK_ROLES)
def staff_complaint_detail(request: ViewerRequest, pk: int) -> HttpResponse:
    return _staff_complaint_page(request, complaint_get(viewer=request.viewer, pk=pk))


@require_POST
@staff_required(*DESK_ROLES)
def staff_complaint_investigate(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    form = FindingsForm(request.POST)
    if form.is_valid():
        try:
            complaint_investigate(complaint=complaint, findings=form.cleaned_data["findings"],
                                  actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("staff-complaints-detail", pk=complaint.pk)
    return _staff_complaint_page(request, complaint, findings_form=form)


@require_POST
@staff_required(*DESK_ROLES)
def staff_complaint_action_create(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint_add_action(complaint=complaint, description=data["description"],
                                 owner=data["owner"], due_on=data["due_on"],
                                 actor=request.user)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("staff-complaints-detail", pk=complaint.pk)
    return _staff_complaint_page(request, complaint, action_form=form)


@require_POST
@staff_required(*DESK_ROLES)
def staff_complaint_action_done(request: ViewerRequest, pk: int) -> HttpResponse:
    action = action_get(viewer=request.viewer, pk=pk)
    try:
        complaint_action_done(action=action, actor=request.user)
    except DomainError as error:
        _error(request, error)
    return redirect("staff-complaints-detail", pk=action.complaint_id)


@require_POST
@staff_required(*DESK_ROLES)
def staff_complaint_reply(request: ViewerRequest, pk: int) -> HttpResponse:
    complaint = complaint_get(viewer=request.viewer, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            complaint_reply(complaint=complaint, body=form.cleaned_data["body"],
                            actor=request.user, from_client=False)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            return redirect("staff-complaints-detail", pk=complaint.pk)
    return _staff_complaint_page(request, complaint, reply_form=form)
