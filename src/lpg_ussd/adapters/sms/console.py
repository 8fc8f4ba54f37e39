"""SMS written to the console: the default, for a first run and development."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from lpg_ussd.domain.msisdn import Msisdn

log = logging.getLogger("lpg_ussd.sms")


class ConsoleSmsSender:
    def __init__(self, stream: TextIO | None = None, sender_id: str = "") -> None:
        self._stream = stream or sys.stderr
        self._sender_id = sender_id

    async def send(self, to: str, text: str) -> None:
        try:
            shown = Msisdn(to).masked()
        except Exception:
            shown = "(invalid number)"
        print(f"[SMS {self._sender_id} -> {shown}] {text}", file=self._stream, flush=True)
