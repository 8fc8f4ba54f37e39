"""Logging for the processes: one JSON object a line (or plain text for a terminal), the
session id on every line of a hop, phone numbers masked wherever they appear."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

# Nine or more digits, with or without a +: a phone number (or an id long enough to be one).
_NUMBER = re.compile(r"\+?\d{9,15}")


def mask_numbers(text: str) -> str:
    """`+233244123456` -> `+233******456`: enough to tell numbers apart, not to call them."""

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        keep = 4 if number.startswith("+") else 3
        return number[:keep] + "*" * (len(number) - keep - 3) + number[-3:]

    return _NUMBER.sub(mask, text)


def _mask_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if isinstance(value, str):
            event[key] = mask_numbers(value)
    return event


def _session_of_record(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """`extra={"session_id": ...}` of a standard-library record, as a field of its own."""
    record = event.get("_record")
    session = getattr(record, "session_id", None)
    if session is not None and "session_id" not in event:
        event["session_id"] = session
    return event


class MaskingFormatter(logging.Formatter):
    """Plain text: the whole line masked (tracebacks included), the session id appended."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        session = getattr(record, "session_id", None)
        if session is not None:
            head, newline, rest = line.partition("\n")
            line = f"{head} session_id={session}{newline}{rest}"
        return mask_numbers(line)


def json_formatter() -> logging.Formatter:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _session_of_record,
    ]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _mask_event,
            structlog.processors.JSONRenderer(),
        ],
    )


def configure(level: str, style: str = "json") -> None:
    handler = logging.StreamHandler()
    if style == "json":
        handler.setFormatter(json_formatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def bind_session(session_id: str) -> None:
    """Every line logged while this hop runs carries its session id."""
    structlog.contextvars.bind_contextvars(session_id=session_id)


def unbind_session() -> None:
    structlog.contextvars.unbind_contextvars("session_id")
