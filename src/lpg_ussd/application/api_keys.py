"""API keys for the company's other systems."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lpg_ussd.application.audit import record
from lpg_ussd.application.ports import Clock, UnitOfWorkFactory
from lpg_ussd.domain.api_key import ApiKey, hash_key, key_prefix, new_key
from lpg_ussd.domain.errors import InvalidValue, NotFound
from lpg_ussd.domain.staff import Permission


@dataclass(frozen=True, slots=True)
class CreateApiKey:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(
        self, name: str, scopes: Iterable[Permission], actor: str
    ) -> tuple[ApiKey, str]:
        """The stored key and the key itself, shown once and never kept."""
        name = name.strip()
        if not 2 <= len(name) <= 40 or not name.replace("-", "").replace("_", "").isalnum():
            raise InvalidValue("api_key_name")
        chosen = frozenset(scopes)
        if not chosen:
            raise InvalidValue("scope")
        now = self.clock.now()
        secret, prefix = new_key()
        key = ApiKey(None, name, prefix, hash_key(secret), chosen, now)
        async with self.uow() as uow:
            key = await uow.api_keys.add(key)
            scopes_text = " ".join(sorted(chosen))
            await record(uow, actor, "api_key.create", f"api_key:{prefix}", now, scopes_text)
            await uow.commit()
        return key, secret


@dataclass(frozen=True, slots=True)
class AuthenticateApiKey:
    uow: UnitOfWorkFactory

    async def __call__(self, presented: str) -> ApiKey | None:
        """The key when it is ours and not revoked, else None."""
        prefix = key_prefix(presented)
        if prefix is None:
            return None
        async with self.uow(read_only=True) as uow:
            key = await uow.api_keys.get_by_prefix(prefix)
        return key if key is not None and key.matches(presented) else None


@dataclass(frozen=True, slots=True)
class RevokeApiKey:
    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, prefix: str, actor: str) -> ApiKey:
        now = self.clock.now()
        async with self.uow() as uow:
            key = await uow.api_keys.get_by_prefix(prefix)
            if key is None:
                raise NotFound(prefix)
            if key.revoked_at is None:
                key.revoked_at = now
                await uow.api_keys.update(key)
                await record(uow, actor, "api_key.revoke", f"api_key:{prefix}", now)
                await uow.commit()
        return key


@dataclass(frozen=True, slots=True)
class ListApiKeys:
    uow: UnitOfWorkFactory

    async def __call__(self) -> list[ApiKey]:
        async with self.uow(read_only=True) as uow:
            return await uow.api_keys.list()
