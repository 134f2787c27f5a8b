"""Routes of the policies app: cities and their policy versions (staff) and the
contribution quote (staff, portal, API)."""

from django.urls import path

from agency.routing import faces
from policies import api, views

urlpatterns = faces(
    staff=[
        path("cities/", views.staff_city_list, name="staff-cities-list"),
        path("cities/<str:code>/", views.staff_city_detail, name="staff-cities-detail"),
        path("policies/<int:pk>/", views.staff_policy_detail, name="staff-policies-detail"),
        path("policies/<int:pk>/edit/", views.staff_policy_edit, name="staff-policies-edit"),
        path("policies/<int:pk>/copy/", views.staff_policy_copy, name="staff-policies-copy"),
        path("policies/<int:pk>/items/add/", views.staff_policy_item_add,
             name="staff-policy-items-add"),
        path("policy-items/<int:pk>/edit/", views.staff_policy_item_edit,
             name="staff-policy-items-edit"),
        path("quote/", views.staff_quote, name="staff-quote"),
    ],
    portal=[
        path("quote/", views.portal_quote, name="portal-quote"),
    ],
    api=[
        path("cities/", api.CityListView.as_view(), name="api-cities-list"),
        path("cities/<str:code>/quote/", api.QuoteView.as_view(), name="api-cities-quote"),
    ],
)
