"""Celery tasks of the enrollment app, where the worker's autodiscovery looks for them."""

from enrollment.orders.import_jobs import order_import_task

__all__ = ["order_import_task"]
