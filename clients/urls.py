"""Routes of the clients app: clients, representatives, portal users, API keys, contracts
(staff); the company profile and contracts (portal); clients, contracts, API keys, the
caller and webhooks (API)."""

from django.urls import path

from agency.routing import faces
from clients import api, views, webhook_api

urlpatterns = faces(
    staff=[
        path("clients/", views.staff_client_list, name="staff-clients-list"),
        path("clients/new/", views.staff_client_create, name="staff-clients-create"),
        path("clients/<int:pk>/", views.staff_client_detail, name="staff-clients-detail"),
        path("clients/<int:pk>/edit/", views.staff_client_edit, name="staff-clients-edit"),
        path("clients/<int:pk>/licence-scan/", views.staff_client_licence_scan,
             name="staff-clients-licence-scan"),
        path("clients/<int:pk>/verify-licence/", views.staff_client_verify_licence,
             name="staff-clients-verify-licence"),
        path("clients/<int:pk>/correspondence/new/", views.staff_correspondence_create,
             name="staff-clients-correspondence-create"),
        path("clients/<int:pk>/assign-rep/", views.staff_client_assign_rep,
             name="staff-clients-assign-rep"),
        path("clients/<int:pk>/portal-users/new/", views.staff_portal_user_create,
             name="staff-portal-users-create"),
        path("clients/<int:pk>/api-keys/new/", views.staff_api_key_create,
             name="staff-api-keys-create"),
        path("api-keys/<int:pk>/revoke/", views.staff_api_key_revoke,
             name="staff-api-keys-revoke"),
        path("rep-load/", views.staff_rep_load, name="staff-rep-load"),
        path("contracts/", views.staff_contract_list, name="staff-contracts-list"),
        path("contracts/new/", views.staff_contract_create, name="staff-contracts-create"),
        path("contracts/<int:pk>/", views.staff_contract_detail,
             name="staff-contracts-detail"),
        path("contracts/<int:pk>/activate/", views.staff_contract_activate,
             name="staff-contracts-activate"),
        path("contracts/<int:pk>/terminate/", views.staff_contract_terminate,
             name="staff-contracts-terminate"),
        path("contracts/<int:pk>/pdf/", views.staff_contract_pdf, name="staff-contracts-pdf"),
        path("contracts/<int:pk>/scan/", views.staff_contract_scan,
             name="staff-contracts-scan"),
    ],
    portal=[
        path("profile/", views.portal_client_profile, name="portal-profile"),
        path("contracts/", views.portal_contract_list, name="portal-contracts-list"),
        path("contracts/<int:pk>/", views.portal_contract_detail,
             name="portal-contracts-detail"),
        path("contracts/<int:pk>/pdf/", views.portal_contract_pdf,
             name="portal-contracts-pdf"),
        path("contracts/<int:pk>/scan/", views.portal_contract_scan,
             name="portal-contracts-scan"),
    ],
    api=[
        path("me/", api.MeView.as_view(), name="api-me"),
        path("clients/", api.ClientListCreateView.as_view(), name="api-clients"),
        path("clients/<int:pk>/", api.ClientDetailView.as_view(), name="api-clients-detail"),
        path("clients/<int:pk>/verify-licence/", api.ClientVerifyLicenceView.as_view(),
             name="api-clients-verify-licence"),
        path("clients/<int:pk>/api-keys/", api.ClientApiKeyCreateView.as_view(),
             name="api-clients-api-keys"),
        path("contracts/", api.ContractListCreateView.as_view(), name="api-contracts"),
        path("contracts/<int:pk>/", api.ContractDetailView.as_view(),
             name="api-contracts-detail"),
        path("contracts/<int:pk>/activate/", api.ContractActivateView.as_view(),
             name="api-contracts-activate"),
        path("contracts/<int:pk>/pdf/", api.ContractPdfView.as_view(),
             name="api-contracts-pdf"),
        path("webhooks/", webhook_api.WebhookListView.as_view(), name="api-webhooks"),
        path("webhooks/<int:pk>/", webhook_api.WebhookDetailView.as_view(),
             name="api-webhook"),
        path("webhooks/<int:pk>/deliveries/", webhook_api.WebhookDeliveryListView.as_view(),
             name="api-webhook-deliveries"),
    ],
)
