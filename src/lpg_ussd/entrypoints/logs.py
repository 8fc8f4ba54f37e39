"""Logging for the processes: one line per event, phone numbers masked wherever they appear."""

from __future__ import annotations

import logging
import re

# Nine or more digits, with or without a +: a phone number (or an id long enough to be one).
_NUMBER = re.compile(r"\+?\d{9,15}")


def mask_numbers(text: str) -> str:
    """`+233244123456` -> `+233******456`: enough to tell numbers apart, not to call them."""

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        keep = 4 if number.startswith("+") else 3
        return number[:keep] + "*" * (len(number) - keep - 3) + number[-3:]

    return _NUMBER.sub(mask, text)


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        session = getattr(record, "session_id", None)
        if session is not None:
            head, newline, rest = line.partition("\n")
            line = f"{head} session_id={session}{newline}{rest}"
        return mask_numbers(line)


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
