"""Staff accounts: creating them, signing in with lock-out, switching them off."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lpg_ussd.application.audit import record
from lpg_ussd.application.ports import Clock, PinHasher, UnitOfWorkFactory
from lpg_ussd.domain.errors import AlreadyExists, DomainError, NotFound
from lpg_ussd.domain.staff import Role, StaffUser, check_password, parse_username


class SignInRefusal(StrEnum):
    WRONG = "wrong"  # unknown name or wrong password: never say which
    LOCKED = "locked"
    INACTIVE = "inactive"


class SignInRefused(DomainError):
    code = "sign_in_refused"

    def __init__(self, why: SignInRefusal) -> None:
        super().__init__(why.value)
        self.why = why


@dataclass(frozen=True, slots=True)
class CreateStaff:
    """A new staff account. `hasher` hashes passwords (argon2id in production)."""

    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PinHasher

    async def __call__(
        self, username: str, display_name: str, role: Role, password: str, actor: str
    ) -> StaffUser:
        name = parse_username(username)
        check_password(password)
        now = self.clock.now()
        user = StaffUser(
            None, name, display_name.strip() or name, role, await self.hasher.hash(password), now
        )
        async with self.uow() as uow:
            if await uow.staff.get_by_username(name) is not None:
                raise AlreadyExists("uq_staff_users_username")
            user = await uow.staff.add(user)
            await record(uow, actor, "staff.create", f"staff:{name}", now, role.value)
            await uow.commit()
        return user


@dataclass(slots=True)
class SignIn:
    """Checks a username and password. Every refusal costs one hash check, known name or not,
    so the time taken tells nothing; repeated failures lock the account for a while."""

    uow: UnitOfWorkFactory
    clock: Clock
    hasher: PinHasher
    _decoy: str | None = field(default=None, init=False)

    async def __call__(self, username: str, password: str, source: str = "") -> StaffUser:
        name = username.strip().lower()
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.staff.get_by_username(name) if name else None
            if user is None:
                await self.hasher.verify(await self._decoy_hash(), password)
                # Not the name typed: it is often a password typed in the wrong box.
                await record(uow, "anonymous", "sign_in.unknown", "", now, source)
                await uow.commit()
                raise SignInRefused(SignInRefusal.WRONG)
            subject = f"staff:{user.username}"
            if user.is_locked(now):
                await record(uow, subject, "sign_in.locked", subject, now, source)
                await uow.commit()
                raise SignInRefused(SignInRefusal.LOCKED)
            correct = await self.hasher.verify(user.password_hash, password)
            if correct and not user.active:
                await record(uow, subject, "sign_in.inactive", subject, now, source)
                await uow.commit()
                raise SignInRefused(SignInRefusal.INACTIVE)
            if not correct:
                user.sign_in_failed(now)
                await uow.staff.update(user)
                locked = user.is_locked(now)
                await record(uow, subject, "sign_in.failed", subject, now, source)
                await uow.commit()
                raise SignInRefused(SignInRefusal.LOCKED if locked else SignInRefusal.WRONG)
            user.signed_in(now)
            await uow.staff.update(user)
            await record(uow, subject, "sign_in", subject, now, source)
            await uow.commit()
        return user

    async def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = await self.hasher.hash("not-a-password-anyone-has")
        return self._decoy


@dataclass(frozen=True, slots=True)
class GetStaff:
    uow: UnitOfWorkFactory

    async def __call__(self, user_id: int) -> StaffUser | None:
        async with self.uow(read_only=True) as uow:
            return await uow.staff.get(user_id)


@dataclass(frozen=True, slots=True)
class ListStaff:
    uow: UnitOfWorkFactory

    async def __call__(self) -> list[StaffUser]:
        async with self.uow(read_only=True) as uow:
            return await uow.staff.list()


@dataclass(frozen=True, slots=True)
class SetStaffActive:
    """Switch an account off (or on again); unlocks it too. No one switches themselves off."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, username: str, active: bool, actor: str) -> StaffUser:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await uow.staff.get_by_username(username)
            if user is None:
                raise NotFound(username)
            if not active and actor == f"staff:{user.username}":
                raise DomainError("cannot switch off your own account")
            user.active = active
            user.failed_sign_ins, user.locked_until = 0, None
            await uow.staff.update(user)
            action = "staff.activate" if active else "staff.deactivate"
            await record(uow, actor, action, f"staff:{user.username}", now)
            await uow.commit()
        return user
