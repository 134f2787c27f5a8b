"""Celery tasks of the orders room, where the worker's autodiscovery looks for them
(agency/celery.py names the room: enrollment.tasks would make the app import a room)."""

from enrollment.orders.import_jobs import order_import_task

__all__ = ["order_import_task"]
