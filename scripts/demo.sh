#!/usr/bin/env bash
# The main job, from a fresh clone: installs and starts the infrastructure, starts every service
# as its own process, streams simulated shop traffic (or a real dataset: DEMO_MODE=replay
# DEMO_DATASET=yoochoose), and prints what serving recommends as it changes.
# Stops everything on Ctrl-C, or after DEMO_DURATION_S seconds (default: run until Ctrl-C).
set -euo pipefail
# shellcheck source=bootstrap.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/bootstrap.sh"
bootstrap
cd "$REPO_ROOT"
bash infra/tensorflow.sh # native addon for @recstream/models (fast when done)
# ClickHouse: bootstrap ran the migrations as the admin; from here each process gets its own account
# or none (infra/README.md), so the accounts `env` exported stay out of the children's environment.
export -n REC_CLICKHOUSE_USER REC_CLICKHOUSE_PASSWORD REC_CLICKHOUSE_{SINK,FEATURE,TRAINER,SERVING,ANALYST}_{USER,PASSWORD}
as_clickhouse() { # ACCOUNT command...: runs the command as that ClickHouse account (SINK, FEATURE, ...)
  local user=REC_CLICKHOUSE_$1_USER password=REC_CLICKHOUSE_$1_PASSWORD
  shift
  REC_CLICKHOUSE_USER=${!user:-} REC_CLICKHOUSE_PASSWORD=${!password:-} "$@"
}

LOG_DIR=$REPO_ROOT/.local/logs
mkdir -p "$LOG_DIR"
export REC_LOG_LEVEL=${REC_LOG_LEVEL:-info}
pids=()

start() { # name port entry [VAR=value ...]; NODE_FLAGS, NICENESS (0) and CLICKHOUSE_ACCOUNT (none) apply to this one service
  local name=$1 port=$2 entry=$3 user=REC_CLICKHOUSE_${CLICKHOUSE_ACCOUNT:-NONE}_USER password=REC_CLICKHOUSE_${CLICKHOUSE_ACCOUNT:-NONE}_PASSWORD
  shift 3
  # shellcheck disable=SC2086 # NODE_FLAGS is a list of flags
  REC_CLICKHOUSE_USER=${!user:-} REC_CLICKHOUSE_PASSWORD=${!password:-} env "$@" REC_HTTP_PORT="$port" nice -n "${NICENESS:-0}" node ${NODE_FLAGS:-} --import tsx "$entry" \
    >"$LOG_DIR/$name.log" 2>&1 &
  pids+=($!)
  echo "[demo] $name on http://127.0.0.1:$port (log: .local/logs/$name.log)" >&2
}

write_keys() { node --import tsx services/ingest/src/cli/write-keys.ts "$@"; }
serving_keys() { node --import tsx services/serving/src/cli/serving-keys.ts "$@"; }
demo_key=
serving_key=

stop_all() {
  echo "[demo] stopping" >&2
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$demo_key" ]; then write_keys revoke "$demo_key" >/dev/null 2>&1 || true; fi
  if [ -n "$serving_key" ]; then serving_keys revoke "$serving_key" >/dev/null 2>&1 || true; fi
  echo "[demo] stopped; the infrastructure keeps running (bash infra/infra.sh stop)" >&2
}
trap stop_all EXIT
trap 'exit 0' INT TERM

start ingest 3001 services/ingest/src/index.ts REC_INGEST_ROLE=collector
# The sink is a batch consumer: below the latency-bound services in CPU priority, and collecting
# garbage on its own thread, so its bursts never take both cores (docs/decisions.md).
CLICKHOUSE_ACCOUNT=SINK NICENESS=10 NODE_FLAGS=--single-threaded-gc start ingest-sink 3005 services/ingest/src/index.ts REC_INGEST_ROLE=sink
start feature 3003 services/feature/src/index.ts
CLICKHOUSE_ACCOUNT=SERVING start serving 3002 services/serving/src/index.ts REC_SERVING_MODEL_DIR=.local/models REC_SERVING_MODEL_REQUIRED=false
if [ -f services/trainer/src/index.ts ]; then CLICKHOUSE_ACCOUNT=TRAINER start trainer 3004 services/trainer/src/index.ts; fi

rebuilt=
for port in 3001 3005 3003 3002; do
  for _ in $(seq 1 120); do
    readiness=$(curl -s "http://127.0.0.1:$port/readyz" 2>/dev/null || true)
    case $readiness in
      '{"status":"ready"'*) break ;;
      # Redis lost the features an earlier run built (its consumer group's offsets are in Kafka):
      # the feature service waits for a rebuild from ClickHouse's log; the demo runs it once.
      *'features:rebuild'*)
        if [ -z "$rebuilt" ]; then
          rebuilt=1
          echo "[demo] the feature store in Redis lost its data; rebuilding it from ClickHouse (log: .local/logs/rebuild.log)" >&2
          as_clickhouse FEATURE node --import tsx services/feature/src/cli/rebuild.ts >"$LOG_DIR/rebuild.log" 2>&1 ||
            { tail -5 "$LOG_DIR/rebuild.log" >&2; echo "[demo] the rebuild failed" >&2; exit 1; }
        fi
        ;;
    esac
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "[demo] service on port $port is not ready; see .local/logs" >&2; exit 1; }
done

# The collector requires a write key: this run's traffic gets its own, revoked when the demo stops.
# The traffic generator plays the shop's backend, one process on one address that loads the
# catalog and then sends the shoppers' events: a server key with both scopes (a browser key can
# never touch the catalog, and would be limited per client).
demo_key=$(write_keys create --source demo --kind server --scope events,catalog --rate "${DEMO_KEY_RATE:-20000}" 2>"$LOG_DIR/write-keys.log") ||
  { cat "$LOG_DIR/write-keys.log" >&2; echo "[demo] could not create a write key" >&2; exit 1; }
echo "[demo] write key for source demo created (pnpm write-keys list)" >&2
# Serving requires an API key too: a read key for this run, revoked when the demo stops.
serving_key=$(serving_keys create --name demo --scope read --rate 100 2>"$LOG_DIR/serving-keys.log") ||
  { cat "$LOG_DIR/serving-keys.log" >&2; echo "[demo] could not create a serving API key" >&2; exit 1; }
echo "[demo] serving API key created (pnpm serving-keys list)" >&2

traffic_args=(simulate --rate "${DEMO_RATE:-300}" --trend-item-every 30)
if [ "${DEMO_MODE:-simulate}" = replay ]; then traffic_args=(replay "${DEMO_DATASET:-yoochoose}" --rate "${DEMO_RATE:-300}"); fi
REC_INGEST_URL=http://127.0.0.1:3001 REC_WRITE_KEY=$demo_key node --import tsx packages/traffic/src/cli/traffic.ts "${traffic_args[@]}" \
  >"$LOG_DIR/traffic.log" 2>&1 &
pids+=($!)
echo "[demo] traffic: ${traffic_args[*]} (log: .local/logs/traffic.log)" >&2
echo "[demo] try: curl -H 'Authorization: Bearer $serving_key' 'http://127.0.0.1:3002/v1/recommendations/popular?k=5'   API docs: http://127.0.0.1:3002/openapi.json" >&2

# The key by environment, not argv (which any local user sees in ps); it is revoked when the demo stops.
REC_SERVING_API_KEY=$serving_key as_clickhouse ANALYST node --import tsx scripts/demo-watch.ts --serving http://127.0.0.1:3002 --duration "${DEMO_DURATION_S:-0}"
