#!/usr/bin/env bash
# Lints proto/openapi.yaml with Redocly CLI (recommended rules; errors fail,
# warnings are printed): run_redocly.sh OPENAPI_FILE TOOLS_DIR.
# Redocly is installed by scripts/install-deps into tools/npm/node_modules at
# the version pinned in tools/npm/package-lock.json; fails loudly without it.
set -euo pipefail
spec=$1 tools=$2
redocly="$tools/node_modules/.bin/redocly"
if [ ! -x "$redocly" ]; then
  echo "FAIL: $redocly not found. Run scripts/install-deps (it installs tools/npm)." >&2
  exit 1
fi
# No telemetry, no update check: the tests never reach out.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec "$redocly" lint --format=codeframe "$spec"
