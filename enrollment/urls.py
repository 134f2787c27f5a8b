"""Routes of the enrollment app: each room keeps its own."""

from django.urls import include, path

urlpatterns = [
    path("", include("enrollment.persons.urls")),
    path("", include("enrollment.orders.urls")),
    path("", include("enrollment.bureau.urls")),
    path("", include("enrollment.proofs.urls")),
    path("", include("enrollment.cases.urls")),
    path("", include("enrollment.cases.retirement_urls")),
]
