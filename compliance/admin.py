"""Back-office of the compliance app: each part registers its models in its own module."""

from compliance import admin_people, admin_service, admin_watch  # noqa: F401
