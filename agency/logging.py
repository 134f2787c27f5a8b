"""Logging of the project: one JSON object per line with the request id, and no ID numbers.

- `request_id_var` holds the id of the request being served (set by
  `agency.middleware.request_id_middleware`; "-" outside a request).
- `RequestIdFilter` puts it on every record as `record.request_id`.
- `RedactIdNumbersFilter` masks anything that looks like a mainland ID number (17 digits
  and a digit or X) in the message, its arguments and the exception text, before any
  handler formats it: the log never holds a full ID number.
- `JsonFormatter` writes `time`, `level`, `logger`, `message`, `request_id` (and `exc_info`
  when there is one) as one line of JSON. No dependency beyond the standard library.

`LOG_FORMAT=json|plain` in the settings chooses the formatter of the console handler."""

import contextvars
import datetime
import json
import logging
import re
import uuid
from typing import Any

NO_REQUEST = "-"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=NO_REQUEST)

# a request id we accept from a trusted proxy: letters, digits, dash, underscore, dot;
# at most 64 characters (a uuid, a hex trace id); anything else gets a fresh uuid4
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{7,63}$")

# a mainland resident ID number: 17 digits then a digit or X, not inside a longer number
ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{14})([0-9]{3}[0-9Xx])(?![0-9])")
ID_MASK = "**************"


def new_request_id(candidate: str | None = None) -> str:
    """`candidate` when it is a well-formed id, else a new uuid4 (hex)."""
    if candidate and _REQUEST_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex


def current_request_id() -> str:
    """The id of the request being served, or "" outside a request."""
    value = request_id_var.get()
    return "" if value == NO_REQUEST else value


def mask_id_numbers(text: str) -> str:
    """Every ID-number-like run in `text` shows only its last four characters."""
    return ID_NUMBER.sub(lambda m: ID_MASK + m.group(2)[-4:], text)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return mask_id_numbers(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, tuple | list):
        return type(value)(_redact(v) for v in value)
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    # any other object: its text, masked, when it holds something to mask
    text = str(value)
    masked = mask_id_numbers(text)
    return masked if masked != text else value


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (the current request's id, "-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class RedactIdNumbersFilter(logging.Filter):
    """Masks ID numbers in a record's message, its arguments and its exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_id_numbers(record.msg)
        elif record.msg is not None and not isinstance(record.msg, int | float):
            record.msg = _redact(record.msg)
        if record.args:
            if isinstance(record.args, dict):
                record.args = _redact(record.args)
            else:
                record.args = tuple(_redact(a) for a in record.args)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # format the traceback now, masked: a formatter uses exc_text when it is set
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_id_numbers(message),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc_info"] = mask_id_numbers(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The human-readable line, with the request id, for DEBUG and the demo."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return mask_id_numbers(super().format(record))
