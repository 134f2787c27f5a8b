"""Routes of the compliance app: the dashboards of both faces, the service desk
(inquiries, complaints, feedback: `urls_service`) and the people side (revisits,
training, assessments: `urls_people`)."""

from django.urls import path

from agency.routing import faces
from compliance import urls_people, urls_service, views

urlpatterns = faces(
    staff=[path("", views.staff_dashboard, name="staff-dashboard"),
           *urls_service.staff, *urls_people.staff],
    portal=[path("", views.portal_dashboard, name="portal-dashboard"), *urls_service.portal],
    api=[*urls_service.api],
)
