"""Word catalogues, one TOML file per language, keyed `section.name`."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent

# GSM 03.38 default alphabet and its extension table (the latter costs two characters).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
# Anything outside the two tables (a screen's every line is checked on every hop: one regular
# expression scan instead of a Python step per character).
_NOT_GSM7 = re.compile("[^" + re.escape(GSM7_BASIC + GSM7_EXTENDED) + "]")


def is_gsm7(text: str) -> bool:
    return _NOT_GSM7.search(text) is None


def to_gsm7(text: str) -> str:
    """Replace what GSM-7 cannot carry, so a customer's input never breaks a screen."""
    return _NOT_GSM7.sub("?", text)


class Texts:
    """The words of one language."""

    def __init__(self, language: str, entries: dict[str, str]) -> None:
        self.language = language
        self._entries = entries

    def __call__(self, key: str, /, **values: Any) -> str:
        template = self._entries[key]
        return template.format(**values) if values else template

    def keys(self) -> list[str]:
        return sorted(k for k in self._entries if not k.startswith("meta."))

    @property
    def name(self) -> str:
        """The language's name as its speakers write it (GSM-7)."""
        return self._entries.get("meta.native_name") or self._entries["meta.language"]

    @property
    def reviewed(self) -> bool:
        return self._entries.get("meta.reviewed", "False") == "True"


class Languages:
    """The catalogues a line offers, in the order offered, and the default among them."""

    def __init__(self, codes: list[str], default: str) -> None:
        if default not in codes:
            raise ValueError(f"the default language {default!r} is not offered")
        self.codes = list(codes)
        self.default = default
        self._texts = {code: load_texts(code) for code in codes}

    def texts(self, code: str | None) -> Texts:
        """A language's words; the default's for one not offered (any more)."""
        return self._texts.get(code or self.default) or self._texts[self.default]

    def offered(self) -> list[tuple[str, str]]:
        return [(code, self._texts[code].name) for code in self.codes]

    @classmethod
    def from_setting(cls, codes: tuple[str, ...], default: str) -> Languages:
        """Empty: English and every catalogue a native speaker has reviewed."""
        if not codes:
            codes = tuple(c for c in available_languages() if c == "en" or load_texts(c).reviewed)
        unknown = [c for c in codes if c not in available_languages()]
        if unknown:
            raise ValueError(f"no word catalogue for {', '.join(unknown)}")
        return cls(list(codes), default)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


@cache
def load_texts(language: str = "en") -> Texts:
    path = _HERE / f"{language}.toml"
    with path.open("rb") as handle:
        return Texts(language, _flatten(tomllib.load(handle)))


def available_languages() -> list[str]:
    return sorted(p.stem for p in _HERE.glob("*.toml"))
