"""WSGI entry point (gunicorn agency.wsgi).

gunicorn sets no limit on a request's body, and no reverse proxy stands in front of it in
docker-compose: `limit_request_body` refuses (413) a Content-Length larger than any route
takes before Django sees the request; `agency.upload_limits` explains the per-route caps."""

import os

from django.core.wsgi import get_wsgi_application

from agency.upload_limits import limit_request_body  # reads settings only per request

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

application = limit_request_body(get_wsgi_application())
