"""One payload per class of input that a downstream format would interpret if obsgen pasted it
unescaped: Prometheus/Alertmanager templates, Markdown, shell, PromQL, YAML/JSON, SVG/DOT/Mermaid."""

from __future__ import annotations

PAYLOADS = {
    "prometheus-template": "{{ $labels.job }}",
    "template-dot": "{{ . }}{{ range $x := . }}",
    "markdown-heading": "# Fake heading",
    "markdown-link": "[click me](javascript:alert(1)) ![x](http://evil.example/x.png)",
    "markdown-html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "newline-section": "ok\n### FakeAlert\n\n[runbook](http://evil.example)",
    "shell": "$(id); `id` && rm -rf ~ 'q\" | cat",
    "promql-quote": '"} or vector(1) or up{x="',
    "yaml-json": "a: b\n- c\n{\"k\": [1]} &x *x !!python/object # c",
    "svg-dot-mermaid": "</text><script>x</script>\" ] --> end; subgraph x; }; digraph {",
    "control": "\x1b[2J\u202eevil\u2066\x07",
}
