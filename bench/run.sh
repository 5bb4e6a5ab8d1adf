#!/usr/bin/env bash
# Portcullis foundation benchmark (issue 3): HTTP/1.1 proxy throughput and latency, compared in ONE run against
#   backend    - the static nginx backend, hit directly (the ceiling)
#   nginx      - nginx as a reverse proxy in front of that backend (the reference)
#   portcullis - the gateway in front of the same backend (one endpoint, round_robin)
#   portcullis-lr3 - a second gateway whose cluster has three endpoints (three ports of the same backend nginx) with
#                lb_policy least_request and the admin listener (metrics) on: the cost of balancing and metrics (issue 4)
# Runs are interleaved (round -> size -> target) so drift in the machine (thermal, noisy neighbours, page cache)
# hits every target alike; we report the median across rounds. See bench/README.md for knobs and caveats.
set -euo pipefail

# ---------------------------------------------------------------------------------------------------------------
# Knobs (environment). Everything else is derived.
# ---------------------------------------------------------------------------------------------------------------
DURATION="${DURATION:-10s}"       # wrk -d per measured run
ROUNDS="${ROUNDS:-3}"             # interleaved rounds; the table shows the median across them
SIZES="${SIZES:-1k 64k}"          # response bodies served by the backend: N (bytes), Nk (KiB) or Nm (MiB)
GW_LOOPS="${GW_LOOPS:-1}"         # gateway event loops; 1 = same one-core budget as nginx's single worker
WARMUP="${WARMUP:-10s}"           # wrk -d per size against the gateway before measuring (JIT warm-up)
WRK_THREADS="${WRK_THREADS:-2}"   # the issue fixes -t2 -c64; knobs only so the 2-core pitfall can be explored
WRK_CONNS="${WRK_CONNS:-64}"
BASE_PORT="${BASE_PORT:-18080}"   # backend=BASE+1 (+6, +7 with LR3), nginx proxy=BASE+2, gateway=BASE+3,
                                  # gateway-lr3=BASE+4, its admin listener=BASE+5 (all on 127.0.0.1)
LR3="${LR3:-1}"                   # 1 = also measure gateway-lr3 (3 endpoints, least_request, metrics); 0 = off
GW_ADMIN="${GW_ADMIN:-1}"         # 1 = gateway-lr3 gets an admin section (metrics recorded, /metrics scraped at
                                  # the end); 0 = no admin section, e.g. for a build that rejects the key
GATEWAY_CMD="${GATEWAY_CMD:-}"    # empty = java -jar target/portcullis-*-all.jar; 'nginx-as-gateway' = a second
                                  # nginx proxy on the gateway port (tests this script); anything else is run via
                                  # `bash -c "exec $GATEWAY_CMD"` with GW_PORT, BACKEND_PORT, BACKEND_PORTS and
                                  # GW_CONFIG exported (once per gateway instance: gateway, gateway-lr3)

readonly HOST=127.0.0.1
readonly BACKEND_PORT=$((BASE_PORT + 1)) NGINX_PORT=$((BASE_PORT + 2)) GW_PORT=$((BASE_PORT + 3))
readonly LR3_PORT=$((BASE_PORT + 4)) ADMIN_PORT=$((BASE_PORT + 5))
# The two extra listen ports of the backend nginx: same process, same worker, so the same capacity behind
# gateway-lr3's three endpoints as behind the single endpoint of the others.
readonly BACKEND_PORT2=$((BASE_PORT + 6)) BACKEND_PORT3=$((BASE_PORT + 7))
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out/$(date +%Y%m%d-%H%M%S)"
readonly BENCH_DIR REPO_ROOT OUT_DIR

WORK_DIR=""          # temp dir: configs, static files, nginx temp paths
STARTED_PIDS=()      # every long-lived process we start, killed by cleanup()
declare -A TARGET_PID  # target name -> PID whose process tree is sampled for RSS (absent = not sampled)
declare -A TARGET_PORT
GW_LABEL="portcullis"
METRICS_NOTE=""      # what the end-of-run /metrics scrape found (report line)
WRK_PID=""           # the wrk run in progress (its timeout wrapper), if any
SAMPLER_PID=""       # the RSS sampler of the wrk run in progress, if any (see start_rss_sampler)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------------------------

cleanup() {
  local pid i
  # TERM first so nginx/JVM shut down cleanly, then KILL whatever is left after a bounded wait.
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [[ -n "$WRK_PID" ]]; then kill "$WRK_PID" 2>/dev/null || true; fi
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # route signals through EXIT so cleanup runs once

# Install missing tools; apt-get update only once and only if something is actually missing.
ensure_tools() {
  local missing=()
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    local sudo=""
    [[ $EUID -ne 0 ]] && { command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"; sudo=sudo; }
    log "installing missing tools: ${missing[*]}"
    $sudo apt-get update -qq
    local pkgs=()
    for m in "${missing[@]}"; do
      case "$m" in
        # nginx-light is enough (proxy + static) and smaller; fall back to nginx where the flavour is gone.
        nginx) if apt-cache show nginx-light >/dev/null 2>&1; then pkgs+=(nginx-light); else pkgs+=(nginx); fi ;;
        *) pkgs+=("$m") ;;
      esac
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
}

# Percentage of all CPUs busy over $1 seconds, from /proc/stat (user+nice+system+irq+softirq+steal vs total).
cpu_busy_pct() {
  local a b
  a="$(head -n1 /proc/stat)"; sleep "$1"; b="$(head -n1 /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); busy = 0; tot = 0
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; tot += d; if (i != 5 && i != 6) busy += d }
    printf "%.0f", (tot > 0 ? 100 * busy / tot : 0) }'
}

# Anything else running (a build, a test suite, another session) steals CPU from one target and not another,
# and on 2 cores it easily dominates the differences we look for. Warn loudly; the figures say so too.
IDLE_NOTE=""
check_idle() {
  local busy
  busy="$(cpu_busy_pct 2)"
  if (( busy > 15 )); then
    IDLE_NOTE="WARNING: machine was ${busy}% busy before the run (other processes); figures are unreliable."
    log "$IDLE_NOTE Top CPU users:"
    ps -eo pid,pcpu,comm --sort=-pcpu | head -n 4 | sed 's/^/    /' >&2
  else
    IDLE_NOTE="Machine ${busy}% busy before the run."
  fi
}

port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }

# Backend ports gateway-lr3's cluster points at (only the first one when LR3=0).
backend_ports() {
  if [[ "$LR3" == 1 ]]; then echo "$BACKEND_PORT $BACKEND_PORT2 $BACKEND_PORT3"; else echo "$BACKEND_PORT"; fi
}

check_ports() {
  local p wanted=("$BACKEND_PORT" "$NGINX_PORT" "$GW_PORT")
  if [[ "$LR3" == 1 ]]; then
    wanted+=("$LR3_PORT" "$BACKEND_PORT2" "$BACKEND_PORT3")
    [[ "$GW_ADMIN" == 1 ]] && wanted+=("$ADMIN_PORT")
  fi
  for p in "${wanted[@]}"; do
    port_free "$p" || die "port $p already in use on this machine; set BASE_PORT to another value"
  done
}

# Size token -> bytes: "512" -> 512, "1k" -> 1024, "2m" -> 2097152.
size_bytes() {
  local s="${1,,}"
  case "$s" in
    *k) echo $(( ${s%k} * 1024 )) ;;
    *m) echo $(( ${s%m} * 1024 * 1024 )) ;;
    *[!0-9]*|"") die "bad size '$1' in SIZES (use N, Nk or Nm)" ;;
    *) echo "$s" ;;
  esac
}

prepare_work_dir() {
  WORK_DIR="$(mktemp -d /tmp/portcullis-bench.XXXXXX)"
  # nginx started as root drops its worker to 'nobody', which must be able to read the static files.
  chmod 755 "$WORK_DIR"
  mkdir -p "$WORK_DIR/www" "$OUT_DIR"
  local s
  for s in $SIZES; do
    # Random bytes: incompressible and no accidental caching tricks on either side.
    head -c "$(size_bytes "$s")" /dev/urandom >"$WORK_DIR/www/$s"
  done
  chmod -R a+rX "$WORK_DIR/www"
}

# Shared nginx boilerplate: everything under WORK_DIR so we never touch /var/log/nginx or /run.
nginx_common() {
  local name="$1"
  cat <<EOF
# worker_processes 1: the box has 2 cores shared by wrk, backend and proxy; one worker each keeps the
# proxy on a one-core budget, the same as the gateway's single event loop (GW_LOOPS=1).
worker_processes 1;
daemon off;
pid $WORK_DIR/$name.pid;
error_log $OUT_DIR/$name-error.log warn;
events { worker_connections 4096; }
EOF
}

nginx_http_common() {
  local name="$1"
  cat <<EOF
  access_log off;
  default_type application/octet-stream;
  # nginx closes a keep-alive connection after 1000 requests by default; that would add reconnects to some
  # targets and not others, so lift it everywhere.
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  client_body_temp_path $WORK_DIR/$name-tmp/body;
  proxy_temp_path       $WORK_DIR/$name-tmp/proxy;
  fastcgi_temp_path     $WORK_DIR/$name-tmp/fastcgi;
  uwsgi_temp_path       $WORK_DIR/$name-tmp/uwsgi;
  scgi_temp_path        $WORK_DIR/$name-tmp/scgi;
EOF
}

write_backend_conf() {
  local conf="$WORK_DIR/backend.conf"
  { nginx_common backend
    echo "http {"
    nginx_http_common backend
    cat <<EOF
  sendfile on;
  tcp_nopush on;
  server {
$(for p in $(backend_ports); do echo "    listen $HOST:$p;"; done)
    root $WORK_DIR/www;
    location / { }
  }
}
EOF
  } >"$conf"
  echo "$conf"
}

# A reverse proxy exactly as the issue asks: HTTP/1.1 upstream, Connection cleared, keepalive pool of 64.
# Optional: the upstream's backend ports (default: the one backend port) and a balancing directive (least_conn;).
write_proxy_conf() {
  local name="$1" port="$2" ports="${3:-$BACKEND_PORT}" balance="${4:-}" conf="$WORK_DIR/$1.conf" p
  { nginx_common "$name"
    echo "http {"
    nginx_http_common "$name"
    cat <<EOF
  upstream backend {
${balance:+    $balance
}$(for p in $ports; do echo "    server $HOST:$p;"; done)
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen $HOST:$port;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  } >"$conf"
  echo "$conf"
}

# The foundation's gateway: one route to one cluster holding the one backend port (round_robin by default).
write_gateway_conf() {
  local conf="$WORK_DIR/portcullis.yaml"
  cat >"$conf" <<EOF
server: { event_loops: $GW_LOOPS }
access_log: { enabled: false }
listeners:
  - name: bench
    address: $HOST:$GW_PORT
routes:
  - name: all
    match: { path_prefix: / }
    cluster: backend
clusters:
  - name: backend
    endpoints: [ "$HOST:$BACKEND_PORT" ]
EOF
  echo "$conf"
}

# gateway-lr3: the same, but three endpoints (three ports of the same backend nginx) with least_request, and the
# admin listener on (GW_ADMIN=1) so metrics are recorded on the request path and can be scraped.
write_gateway_lr3_conf() {
  local conf="$WORK_DIR/portcullis-lr3.yaml" admin="# admin: off (GW_ADMIN=0)"
  [[ "$GW_ADMIN" == 1 ]] && admin="admin: { address: \"$HOST:$ADMIN_PORT\" }"
  cat >"$conf" <<EOF
server: { event_loops: $GW_LOOPS }
access_log: { enabled: false }
$admin
listeners:
  - name: bench
    address: $HOST:$LR3_PORT
routes:
  - name: all
    match: { path_prefix: / }
    cluster: backend
clusters:
  - name: backend
    lb_policy: least_request
    endpoints: [ "$HOST:$BACKEND_PORT", "$HOST:$BACKEND_PORT2", "$HOST:$BACKEND_PORT3" ]
EOF
  echo "$conf"
}

# Starts a long-lived process in the background and records its PID for cleanup. The PID is returned in the
# global LAST_PID, not on stdout: called inside $(...) the bookkeeping would be lost in the subshell.
# Output goes to OUT_DIR/<name>.log so a failed start can be diagnosed.
LAST_PID=""
start_bg() {
  local name="$1"; shift
  "$@" >"$OUT_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

start_nginx() {
  local name="$1" conf="$2"
  mkdir -p "$WORK_DIR/$name-tmp"
  # -e: nginx opens its default error log before reading the config; point it at our dir, not /var/log.
  "$NGINX_BIN" -t -q -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf" || die "nginx config for $name invalid"
  start_bg "$name" "$NGINX_BIN" -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf"
}

# Polls until GET /<first size> answers 200 with the right length; bounded, and fails early if the process died.
wait_ready() {
  local name="$1" port="$2" pid="$3" tries="${4:-100}" label="${5:-$1}" first expect i got
  first="${SIZES%% *}"; expect="$(size_bytes "$first")"
  for ((i = 0; i < tries; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$label exited during startup; see $OUT_DIR/$name.log"
    got="$(curl -s -o /dev/null -m 2 -w '%{http_code} %{size_download}' "http://$HOST:$port/$first" || true)"
    [[ "$got" == "200 $expect" ]] && { log "$label ready on $HOST:$port"; return 0; }
    sleep 0.3
  done
  die "$label not ready on $HOST:$port after $tries polls (last: '$got'); see $OUT_DIR/$name.log"
}

# java binary of a JDK >= 21: JAVA_HOME, then Temurin 25, then any /usr/lib/jvm/*.
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}
pick_java() {
  local cand
  for cand in "${JAVA_HOME:+$JAVA_HOME}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$cand" && -x "$cand/bin/java" ]] || continue
    if (( $(java_major "$cand/bin/java" || echo 0) >= 21 )); then echo "$cand"; return 0; fi
  done
  die "no JDK >= 21 found (JAVA_HOME, /usr/lib/jvm/*)"
}

find_jar() { compgen -G "$REPO_ROOT/target/portcullis-*-all.jar" | head -n1 || true; }

# A jar older than any source or the pom would silently benchmark old code: treat it as missing.
jar_stale() {
  [[ -n "$(find "$REPO_ROOT/src/main" "$REPO_ROOT/pom.xml" -newer "$1" -print -quit 2>/dev/null)" ]]
}

# The jar, built first when missing or stale. bin/portcullis picks target/portcullis-*-all.jar of the same checkout,
# so the launcher runs exactly this jar.
ensure_jar() {
  local jdk="$1" jar
  jar="$(find_jar)"
  if [[ -z "$jar" ]] || jar_stale "$jar"; then
    log "gateway jar missing or older than src/main or pom.xml; building with ./mvnw (JAVA_HOME=$jdk)"
    (cd "$REPO_ROOT" && JAVA_HOME="$jdk" ./mvnw -q -B -DskipTests package) || die "maven build failed"
    jar="$(find_jar)"
    [[ -n "$jar" ]] || die "build finished but no target/portcullis-*-all.jar"
  fi
  log "gateway jar: $jar"
}

# Starts one gateway instance: name (target name, also its log file), port, generated config, and the backend ports
# its cluster uses (for the test doubles). Sets LAST_PID to the gateway's PID and GW_LABEL when it is not the real
# gateway.
start_gateway() {
  local name="$1" port="$2" conf="$3" ports="${4:-$BACKEND_PORT}" label
  case "$GATEWAY_CMD" in
    "")
      local jdk
      jdk="$(pick_java)"
      ensure_jar "$jdk"
      # Through the launcher, so the gateway runs with the JVM options users get (bin/portcullis): both gateways
      # get its default heap unless PORTCULLIS_JAVA_OPTS is set, which then applies to both alike.
      log "$name: bin/portcullis run -c $conf (JAVA_HOME=$jdk, event_loops=$GW_LOOPS," \
          "JVM options: ${PORTCULLIS_JAVA_OPTS:-launcher default})"
      export JAVA_HOME="$jdk"
      start_bg "$name" "$REPO_ROOT/bin/portcullis" run -c "$conf"
      ;;
    nginx-as-gateway)
      # Test double: proves the orchestration, parsing and table without the real gateway. For gateway-lr3 it
      # balances over the same three backend ports with least_conn, nginx's least_request.
      GW_LABEL="nginx-as-gateway"
      local balance=""
      [[ "$name" == gateway-lr3 ]] && balance="least_conn;"
      start_nginx "$name" "$(write_proxy_conf "$name" "$port" "$ports" "$balance")"
      ;;
    *)
      GW_LABEL="custom-gateway"
      log "$name: custom GATEWAY_CMD: $GATEWAY_CMD"
      # env and exec replace themselves, so the PID we sample is the gateway itself, not a wrapper shell.
      # GW_PORT is this instance's port; BACKEND_PORTS lists its cluster's backend ports (one for gateway, three
      # for gateway-lr3).
      start_bg "$name" env GW_PORT="$port" BACKEND_PORT="$BACKEND_PORT" BACKEND_PORTS="$ports" GW_CONFIG="$conf" \
        bash -c "exec $GATEWAY_CMD"
      ;;
  esac
  label="$(target_label "$name")"
  # The JVM needs far longer to start than nginx: allow up to ~60 s.
  wait_ready "$name" "$port" "$LAST_PID" 200 "$label"
}

# Name in the table: gateway -> portcullis (or the test double's name), gateway-lr3 -> portcullis-lr3.
target_label() {
  case "$1" in
    gateway) echo "$GW_LABEL" ;;
    gateway-lr3) echo "$GW_LABEL-lr3" ;;
    *) echo "$1" ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------------

# Sum of VmRSS (KiB) over a process and its descendants: nginx = master + worker, JVM = one process.
tree_rss_kib() {
  local pid="$1" total=0 kids k r
  r="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
  total=$((total + ${r:-0}))
  kids="$(pgrep -P "$pid" || true)"
  for k in $kids; do total=$((total + $(tree_rss_kib "$k"))); done
  echo "$total"
}

# Background sampler: every 200 ms records the max tree RSS into $2. It stops when $2.stop appears (so it is never
# killed halfway through writing), and is bounded by an iteration count even if nobody stops it.
# VmHWM would be simpler but is a lifetime peak (includes warm-up and earlier runs), not a per-run peak.
# Sets SAMPLER_PID (not stdout: a background job inside $(...) would keep the substitution waiting).
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

# One wrk run. Writes raw output to $out; samples RSS of the target's process tree into $out.rss.
run_wrk() {
  local target="$1" size="$2" duration="$3" out="$4" sampler="" pid="${TARGET_PID[$1]:-}"
  if [[ -n "$pid" ]]; then
    start_rss_sampler "$pid" "$out.rss" $(( ($(duration_seconds "$duration") + 5) * 5 ))
    sampler=$SAMPLER_PID
  fi
  # timeout: wrk normally exits by itself after -d; this only guards against a hang. Background + wait so a
  # TERM/INT runs cleanup at once instead of after the run (bash defers traps while a foreground child runs).
  timeout $(( $(duration_seconds "$duration") + 30 )) \
    wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"$duration" --latency "http://$HOST:${TARGET_PORT[$target]}/$size" \
    >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || log "WARN: wrk exited non-zero for $target /$size (see $out)"
  WRK_PID=""
  if [[ -n "$sampler" ]]; then touch "$out.rss.stop"; wait "$sampler" || true; SAMPLER_PID=""; fi
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

# Prints "rps p50_ms p99_ms errors" for one raw wrk output file. errors = non-2xx/3xx + socket errors, because a
# proxy answering 502 quickly would otherwise look like a fast proxy.
parse_wrk() {
  local f="$1" rps p50 p99 non2xx sock
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
  p50="$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "50%" { print $2; exit }' "$f")"
  p99="$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "99%" { print $2; exit }' "$f")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")"
  sock="$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")"
  [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || { echo "NaN NaN NaN 1"; return; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $(( ${non2xx:-0} + ${sock:-0} ))"
}

# Median of numbers on stdin (mean of the middle two for an even count).
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "NaN"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# Total of wrk's "N requests in" over the given raw outputs (warm-up and measured runs).
wrk_requests() {
  cat "$@" 2>/dev/null | awk '/ requests in / { n += $1 } END { printf "%d", n }'
}

# GET /metrics of gateway-lr3's admin listener (http status on stdout, body into $1).
fetch_metrics() {
  curl -s -m 5 -o "$1" -w '%{http_code}' "http://$HOST:$ADMIN_PORT/metrics" || true
}

# Once, at the end, while gateway-lr3 still runs: saves /metrics to OUT_DIR/metrics.txt and sums the
# portcullis_requests_total series, a sanity check that metrics were recorded during the run. Sets METRICS_NOTE.
scrape_metrics() {
  local url="http://$HOST:$ADMIN_PORT/metrics" code sum sent
  if [[ "$GW_ADMIN" != 1 ]]; then METRICS_NOTE="Metrics: admin listener off (GW_ADMIN=0), not scraped."; return 0; fi
  if [[ "$GATEWAY_CMD" == nginx-as-gateway ]]; then METRICS_NOTE="Metrics: test double, no admin listener."; return 0; fi
  code="$(fetch_metrics "$OUT_DIR/metrics.txt")"
  if [[ "$code" != 200 ]]; then
    rm -f "$OUT_DIR/metrics.txt"
    METRICS_NOTE="WARNING: $url answered '${code:-nothing}', not 200: no admin listener in this build? gateway-lr3 ran without metrics."
    return 0
  fi
  sent="$(wrk_requests "$OUT_DIR"/*-gateway-lr3.txt)"
  # Prometheus text: name{labels} value [timestamp], or name value [timestamp] without labels.
  sum="$(awk '/^portcullis_requests_total([{ ]|$)/ {
      v = $0; if (index(v, "}")) sub(/.*}/, "", v); else sub(/^[^ ]+/, "", v)
      split(v, f, " "); s += f[1]; n++ }
    END { if (n) printf "%.0f over %d series", s, n }' "$OUT_DIR/metrics.txt")"
  if [[ -n "$sum" ]]; then
    METRICS_NOTE="Metrics: sum of portcullis_requests_total = $sum; wrk completed $sent requests against gateway-lr3 (plus a few readiness probes). Saved: $OUT_DIR/metrics.txt"
  else
    METRICS_NOTE="WARNING: $url answered but has no portcullis_requests_total series (saved: $OUT_DIR/metrics.txt)."
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------

# Median per (target, size) across rounds, then a Markdown table with ratios to nginx.
report() {
  local targets=("$@") size t r
  local -A RPS P50 P99 RSS ERR RPS_ROUND
  for size in $SIZES; do
    for t in "${targets[@]}"; do
      local rps_list="" p50_list="" p99_list="" rss_list="" errs=0
      for ((r = 1; r <= ROUNDS; r++)); do
        local f="$OUT_DIR/r$r-$size-$t.txt" parsed
        read -r -a parsed <<<"$(parse_wrk "$f")"
        rps_list+="${parsed[0]}"$'\n'; p50_list+="${parsed[1]}"$'\n'; p99_list+="${parsed[2]}"$'\n'
        RPS_ROUND[$t,$size,$r]="${parsed[0]}"
        errs=$(( errs + parsed[3] ))
        [[ -s "$f.rss" ]] && rss_list+="$(cat "$f.rss")"$'\n'
      done
      RPS[$t,$size]="$(printf '%s' "$rps_list" | median)"
      P50[$t,$size]="$(printf '%s' "$p50_list" | median)"
      P99[$t,$size]="$(printf '%s' "$p99_list" | median)"
      RSS[$t,$size]="$( [[ -n "$rss_list" ]] && printf '%s' "$rss_list" | median || echo "")"
      ERR[$t,$size]="$errs"
    done
  done

  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ) — wrk -t$WRK_THREADS -c$WRK_CONNS -d$DURATION, median of $ROUNDS interleaved rounds"
  echo
  echo "Proxies on a one-core budget: nginx worker_processes 1, gateway event_loops $GW_LOOPS; backend nginx" \
       "worker_processes 1. $(nproc) cores shared by wrk, backend and proxy: compare ratios, not absolutes."
  if [[ " ${targets[*]} " == *" gateway-lr3 "* ]]; then
    local admin="admin listener on $HOST:$ADMIN_PORT"
    [[ "$GW_ADMIN" == 1 ]] || admin="admin listener off (GW_ADMIN=0)"
    echo
    if [[ "$GATEWAY_CMD" == nginx-as-gateway ]]; then
      echo "$(target_label gateway-lr3): a second nginx proxy, upstream of 3 servers (ports $(backend_ports) of the" \
           "same backend nginx) with least_conn; test double, no metrics."
    else
      echo "$(target_label gateway-lr3): a second gateway, cluster of 3 endpoints (ports $(backend_ports) of the" \
           "same backend nginx), lb_policy least_request, $admin; both gateways: event_loops $GW_LOOPS, JVM" \
           "options ${PORTCULLIS_JAVA_OPTS:-of the launcher (default)}."
    fi
  fi
  echo
  echo "| target | size | req/s | p50 (ms) | p99 (ms) | peak RSS (MiB) | req/s vs nginx | p99 vs nginx |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for size in $SIZES; do
    for t in "${targets[@]}"; do
      local label rss="—"
      label="$(target_label "$t")"
      [[ -n "${RSS[$t,$size]}" ]] && rss="$(awk -v k="${RSS[$t,$size]}" 'BEGIN { printf "%.1f", k / 1024 }')"
      awk -v label="$label" -v size="$size" -v rps="${RPS[$t,$size]}" -v p50="${P50[$t,$size]}" \
          -v p99="${P99[$t,$size]}" -v rss="$rss" -v nrps="${RPS[nginx,$size]}" -v np99="${P99[nginx,$size]}" \
        'BEGIN { printf "| %s | %s | %.0f | %.2f | %.2f | %s | %.2f | %.2f |\n",
                 label, size, rps, p50, p99, rss, (nrps > 0 ? rps / nrps : 0), (np99 > 0 ? p99 / np99 : 0) }'
    done
  done
  # Issue 4: balancing (3 endpoints, least_request) plus metrics within 10% of the single-endpoint gateway.
  if [[ " ${targets[*]} " == *" gateway-lr3 "* ]]; then
    local g l
    g="$(target_label gateway)"; l="$(target_label gateway-lr3)"
    echo
    echo "#### $l vs $g: cost of balancing and metrics (issue 4 asks for req/s vs gateway >= 0.90)"
    echo
    echo "| size | $g req/s | $l req/s | req/s vs gateway | per round | p99 vs gateway |"
    echo "|---|---:|---:|---:|---|---:|"
    for size in $SIZES; do
      local rounds=""
      for ((r = 1; r <= ROUNDS; r++)); do
        rounds+="$(awk -v a="${RPS_ROUND[gateway-lr3,$size,$r]}" -v b="${RPS_ROUND[gateway,$size,$r]}" \
          'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') "
      done
      awk -v size="$size" -v g="${RPS[gateway,$size]}" -v l="${RPS[gateway-lr3,$size]}" -v rounds="${rounds% }" \
          -v gp99="${P99[gateway,$size]}" -v lp99="${P99[gateway-lr3,$size]}" \
        'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %s | %.2f |\n",
                 size, g, l, (g > 0 ? l / g : 0), rounds, (gp99 > 0 ? lp99 / gp99 : 0) }'
    done
  fi
  echo
  for size in $SIZES; do
    for t in "${targets[@]}"; do
      (( ${ERR[$t,$size]} != 0 )) && echo "WARNING: $t /$size had ${ERR[$t,$size]} non-2xx/socket errors (or an unparsable wrk output); its numbers are suspect."
    done
  done
  # nginx spilling 64 KiB bodies to temp files or running out of connections would skew the reference.
  local e
  for e in "$OUT_DIR"/*-error.log; do
    [[ -s "$e" ]] && grep -qv '\[notice\]' "$e" && echo "NOTE: $(basename "$e") is not empty: $(grep -v '\[notice\]' "$e" | head -n1)"
  done
  [[ -n "$METRICS_NOTE" ]] && echo "$METRICS_NOTE"
  echo "$IDLE_NOTE Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Raw wrk output: $OUT_DIR"
  return 0
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

main() {
  [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, was '$ROUNDS'"
  [[ "$GW_LOOPS" =~ ^[1-9][0-9]*$ ]] || die "GW_LOOPS must be a positive integer, was '$GW_LOOPS'"
  [[ "$LR3" =~ ^[01]$ ]] || die "LR3 must be 0 or 1, was '$LR3'"
  [[ "$GW_ADMIN" =~ ^[01]$ ]] || die "GW_ADMIN must be 0 or 1, was '$GW_ADMIN'"
  ensure_tools
  check_ports
  check_idle
  prepare_work_dir
  log "output in $OUT_DIR"
  (( $(nproc) < 4 )) && log "only $(nproc) cores: wrk, backend and proxy compete for CPU; read ratios, not absolutes"

  local backend_pid nginx_pid gw_pid lr3_pid=""
  start_nginx backend "$(write_backend_conf)"; backend_pid=$LAST_PID
  wait_ready backend "$BACKEND_PORT" "$backend_pid"
  start_nginx nginx "$(write_proxy_conf nginx "$NGINX_PORT")"; nginx_pid=$LAST_PID
  wait_ready nginx "$NGINX_PORT" "$nginx_pid"
  start_gateway gateway "$GW_PORT" "$(write_gateway_conf)"; gw_pid=$LAST_PID
  if [[ "$LR3" == 1 ]]; then
    start_gateway gateway-lr3 "$LR3_PORT" "$(write_gateway_lr3_conf)" "$(backend_ports)"; lr3_pid=$LAST_PID
    if [[ "$GW_ADMIN" == 1 && "$GATEWAY_CMD" != nginx-as-gateway ]]; then
      local code
      code="$(fetch_metrics /dev/null)"
      if [[ "$code" == 200 ]]; then log "gateway-lr3 admin listener answers on $HOST:$ADMIN_PORT: metrics on"
      else log "WARN: gateway-lr3 admin $HOST:$ADMIN_PORT/metrics answered '$code': this build has no admin listener?"; fi
    fi
  fi

  TARGET_PORT=([backend]=$BACKEND_PORT [nginx]=$NGINX_PORT [gateway]=$GW_PORT)
  TARGET_PID=([nginx]=$nginx_pid [gateway]=$gw_pid)   # backend RSS deliberately not reported
  local targets=(backend nginx gateway) size t r p
  if [[ "$LR3" == 1 ]]; then
    TARGET_PORT[gateway-lr3]=$LR3_PORT; TARGET_PID[gateway-lr3]=$lr3_pid
    targets+=(gateway-lr3)
  fi

  # Every size through every target once, so a broken path fails now and not after minutes of measuring.
  for size in $SIZES; do
    for t in "${targets[@]}"; do
      local got expect
      expect="$(size_bytes "$size")"
      got="$(curl -s -o /dev/null -m 5 -w '%{http_code} %{size_download}' "http://$HOST:${TARGET_PORT[$t]}/$size" || true)"
      [[ "$got" == "200 $expect" ]] || die "$t /$size answered '$got', expected '200 $expect'"
    done
    for p in $(backend_ports); do   # the extra backend ports behind gateway-lr3, directly
      got="$(curl -s -o /dev/null -m 5 -w '%{http_code} %{size_download}' "http://$HOST:$p/$size" || true)"
      [[ "$got" == "200 $expect" ]] || die "backend port $p /$size answered '$got', expected '200 $expect'"
    done
  done

  # JIT warm-up for the gateway (the point), a short one for the others so each starts with warm connections.
  log "warm-up: gateway${lr3_pid:+ and gateway-lr3} $WARMUP per size, others 2s"
  for size in $SIZES; do
    run_wrk gateway "$size" "$WARMUP" "$OUT_DIR/warmup-$size-gateway.txt"
    [[ "$LR3" == 1 ]] && run_wrk gateway-lr3 "$size" "$WARMUP" "$OUT_DIR/warmup-$size-gateway-lr3.txt"
    run_wrk backend "$size" 2s "$OUT_DIR/warmup-$size-backend.txt"
    run_wrk nginx "$size" 2s "$OUT_DIR/warmup-$size-nginx.txt"
  done

  for ((r = 1; r <= ROUNDS; r++)); do
    for size in $SIZES; do
      for t in "${targets[@]}"; do
        log "round $r/$ROUNDS /$size -> $t"
        run_wrk "$t" "$size" "$DURATION" "$OUT_DIR/r$r-$size-$t.txt"
      done
    done
  done

  [[ "$LR3" == 1 ]] && scrape_metrics
  report "${targets[@]}" | tee "$OUT_DIR/results.md"
}

main "$@"
