"""Months as the API, the forms and the query strings write them: `YYYY-MM`. The one
month parser of the project (the API's `MonthField` and the forms' `MonthField` use it)."""

import datetime
import re

from agency.errors import ErrorDetail, ValidationFailed

MONTH_RE = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
MONTH_MESSAGE = "月份须为 YYYY-MM / The month must be YYYY-MM"
_MONTH = re.compile(MONTH_RE)


def month_or_none(value: object) -> datetime.date | None:
    """`"2025-08"` → 2025-08-01; anything else (other forms, other types) → None."""
    text = value.strip() if isinstance(value, str) else ""
    if not _MONTH.match(text):
        return None
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


def parse_month(value: object, *, field: str = "month") -> datetime.date:
    """`"2025-08"` → 2025-08-01, else a 400 naming `field`."""
    month = month_or_none(value)
    if month is None:
        raise ValidationFailed([ErrorDetail(code="invalid", field=field, message=MONTH_MESSAGE)])
    return month


def month_text(month: datetime.date) -> str:
    """2025-08-01 → `"2025-08"`."""
    return f"{month:%Y-%m}"
