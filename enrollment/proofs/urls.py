"""Routes of proofs of enrolment (参保证明): the PDF on both faces and the API, batches
(start, progress, ZIP) on both faces, and the public check of a verification code."""

from django.urls import path

from agency.routing import faces
from enrollment.proofs import api, batch_views, views

urlpatterns = faces(
    public=[
        path("verify/<str:code>/", views.verify_proof, name="verify-proof"),
    ],
    staff=[
        path("persons/<int:pk>/proof.pdf", views.staff_person_proof,
             name="staff-persons-proof"),
        path("clients/<int:pk>/proof-batches/new/", batch_views.staff_batch_start,
             name="staff-proof-batch-start"),
        path("proof-batches/<int:pk>/", batch_views.staff_batch_detail,
             name="staff-proof-batch-detail"),
        path("proof-batches/<int:pk>/status/", batch_views.staff_batch_status,
             name="staff-proof-batch-status"),
        path("proof-batches/<int:pk>/proofs.zip", batch_views.staff_batch_zip,
             name="staff-proof-batch-zip"),
    ],
    portal=[
        path("persons/<int:pk>/proof.pdf", views.portal_person_proof,
             name="portal-persons-proof"),
        path("proof-batches/new/", batch_views.portal_batch_start,
             name="portal-proof-batch-start"),
        path("proof-batches/<int:pk>/", batch_views.portal_batch_detail,
             name="portal-proof-batch-detail"),
        path("proof-batches/<int:pk>/status/", batch_views.portal_batch_status,
             name="portal-proof-batch-status"),
        path("proof-batches/<int:pk>/proofs.zip", batch_views.portal_batch_zip,
             name="portal-proof-batch-zip"),
    ],
    api=[
        path("persons/<int:pk>/proof/", api.PersonProofView.as_view(),
             name="api-persons-proof"),
    ],
)
