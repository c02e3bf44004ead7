"""What the programme pays for a result (DOMAIN.md 4.1-4.3, configurable as data): each
framework version's ``payments`` parameters, or these defaults. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from outcomes.frameworks.types import ParameterError

# Result payments per route (year 1 for tf1: R1 £700, R2 £100, R3 £800 instead of both).
DEFAULT_RESULT_PAYMENTS: dict[str, dict[str, int]] = {
    "tf1": {"R1": 700, "R1+R2": 800, "R3": 800},
    "tf2": {"progress": 800, "employment": 800},
    "sf2022": {"outcomes": 800},
}


def result_payment(framework: str, route: str, parameters: Mapping[str, Any]) -> Decimal:
    """The payment for ``route`` under a version's ``parameters`` (its ``payments``
    object, route to pounds; the defaults for a route it does not name)."""
    payments = parameters.get("payments") or {}
    if not isinstance(payments, Mapping):
        raise ParameterError("payments must be an object of route: amount")
    value = payments.get(route, DEFAULT_RESULT_PAYMENTS.get(framework, {}).get(route))
    if value is None:
        raise ParameterError(f"No payment is set for {framework} route {route}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ParameterError(f"payments.{route} must be an amount in pounds") from None
    if not amount.is_finite() or amount < 0:
        raise ParameterError(f"payments.{route} must be an amount in pounds")
    return amount.quantize(Decimal("0.01"))


def full_result(framework: str, parameters: Mapping[str, Any]) -> tuple[str, Decimal]:
    """The framework's full result under a version's parameters: the route with the
    highest result payment (the first of equals, in the framework's order of routes, then
    any other route the version prices) and that payment, each priced by
    ``result_payment``. What an equivalent progress claim is paid, and what a family at
    risk would earn if it got there (tf1: R1+R2 or R3, £800 by default; tf2, sf2022:
    £800)."""
    payments = parameters.get("payments") or {}
    routes = list(DEFAULT_RESULT_PAYMENTS.get(framework, {}))
    routes += [r for r in payments if r not in routes] if isinstance(payments, Mapping) else []
    if not routes:
        raise ParameterError(f"No result payment is set for {framework}")
    amounts = [(result_payment(framework, route, parameters), route) for route in routes]
    best = max(amount for amount, _ in amounts)
    return next(route for amount, route in amounts if amount == best), best
