"""PIN hashing with argon2id, off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PinHasher:
    def __init__(self, time_cost: int = 2, memory_cost_kib: int = 19_456, parallelism: int = 1):
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
        )

    async def hash(self, pin: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, pin)

    async def verify(self, pin_hash: str, pin: str) -> bool:
        return await asyncio.to_thread(self._check, pin_hash, pin)

    def _check(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False
