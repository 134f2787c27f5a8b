"""Demo city policies: the data file shipped with the project (idempotent)."""

from pathlib import Path

from policies.policy_file import POLICY_FILE, read_policy_file
from policies.services import policies_load


def seed(path: Path = POLICY_FILE) -> None:
    """The cities and policy versions of the shipped data file (idempotent)."""
    policies_load(cities=read_policy_file(path))
