"""The use cases the dialogue may call, handed to every screen through the hop context."""

from __future__ import annotations

from dataclasses import dataclass

from lpg_ussd.application.care import ReportGasLeak, RequestCallback
from lpg_ussd.application.customers import (
    ChangeAddress,
    ChangeLanguage,
    ChangePin,
    RegisterCustomer,
    VerifyPin,
)
from lpg_ussd.application.orders import (
    CancelOrder,
    CheckBalance,
    GetOrder,
    ListCatalogue,
    ListOrders,
    PlaceOrder,
    TopUpWallet,
    WalletBalance,
)
from lpg_ussd.application.ports import PinHasher


@dataclass(frozen=True, slots=True)
class Services:
    register: RegisterCustomer
    pins: PinHasher
    verify_pin: VerifyPin
    change_pin: ChangePin
    change_address: ChangeAddress
    catalogue: ListCatalogue
    wallet_balance: WalletBalance
    place_order: PlaceOrder
    top_up: TopUpWallet
    list_orders: ListOrders
    get_order: GetOrder
    cancel_order: CancelOrder
    check_balance: CheckBalance
    request_callback: RequestCallback
    report_leak: ReportGasLeak
    change_language: ChangeLanguage
