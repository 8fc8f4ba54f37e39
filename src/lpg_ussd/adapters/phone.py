"""Phone numbers in whatever form a gateway sends, to E.164."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.msisdn import Msisdn


@lru_cache(maxsize=65_536)  # every hop carries the number: parse each one once
def normalise_msisdn(raw: str, default_region: str = "GH") -> Msisdn:
    """`0244...`, `233244...`, `+233 24-4...` -> `+233244...`; InvalidValue otherwise."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidValue("phone_invalid")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and not text.startswith("0") and len(digits) > 10:
        text = "+" + digits  # international form without the plus, e.g. 233244123456
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidValue("phone_invalid") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("phone_invalid")
    return Msisdn(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
