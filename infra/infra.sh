#!/usr/bin/env bash
# Local Kafka, ClickHouse and Redis for recstream, without Docker: installed from Debian packages
# and Maven Central, run as plain processes on 127.0.0.1, all state under one git-ignored folder.
#
# Usage: infra/infra.sh <setup|start|stop|status|reset|env|logs> [kafka|clickhouse|redis|feature-store ...]
# See infra/README.md for the variables, ports and layout.
set -euo pipefail

INFRA_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname -- "$INFRA_ROOT")
ALL_COMPONENTS=(kafka clickhouse redis feature-store)
# Written into every instance dir we create; reset refuses to delete anything without it.
INSTANCE_MARKER=.recstream-infra

# shellcheck source=versions.env
source "$INFRA_ROOT/versions.env"

# Locations. REC_LOCAL_DIR holds what is installed once (shared by all instances); REC_INFRA_DIR
# is one running instance (config, data, logs, pids). Both are made absolute because the
# processes we start must not depend on our working directory.
REC_LOCAL_DIR=$(realpath -m -- "${REC_LOCAL_DIR:-$REPO_ROOT/.local}")
REC_INFRA_DIR=$(realpath -m -- "${REC_INFRA_DIR:-$REC_LOCAL_DIR/infra}")
REC_MAVEN_REPO=$(realpath -m -- "${REC_MAVEN_REPO:-$REC_LOCAL_DIR/m2}")

# Ports: loopback only, defaults chosen away from the services' usual ports so a system-wide
# Kafka/ClickHouse/Redis can keep running beside us.
REC_KAFKA_PORT=${REC_KAFKA_PORT:-19092}
REC_KAFKA_CONTROLLER_PORT=${REC_KAFKA_CONTROLLER_PORT:-19093}
REC_CLICKHOUSE_HTTP_PORT=${REC_CLICKHOUSE_HTTP_PORT:-18123}
REC_CLICKHOUSE_TCP_PORT=${REC_CLICKHOUSE_TCP_PORT:-19000}
REC_CLICKHOUSE_INTERSERVER_PORT=${REC_CLICKHOUSE_INTERSERVER_PORT:-19009}
REC_REDIS_PORT=${REC_REDIS_PORT:-16379}
REC_FEATURE_REDIS_PORT=${REC_FEATURE_REDIS_PORT:-16380}

REC_INFRA_TIMEOUT_S=${REC_INFRA_TIMEOUT_S:-90}
REC_INFRA_STOP_TIMEOUT_S=${REC_INFRA_STOP_TIMEOUT_S:-60}
REC_KAFKA_HEAP=${REC_KAFKA_HEAP:-512m}
REC_KAFKA_GC_THREADS=${REC_KAFKA_GC_THREADS:-1}

# shellcheck source=lib/common.sh
source "$INFRA_ROOT/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$INFRA_ROOT/lib/kafka.sh"
# shellcheck source=lib/clickhouse.sh
source "$INFRA_ROOT/lib/clickhouse.sh"
# shellcheck source=lib/redis.sh
source "$INFRA_ROOT/lib/redis.sh"

usage() {
  cat >&2 <<'USAGE'
usage: infra/infra.sh <command> [component...]

commands:
  setup    install Kafka jars, ClickHouse and Redis (idempotent; fast when done)
  start    start the components and wait until each is ready
  stop     stop the components (SIGTERM, then SIGKILL after REC_INFRA_STOP_TIMEOUT_S)
  status   one line per component; exits non-zero if any is not running
  reset    stop the components and delete their data
  env      print `export REC_...=...` lines for the services (eval "$(infra/infra.sh env)")
  logs     follow a component's log: infra/infra.sh logs <component>

components: kafka clickhouse redis feature-store (default: all)
USAGE
}

validate_settings() {
  local name
  for name in REC_KAFKA_PORT REC_KAFKA_CONTROLLER_PORT REC_CLICKHOUSE_HTTP_PORT REC_CLICKHOUSE_TCP_PORT \
    REC_CLICKHOUSE_INTERSERVER_PORT REC_REDIS_PORT REC_FEATURE_REDIS_PORT; do
    check_port_number "$name" "${!name}"
  done
  for name in REC_INFRA_TIMEOUT_S REC_INFRA_STOP_TIMEOUT_S; do
    [[ ${!name} =~ ^[0-9]+$ ]] || die "$name=${!name} is not a number of seconds"
  done
  [[ $REC_INFRA_DIR != / ]] || die "REC_INFRA_DIR must not be /"
}

# Creates the instance layout (and its marker) on first use.
ensure_instance_dirs() {
  local c
  mkdir -p "$REC_INFRA_DIR"/{run,log}
  for c in "${ALL_COMPONENTS[@]}"; do mkdir -p "$(conf_dir "$c")" "$(data_dir "$c")"; done
  [[ -f $REC_INFRA_DIR/$INSTANCE_MARKER ]] ||
    printf 'recstream local infrastructure instance; managed by infra/infra.sh\n' >"$REC_INFRA_DIR/$INSTANCE_MARKER"
}

# Serialises commands on one instance (two `start`s at once would launch two brokers on the same
# data). The lock is released when this script exits.
lock_instance() {
  mkdir -p "$REC_INFRA_DIR/run"
  exec 8>"$REC_INFRA_DIR/run/infra.lock"
  flock -w "$((REC_INFRA_TIMEOUT_S + REC_INFRA_STOP_TIMEOUT_S))" 8 ||
    die "another infra.sh command holds $REC_INFRA_DIR/run/infra.lock"
}

cmd_setup() {
  local c started=$SECONDS
  mkdir -p "$REC_LOCAL_DIR/opt"
  # One setup at a time per machine folder: a concurrent test run and CI share the jars.
  exec 9>"$REC_LOCAL_DIR/opt/setup.lock"
  flock -w 1200 9 || die "another setup holds $REC_LOCAL_DIR/opt/setup.lock"
  command -v curl >/dev/null || apt_install_missing curl
  for c in "$@"; do "${c}_setup"; done
  log "setup done in $((SECONDS - started))s"
}

cmd_start() {
  local c pid port to_launch=() failed=() started=$SECONDS
  ensure_instance_dirs
  lock_instance
  # Check everything before launching anything, so a taken port or a missing install never
  # leaves the other components half-started behind an error.
  for c in "$@"; do
    if pid=$(running_pid "$c"); then
      log "$c: already running (pid $pid, $("${c}_address"))"
      # Settings a server re-reads while running (ClickHouse users) still follow the variables.
      if declare -F "${c}_refresh_live" >/dev/null; then "${c}_refresh_live"; fi
      continue
    fi
    clear_stale_pid "$c"
    "${c}_check_installed"
    for port in $("${c}_ports"); do require_free_port "$c" "$port"; done
    to_launch+=("$c")
  done
  # Launch all, then wait for each: the JVM and ClickHouse start up in parallel.
  for c in "${to_launch[@]}"; do
    log "$c: starting"
    "${c}_launch"
  done
  for c in "${to_launch[@]}"; do
    if "${c}_wait_ready"; then
      log "$c: ready on $("${c}_address") (pid $(running_pid "$c" || echo '?'), $((SECONDS - started))s)"
    else
      failed+=("$c")
      # A half-started server would make the next `start` report "already running" and succeed.
      if pid=$(running_pid "$c"); then stop_pid "$c" "$pid"; fi
      rm -f -- "$(pid_file "$c")"
    fi
  done
  ((${#failed[@]} == 0)) || die "failed to start: ${failed[*]} (see the log lines above)"
}

cmd_stop() {
  local c pid
  # Nothing was ever started here: say so without creating the instance dir.
  if [[ ! -d $REC_INFRA_DIR/run ]]; then
    for c in "$@"; do log "$c: not running"; done
    return 0
  fi
  lock_instance
  for c in "$@"; do
    if pid=$(running_pid "$c"); then
      log "$c: stopping (pid $pid)"
      stop_pid "$c" "$pid"
      log "$c: stopped"
    else
      log "$c: not running"
    fi
    rm -f -- "$(pid_file "$c")"
  done
}

cmd_status() {
  local c pid down=0
  for c in "$@"; do
    if pid=$(running_pid "$c"); then
      printf '%-13s running  pid %-8s %s\n' "$c" "$pid" "$("${c}_address")"
    else
      printf '%-13s stopped\n' "$c"
      down=1
    fi
  done
  return "$down"
}

cmd_reset() {
  local c
  cmd_stop "$@"
  [[ -d $REC_INFRA_DIR ]] || return 0
  for c in "$@"; do
    if [[ -d $(data_dir "$c") ]]; then
      safe_wipe_data_dir "$(data_dir "$c")"
      log "$c: data wiped ($(data_dir "$c"))"
    fi
  done
}

# ClickHouse's accounts come with passwords: generated on first use, kept under the instance dir.
cmd_env() {
  printf 'export REC_KAFKA_BROKERS=%s\n' "$(kafka_address)"
  printf 'export REC_CLICKHOUSE_URL=%s\n' "$(clickhouse_address)"
  clickhouse_env
  printf 'export REC_REDIS_URL=%s\n' "$(redis_address)"
  printf 'export REC_FEATURE_REDIS_URL=%s\n' "$(feature-store_address)"
}

cmd_logs() {
  (($# == 1)) || die "logs takes exactly one component: ${ALL_COMPONENTS[*]}"
  local logf
  logf=$(log_file "$1")
  [[ -f $logf ]] || die "$1: no log yet at $logf"
  exec tail -n 100 -F -- "$logf"
}

main() {
  (($# >= 1)) || {
    usage
    exit 2
  }
  local cmd=$1 c
  shift
  case $cmd in
  -h | --help | help)
    usage
    return 0
    ;;
  setup | start | stop | status | reset | env | logs) ;;
  *)
    usage
    die "unknown command: $cmd"
    ;;
  esac
  for c in "$@"; do
    [[ " ${ALL_COMPONENTS[*]} " == *" $c "* ]] || die "unknown component: $c (known: ${ALL_COMPONENTS[*]})"
  done
  if (($# == 0)); then
    [[ $cmd != logs ]] || die "logs needs a component: ${ALL_COMPONENTS[*]}"
    set -- "${ALL_COMPONENTS[@]}"
  fi
  validate_settings
  "cmd_$cmd" "$@"
}

main "$@"
