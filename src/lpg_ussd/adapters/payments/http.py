"""What the HTTP providers share: their timeouts, the network errors that leave a request's
fate unknown, and reading an answer. Apart from base.py so that reading a callback (the
webhook routes) does not load the HTTP client."""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0

# One network error family: the request may or may not have reached the provider.
TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.TransportError)


def timeout(seconds: float) -> httpx.Timeout:
    """`seconds` for each of connect, read, write and pool, connecting capped shorter."""
    if seconds <= 0:
        raise ValueError("a payment provider's timeout must be a positive number of seconds")
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT_SECONDS))


def answer_json(response: httpx.Response) -> dict[str, Any]:
    """A provider's answer as a dict, or {} when it is empty or not a JSON object."""
    if not response.content:
        return {}
    try:
        decoded = response.json()
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}
