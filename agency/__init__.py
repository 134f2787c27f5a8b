"""The agency project: settings, URLs, Celery, and what every app shares."""

from agency.celery import app as celery_app

__all__ = ("celery_app",)
