"""Reads of the bureau interchange: the tasks staff have submitted to the bureau and are
waiting for its answer. Staff only (the bureau faces have no client viewer)."""

from django.db.models import QuerySet

from enrollment.models import InsuredPerson, RosterTask, TaskStatus
from policies.models import City


def submitted_tasks(*, city: City, scheme: str, action: str) -> QuerySet[RosterTask]:
    """The `submitted` tasks of a city, scheme and action, oldest submission first."""
    return (
        RosterTask.objects.filter(
            status=TaskStatus.SUBMITTED, scheme=scheme, line__city=city, line__action=action
        )
        .select_related("line__person", "line__city", "line__order")
        .order_by("submitted_at", "line__order_id", "line__line_no")
    )


def submitted_tasks_of_person(
    *, person: InsuredPerson, city: City, scheme: str
) -> QuerySet[RosterTask]:
    return RosterTask.objects.filter(
        status=TaskStatus.SUBMITTED, scheme=scheme, line__city=city, line__person=person
    ).select_related("line")
