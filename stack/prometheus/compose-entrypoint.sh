#!/bin/sh
# Compose entrypoint of Prometheus: link every journey's generated rule files into one
# directory (Prometheus accepts a wildcard only in the last path element), then start it.
# The variables exist for tests; compose uses the defaults.
set -eu
generated=${OBSGEN_GENERATED_DIR:-/etc/obsgen/generated}
rules=${OBSGEN_RULES_DIR:-/etc/prometheus/rules.d}
prometheus=${PROMETHEUS_BIN:-/bin/prometheus}
for rule_file in "$generated"/*/prometheus/*.rules.yaml; do
    [ -e "$rule_file" ] || { echo "no rule files under $generated yet (run obsgen build)"; break; }
    journey=$(basename "$(dirname "$(dirname "$rule_file")")")
    ln -sf "$rule_file" "$rules/$journey--$(basename "$rule_file")"
done
exec "$prometheus" "$@"
