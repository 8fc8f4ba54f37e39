"""Phone numbers never reach a log line whole."""

import logging

from lpg_ussd.entrypoints.logs import MaskingFormatter, mask_numbers


def test_numbers_in_any_form_are_masked() -> None:
    line = "hop from +233244123456 (0244123456, 233244123456) failed"
    masked = mask_numbers(line)
    assert "244123456" not in masked
    assert "+233******456" in masked
    assert "024****456" in masked


def test_short_numbers_such_as_amounts_and_pins_are_left() -> None:
    assert mask_numbers("GHS 5000 order NG-7KQ2MX 4826") == "GHS 5000 order NG-7KQ2MX 4826"


def test_tracebacks_are_masked_too() -> None:
    try:
        raise ValueError("no customer +233244123456")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    text = MaskingFormatter("%(message)s").format(record)
    assert "244123456" not in text
    assert "+233******456" in text


def test_the_session_id_is_on_the_line() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hop over deadline", (), None)
    record.session_id = "ATUid_1"
    assert MaskingFormatter("%(message)s").format(record) == "hop over deadline session_id=ATUid_1"


def test_json_lines_carry_the_session_id_and_mask_numbers() -> None:
    import json

    from lpg_ussd.entrypoints.logs import bind_session, json_formatter, unbind_session

    record = logging.LogRecord(
        "lpg", logging.WARNING, __file__, 1, "hop from %s", ("+233244123456",), None
    )
    bind_session("ATUid_9")
    try:
        line = json_formatter().format(record)
    finally:
        unbind_session()
    event = json.loads(line)
    assert event["session_id"] == "ATUid_9"
    assert event["event"] == "hop from +233******456"
    assert event["level"] == "warning"
