"""A month's bill run goes through a real worker on the real Redis broker, reporting its
progress (the staff page's progress bar reads the same result backend)."""

from decimal import Decimal

import pytest

from billing.models import Bill
from billing.tasks import bill_generate_month_task
from tests.billing.conftest import enrol, two_city_client  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration


def test_the_month_run_makes_each_clients_draft_in_the_worker(celery_worker, policies,
                                                               two_city_client):  # noqa: F811
    enrol(two_city_client, "310000", name="甲", base="10000.00")
    enrol(two_city_client, "110000", name="乙", base="5000.00", fund_base="5000.00")

    result = bill_generate_month_task.delay("2026-11").get(timeout=60)

    assert result == {"done": 1, "generated": 1, "issued_already": 0, "failed": 0, "total": 1}
    bill = Bill.objects.get(client=two_city_client)
    # 甲 3716.00 + 80.00; 乙 2707.44 + 700.00 + 100.00 (see tests/billing/test_bills.py)
    assert (bill.status, bill.line_count, bill.total) == ("draft", 2, Decimal("7303.44"))
