"""The SMS a customer or staff member receives, written from the word catalogue."""

from __future__ import annotations

from lpg_ussd.application.brand import Brand
from lpg_ussd.application.ussd.texts import Languages, Texts, to_gsm7
from lpg_ussd.domain.customer import Customer
from lpg_ussd.domain.money import Money
from lpg_ussd.domain.order import Order, OrderStatus
from lpg_ussd.domain.payment import FailureReason
from lpg_ussd.domain.ticket import Ticket


class Messages:
    """SMS in one language; `speaking(code)` gives the same in another offered language."""

    def __init__(
        self, languages: Languages | Texts, brand: Brand, language: str | None = None
    ) -> None:
        if isinstance(languages, Texts):  # a line in one language
            languages = Languages([languages.language], languages.language)
        self._languages = languages
        self._t = languages.texts(language)
        self._brand = brand

    def speaking(self, language: str | None) -> Messages:
        return Messages(self._languages, self._brand, language)

    def _sms(self, key: str, **values: object) -> str:
        return to_gsm7(self._t(f"sms.{key}", company=self._brand.company, **values))

    def money(self, amount: Money) -> str:
        return amount.format(self._brand.currency)

    def registered(self, customer: Customer) -> str:
        return self._sms("registered", first=customer.first_name)

    def verified(self, customer: Customer) -> str:
        return self._sms("verified", first=customer.first_name, code=self._brand.service_code)

    def rejected(self) -> str:
        return self._sms("rejected", care=self._brand.care_number)

    def order_paid(self, order: Order) -> str:
        return self._sms(
            "paid",
            amount=self.money(order.amount_paid),
            ref=order.reference,
            label=order.cylinder_label,
        )

    def reason(self, reason: FailureReason | None) -> str:
        return self._t(f"failure.{(reason or FailureReason.ERROR).value}")

    def order_failed(self, order: Order, reason: FailureReason | None) -> str:
        return self._sms(
            "order_failed",
            ref=order.reference,
            reason=self.reason(reason),
            code=self._brand.service_code,
        )

    def topup_paid(self, amount: Money, balance: Money) -> str:
        return self._sms("topup_paid", amount=self.money(amount), balance=self.money(balance))

    def topup_failed(self, amount: Money, reason: FailureReason | None) -> str:
        return self._sms(
            "topup_failed",
            amount=self.money(amount),
            reason=self.reason(reason),
            code=self._brand.service_code,
        )

    def wallet_paid(self, order: Order, balance: Money) -> str:
        return self._sms(
            "wallet_paid",
            amount=self.money(order.amount_paid),
            ref=order.reference,
            balance=self.money(balance),
        )

    def on_delivery(self, order: Order) -> str:
        return self._sms(
            "on_delivery",
            ref=order.reference,
            label=order.cylinder_label,
            amount=self.money(order.total),
        )

    def status_changed(self, order: Order) -> str | None:
        key = {
            OrderStatus.DISPATCHED: "dispatched",
            OrderStatus.DELIVERED: "delivered",
            OrderStatus.CANCELLED: "cancelled",
        }.get(order.status)
        if key is None:
            return None
        return self._sms(key, ref=order.reference, label=order.cylinder_label)

    def paid_to_wallet(self, order: Order, amount: Money, balance: Money) -> str:
        return self._sms(
            "paid_to_wallet",
            ref=order.reference,
            amount=self.money(amount),
            balance=self.money(balance),
        )

    def refunded(self, order: Order, amount: Money, balance: Money) -> str:
        return self._sms(
            "refunded",
            ref=order.reference,
            amount=self.money(amount),
            balance=self.money(balance),
        )

    def ticket(self, ticket: Ticket) -> str:
        return self._sms("ticket", ticket=ticket.number)

    def leak_advice(self) -> str:
        return self._sms("leak_advice")

    def leak_alert(self, phone: str, ticket: Ticket) -> str:
        return to_gsm7(self._t("sms.leak_alert", phone=phone, ticket=ticket.number))

    def pin_changed(self) -> str:
        return self._sms("pin_changed", care=self._brand.care_number)

    def pin_locked(self) -> str:
        return self._sms("pin_locked", care=self._brand.care_number)

    def address_changed(self, customer: Customer) -> str:
        address = customer.digital_address or self._t("register.no_address")
        return self._sms("address_changed", town=customer.town, address=address)
