"""One module per dashboard row; each turns the journey into a ``Section`` of panels.

The order is the issue's and the seed's: overview → request flow → journey time → traces → SLOs →
dependencies → errors by stage.
"""
