"""Errors raised by domain rules; the dialogue turns each into polite words."""


class DomainError(Exception):
    """Base of every rule the business refuses."""

    code = "domain_error"


class InvalidValue(DomainError):
    """A value a customer or a system gave does not fit its rule."""

    code = "invalid_value"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "already_exists"


class PinLocked(DomainError):
    code = "pin_locked"


class WrongPin(DomainError):
    code = "wrong_pin"

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong PIN, {attempts_left} attempts left")
        self.attempts_left = attempts_left


class InsufficientFunds(DomainError):
    code = "insufficient_funds"

    def __init__(self, shortfall_pesewas: int) -> None:
        super().__init__(f"short by {shortfall_pesewas} pesewas")
        self.shortfall_pesewas = shortfall_pesewas


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
