#!/usr/bin/env bash
# Starts the chDB-backed ClickHouse HTTP server in the foreground, installing
# chDB first if needed. All arguments go to clickhouse-http.mjs, e.g.
#   compose/local/start-clickhouse.sh --port 8123 --user echodb --password secret
# Data is kept in compose/local/data unless --data or CLICKHOUSE_DATA_DIR says otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/install.sh"
export CLICKHOUSE_DATA_DIR="${CLICKHOUSE_DATA_DIR:-$here/data}"
exec node "$here/clickhouse-http.mjs" "$@"
