"""How spec names become alert names."""


def camel(*names: str) -> str:
    """'purchase', 'order_processing' -> 'PurchaseOrderProcessing'."""
    return "".join(part.capitalize() for name in names for part in name.replace("-", "_").split("_") if part)


def down_alert_name(prefix: str) -> str:
    return f"{prefix}Down"


def recently_down_alert_name(prefix: str) -> str:
    """The companion that outlasts a down alert while its symptoms' windows reset: PurchasePostgresRecentlyDown."""
    return f"{prefix}RecentlyDown"


def saturation_alert_names(prefix: str, signal: str, predicted: bool) -> tuple[str, str | None]:
    """A saturation signal's alert and predicted alert: 'PurchaseRabbitmq', 'backlog' -> PurchaseRabbitmqBacklogHigh."""
    base = f"{prefix}{camel(signal)}"
    return f"{base}High", (f"{base}PredictedHigh" if predicted else None)


def budget_alert_names(prefix: str) -> tuple[str, str]:
    """An SLO's budget-policy alerts: 'PurchaseCheckout' -> PurchaseCheckoutErrorBudgetExhausted, ...RunningOut."""
    return f"{prefix}ErrorBudgetExhausted", f"{prefix}ErrorBudgetRunningOut"
