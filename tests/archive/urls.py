"""The root URLs with the archive's pages, until agency/urls.py includes the app."""

from agency.urls import urlpatterns as agency_urlpatterns
from archive.urls import urlpatterns as archive_urlpatterns

urlpatterns = [*archive_urlpatterns, *agency_urlpatterns]
