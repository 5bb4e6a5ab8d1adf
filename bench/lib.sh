# shellcheck shell=bash
# Shared helpers for the benchmark scripts written after run.sh and tls.sh (those two stay self-contained).
# Source it after setting: LOG_TAG (prefix of log lines), HOST, REPO_ROOT, OUT_DIR; WORK_DIR is set by
# bench_work_dir. Long-lived processes go through start_bg so bench_cleanup (installed by bench_traps) stops them.
# The conventions are run.sh's: loopback only, everything under a temp dir, bounded loops, TERM then KILL on exit.

WORK_DIR=""
STARTED_PIDS=()      # every long-lived process we start, stopped by bench_cleanup
LOAD_PID=""          # the load generator run in progress (its timeout wrapper), if any
SAMPLER_PID=""       # the RSS sampler of the run in progress, if any
LAST_PID=""          # set by start_bg (not printed: inside $(...) the bookkeeping would be lost)
IDLE_NOTE=""

log() { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_cleanup() {
  local pid i alive
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [[ -n "$LOAD_PID" ]]; then kill "$LOAD_PID" 2>/dev/null || true; fi
  # TERM first so nginx and the JVM shut down cleanly, then KILL whatever is left after a bounded wait.
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
  return 0
}

bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM   # route signals through EXIT so cleanup runs once
}

# Installs the commands given (nginx wrk curl openssl h2load redis-server redis-cli) with apt-get when missing;
# apt-get update only then.
# Sets NGINX_BIN.
ensure_tools() {
  local missing=() pkgs=() m sudo=""
  for m in "$@"; do
    if [[ $m == nginx ]]; then { command -v nginx || [[ -x /usr/sbin/nginx ]]; } >/dev/null && continue
    else command -v "$m" >/dev/null && continue; fi
    missing+=("$m")
  done
  if ((${#missing[@]})); then
    [[ $EUID -ne 0 ]] && { command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"; sudo=sudo; }
    log "installing missing tools: ${missing[*]}"
    $sudo apt-get update -qq
    for m in "${missing[@]}"; do
      case "$m" in
        # nginx-light is enough (proxy + static) and smaller; fall back to nginx where the flavour is gone.
        nginx) if apt-cache show nginx-light >/dev/null 2>&1; then pkgs+=(nginx-light); else pkgs+=(nginx); fi ;;
        h2load) pkgs+=(nghttp2-client) ;;
        redis-cli) pkgs+=(redis-tools) ;;   # redis-server is its own package (and pulls redis-tools in)
        *) pkgs+=("$m") ;;
      esac
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
}

# Percentage of all CPUs busy over $1 seconds, from /proc/stat (everything but idle and iowait).
cpu_busy_pct() {
  local a b
  a="$(head -n1 /proc/stat)"; sleep "$1"; b="$(head -n1 /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); busy = 0; tot = 0
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; tot += d; if (i != 5 && i != 6) busy += d }
    printf "%.0f", (tot > 0 ? 100 * busy / tot : 0) }'
}

# A build or test suite of someone else steals CPU from one run and not the next; on 2 cores it swamps what we
# look for. Sets IDLE_NOTE (printed under the tables) and warns.
check_idle() {
  local busy
  busy="$(cpu_busy_pct 2)"
  if ((busy > 15)); then
    IDLE_NOTE="WARNING: machine was ${busy}% busy before the run (other processes); figures are unreliable."
    log "$IDLE_NOTE Top CPU users:"
    ps -eo pid,pcpu,comm --sort=-pcpu | head -n 4 | sed 's/^/    /' >&2
  else
    IDLE_NOTE="Machine ${busy}% busy before the run."
  fi
}

port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
require_free_ports() {
  local p
  for p in "$@"; do port_free "$p" || die "port $p already in use on this machine; set BASE_PORT to another value"; done
}

# Size token -> bytes: "512" -> 512, "1k" -> 1024, "2m" -> 2097152.
size_bytes() {
  local s="${1,,}"
  case "$s" in
    *k) echo $(( ${s%k} * 1024 )) ;;
    *m) echo $(( ${s%m} * 1024 * 1024 )) ;;
    *[!0-9]* | "") die "bad size '$1' (use N, Nk or Nm)" ;;
    *) echo "$s" ;;
  esac
}

# wrk duration -> whole seconds (10s -> 10, 1m -> 60).
duration_seconds() {
  local d="$1"
  case "$d" in
    *ms) echo 1 ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *h) echo $(( ${d%h} * 3600 )) ;;
    *) echo "$d" ;;
  esac
}

bench_work_dir() {
  WORK_DIR="$(mktemp -d "/tmp/$1.XXXXXX")"
  chmod 755 "$WORK_DIR"   # nginx started as root drops its worker to 'nobody', which must read www/
  mkdir -p "$WORK_DIR/www" "$OUT_DIR"
}

# nginx main context and the start of http {}: everything under WORK_DIR, never /var/log or /run. The caller
# closes the http block.
nginx_common() {
  local name="$1"
  cat <<EOF
# worker_processes 1: the box has 2 cores shared by wrk, backend and proxy.
worker_processes 1;
daemon off;
pid $WORK_DIR/$name.pid;
error_log $OUT_DIR/$name-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  # nginx's default of 1000 requests per connection would add reconnects to some hops and not others.
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  client_body_temp_path $WORK_DIR/$name-tmp/body;
  proxy_temp_path       $WORK_DIR/$name-tmp/proxy;
  fastcgi_temp_path     $WORK_DIR/$name-tmp/fastcgi;
  uwsgi_temp_path       $WORK_DIR/$name-tmp/uwsgi;
  scgi_temp_path        $WORK_DIR/$name-tmp/scgi;
EOF
}

# Output goes to OUT_DIR/<name>.log so a failed start can be diagnosed.
start_bg() {
  local name="$1"; shift
  "$@" >"$OUT_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

start_nginx() {
  local name="$1" conf="$2"
  mkdir -p "$WORK_DIR/$name-tmp"
  # -e: nginx opens its default error log before reading the config; point it at our dir.
  "$NGINX_BIN" -t -q -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf" || die "nginx config for $name invalid"
  start_bg "$name" "$NGINX_BIN" -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf"
}

# Feature version of the JDK at $1 (release file, else java -version), or 0. As bench/jmh.sh.
java_major() {
  local home=$1 version=""
  [[ -x "$home/bin/java" ]] || { echo 0; return; }
  [[ -r "$home/release" ]] && version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")
  [[ -z "$version" ]] && version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  version=${version#1.}; version=${version%%[.+-]*}
  if [[ "$version" =~ ^[0-9]+$ ]]; then echo "$version"; else echo 0; fi
}

# A JDK >= 21: JAVA_HOME if it is one, else Temurin 25, else the newest qualifying /usr/lib/jvm/*.
pick_jdk() {
  local best="" best_major=0 home major
  if [[ -n "${JAVA_HOME:-}" ]] && (( $(java_major "$JAVA_HOME") >= 21 )); then echo "$JAVA_HOME"; return; fi
  if (( $(java_major /usr/lib/jvm/temurin-25-jdk-amd64) >= 21 )); then echo /usr/lib/jvm/temurin-25-jdk-amd64; return; fi
  for home in /usr/lib/jvm/*; do
    major=$(java_major "$home")
    if ((major >= 21 && major > best_major)); then best=$home best_major=$major; fi
  done
  [[ -n "$best" ]] || die "no JDK >= 21 found (set JAVA_HOME)"
  echo "$best"
}

find_jar() { compgen -G "$REPO_ROOT/target/portcullis-*-all.jar" | head -n1 || true; }

# This checkout's jar, built first when missing or older than src/main or pom.xml (so a run never measures old
# code by accident). Prints the jar. Offline first (the usual case here), online if that fails.
ensure_jar() {
  local jdk="$1" jar
  jar="$(find_jar)"
  if [[ -z "$jar" || -n "$(find "$REPO_ROOT/src/main" "$REPO_ROOT/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    log "gateway jar missing or older than src/main or pom.xml; building with ./mvnw (JAVA_HOME=$jdk)"
    (cd "$REPO_ROOT" && { JAVA_HOME="$jdk" ./mvnw -q -B -o -DskipTests package || JAVA_HOME="$jdk" ./mvnw -q -B -DskipTests package; }) >&2 \
      || die "maven build failed"
    jar="$(find_jar)"
    [[ -n "$jar" ]] || die "build finished but no target/portcullis-*-all.jar"
  fi
  echo "$jar"
}

# Process tree, RSS (KiB) and CPU (utime+stime, clock ticks) of a PID and its descendants.
tree_pids() { local k; echo "$1"; for k in $(pgrep -P "$1" || true); do tree_pids "$k"; done; }
tree_rss_kib() {
  local p total=0 r
  for p in $(tree_pids "$1"); do
    r="$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)"; total=$((total + ${r:-0}))
  done
  echo "$total"
}
tree_cpu_ticks() {
  local p total=0 r
  for p in $(tree_pids "$1"); do
    # fields counted after "(comm)", which may contain spaces
    r="$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true)"; total=$((total + ${r:-0}))
  done
  echo "$total"
}

# Every 200 ms records the max tree RSS into $2; stops when $2.stop appears (never killed halfway through a write)
# and after $3 iterations at the latest. VmHWM would be a lifetime peak, warm-up included. Sets SAMPLER_PID.
start_rss_sampler() {
  local pid="$1" out="$2" max_iter="$3"
  (
    max=0
    for ((i = 0; i < max_iter; i++)); do
      [[ -e "$out.stop" ]] && break
      cur="$(tree_rss_kib "$pid")"
      if ((cur > max)); then max=$cur; echo "$max" >"$out"; fi
      sleep 0.2
    done
    rm -f "$out.stop"
  ) >/dev/null 2>&1 &
  SAMPLER_PID=$!
}
stop_rss_sampler() {
  [[ -n "$SAMPLER_PID" ]] || return 0
  touch "$1.stop"; wait "$SAMPLER_PID" || true; SAMPLER_PID=""
}

# wrk latency token (850.00us, 1.23ms, 1.02s) -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print "NaN" }'
}

# "req/s p50_ms p99_ms requests errors" of one raw `wrk --latency` output. errors = non-2xx/3xx + socket errors
# (a proxy answering 401 or 502 fast must not look fast); an unparsable output counts as an error.
parse_wrk() {
  local f="$1" rps p50 p99 n err
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
  p50="$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "50%" { print $2; exit }' "$f")"
  p99="$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "99%" { print $2; exit }' "$f")"
  n="$(awk '/ requests in / { print $1 }' "$f")"
  err="$(awk '/Non-2xx or 3xx responses:/ { e += $NF } /Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
    END { print e + 0 }' "$f")"
  [[ -n "$rps" && -n "$p50" && -n "$p99" && -n "$n" ]] || { echo "NaN NaN NaN 0 1"; return; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $n $err"
}

# Median of numbers on stdin (mean of the middle two for an even count).
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "NaN"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
