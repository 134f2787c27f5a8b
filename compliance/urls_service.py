"""Routes of the service desk: inquiries, complaints and satisfaction feedback."""

from django.urls import path

from agency.routing import Route
from compliance import service_api
from compliance import service_views as views

staff: list[Route] = [
    path("inquiries/", views.staff_inquiry_list, name="staff-inquiries-list"),
    path("inquiries/new/", views.staff_inquiry_create, name="staff-inquiries-create"),
    path("inquiries/<int:pk>/", views.staff_inquiry_detail, name="staff-inquiries-detail"),
    path("inquiries/<int:pk>/reply/", views.staff_inquiry_reply,
         name="staff-inquiries-reply"),
    path("inquiries/<int:pk>/close/", views.staff_inquiry_close,
         name="staff-inquiries-close"),
    path("complaints/", views.staff_complaint_list, name="staff-complaints-list"),
    path("complaints/new/", views.staff_complaint_create, name="staff-complaints-create"),
    path("complaints/<int:pk>/", views.staff_complaint_detail,
         name="staff-complaints-detail"),
    path("complaints/<int:pk>/investigate/", views.staff_complaint_investigate,
         name="staff-complaints-investigate"),
    path("complaints/<int:pk>/actions/", views.staff_complaint_action_create,
         name="staff-complaints-actions-create"),
    path("complaints/actions/<int:pk>/done/", views.staff_complaint_action_done,
         name="staff-complaints-actions-done"),
    path("complaints/<int:pk>/reply/", views.staff_complaint_reply,
         name="staff-complaints-reply"),
]

portal: list[Route] = [
    path("inquiries/", views.portal_inquiry_list, name="portal-inquiries-list"),
    path("inquiries/new/", views.portal_inquiry_create, name="portal-inquiries-create"),
    path("inquiries/<int:pk>/", views.portal_inquiry_detail, name="portal-inquiries-detail"),
    path("inquiries/<int:pk>/reply/", views.portal_inquiry_reply,
         name="portal-inquiries-reply"),
    path("inquiries/<int:pk>/close/", views.portal_inquiry_close,
         name="portal-inquiries-close"),
    path("inquiries/<int:pk>/feedback/", views.portal_inquiry_feedback,
         name="portal-inquiries-feedback"),
    path("complaints/", views.portal_complaint_list, name="portal-complaints-list"),
    path("complaints/new/", views.portal_complaint_create, name="portal-complaints-create"),
    path("complaints/<int:pk>/", views.portal_complaint_detail,
         name="portal-complaints-detail"),
    path("complaints/<int:pk>/reply/", views.portal_complaint_reply,
         name="portal-complaints-reply"),
    path("complaints/<int:pk>/confirm/", views.portal_complaint_confirm,
         name="portal-complaints-confirm"),
    path("complaints/<int:pk>/feedback/", views.portal_complaint_feedback,
         name="portal-complaints-feedback"),
]

api: list[Route] = [
    path("inquiries/", service_api.InquiryListCreateView.as_view(), name="api-inquiries"),
    path("inquiries/<int:pk>/", service_api.InquiryDetailView.as_view(),
         name="api-inquiries-detail"),
    path("inquiries/<int:pk>/messages/", service_api.InquiryMessageView.as_view(),
         name="api-inquiries-messages"),
    path("inquiries/<int:pk>/feedback/", service_api.InquiryFeedbackView.as_view(),
         name="api-inquiries-feedback"),
    path("complaints/", service_api.ComplaintListCreateView.as_view(), name="api-complaints"),
    path("complaints/<int:pk>/", service_api.ComplaintDetailView.as_view(),
         name="api-complaints-detail"),
    path("complaints/<int:pk>/messages/", service_api.ComplaintMessageView.as_view(),
         name="api-complaints-messages"),
    path("complaints/<int:pk>/confirm/", service_api.ComplaintConfirmView.as_view(),
         name="api-complaints-confirm"),
    path("complaints/<int:pk>/feedback/", service_api.ComplaintFeedbackView.as_view(),
         name="api-complaints-feedback"),
]
