#!/bin/sh
# Compose entrypoint of Alertmanager: the generated config for every journey built (stack contract), or the
# stack's do-nothing fallback until `obsgen build` has written it.
# The variables exist for tests; compose uses the defaults.
set -eu
config=${OBSGEN_GENERATED_DIR:-/etc/obsgen/generated}/_fleet/alertmanager/alertmanager.yaml
alertmanager=${ALERTMANAGER_BIN:-/bin/alertmanager}
if [ ! -f "$config" ]; then
    echo "$config does not exist yet (run obsgen build); using the fallback config"
    config=${OBSGEN_FALLBACK_CONFIG:-/etc/alertmanager/fallback.yml}
fi
exec "$alertmanager" --config.file="$config" "$@"
