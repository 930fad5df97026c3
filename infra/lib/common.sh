# shellcheck shell=bash
# Shared helpers for infra.sh: logging, paths, pid files, process launch/stop, readiness loops.
# Sourced, never run. Everything here only reads the REC_* variables set in infra.sh.

log() { printf '[infra] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Absolute, normalised path without requiring it to exist (realpath -m).
abspath() { realpath -m -- "$1"; }

# Port helpers -----------------------------------------------------------------------------------

# True when something accepts TCP connections on 127.0.0.1:$1. Uses bash's /dev/tcp so it needs
# no extra tool; `timeout` keeps a filtered port from hanging us.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

check_port_number() {
  local name=$1 value=$2
  if [[ ! $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then die "$name=$value is not a TCP port"; fi
}

# Refuse to start a component whose port is taken (by another instance or a system service):
# otherwise readiness would succeed against the wrong server.
require_free_port() {
  local component=$1 port=$2
  if port_open "$port"; then
    log "$component: port 127.0.0.1:$port is already in use$(port_holder "$port")"
    die "$component: cannot start; stop the other instance (its REC_INFRA_DIR) or override the REC_*_PORT variables"
  fi
}

# Best effort " by pid N: <command line>" for the process listening on a port, so that a clash
# with an instance from another checkout (another REC_INFRA_DIR) is obvious. Empty when unknown.
port_holder() {
  local pid
  command -v ss >/dev/null || return 0
  pid=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2) || return 0
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 0
  printf ' by pid %s: %s' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c 1-300 | sed 's/ *$//')"
}

# Pid files --------------------------------------------------------------------------------------

pid_file() { printf '%s/run/%s.pid' "$REC_INFRA_DIR" "$1"; }
log_file() { printf '%s/log/%s.log' "$REC_INFRA_DIR" "$1"; }
conf_dir() { printf '%s/conf/%s' "$REC_INFRA_DIR" "$1"; }
data_dir() { printf '%s/data/%s' "$REC_INFRA_DIR" "$1"; }

# Prints the pid of a running component, or fails. A pid file alone is not trusted: the pid may
# have been reused by an unrelated process after a crash or reboot, so the process's command line
# must also contain the component's marker (a path or port unique to this instance).
running_pid() {
  local component=$1 pidf pid cmdline
  pidf=$(pid_file "$component")
  [[ -s $pidf ]] || return 1
  pid=$(<"$pidf")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Arguments end in NUL, turned into spaces here; requiring the space after the marker stops
  # "127.0.0.1:1637" from matching "127.0.0.1:16379".
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$("${component}_marker") "* ]] || return 1
  printf '%s\n' "$pid"
}

# Removes a pid file that no longer names a live process of ours (crash, kill -9, reboot).
clear_stale_pid() {
  local component=$1
  if ! running_pid "$component" >/dev/null; then rm -f -- "$(pid_file "$component")"; fi
}

# Launches "$@" detached from our session (setsid + nohup, stdin closed) so it survives the
# shell that started it, appending output to the component's log. The child writes its own pid
# before exec'ing, so the pid file names the real server even if setsid had to fork.
launch_detached() {
  local component=$1
  shift
  local logf pidf
  logf=$(log_file "$component")
  pidf=$(pid_file "$component")
  printf '\n===== [infra] %s starting at %s =====\n' "$component" "$(date -Is)" >>"$logf"
  # 8>&- 9>&-: the servers must not inherit infra.sh's lock fds, or they would hold the
  # instance lock for as long as they run.
  # shellcheck disable=SC2016 # $$ and $@ are for the child shell
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" >>"$logf" 2>&1 </dev/null 8>&- 9>&- &
  # The readiness wait does the real checking; this only makes sure there is a pid to watch.
  wait_for_file "$pidf" || die "$component: launcher did not write $pidf; see $logf"
}

# Waits up to 5s for a file to exist and be non-empty (pid files written by a child).
wait_for_file() {
  local _
  for _ in {1..50}; do
    if [[ -s $1 ]]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# SIGTERM, wait up to REC_INFRA_STOP_TIMEOUT_S for a clean exit (Kafka flushes logs and
# ClickHouse finishes merges on SIGTERM), then SIGKILL as a last resort.
stop_pid() {
  local component=$1 pid=$2 waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= REC_INFRA_STOP_TIMEOUT_S * 10)); then
      log "$component: still running after ${REC_INFRA_STOP_TIMEOUT_S}s, sending SIGKILL to $pid"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# Readiness -------------------------------------------------------------------------------------

# Prints the last lines of a component's log, for failure messages.
show_log_tail() {
  local logf
  logf=$(log_file "$1")
  [[ -f $logf ]] || return 0
  log "last lines of $logf:"
  tail -n "${REC_INFRA_LOG_TAIL_LINES:-25}" -- "$logf" | sed 's/^/    /' >&2
}

# Polls "$@" (a probe command) every half second until it succeeds, the component's process
# dies, or REC_INFRA_TIMEOUT_S passes. Fails with a message naming the component and its log.
wait_until_ready() {
  local component=$1
  shift
  local deadline=$((SECONDS + REC_INFRA_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! running_pid "$component" >/dev/null; then
      log "$component: process exited before becoming ready; read $(log_file "$component")"
      show_log_tail "$component"
      return 1
    fi
    sleep 0.5
  done
  log "$component: not ready after ${REC_INFRA_TIMEOUT_S}s (REC_INFRA_TIMEOUT_S); read $(log_file "$component")"
  show_log_tail "$component"
  return 1
}

# Setup helpers ----------------------------------------------------------------------------------

is_pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Installs the Debian packages that are missing, and nothing when all are present (so a second
# setup makes no network call). `apt-get update` runs at most once per infra.sh invocation, and
# only when something must be installed: on a fresh machine the package lists may be absent or
# stale (stale lists 404 on superseded security updates).
APT_UPDATED=0
apt_install_missing() {
  local missing=() p
  for p in "$@"; do is_pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} > 0)) || return 0
  ((EUID == 0)) || die "need root to apt-get install ${missing[*]} (or install them yourself)"
  # apt and dpkg chatter goes to a file; it is shown only when something fails.
  local aptlog="$REC_LOCAL_DIR/opt/apt.log"
  mkdir -p -- "$(dirname -- "$aptlog")"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    apt-get update >>"$aptlog" 2>&1 || {
      tail -n 20 -- "$aptlog" >&2
      die "apt-get update failed; see $aptlog"
    }
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]} (output in $aptlog)"
  with_services_blocked env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >>"$aptlog" 2>&1 || {
    tail -n 20 -- "$aptlog" >&2
    die "apt-get install ${missing[*]} failed; see $aptlog"
  }
}

# Runs "$@" with a policy-rc.d that forbids starting services, so the packages' postinst scripts
# do not start system-wide redis/clickhouse on their default ports: we run our own instances.
# An existing policy-rc.d (container images ship one) is left untouched.
with_services_blocked() {
  local policy=/usr/sbin/policy-rc.d
  if [[ -e $policy ]]; then
    "$@"
    return
  fi
  printf '#!/bin/sh\n# Temporary, written by recstream infra/infra.sh setup.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  # Remove it even when apt is interrupted: a leftover would silently block every later service.
  trap 'rm -f -- /usr/sbin/policy-rc.d' EXIT
  local rc=0
  "$@" || rc=$?
  rm -f -- "$policy"
  trap - EXIT
  return "$rc"
}

# Deletes a directory tree only when it sits strictly inside $REC_INFRA_DIR/data and the instance
# dir carries our marker file: a typo in REC_INFRA_DIR must never turn `reset` into `rm -rf /`.
safe_wipe_data_dir() {
  local dir
  dir=$(abspath "$1")
  [[ -n $REC_INFRA_DIR && $REC_INFRA_DIR == /* && $REC_INFRA_DIR != / ]] || die "refusing to wipe: odd REC_INFRA_DIR '$REC_INFRA_DIR'"
  [[ -f $REC_INFRA_DIR/$INSTANCE_MARKER ]] || die "refusing to wipe: $REC_INFRA_DIR has no $INSTANCE_MARKER (not an infra dir?)"
  [[ $dir == "$REC_INFRA_DIR"/data/?* ]] || die "refusing to wipe $dir: not under $REC_INFRA_DIR/data"
  rm -rf -- "$dir"
}
