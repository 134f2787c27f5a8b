"""JSON logs with a request id and no ID numbers: the request-id middleware, the JSON
formatter and the redaction filter, through the logging configuration of the settings."""

import io
import json
import logging
import re

import pytest
from django.test import override_settings

from agency.logging import JsonFormatter, mask_id_numbers, new_request_id

ID_NUMBER = "110101199003078515"
ID_NUMBER_X = "11010519491231002X"


def _console_handler() -> logging.Handler:
    return next(h for h in logging.getLogger().handlers if h.name == "console")


@pytest.fixture
def console():
    """What the configured console handler (the settings' LOGGING, its filters) writes,
    as text, in the production format (LOG_FORMAT=json; a local .env may say plain)."""
    handler = _console_handler()
    stream = io.StringIO()
    old_stream, old_formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield stream
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def test_the_console_handler_stamps_and_redacts_in_the_chosen_format(settings):
    from agency.logging import PlainFormatter, RedactIdNumbersFilter, RequestIdFilter

    handler = _console_handler()

    assert [type(f) for f in handler.filters] == [RequestIdFilter, RedactIdNumbersFilter]
    assert type(handler.formatter) is {"json": JsonFormatter,
                                       "plain": PlainFormatter}[settings.LOG_FORMAT]
    assert logging.getLogger("django").handlers == [handler]


def test_mask_keeps_only_the_last_four_characters():
    text = f"a {ID_NUMBER} b {ID_NUMBER_X}, 证件{ID_NUMBER}号; {ID_NUMBER}9 stays"

    assert mask_id_numbers(text) == (
        "a **************8515 b **************002X, 证件**************8515号; "
        f"{ID_NUMBER}9 stays")


@pytest.mark.django_db
def test_a_log_line_of_a_request_is_json_with_its_request_id_and_no_id_number(
        client, console):
    # given a request whose path holds an ID number (Django logs the 404 with the path)
    response = client.get(f"/staff/no-such-page/{ID_NUMBER}/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = [json.loads(line) for line in console.getvalue().splitlines()]
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert len(not_found) == 1
    entry = not_found[0]
    assert set(entry) == {"time", "level", "logger", "message", "request_id"}
    assert (entry["level"], entry["message"], entry["request_id"]) == (
        "WARNING", "Not Found: /staff/no-such-page/**************8515/", request_id)
    assert ID_NUMBER not in console.getvalue()


@pytest.mark.django_db
def test_an_id_number_in_a_log_argument_or_an_exception_is_masked(client, console):
    log = logging.getLogger("sbportal.test")
    log.warning("person %s refused", ID_NUMBER)
    try:
        raise ValueError(f"bad number {ID_NUMBER_X}")
    except ValueError:
        log.exception("failed for %(who)s", {"who": ID_NUMBER})

    text = console.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(e["message"], e["request_id"]) for e in lines] == [
        ("person **************8515 refused", "-"),
        ("failed for **************8515", "-"),
    ]
    assert lines[1]["exc_info"].endswith("ValueError: bad number **************002X")
    assert ID_NUMBER not in text and ID_NUMBER_X not in text


@pytest.mark.django_db
def test_the_request_id_of_a_trusted_proxy_is_kept_when_well_formed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    kept = client.get("/healthz", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n{\"level\": \"x\"}")

    assert kept["X-Request-ID"] == "req-0123456789abcdef"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])


@pytest.mark.django_db
def test_the_request_id_header_is_ignored_without_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-0123456789abcdef")

    assert response["X-Request-ID"] != "req-0123456789abcdef"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_request_id_is_a_short_safe_token():
    assert new_request_id("a" * 64) == "a" * 64
    assert new_request_id("a" * 65) != "a" * 65
    assert new_request_id("short") != "short"
    assert new_request_id(None) != new_request_id(None)


@override_settings(DEBUG=True)
def test_plain_format_is_one_readable_line_with_the_request_id():
    from agency.logging import PlainFormatter, RedactIdNumbersFilter, RequestIdFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID_NUMBER,), None)
    RequestIdFilter().filter(record)
    RedactIdNumbersFilter().filter(record)

    assert PlainFormatter().format(record).endswith("INFO [-] x: id **************8515")
