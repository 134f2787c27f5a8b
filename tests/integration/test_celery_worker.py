"""A task runs through a real worker on the real Redis and writes to the real database."""

import pytest

from agency.models import Heartbeat
from agency.tasks import heartbeat_task

pytestmark = pytest.mark.integration


def test_task_runs_in_a_real_worker_and_its_result_comes_back(celery_worker):
    result = heartbeat_task.delay("integration-test")

    returned = result.get(timeout=30)

    beat = Heartbeat.objects.get(name="integration-test")
    assert returned == beat.last_seen.isoformat()
    assert result.status == "SUCCESS"


def test_beat_schedule_is_in_code_in_shanghai_time(celery_worker):
    app = celery_worker

    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.beat_schedule["heartbeat"]["task"] == "agency.tasks.heartbeat_task"
