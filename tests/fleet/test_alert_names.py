"""Two journeys built together may not give two alerts one name: silences, routes and on-call people
find an alert by its name. Each place is named, with the other."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsgen.build.load import load_all
from obsgen.errors import SpecError
from obsgen.spec.fleet import resolve_fleet
from tests.spec_text import METADATA


def spec(name: str, stages: str) -> str:
    return METADATA.replace("name: shop", f"name: {name}") + "  stages:\n" + stages


def fleet_problems(tmp_path: Path, **texts: str) -> list[str]:
    for file, text in texts.items():
        (tmp_path / f"{file}.yaml").write_text(text)
    journeys = load_all(sorted(tmp_path.glob("*.yaml")), tmp_path / "generated")
    with pytest.raises(SpecError) as caught:
        resolve_fleet(journeys)
    return [str(d) for d in caught.value.diagnostics]


STAGE = """\
    - name: {name}
      profile: http
      match: {{handler: /{name}}}
"""
NAMED_ALERT = STAGE + """\
      alerts:
        errorRate: {{name: CheckoutBroken, threshold: 0.05, window: 5m, for: 2m, severity: page}}
"""


def test_one_explicit_alert_name_in_two_specs_is_refused_at_both(tmp_path: Path):
    found = fleet_problems(tmp_path, shop=spec("shop", NAMED_ALERT.format(name="checkout")),
                           store=spec("store", STAGE.format(name="browse") + NAMED_ALERT.format(name="pay")))
    assert found == [
        "shop.yaml:14:27: alert name 'CheckoutBroken' of journey 'shop' is also the name of an alert of journey "
        "'store' at store.yaml:17:27; alert names must differ across the specs built together (silences and routes "
        "match them): rename one",
        "store.yaml:17:27: alert name 'CheckoutBroken' of journey 'store' is also the name of an alert of journey "
        "'shop' at shop.yaml:14:27; alert names must differ across the specs built together (silences and routes "
        "match them): rename one",
    ]


SLO = """\
  slos:
    - name: {name}
      type: availability
      stages: [checkout]
      objective: 99
"""


def test_generated_names_that_meet_across_journeys_point_at_their_sources(tmp_path: Path):
    # Journey web-shop's SLO pay and journey web's SLO shop-pay both page as WebShopPayErrorBudgetBurn (and
    # both have a WebShopPayErrorBudgetExhausted and ...RunningOut): every such name, at both SLOs.
    found = fleet_problems(tmp_path, a=spec("web-shop", STAGE.format(name="checkout") + SLO.format(name="pay")),
                           b=spec("web", STAGE.format(name="checkout") + SLO.format(name="shop-pay")))
    expected = []
    for alert in ("WebShopPayErrorBudgetBurn", "WebShopPayErrorBudgetExhausted", "WebShopPayErrorBudgetRunningOut"):
        expected += [
            f"a.yaml:14:13: alert name '{alert}' of journey 'web-shop' is also the name of an alert of journey 'web' "
            f"at b.yaml:14:13; alert names must differ across the specs built together (silences and routes match "
            f"them): rename one",
            f"b.yaml:14:13: alert name '{alert}' of journey 'web' is also the name of an alert of journey 'web-shop' "
            f"at a.yaml:14:13; alert names must differ across the specs built together (silences and routes match "
            f"them): rename one"]
    assert sorted(found) == sorted(expected)


def test_a_name_in_many_specs_is_one_line_per_place(tmp_path: Path):
    text = NAMED_ALERT.format(name="checkout")
    found = fleet_problems(tmp_path, **{f"s{i}": spec(f"shop-{i}", text) for i in range(4)})
    assert len(found) == 4
    assert found[0] == ("s0.yaml:14:27: alert name 'CheckoutBroken' of journey 'shop-0' is also the name of an alert "
                        "of journey 'shop-1' at s1.yaml:14:27 and 2 more; alert names must differ across the specs "
                        "built together (silences and routes match them): rename one")


def test_the_same_spec_text_under_two_journey_names_builds(tmp_path: Path):
    text = STAGE.format(name="checkout") + SLO.format(name="pay")
    (tmp_path / "a.yaml").write_text(spec("shop", text))
    (tmp_path / "b.yaml").write_text(spec("store", text))
    fleet = resolve_fleet(load_all(sorted(tmp_path.glob("*.yaml")), tmp_path / "generated"))
    assert [j.name for j in fleet.journeys] == ["shop", "store"]
