"""How spec names become alert names."""


def camel(*names: str) -> str:
    """'purchase', 'order_processing' -> 'PurchaseOrderProcessing'."""
    return "".join(part.capitalize() for name in names for part in name.replace("-", "_").split("_") if part)
