#!/usr/bin/env bash
# Brings a fresh Debian 12 checkout to a running state: pnpm, dependencies, the local
# infrastructure (Kafka, ClickHouse, Redis) started and the ClickHouse migrations applied.
# Idempotent: every step is fast when already done. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
PNPM_VERSION=$(node -p "require('$REPO_ROOT/package.json').packageManager.split('@')[1]")

log() { printf '[bootstrap] %s\n' "$*" >&2; }

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then return; fi
  # corepack cannot fetch pnpm offline here; npm can.
  log "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
}

bootstrap() {
  cd "$REPO_ROOT"
  if ! command -v node >/dev/null 2>&1; then
    log "Node.js 20 is required (apt-get install nodejs, or your distribution's Node 20)"
    exit 1
  fi
  ensure_pnpm
  log "installing dependencies"
  pnpm install --frozen-lockfile --reporter=silent
  log "installing the local infrastructure (first run: a few minutes)"
  bash infra/infra.sh setup
  bash infra/infra.sh start
  eval "$(bash infra/infra.sh env)"
  log "applying ClickHouse migrations"
  REC_LOG_LEVEL=warn pnpm -s migrate
}
