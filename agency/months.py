"""Months as the API and the forms write them: `YYYY-MM`."""

import datetime

MONTH_RE = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


def parse_month(value: str) -> datetime.date:
    """`2025-08` → 2025-08-01 (the value has matched `MONTH_RE`)."""
    year, month = value.split("-")
    return datetime.date(int(year), int(month), 1)
