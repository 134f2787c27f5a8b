"""Routes of the compliance app: the dashboards of both faces, the service desk
(inquiries, complaints, feedback: `urls_service`) and the people side (revisits,
training, assessments: `urls_people`)."""

from django.urls import path

from agency.routing import faces
from compliance import search, urls_people, urls_service, views

urlpatterns = faces(
    staff=[path("", views.staff_dashboard, name="staff-dashboard"),
           path("search/", search.staff_search, name="staff-search"),
           *urls_service.staff, *urls_people.staff],
    portal=[path("", views.portal_dashboard, name="portal-dashboard"),
            path("search/", search.portal_search, name="portal-search"), *urls_service.portal],
    api=[*urls_service.api],
)
