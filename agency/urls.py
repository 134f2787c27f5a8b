"""The URL map: the one place (with the beat schedule) that knows every app.

/staff/  staff web UI      /portal/  client self-service portal
/api/v1/ REST API          /admin/   back-office"""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency import api_views, views, views_org
from clients import api as clients_api
from clients import views as clients_views
from clients import webhook_api
from compliance import views as compliance_views
from enrollment import bureau_views, order_api, order_views, person_api, proof_api, proof_views
from enrollment import person_views as persons
from policies import api as policies_api
from policies import views as policies_views

staff_patterns = [
    path("", compliance_views.staff_dashboard, name="staff-dashboard"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", views.staff_logout, name="staff-logout"),
    path("cities/", policies_views.staff_city_list, name="staff-cities-list"),
    path("cities/<str:code>/", policies_views.staff_city_detail, name="staff-cities-detail"),
    path("policies/<int:pk>/", policies_views.staff_policy_detail,
         name="staff-policies-detail"),
    path("policies/<int:pk>/edit/", policies_views.staff_policy_edit,
         name="staff-policies-edit"),
    path("policies/<int:pk>/copy/", policies_views.staff_policy_copy,
         name="staff-policies-copy"),
    path("policies/<int:pk>/items/add/", policies_views.staff_policy_item_add,
         name="staff-policy-items-add"),
    path("policy-items/<int:pk>/edit/", policies_views.staff_policy_item_edit,
         name="staff-policy-items-edit"),
    path("quote/", policies_views.staff_quote, name="staff-quote"),
    # insured persons (enrollment)
    path("persons/", persons.staff_person_list, name="staff-persons-list"),
    path("persons/export.xlsx", persons.staff_person_export, name="staff-persons-export"),
    path("persons/new/", persons.staff_person_create, name="staff-persons-create"),
    path("persons/<int:pk>/edit/", persons.staff_person_edit, name="staff-persons-edit"),
    path("persons/<int:pk>/", persons.staff_person_detail, name="staff-persons-detail"),
    path("persons/<int:pk>/reveal/", persons.staff_person_reveal, name="staff-persons-reveal"),
    path("persons/<int:pk>/enrollments/<int:enrollment_pk>/seal/",
         persons.staff_housing_fund_action, {"action": "seal"}, name="staff-persons-fund-seal"),
    path("persons/<int:pk>/enrollments/<int:enrollment_pk>/unseal/",
         persons.staff_housing_fund_action, {"action": "unseal"},
         name="staff-persons-fund-unseal"),
    path("persons/<int:pk>/letter.pdf", persons.staff_person_letter, name="staff-persons-letter"),
    path("persons/<int:pk>/proof.pdf", proof_views.staff_person_proof, name="staff-persons-proof"),
    path("persons/<int:pk>/papers/", persons.staff_paper_upload,
         name="staff-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", persons.staff_paper_download,
         name="staff-persons-paper-download"),
    # bureau interchange (报盘/回盘)
    path("bureau/", bureau_views.staff_bureau, name="staff-bureau"),
    path("bureau/export.xlsx", bureau_views.staff_bureau_export, name="staff-bureau-export"),
    path("bureau/feedback/", bureau_views.staff_bureau_feedback, name="staff-bureau-feedback"),
    # roster orders (STD-4.3, STD-4.6, STD-6.3)
    path("orders/", order_views.staff_order_list, name="staff-orders-list"),
    path("orders/queue/", order_views.staff_work_queue, name="staff-orders-queue"),
    path("orders/email/", order_views.staff_order_email, name="staff-orders-email"),
    path("orders/lines/<int:pk>/", order_views.staff_line_detail, name="staff-orders-line"),
    path("orders/lines/<int:pk>/transition/", order_views.staff_line_transition,
         name="staff-orders-line-transition"),
    path("orders/<int:pk>/", order_views.staff_order_detail, name="staff-orders-detail"),
    path("orders/<int:pk>/files/<str:field>/", order_views.staff_order_file,
         name="staff-orders-file"),
    # agency organisation (STD-3.1, STD-3.2)
    path("licences/", views_org.staff_licence_list, name="staff-licences-list"),
    path("licences/new/", views_org.staff_licence_create, name="staff-licences-create"),
    path("licences/<int:pk>/edit/", views_org.staff_licence_edit, name="staff-licences-edit"),
    path("licences/<int:pk>/scan/", views_org.staff_licence_scan, name="staff-licences-scan"),
    path("staff-profiles/", views_org.staff_profile_list, name="staff-profiles-list"),
    path("staff-profiles/<int:user_id>/edit/", views_org.staff_profile_edit,
         name="staff-profiles-edit"),
    # clients, representatives, API keys, contracts
    path("clients/", clients_views.staff_client_list, name="staff-clients-list"),
    path("clients/new/", clients_views.staff_client_create, name="staff-clients-create"),
    path("clients/<int:pk>/", clients_views.staff_client_detail, name="staff-clients-detail"),
    path("clients/<int:pk>/edit/", clients_views.staff_client_edit, name="staff-clients-edit"),
    path("clients/<int:pk>/licence-scan/", clients_views.staff_client_licence_scan,
         name="staff-clients-licence-scan"),
    path("clients/<int:pk>/verify-licence/", clients_views.staff_client_verify_licence,
         name="staff-clients-verify-licence"),
    path("clients/<int:pk>/assign-rep/", clients_views.staff_client_assign_rep,
         name="staff-clients-assign-rep"),
    path("clients/<int:pk>/portal-users/new/", clients_views.staff_portal_user_create,
         name="staff-portal-users-create"),
    path("clients/<int:pk>/api-keys/new/", clients_views.staff_api_key_create,
         name="staff-api-keys-create"),
    path("api-keys/<int:pk>/revoke/", clients_views.staff_api_key_revoke,
         name="staff-api-keys-revoke"),
    path("rep-load/", clients_views.staff_rep_load, name="staff-rep-load"),
    path("contracts/", clients_views.staff_contract_list, name="staff-contracts-list"),
    path("contracts/new/", clients_views.staff_contract_create, name="staff-contracts-create"),
    path("contracts/<int:pk>/", clients_views.staff_contract_detail,
         name="staff-contracts-detail"),
    path("contracts/<int:pk>/activate/", clients_views.staff_contract_activate,
         name="staff-contracts-activate"),
    path("contracts/<int:pk>/terminate/", clients_views.staff_contract_terminate,
         name="staff-contracts-terminate"),
    path("contracts/<int:pk>/pdf/", clients_views.staff_contract_pdf, name="staff-contracts-pdf"),
    path("contracts/<int:pk>/scan/", clients_views.staff_contract_scan,
         name="staff-contracts-scan"),
]

portal_patterns = [
    path("", compliance_views.portal_dashboard, name="portal-dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="portal-login"),
    path("logout/", views.portal_logout, name="portal-logout"),
    path("quote/", policies_views.portal_quote, name="portal-quote"),
    # insured persons (enrollment)
    path("persons/", persons.portal_person_list, name="portal-persons-list"),
    path("persons/<int:pk>/", persons.portal_person_detail, name="portal-persons-detail"),
    path("persons/<int:pk>/letter.pdf", persons.portal_person_letter,
         name="portal-persons-letter"),
    path("persons/<int:pk>/proof.pdf", proof_views.portal_person_proof,
         name="portal-persons-proof"),
    path("persons/<int:pk>/papers/", persons.portal_paper_upload,
         name="portal-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", persons.portal_paper_download,
         name="portal-persons-paper-download"),
    # roster orders (STD-4.3, STD-4.7)
    path("orders/", order_views.portal_order_list, name="portal-orders-list"),
    path("orders/new/", order_views.portal_order_create, name="portal-orders-create"),
    path("orders/upload/", order_views.portal_order_upload, name="portal-orders-upload"),
    path("orders/template.xlsx", order_views.portal_order_template,
         name="portal-orders-template"),
    path("orders/<int:pk>/", order_views.portal_order_detail, name="portal-orders-detail"),
    path("orders/<int:pk>/lines/<int:line_pk>/papers/", order_views.portal_line_paper_upload,
         name="portal-orders-line-paper-upload"),
    path("profile/", clients_views.portal_client_profile, name="portal-profile"),
    path("contracts/", clients_views.portal_contract_list, name="portal-contracts-list"),
    path("contracts/<int:pk>/", clients_views.portal_contract_detail,
         name="portal-contracts-detail"),
    path("contracts/<int:pk>/pdf/", clients_views.portal_contract_pdf,
         name="portal-contracts-pdf"),
    path("contracts/<int:pk>/scan/", clients_views.portal_contract_scan,
         name="portal-contracts-scan"),
]

api_patterns = [
    path("orders/", order_api.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/import/", order_api.OrderImportView.as_view(), name="api-orders-import"),
    path("orders/template.xlsx", order_api.OrderTemplateView.as_view(),
         name="api-orders-template"),
    path("orders/<int:pk>/", order_api.OrderDetailView.as_view(), name="api-order"),
    path("order-lines/<int:pk>/transition/", order_api.LineTransitionView.as_view(),
         name="api-order-line-transition"),
    path("auth/token/", api_views.TokenLoginView.as_view(), name="api-token"),
    path("me/", clients_api.MeView.as_view(), name="api-me"),
    path("webhooks/", webhook_api.WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", webhook_api.WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/deliveries/", webhook_api.WebhookDeliveryListView.as_view(),
         name="api-webhook-deliveries"),
    path("cities/", policies_api.CityListView.as_view(), name="api-cities-list"),
    path("cities/<str:code>/quote/", policies_api.QuoteView.as_view(), name="api-cities-quote"),
    path("persons/", person_api.PersonListView.as_view(), name="api-persons-list"),
    path("persons/<int:pk>/", person_api.PersonDetailView.as_view(), name="api-persons-detail"),
    path("persons/<int:pk>/proof/", proof_api.PersonProofView.as_view(), name="api-persons-proof"),
    path("clients/", clients_api.ClientListCreateView.as_view(), name="api-clients"),
    path("clients/<int:pk>/", clients_api.ClientDetailView.as_view(), name="api-clients-detail"),
    path("clients/<int:pk>/verify-licence/", clients_api.ClientVerifyLicenceView.as_view(),
         name="api-clients-verify-licence"),
    path("clients/<int:pk>/api-keys/", clients_api.ClientApiKeyCreateView.as_view(),
         name="api-clients-api-keys"),
    path("contracts/", clients_api.ContractListCreateView.as_view(), name="api-contracts"),
    path("contracts/<int:pk>/", clients_api.ContractDetailView.as_view(),
         name="api-contracts-detail"),
    path("contracts/<int:pk>/activate/", clients_api.ContractActivateView.as_view(),
         name="api-contracts-activate"),
    path("contracts/<int:pk>/pdf/", clients_api.ContractPdfView.as_view(),
         name="api-contracts-pdf"),
    path("persons/<int:pk>/papers/", person_api.PaperUploadView.as_view(),
         name="api-persons-paper-upload"),
    path("persons/<int:pk>/papers/<int:paper_pk>/", person_api.PaperDownloadView.as_view(),
         name="api-persons-paper-download"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/<str:code>/", proof_views.verify_proof, name="verify-proof"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include(staff_patterns)),
    path("portal/", include(portal_patterns)),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "agency.errors_views.not_found"
handler500 = "agency.errors_views.server_error"
