"""Runbook hints from the spec are shown as written and never interpreted: text is escaped, code spans
and command blocks cannot be closed by their content, and nothing is turned into a link or HTML.
Rendered by the CommonMark reference implementation, as a reader's viewer would."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest

from obsgen.artifacts.runbook.emit import runbook
from obsgen.build.load import parse_journey
from tests.npm_cache import npm_prefix

COMMONMARK_VERSION = "0.31.2"

SPEC = r"""
apiVersion: obsgen/v1
kind: Journey
metadata:
  name: shop
  service: shop
  team: web
  runbookBaseUrl: https://runbooks.example.com
spec:
  stages:
    - name: checkout
      title: Checkout *now*
      profile: http
      match: {job: shop, handler: /checkout}
      alerts:
        errorRate: {threshold: 0.05}
      runbook:
        logs: '{app="shop"} |= "``` </details> [x](http://evil.example)"'
        commands:
          - "echo '````' ; kubectl -n shop logs deploy/shop | grep -F '<script>'"
          - "```"
        notes: "# not a heading <img src=x onerror=alert(1)> [link](http://evil.example) **bold** & &amp; `tick`"
        dashboards: ["https://grafana.example.com/d/abc(1)"]
  dependencies:
    - name: cache
      title: Redis <b>cache</b>
      kind: other
      health: {metric: redis_up, match: {job: redis}}
      stages: [checkout]
      runbook:
        traces: "service.name = `cache` ``"
        commands: ["redis-cli -h cache INFO replication"]
"""


@pytest.fixture(scope="module")
def page() -> str:
    return runbook(parse_journey(SPEC, "shop.yaml"))


@pytest.fixture(scope="module")
def rendered(page, tmp_path_factory) -> str:
    prefix = npm_prefix(f"commonmark-{COMMONMARK_VERSION}", [f"commonmark@{COMMONMARK_VERSION}"],
                        "to render runbooks with the CommonMark reference implementation")
    script = prefix / "commonmark_html.js"
    shutil.copy(Path(__file__).with_name("commonmark_html.js"), script)
    result = subprocess.run(["node", str(script)], input=page, capture_output=True, text=True, timeout=120,
                            cwd=prefix, env={"NODE_PATH": str(prefix / "node_modules"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.integration
def test_commands_stay_inside_their_code_block(rendered):
    blocks = [html.unescape(b.split(">", 1)[1]) for b in rendered.split("<pre><code")[1:]]
    commands = next(b for b in blocks if "kubectl" in b)
    assert commands.split("</code></pre>")[0] == (
        "echo '````' ; kubectl -n shop logs deploy/shop | grep -F '<script>'\n```\n")
    assert any(b.startswith("redis-cli -h cache INFO replication\n</code></pre>") for b in blocks)


@pytest.mark.integration
def test_spec_text_makes_no_link_heading_or_html(rendered):
    # the only links are obsgen's own (dashboards, anchors, the hint's URL); none to the spec's text
    assert "http://evil.example\"" not in rendered and "<img" not in rendered and "<script>" not in rendered
    assert "<b>cache</b>" not in rendered and "<h1>not a heading" not in rendered
    assert "<strong>bold</strong>" not in rendered and "<em>now</em>" not in rendered
    assert "# not a heading &lt;img src=x onerror=alert(1)&gt; [link](http://evil.example) **bold** &amp; &amp;amp; `tick`" \
        in rendered


@pytest.mark.integration
def test_log_queries_are_code_spans_their_backticks_cannot_close(rendered):
    assert ('<code>{app=&quot;shop&quot;} |= &quot;``` &lt;/details&gt; [x](http://evil.example)&quot;</code>'
            in rendered)
    assert "<code>service.name = `cache` ``</code>" in rendered


@pytest.mark.integration
def test_a_hints_dashboard_link_keeps_its_url(rendered):
    assert '<a href="https://grafana.example.com/d/abc%281%29">https://grafana.example.com/d/abc(1)</a>' in rendered


def test_the_fence_is_longer_than_any_backtick_run(page):
    assert "\n       `````sh\n       echo '````'" in page
