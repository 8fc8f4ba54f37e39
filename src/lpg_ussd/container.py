"""The composition root: the only place that names adapters.

Configuration first, Singletons for shared infrastructure and the stateless use cases.
`build_container(settings)` wires one, so tests build as many apps as they like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dependency_injector import containers, providers

from lpg_ussd.adapters.clock import SystemClock
from lpg_ussd.adapters.metrics.prometheus import PrometheusMetrics
from lpg_ussd.adapters.payments.providers import ConfiguredPaymentProviders
from lpg_ussd.adapters.payments.simulated import SimulatedPaymentGateway
from lpg_ussd.adapters.persistence.database import create_engine
from lpg_ussd.adapters.persistence.figures import DatabaseFigures
from lpg_ussd.adapters.persistence.uow import SqlAlchemyUnitOfWorkFactory
from lpg_ussd.adapters.pins import Argon2PinHasher
from lpg_ussd.adapters.rate_limits import InMemoryRateLimiter, RedisRateLimiter
from lpg_ussd.adapters.sessions.memory import InMemorySessionStore
from lpg_ussd.adapters.sessions.redis import RedisSessionStore
from lpg_ussd.adapters.sms.console import ConsoleSmsSender
from lpg_ussd.adapters.ussd_gateways import africastalking
from lpg_ussd.adapters.ussd_gateways.africastalking import AfricasTalkingGateway
from lpg_ussd.adapters.ussd_gateways.arkesel import ArkeselGateway
from lpg_ussd.adapters.ussd_gateways.hubtel import HubtelGateway
from lpg_ussd.adapters.ussd_gateways.nalo import NaloGateway
from lpg_ussd.application import (
    api_keys,
    audit,
    care,
    catalogue_admin,
    checkout,
    customers,
    figures,
    orders,
    outbox,
    payment_admin,
    payments,
    staff,
    staff_accounts,
    tickets,
)
from lpg_ussd.application.brand import Brand
from lpg_ussd.application.messages import Messages
from lpg_ussd.application.payment_callbacks import ReceivePaymentCallback
from lpg_ussd.application.ports import CheckoutReporter, PaymentGateway, SmsSender
from lpg_ussd.application.reconcile import Reconcile
from lpg_ussd.application.session_outcomes import RecordSessionOutcome
from lpg_ussd.application.ussd.engine import Dialogue, DialogueSettings
from lpg_ussd.application.ussd.journeys import build_screens, journey_screens
from lpg_ussd.application.ussd.journeys import shortcuts as journey_shortcuts
from lpg_ussd.application.ussd.services import Services
from lpg_ussd.application.ussd.texts import Languages
from lpg_ussd.settings import Settings

# The HTTP providers are imported only when the settings name them: the embedded default
# (simulated payments, SMS on the console) starts without loading an HTTP client.
CHECKOUT = "hubtel_checkout"  # HubtelCheckoutPaymentGateway.name


def _mtn_momo(settings: Settings) -> PaymentGateway:
    from lpg_ussd.adapters.payments.mtn_momo import MtnMomoPaymentGateway

    return MtnMomoPaymentGateway(
        api_user=settings.mtn_momo_api_user,
        api_key=settings.mtn_momo_api_key,
        subscription_key=settings.mtn_momo_subscription_key,
        base_url=settings.mtn_momo_base_url,
        target_environment=settings.mtn_momo_target_environment,
        currency=settings.mtn_momo_currency,
        callback_url=settings.mtn_momo_callback_url,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def _hubtel(settings: Settings) -> PaymentGateway:
    from lpg_ussd.adapters.payments.hubtel import HubtelPaymentGateway

    return HubtelPaymentGateway(
        pos_sales_id=settings.hubtel_pos_sales_id,
        api_id=settings.hubtel_api_id,
        api_key=settings.hubtel_api_key,
        callback_url=settings.hubtel_callback_url,
        base_url=settings.hubtel_base_url,
        status_base_url=settings.hubtel_status_base_url,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def _paystack(settings: Settings) -> PaymentGateway:
    from lpg_ussd.adapters.payments.paystack import PaystackPaymentGateway

    return PaystackPaymentGateway(
        secret_key=settings.paystack_secret_key,
        base_url=settings.paystack_base_url,
        currency=settings.paystack_currency,
        email_domain=settings.paystack_email_domain,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def _hubtel_checkout_gateway(settings: Settings) -> PaymentGateway:
    from lpg_ussd.adapters.payments.hubtel_checkout import HubtelCheckoutPaymentGateway

    return HubtelCheckoutPaymentGateway(
        callback_url=settings.hubtel_checkout_callback_url,
        pos_sales_id=settings.hubtel_pos_sales_id,
        api_id=settings.hubtel_api_id,
        api_key=settings.hubtel_api_key,
        status_base_url=settings.hubtel_status_base_url,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def _payment_gateways(
    settings: Settings, simulated: SimulatedPaymentGateway
) -> dict[str, PaymentGateway]:
    """The providers the settings name, and only those (an unused one takes no callbacks)."""
    builders: dict[str, Callable[[], PaymentGateway]] = {
        "simulated": lambda: simulated,
        "mtn_momo": lambda: _mtn_momo(settings),
        "hubtel": lambda: _hubtel(settings),
        "paystack": lambda: _paystack(settings),
    }
    gateways = {name: builders[name]() for name in sorted(settings.payment_providers_in_use)}
    if settings.hubtel_checkout:
        # Not a provider a network can be given: the payments Hubtel's checkout collects.
        gateways[CHECKOUT] = _hubtel_checkout_gateway(settings)
    return gateways


def _checkout_gateway(gateways: dict[str, PaymentGateway]) -> Any:
    """Hubtel's checkout when on: both a payment gateway and the reader and reporter of its
    fulfilment requests."""
    return gateways.get(CHECKOUT)


def _checkout_reporters(gateways: dict[str, PaymentGateway]) -> dict[str, CheckoutReporter]:
    found = _checkout_gateway(gateways)
    return {found.name: found} if found is not None else {}


def _checkout_readers(gateways: dict[str, PaymentGateway]) -> dict[str, Any]:
    """USSD gateway name -> the reader of its checkout's fulfilment requests, when on."""
    found = _checkout_gateway(gateways)
    return {"hubtel": found} if found is not None else {}


def _sms_sender(settings: Settings) -> SmsSender:
    timeout, sender_id = settings.provider_timeout_seconds, settings.sms_sender_id
    if settings.sms_provider == "africastalking":
        from lpg_ussd.adapters.sms.africastalking import AfricasTalkingSmsSender

        return AfricasTalkingSmsSender(
            username=settings.africastalking_username,
            api_key=settings.africastalking_api_key,
            sender_id=sender_id,
            base_url=settings.africastalking_sms_base_url,
            timeout_seconds=timeout,
        )
    if settings.sms_provider == "hubtel":
        from lpg_ussd.adapters.sms.hubtel import HubtelSmsSender

        return HubtelSmsSender(
            client_id=settings.hubtel_sms_client_id,
            client_secret=settings.hubtel_sms_client_secret,
            sender_id=sender_id,
            base_url=settings.hubtel_sms_base_url,
            timeout_seconds=timeout,
        )
    if settings.sms_provider == "arkesel":
        from lpg_ussd.adapters.sms.arkesel import ArkeselSmsSender

        return ArkeselSmsSender(
            api_key=settings.arkesel_api_key,
            sender_id=sender_id,
            base_url=settings.arkesel_sms_base_url,
            timeout_seconds=timeout,
        )
    return ConsoleSmsSender(sender_id=sender_id)


def _hubtel_checkout(settings: Settings) -> str | None:
    return CHECKOUT if settings.hubtel_checkout else None


def _session_backend(settings: Settings) -> str:
    return "redis" if settings.redis_url else "memory"


def _rate_limiter(settings: Settings, store: object) -> object:
    phone, source = settings.rate_limit_phone_per_minute, settings.rate_limit_source_per_minute
    if isinstance(store, RedisSessionStore):
        return RedisRateLimiter(store.client, settings.redis_key_prefix, phone, source)
    return InMemoryRateLimiter(phone, source)


def _redis_store(settings: Settings) -> object:
    return RedisSessionStore.from_url(settings.redis_url, prefix=settings.redis_key_prefix)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(PrometheusMetrics)
    languages = providers.Singleton(
        Languages.from_setting, settings.provided.languages, settings.provided.default_language
    )
    brand = providers.Singleton(
        Brand,
        company=settings.provided.company_name,
        care_number=settings.provided.care_number,
        emergency_number=settings.provided.emergency_number,
        service_code=settings.provided.service_code,
        currency=settings.provided.currency,
        order_prefix=settings.provided.order_prefix,
    )
    messages = providers.Singleton(Messages, languages, brand)

    db_engine = providers.Singleton(create_engine, settings.provided.database_url)
    uow = providers.Singleton(SqlAlchemyUnitOfWorkFactory, db_engine)
    refresh_figures = providers.Singleton(DatabaseFigures, db_engine, metrics, clock)
    session_store = providers.Selector(
        providers.Callable(_session_backend, settings),
        memory=providers.Singleton(InMemorySessionStore),
        redis=providers.Singleton(_redis_store, settings),
    )
    rate_limiter = providers.Singleton(_rate_limiter, settings, session_store)
    pin_hasher = providers.Singleton(
        Argon2PinHasher,
        time_cost=settings.provided.pin_hash_time_cost,
        memory_cost_kib=settings.provided.pin_hash_memory_kib,
    )

    simulated_payments = providers.Singleton(
        SimulatedPaymentGateway,
        outcome=settings.provided.simulated_payment_outcome,
        delay_seconds=settings.provided.simulated_payment_delay_seconds,
    )
    payment_gateways = providers.Singleton(_payment_gateways, settings, simulated_payments)
    payment_providers = providers.Singleton(
        ConfiguredPaymentProviders,
        gateways=payment_gateways,
        default=settings.provided.payment_provider,
        per_network=settings.provided.payment_providers_by_network,
    )
    sms_sender = providers.Singleton(_sms_sender, settings)

    # Use cases
    register_customer = providers.Singleton(
        customers.RegisterCustomer, uow, clock, messages, settings.provided.auto_verify
    )
    find_customer_card = providers.Singleton(customers.FindCustomerCard, uow)
    verify_pin = providers.Singleton(customers.VerifyPin, uow, clock, pin_hasher, messages)
    change_pin = providers.Singleton(customers.ChangePin, uow, clock, messages)
    change_address = providers.Singleton(customers.ChangeAddress, uow, clock, messages)
    list_customers = providers.Singleton(customers.ListCustomers, uow)
    list_catalogue = providers.Singleton(orders.ListCatalogue, uow, clock)
    wallet_balance = providers.Singleton(orders.WalletBalance, uow)
    place_order = providers.Singleton(
        orders.PlaceOrder,
        uow,
        clock,
        pin_hasher,
        messages,
        payment_providers,
        brand,
        list_catalogue,
        settings.provided.delivery_days,
    )
    top_up = providers.Singleton(orders.TopUpWallet, uow, clock, payment_providers)
    customer_orders = providers.Singleton(orders.ListOrders, uow)
    get_order = providers.Singleton(orders.GetOrder, uow)
    cancel_order = providers.Singleton(orders.CancelOrder, uow, clock, pin_hasher, messages)
    check_balance = providers.Singleton(orders.CheckBalance, uow, clock, pin_hasher, messages)
    request_callback = providers.Singleton(care.RequestCallback, uow, clock, messages)
    report_leak = providers.Singleton(
        care.ReportGasLeak, uow, clock, messages, settings.provided.staff_alert_numbers
    )
    confirm_payment = providers.Singleton(
        payments.ConfirmPayment,
        uow,
        clock,
        payment_providers,
        messages,
        settings.provided.delivery_days,
    )
    send_payment_request = providers.Singleton(
        payments.SendPaymentRequest,
        uow,
        clock,
        payment_providers,
        messages,
        settings.provided.company_name,
    )
    sweep_payments = providers.Singleton(payments.SweepPendingPayments, uow, clock, confirm_payment)
    receive_payment_callback = providers.Singleton(
        ReceivePaymentCallback, uow, clock, confirm_payment
    )
    reconcile = providers.Singleton(Reconcile, uow, settings.provided.currency)
    checkout_reporters = providers.Singleton(_checkout_reporters, payment_gateways)
    checkout_readers = providers.Singleton(_checkout_readers, payment_gateways)
    report_checkout = providers.Singleton(checkout.ReportCheckout, checkout_reporters)
    settle_checkout = providers.Singleton(
        checkout.SettleCheckout,
        uow,
        clock,
        messages,
        settings.provided.currency,
        settings.provided.delivery_days,
    )
    dispatch_outbox = providers.Singleton(
        outbox.DispatchOutbox,
        uow,
        clock,
        sms_sender,
        send_payment_request,
        report_checkout=report_checkout,
    )
    worker = providers.Singleton(
        outbox.Worker, dispatch_outbox, sweep_payments, settings.provided.worker_poll_seconds
    )
    verify_customer = providers.Singleton(staff.VerifyCustomer, uow, clock, messages)
    unlock_pin = providers.Singleton(staff.UnlockPin, uow, clock)
    move_order = providers.Singleton(
        staff.MoveOrder, uow, clock, messages, settings.provided.delivery_days
    )
    list_orders = providers.Singleton(staff.ListOrders, uow)

    # The back office: staff accounts, API keys, the console's use cases, the dashboard.
    password_hasher = pin_hasher  # argon2id, as for PINs
    create_staff = providers.Singleton(staff_accounts.CreateStaff, uow, clock, password_hasher)
    sign_in = providers.Singleton(staff_accounts.SignIn, uow, clock, password_hasher)
    get_staff = providers.Singleton(staff_accounts.GetStaff, uow)
    list_staff = providers.Singleton(staff_accounts.ListStaff, uow)
    set_staff_active = providers.Singleton(staff_accounts.SetStaffActive, uow, clock)
    create_api_key = providers.Singleton(api_keys.CreateApiKey, uow, clock)
    authenticate_api_key = providers.Singleton(api_keys.AuthenticateApiKey, uow)
    revoke_api_key = providers.Singleton(api_keys.RevokeApiKey, uow, clock)
    list_api_keys = providers.Singleton(api_keys.ListApiKeys, uow)
    list_audit = providers.Singleton(audit.ListAudit, uow)
    customer_file = providers.Singleton(staff.GetCustomerFile, uow)
    order_file = providers.Singleton(staff.GetOrderFile, uow)
    list_tickets = providers.Singleton(tickets.ListTickets, uow)
    assign_ticket = providers.Singleton(tickets.AssignTicket, uow, clock)
    resolve_ticket = providers.Singleton(tickets.ResolveTicket, uow, clock)
    view_catalogue = providers.Singleton(catalogue_admin.ViewCatalogue, uow, clock)
    change_price = providers.Singleton(catalogue_admin.ChangePrice, uow, clock)
    set_cylinder_on_sale = providers.Singleton(catalogue_admin.SetCylinderOnSale, uow, clock)
    list_payments = providers.Singleton(payment_admin.ListPayments, uow)
    list_outbox = providers.Singleton(outbox.ListOutbox, uow)
    recheck_payment = providers.Singleton(payment_admin.RecheckPayment, uow, clock, confirm_payment)
    show_dashboard = providers.Singleton(
        figures.ShowDashboard, uow, clock, providers.Callable(journey_screens)
    )

    record_session_outcome = providers.Singleton(
        RecordSessionOutcome, uow=uow, store=session_store, clock=clock, observer=metrics
    )
    # Gateways that post an end-of-session notice: name -> decoder of its body.
    session_end_decoders = providers.Dict(
        africastalking=providers.Object(africastalking.decode_session_end),
    )

    services = providers.Singleton(
        Services,
        register=register_customer,
        pins=pin_hasher,
        verify_pin=verify_pin,
        change_pin=change_pin,
        change_address=change_address,
        catalogue=list_catalogue,
        wallet_balance=wallet_balance,
        place_order=place_order,
        top_up=top_up,
        list_orders=customer_orders,
        get_order=get_order,
        cancel_order=cancel_order,
        check_balance=check_balance,
        request_callback=request_callback,
        report_leak=report_leak,
        change_language=providers.Singleton(customers.ChangeLanguage, uow),
    )
    dialogue_settings = providers.Singleton(
        DialogueSettings,
        session_ttl_seconds=settings.provided.session_ttl_seconds,
        resume_window_seconds=settings.provided.resume_window_seconds,
        hop_deadline_seconds=settings.provided.hop_deadline_seconds,
    )
    dialogue = providers.Singleton(
        Dialogue,
        registry=providers.Singleton(build_screens),
        store=session_store,
        services=services,
        languages=languages,
        brand=brand,
        clock=clock,
        lookup_customer=find_customer_card,
        settings=dialogue_settings,
        shortcuts=providers.Callable(journey_shortcuts),
        observer=metrics,
    )
    ussd_gateways = providers.Dict(
        africastalking=providers.Singleton(
            AfricasTalkingGateway, screen_limit=settings.provided.screen_limit
        ),
        hubtel=providers.Singleton(
            HubtelGateway,
            screen_limit=settings.provided.screen_limit,
            service_code=settings.provided.service_code,
            checkout=providers.Callable(_hubtel_checkout, settings),
        ),
        arkesel=providers.Singleton(
            ArkeselGateway,
            screen_limit=settings.provided.screen_limit,
            service_code=settings.provided.service_code,
        ),
        nalo=providers.Singleton(
            NaloGateway,
            screen_limit=settings.provided.screen_limit,
            service_code=settings.provided.service_code,
        ),
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    simulated = container.simulated_payments()
    simulated.notify = container.confirm_payment()
    return container
