#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs and starts what it needs, then runs every
# test (unit tests beside the code, integration and end-to-end tests in test/) with tap.
# Extra arguments go to tap, e.g. `bash scripts/test.sh services/ingest`.
set -euo pipefail
# shellcheck source=bootstrap.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap
cd "$REPO_ROOT"
bash infra/tensorflow.sh # native addon for @recstream/models (fast when done)
echo "[test] typecheck" >&2
pnpm -s typecheck
echo "[test] lint" >&2
pnpm -s lint
echo "[test] tap" >&2
exec pnpm exec tap "$@"
