"""The rules of the business, in the domain alone: values, PINs, orders, payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lpg_ussd.domain.customer import (
    PIN_LOCK,
    Customer,
    DigitalAddress,
    VerificationStatus,
    check_new_pin,
    parse_name,
    parse_town,
)
from lpg_ussd.domain.errors import InvalidValue, TransitionNotAllowed
from lpg_ussd.domain.money import Money, parse_whole_cedis
from lpg_ussd.domain.msisdn import Msisdn
from lpg_ussd.domain.order import (
    REFERENCE_ALPHABET,
    Order,
    OrderKind,
    OrderStatus,
    PaymentMethod,
    new_order_reference,
)
from lpg_ussd.domain.payment import (
    FailureReason,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    new_payment_reference,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reason_of(error: pytest.ExceptionInfo[InvalidValue]) -> str:
    return error.value.reason


# ---------------------------------------------------------------- Money


@pytest.mark.parametrize(
    ("pesewas", "shown"),
    [
        (0, "GHS 0.00"),
        (5, "GHS 0.05"),
        (1250, "GHS 12.50"),
        (123450, "GHS 1,234.50"),
        (100000000, "GHS 1,000,000.00"),
        (-123450, "-GHS 1,234.50"),
        (-5, "-GHS 0.05"),
    ],
)
def test_money_is_shown_with_currency_thousands_and_two_decimals(pesewas: int, shown: str) -> None:
    assert Money(pesewas).format() == shown


def test_money_takes_another_currency_code() -> None:
    assert Money(1250).format("NGN") == "NGN 12.50"


def test_money_decimal_string_is_what_providers_want() -> None:
    assert Money(1250).decimal_string() == "12.50"
    assert Money(123405).decimal_string() == "1234.05"
    assert Money(-50).decimal_string() == "-0.50"


def test_money_arithmetic_is_exact() -> None:
    assert Money.cedis(12) + Money(50) == Money(1250)
    assert Money(1250) - Money(1300) == Money(-50)
    assert -Money(1250) == Money(-1250)
    assert Money.zero() == Money(0)
    assert sum((Money(10) for _ in range(3)), Money(0)) == Money(30)


def test_money_compares_and_is_falsy_only_at_zero() -> None:
    assert Money(100) < Money(101)
    assert Money(-1) < Money(0)
    assert max(Money(5), Money(7)) == Money(7)
    assert not Money(0)
    assert Money(1)
    assert Money(-1)


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_money_refuses_anything_but_whole_pesewas(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "cedis"),
    [("1", 1), ("50", 50), (" 75 ", 75), ("5000", 5000), ("5,000", 5000), ("007", 7)],
)
def test_whole_cedis_are_read_from_a_keypad(typed: str, cedis: int) -> None:
    assert parse_whole_cedis(typed, 1, 5000) == Money.cedis(cedis)


@pytest.mark.parametrize("typed", ["0", "5001", "10000", "0,000"])
def test_whole_cedis_outside_the_bounds_are_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_whole_cedis(typed, 1, 5000)
    assert reason_of(error) == "amount_out_of_range"


@pytest.mark.parametrize(
    "typed", ["", " ", "abc", "12.50", "-5", "+5", "1e3", "5 0", "١٢", "²", "GHS 5", "*"]
)
def test_whole_cedis_refuse_junk(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_whole_cedis(typed, 1, 5000)
    assert reason_of(error) == "amount_not_number"


# ---------------------------------------------------------------- Msisdn


@pytest.mark.parametrize("number", ["+233241234567", "+233201234567", "+2348031234567"])
def test_msisdn_keeps_e164(number: str) -> None:
    msisdn = Msisdn(number)
    assert msisdn.e164 == number
    assert str(msisdn) == number


@pytest.mark.parametrize(
    "number",
    ["0241234567", "233241234567", "+0241234567", "+233 24 123 4567", "+233-24", "", "+1234567"],
)
def test_msisdn_refuses_what_is_not_e164(number: str) -> None:
    with pytest.raises(InvalidValue) as error:
        Msisdn(number)
    assert reason_of(error) == "phone_invalid"


def test_msisdn_masked_shows_only_country_code_and_last_three_digits() -> None:
    masked = Msisdn("+233241234567").masked()
    assert masked == "+233******567"
    assert len(masked) == len("+233241234567")
    assert "241234" not in masked


def test_msisdn_equality_is_by_number() -> None:
    assert Msisdn("+233241234567") == Msisdn("+233241234567")
    assert Msisdn("+233241234567") != Msisdn("+233241234568")


# ---------------------------------------------------------------- names and towns


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ama", "Ama"),
        ("KWAME", "Kwame"),
        ("o'neil-ama", "O'Neil-Ama"),
        ("O'NEIL-AMA", "O'Neil-Ama"),
        ("  mary   ann  ", "Mary Ann"),
        ("Jo", "Jo"),
        ("a" * 30, "A" + "a" * 29),
    ],
)
def test_names_are_stored_with_normal_casing(typed: str, stored: str) -> None:
    assert parse_name(typed) == stored


@pytest.mark.parametrize(
    "typed", ["J0hn", "Ama!", "-Ama", "Ama-", "'Ama", "Émile", "Ama_Kofi", "12"]
)
def test_names_refuse_anything_but_letters_space_hyphen_apostrophe(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_name(typed)
    assert reason_of(error) == "name_letters"


def test_names_longer_than_thirty_are_refused_for_length() -> None:
    with pytest.raises(InvalidValue) as error:
        parse_name("a" * 31)
    assert reason_of(error) == "name_length"


@pytest.mark.parametrize("typed", ["A", "", "   "])
def test_a_too_short_name_is_refused_for_length(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_name(typed)
    assert reason_of(error) == "name_length"


@pytest.mark.parametrize("typed", ["H", "", "  "])
def test_a_too_short_town_is_refused_for_length(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_town(typed)
    assert reason_of(error) == "town_length"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("accra", "Accra"),
        ("CAPE COAST", "Cape Coast"),
        ("sekondi-takoradi", "Sekondi-Takoradi"),
        ("  ho  ", "Ho"),
    ],
)
def test_towns_are_stored_with_normal_casing(typed: str, stored: str) -> None:
    assert parse_town(typed) == stored


@pytest.mark.parametrize("typed", ["Accra1", "Ho'", "Kumasi!", "Tamale.", "-Ho", "Ɛkumfi"])
def test_towns_refuse_anything_but_letters_spaces_hyphens(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_town(typed)
    assert reason_of(error) == "town_letters"


def test_towns_refuse_apostrophes_that_names_allow() -> None:
    assert parse_name("N'zema") == "N'Zema"
    with pytest.raises(InvalidValue):
        parse_town("N'zema")


def test_towns_longer_than_thirty_are_refused_for_length() -> None:
    with pytest.raises(InvalidValue) as error:
        parse_town("a" * 31)
    assert reason_of(error) == "town_length"


# ---------------------------------------------------------------- digital address


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("GA-183-8164", "GA-183-8164"),
        ("ga-183-8164", "GA-183-8164"),
        ("ga1838164", "GA-183-8164"),
        ("GA 183 8164", "GA-183-8164"),
        (" gA - 183 - 8164 ", "GA-183-8164"),
        ("AK-0123-4567", "AK-0123-4567"),
        ("ak01234567", "AK-0123-4567"),
        ("G2-183-8164", "G2-183-8164"),
        ("g2 0183 8164", "G2-0183-8164"),
    ],
)
def test_digital_addresses_are_normalised(typed: str, stored: str) -> None:
    address = DigitalAddress.parse(typed)
    assert address.value == stored
    assert str(address) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "GA",
        "GA-18-8164",  # two-digit middle
        "GA-12345-8164",  # five-digit middle
        "GA-183-816",  # three-digit end
        "1A-183-8164",  # region must be a letter
        "G-183-8164",
        "GAA-183-8164",
        "GA-183-8164X",
        "GA.183.8164",
        "GA_183_8164",
        "ＧＡ-183-8164",  # full-width letters
        "GA-١٨٣-8164",  # digits of another script
    ],
)
def test_digital_addresses_that_do_not_fit_are_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as error:
        DigitalAddress.parse(typed)
    assert reason_of(error) == "address_format"


# ---------------------------------------------------------------- PIN rules


@pytest.mark.parametrize("pin", ["4826", "1357", "9021", "3071", "1235"])
def test_a_four_digit_pin_that_is_not_trivial_is_accepted(pin: str) -> None:
    assert check_new_pin(pin) == pin


@pytest.mark.parametrize("pin", ["", "123", "12345", "12a4", " 482", "48.6", "١٢٣٩", "²²²³"])
def test_a_pin_must_be_exactly_four_digits(pin: str) -> None:
    with pytest.raises(InvalidValue) as error:
        check_new_pin(pin)
    assert reason_of(error) == "pin_format"


@pytest.mark.parametrize(
    "pin",
    [
        "0000",
        "1111",
        "9999",
        "1234",
        "2345",
        "6789",
        "0123",
        "4321",
        "9876",
        "3210",
        "1212",
        "1122",
        "2580",
        "0852",
        "1010",
        "6969",
        "2000",
        "1100",
    ],
)
def test_trivial_pins_are_refused(pin: str) -> None:
    with pytest.raises(InvalidValue) as error:
        check_new_pin(pin)
    assert reason_of(error) == "pin_trivial"


# ---------------------------------------------------------------- customer PIN lock-out


def a_customer() -> Customer:
    return Customer(
        id=1,
        msisdn=Msisdn("+233241234567"),
        first_name="Ama",
        last_name="Mensah",
        town="Accra",
        digital_address=None,
        pin_hash="hashed:4826",
    )


def test_a_new_customer_is_unverified_until_verified() -> None:
    customer = a_customer()
    assert customer.status is VerificationStatus.UNVERIFIED
    assert not customer.is_verified
    customer.verify(NOW)
    assert customer.is_verified
    assert customer.verified_at == NOW
    customer.reject()
    assert customer.status is VerificationStatus.REJECTED
    assert not customer.is_verified


def test_three_wrong_pins_in_a_row_lock_for_thirty_minutes() -> None:
    customer = a_customer()
    assert customer.record_pin_failure(NOW) == 2
    assert customer.record_pin_failure(NOW) == 1
    assert not customer.pin_locked(NOW)
    assert customer.record_pin_failure(NOW) == 0
    assert customer.pin_locked(NOW)
    thirty_minutes = timedelta(minutes=30)
    assert customer.pin_locked_until == NOW + thirty_minutes
    assert customer.pin_locked(NOW + thirty_minutes - timedelta(seconds=1))
    assert not customer.pin_locked(NOW + thirty_minutes)


def test_a_right_pin_resets_the_count_of_wrong_ones() -> None:
    customer = a_customer()
    customer.record_pin_failure(NOW)
    customer.record_pin_failure(NOW)
    customer.record_pin_success()
    assert customer.pin_failures == 0
    assert customer.record_pin_failure(NOW) == 2
    assert not customer.pin_locked(NOW)


def test_after_a_lock_expires_the_customer_has_three_tries_again() -> None:
    customer = a_customer()
    for _ in range(3):
        customer.record_pin_failure(NOW)
    later = NOW + PIN_LOCK
    assert customer.record_pin_failure(later) == 2


def test_staff_unlock_ends_a_lock_at_once() -> None:
    customer = a_customer()
    for _ in range(3):
        customer.record_pin_failure(NOW)
    customer.unlock_pin()
    assert not customer.pin_locked(NOW)
    assert customer.pin_failures == 0


# ---------------------------------------------------------------- orders


def an_order(
    status: OrderStatus = OrderStatus.AWAITING_PAYMENT,
    kind: OrderKind = OrderKind.DEPOSIT,
    method: PaymentMethod = PaymentMethod.MTN,
    paid: Money | None = None,
) -> Order:
    deposit = Money(15000) if kind is OrderKind.DEPOSIT else Money(0)
    return Order(
        id=1,
        reference="NG-ABC234",
        customer_id=1,
        kind=kind,
        cylinder_type_id=2,
        cylinder_label="6kg steel",
        deposit=deposit,
        gas_price=Money(8400),
        payment_method=method,
        status=status,
        created_at=NOW,
        status_changed_at=NOW,
        amount_paid=paid if paid is not None else Money(0),
    )


S = OrderStatus
ALLOWED = [
    (S.AWAITING_PAYMENT, S.PAID),
    (S.AWAITING_PAYMENT, S.PAYMENT_FAILED),
    (S.AWAITING_PAYMENT, S.CANCELLED),
    (S.PAYMENT_FAILED, S.AWAITING_PAYMENT),
    (S.PAYMENT_FAILED, S.PAID),
    (S.PAYMENT_FAILED, S.CANCELLED),
    (S.PAID, S.DISPATCHED),
    (S.PAID, S.CANCELLED),
    (S.PAY_ON_DELIVERY, S.DISPATCHED),
    (S.PAY_ON_DELIVERY, S.CANCELLED),
    (S.DISPATCHED, S.DELIVERED),
]
REFUSED = [(a, b) for a in OrderStatus for b in OrderStatus if (a, b) not in ALLOWED]


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_allowed_moves_change_status_and_its_time(start: OrderStatus, end: OrderStatus) -> None:
    order = an_order(start)
    later = NOW + timedelta(hours=1)
    order.move_to(end, later)
    assert order.status is end
    assert order.status_changed_at == later


@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_refused_moves_change_nothing(start: OrderStatus, end: OrderStatus) -> None:
    order = an_order(start)
    with pytest.raises(TransitionNotAllowed):
        order.move_to(end, NOW + timedelta(hours=1))
    assert order.status is start
    assert order.status_changed_at == NOW


def test_no_move_leaves_a_delivered_or_cancelled_order() -> None:
    for final in (S.DELIVERED, S.CANCELLED):
        assert all((final, other) in REFUSED for other in OrderStatus)


def test_an_order_cannot_be_cancelled_once_dispatched() -> None:
    assert not an_order(S.DISPATCHED).can_cancel
    assert not an_order(S.DELIVERED).can_cancel
    assert not an_order(S.CANCELLED).can_cancel
    for status in (S.AWAITING_PAYMENT, S.PAYMENT_FAILED, S.PAID, S.PAY_ON_DELIVERY):
        assert an_order(status).can_cancel


def test_cancel_returns_what_was_paid_for_the_refund() -> None:
    order = an_order(S.PAID, paid=Money(23400))
    refund = order.cancel(NOW)
    assert refund == Money(23400)
    assert order.status is S.CANCELLED
    assert order.amount_paid == Money(0)


def test_cancel_of_an_unpaid_order_refunds_nothing() -> None:
    assert an_order(S.AWAITING_PAYMENT).cancel(NOW) == Money(0)


def test_cancel_after_dispatch_is_refused_and_keeps_the_money() -> None:
    order = an_order(S.DISPATCHED, paid=Money(23400))
    with pytest.raises(TransitionNotAllowed):
        order.cancel(NOW)
    assert order.amount_paid == Money(23400)


def test_total_is_deposit_plus_gas_and_a_refill_has_no_deposit() -> None:
    assert an_order().total == Money(23400)
    assert an_order(kind=OrderKind.REFILL).total == Money(8400)


def test_mark_paid_records_the_amount() -> None:
    order = an_order()
    order.mark_paid(Money(23400), NOW)
    assert order.status is S.PAID
    assert order.amount_paid == Money(23400)


@pytest.mark.parametrize(
    ("status", "open_"),
    [
        (S.AWAITING_PAYMENT, True),
        (S.PAYMENT_FAILED, False),
        (S.PAID, True),
        (S.PAY_ON_DELIVERY, True),
        (S.DISPATCHED, True),
        (S.DELIVERED, False),
        (S.CANCELLED, False),
    ],
)
def test_an_order_is_open_until_delivered_cancelled_or_failed(
    status: OrderStatus, open_: bool
) -> None:
    assert an_order(status).is_open is open_


@pytest.mark.parametrize(
    ("status", "paid", "holds"),
    [
        (S.AWAITING_PAYMENT, 0, False),
        (S.PAYMENT_FAILED, 0, False),
        (S.PAID, 23400, True),
        (S.PAID, 20000, False),  # not fully paid
        (S.DISPATCHED, 23400, True),
        (S.DELIVERED, 23400, True),
        (S.PAY_ON_DELIVERY, 0, False),
        (S.CANCELLED, 0, False),
    ],
)
def test_a_deposit_order_holds_a_cylinder_once_paid(
    status: OrderStatus, paid: int, holds: bool
) -> None:
    assert an_order(status, paid=Money(paid)).holds_cylinder is holds


def test_a_refill_never_holds_a_new_cylinder() -> None:
    for status in OrderStatus:
        order = an_order(status, kind=OrderKind.REFILL, paid=Money(8400))
        assert not order.holds_cylinder


def test_pay_on_delivery_counts_as_paid_once_delivered() -> None:
    order = an_order(S.PAY_ON_DELIVERY, method=PaymentMethod.ON_DELIVERY)
    order.move_to(S.DISPATCHED, NOW)
    assert not order.holds_cylinder
    order.mark_delivered(NOW + timedelta(hours=2))
    assert order.status is S.DELIVERED
    assert order.amount_paid == order.total
    assert order.holds_cylinder


def test_delivery_of_a_prepaid_order_keeps_what_was_paid() -> None:
    order = an_order(S.DISPATCHED, method=PaymentMethod.WALLET, paid=Money(23400))
    order.mark_delivered(NOW)
    assert order.amount_paid == Money(23400)


def test_only_the_three_networks_are_mobile_money() -> None:
    money = {m for m in PaymentMethod if m.is_mobile_money}
    assert money == {PaymentMethod.MTN, PaymentMethod.TELECEL, PaymentMethod.AIRTELTIGO}


# ---------------------------------------------------------------- references


def test_order_references_are_prefix_hyphen_and_six_readable_characters() -> None:
    for _ in range(500):
        reference = new_order_reference("NG")
        prefix, body = reference.split("-")
        assert prefix == "NG"
        assert len(body) == 6
        assert set(body) <= set(REFERENCE_ALPHABET)
        assert not set(body) & set("0O1IL")


def test_the_reference_alphabet_has_nothing_easily_confused() -> None:
    assert not set(REFERENCE_ALPHABET) & set("0O1IL")
    assert REFERENCE_ALPHABET.isalnum()
    assert len(set(REFERENCE_ALPHABET)) == len(REFERENCE_ALPHABET) == 31


def test_order_references_take_the_configured_prefix() -> None:
    assert new_order_reference("ACME").startswith("ACME-")


def test_order_references_vary() -> None:
    assert len({new_order_reference("NG") for _ in range(200)}) > 190


def test_payment_references_are_alphanumeric_and_readable() -> None:
    reference = new_payment_reference()
    assert reference.startswith("P")
    assert len(reference) == 12
    assert reference.isalnum()
    assert not set(reference[1:]) & set("0O1IL")


# ---------------------------------------------------------------- payments


def a_payment(status: PaymentStatus = PaymentStatus.PENDING) -> Payment:
    return Payment(
        id=1,
        reference="PABCDEFGHJKM",
        customer_id=1,
        msisdn=Msisdn("+233241234567"),
        purpose=PaymentPurpose.ORDER,
        order_id=1,
        amount=Money(23400),
        network="mtn",
        provider="fake",
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_pending_payment_succeeds_once() -> None:
    payment = a_payment()
    assert not payment.is_final
    later = NOW + timedelta(minutes=1)
    payment.succeed(later, "MTN-1")
    assert payment.status is PaymentStatus.SUCCESSFUL
    assert payment.provider_reference == "MTN-1"
    assert payment.updated_at == later
    assert payment.is_final


def test_a_pending_payment_fails_with_a_reason() -> None:
    payment = a_payment()
    payment.fail(FailureReason.DECLINED, NOW)
    assert payment.status is PaymentStatus.FAILED
    assert payment.failure_reason is FailureReason.DECLINED
    assert payment.is_final


def test_success_keeps_an_earlier_provider_reference_when_none_is_given() -> None:
    payment = a_payment()
    payment.provider_reference = "MTN-9"
    payment.succeed(NOW)
    assert payment.provider_reference == "MTN-9"


@pytest.mark.parametrize("final", [PaymentStatus.SUCCESSFUL, PaymentStatus.FAILED])
def test_a_final_payment_never_changes(final: PaymentStatus) -> None:
    payment = a_payment(final)
    later = NOW + timedelta(minutes=1)
    with pytest.raises(TransitionNotAllowed):
        payment.succeed(later, "OTHER")
    with pytest.raises(TransitionNotAllowed):
        payment.fail(FailureReason.TIMED_OUT, later)
    assert payment.status is final
    assert payment.updated_at == NOW
    assert payment.failure_reason is None
    assert payment.provider_reference is None
