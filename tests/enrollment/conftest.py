import pytest

from enrollment.policy_data import read_policy_file
from enrollment.policy_services import policies_load
from tests.enrollment.factories import POLICY_FILE


@pytest.fixture
def policies(db):
    """The six cities of the shared data file with every policy version."""
    return policies_load(cities=read_policy_file(POLICY_FILE))
