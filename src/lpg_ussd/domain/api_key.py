"""API keys of the company's other systems, each limited to its scopes.

A key reads `lpg_<prefix>_<secret>`. Only a hash of the whole key is kept; the prefix finds
the row, the hash proves the rest. Keys are long random strings, so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from lpg_ussd.domain.errors import InvalidValue
from lpg_ussd.domain.staff import Permission

_KEY = re.compile(r"^lpg_([a-z0-9]{8})_([A-Za-z0-9_-]{32,64})$")


def new_key() -> tuple[str, str]:
    """A fresh key and its prefix."""
    prefix = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    return f"lpg_{prefix}_{secrets.token_urlsafe(32)}", prefix


def key_prefix(key: str) -> str | None:
    match = _KEY.match(key.strip())
    return match.group(1) if match else None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()


def parse_scopes(texts: list[str] | tuple[str, ...]) -> frozenset[Permission]:
    try:
        scopes = frozenset(Permission(text.strip()) for text in texts if text.strip())
    except ValueError as error:
        raise InvalidValue("scope") from error
    if not scopes:
        raise InvalidValue("scope")
    return scopes


@dataclass(slots=True)
class ApiKey:
    id: int | None
    name: str
    prefix: str
    key_hash: str
    scopes: frozenset[Permission]
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def actor(self) -> str:
        return f"api:{self.name}/{self.prefix}"  # names may repeat; prefixes never do

    def matches(self, key: str) -> bool:
        return self.revoked_at is None and hmac.compare_digest(self.key_hash, hash_key(key))

    def can(self, permission: Permission) -> bool:
        return self.revoked_at is None and permission in self.scopes
