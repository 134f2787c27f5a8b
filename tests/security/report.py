"""Prints how many isolation-matrix cases the session checked. A pytest plugin: loaded by
`tests/security/conftest.py`, and by `-p tests.security.report` in `scripts/test.sh` so
that the summary also shows when xdist workers ran the matrix (they report each test's
count through its `user_properties`)."""

from typing import Any

COUNTS = {"cases": 0, "urls": 0}


def pytest_runtest_logreport(report: Any) -> None:
    if report.when != "call":
        return
    for key, value in getattr(report, "user_properties", ()):
        if key == "isolation_matrix_cases":
            COUNTS["cases"] += int(value)
            COUNTS["urls"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS["urls"]:
        terminalreporter.write_sep(
            "-", f"isolation matrix: {COUNTS['cases']} cases checked over "
                 f"{COUNTS['urls']} URLs")
