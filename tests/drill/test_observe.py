"""Which alerts a drill watches: its journey's, and the shared dependencies' it needs."""

from __future__ import annotations

from lab.drill.observe import concerns

SHARED = frozenset({"DatabaseDown"})


def test_the_journeys_own_alerts_are_watched_and_other_journeys_are_not():
    assert concerns({"alertname": "HighCheckoutErrorRate", "journey": "purchase"}, "purchase", SHARED)
    assert not concerns({"alertname": "CatalogueListingSliDataMissing", "journey": "catalogue"}, "purchase", SHARED)


def test_a_shared_alert_without_journey_is_watched_only_when_the_journey_needs_it():
    assert concerns({"alertname": "DatabaseDown", "dependency": "database"}, "purchase", SHARED)
    assert not concerns({"alertname": "DatabaseDown", "dependency": "database"}, "purchase", frozenset())
    assert not concerns({"alertname": "Watchdog"}, "purchase", SHARED)


def test_a_journey_label_decides_even_for_a_shared_name():
    assert not concerns({"alertname": "DatabaseDown", "journey": "catalogue"}, "purchase", SHARED)
