"""Routes of proofs of enrolment (参保证明): the PDF on both faces and the API, and the
public check of a verification code."""

from django.urls import path

from agency.routing import faces
from enrollment.proofs import api, views

urlpatterns = faces(
    public=[
        path("verify/<str:code>/", views.verify_proof, name="verify-proof"),
    ],
    staff=[
        path("persons/<int:pk>/proof.pdf", views.staff_person_proof,
             name="staff-persons-proof"),
    ],
    portal=[
        path("persons/<int:pk>/proof.pdf", views.portal_person_proof,
             name="portal-persons-proof"),
    ],
    api=[
        path("persons/<int:pk>/proof/", api.PersonProofView.as_view(),
             name="api-persons-proof"),
    ],
)
