#!/usr/bin/env bash
# Portcullis TLS / HTTP/2 benchmark (issue 7): the gateway against nginx on the same certificate and the same static
# backend, in ONE run. Three cases, each against both TLS proxies:
#   https-keepalive - HTTPS HTTP/1.1 with keep-alive          (wrk -t2 -c64 --latency)
#   handshakes      - one new connection + TLS handshake per request (wrk -H "Connection: close")
#   h2              - HTTP/2 over TLS (ALPN h2)                 (h2load -c64 -m10 -t2)
# Targets: gateway req/s >= 0.9 x nginx on each case, gateway RSS <= 256 MiB. Runs are interleaved
# (round -> case -> size -> target) and we report the median across rounds. See bench/README.md ("TLS and HTTP/2").
# Self-contained: shares nothing with run.sh but its conventions (small helpers are copied).
set -euo pipefail

# ---------------------------------------------------------------------------------------------------------------
# Knobs (environment)
# ---------------------------------------------------------------------------------------------------------------
DURATION="${DURATION:-10s}"       # per measured run (wrk -d, h2load -D in whole seconds)
ROUNDS="${ROUNDS:-3}"             # interleaved rounds; tables show the median across them
SIZES="${SIZES:-1k}"              # bodies served by the backend: N, Nk or Nm; requested as /<token>
CASES="${CASES:-https-keepalive handshakes h2}"
GW_LOOPS="${GW_LOOPS:-1}"         # gateway event loops; 1 = same one-core budget as nginx's single worker
WARMUP="${WARMUP:-10s}"           # per case and size against the gateway before measuring (JIT); nginx gets 2s
WRK_THREADS="${WRK_THREADS:-2}"   # the issue fixes -t2 -c64 (wrk) and -c64 -m10 (h2load)
WRK_CONNS="${WRK_CONNS:-64}"
H2_THREADS="${H2_THREADS:-2}"
H2_CONNS="${H2_CONNS:-64}"
H2_STREAMS="${H2_STREAMS:-10}"
BASE_PORT="${BASE_PORT:-18180}"   # backend = +1, nginx TLS proxy = +2, gateway = +3 (127.0.0.1 only)
NGINX_TLS_RESUME="${NGINX_TLS_RESUME:-on}"  # on: nginx defaults (TLS session tickets); off: ssl_session_tickets off
                                  # and ssl_session_cache off, so every handshake to nginx is a full one
# nginx's pool of idle upstream connections. With h2 -c64 -m10 it has 640 requests in flight, hence 640 upstream
# connections; a pool of 64 (run.sh's) would close and reopen most of them all the time (measured: ~0.4 new
# connections per request), a handicap the reference should not have. Default: the largest client concurrency.
NGINX_UPSTREAM_KEEPALIVE="${NGINX_UPSTREAM_KEEPALIVE:-$(( WRK_CONNS > H2_CONNS * H2_STREAMS ? WRK_CONNS : H2_CONNS * H2_STREAMS ))}"
JAR="${JAR:-}"                    # gateway jar; empty = this checkout's target/portcullis-*-all.jar via bin/portcullis
GATEWAY_CMD="${GATEWAY_CMD:-}"    # empty = the jar; 'nginx-as-gateway' = a second nginx TLS proxy (tests this
                                  # script); else `bash -c "exec $GATEWAY_CMD"` with GW_PORT, BACKEND_PORT, GW_CONFIG,
                                  # TLS_CERT, TLS_KEY exported
RATIO_TARGET="${RATIO_TARGET:-0.9}"
RSS_LIMIT_MIB="${RSS_LIMIT_MIB:-256}"

readonly HOST=127.0.0.1
readonly BACKEND_PORT=$((BASE_PORT + 1)) NGINX_PORT=$((BASE_PORT + 2)) GW_PORT=$((BASE_PORT + 3))
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out/$(date +%Y%m%d-%H%M%S)-tls"
readonly BENCH_DIR REPO_ROOT OUT_DIR

WORK_DIR=""; TLS_DIR=""
STARTED_PIDS=()
declare -A TARGET_PID TARGET_PORT RESUMES CLOSES
GW_LABEL="portcullis"
LOAD_PID=""; SAMPLER_PID=""; LAST_PID=""

log() { printf '[tls-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local pid i alive
  if [[ -n "$SAMPLER_PID" ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [[ -n "$LOAD_PID" ]]; then kill "$LOAD_PID" 2>/dev/null || true; fi
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
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------------------------

ensure_tools() {
  local missing=() pkgs=() m sudo=""
  { command -v nginx || [[ -x /usr/sbin/nginx ]]; } >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  if ((${#missing[@]})); then
    [[ $EUID -ne 0 ]] && { command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"; sudo=sudo; }
    log "installing missing tools: ${missing[*]}"
    $sudo apt-get update -qq
    for m in "${missing[@]}"; do
      if [[ $m == nginx ]]; then
        if apt-cache show nginx-light >/dev/null 2>&1; then pkgs+=(nginx-light); else pkgs+=(nginx); fi
      else pkgs+=("$m"); fi
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  fi
  NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
  "$NGINX_BIN" -V 2>&1 | grep -q -- '--with-http_v2_module' || die "$NGINX_BIN was built without http_v2"
  # nginx >= 1.25.1 has `http2 on;` and deprecates `listen ... http2`; older ones (Debian 12: 1.22) only know the latter.
  local v
  v="$("$NGINX_BIN" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
  if printf '%s\n%s\n' 1.25.1 "$v" | sort -V -C; then NGINX_H2_LISTEN=""; NGINX_H2_ON="http2 on;"
  else NGINX_H2_LISTEN=" http2"; NGINX_H2_ON=""; fi
  log "nginx $v: HTTP/2 via '${NGINX_H2_ON:-listen ... ssl http2}'"
}

cpu_busy_pct() {
  local a b
  a="$(head -n1 /proc/stat)"; sleep "$1"; b="$(head -n1 /proc/stat)"
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); busy = 0; tot = 0
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; tot += d; if (i != 5 && i != 6) busy += d }
    printf "%.0f", (tot > 0 ? 100 * busy / tot : 0) }'
}
IDLE_NOTE=""
check_idle() {
  local busy
  busy="$(cpu_busy_pct 2)"
  if ((busy > 15)); then
    IDLE_NOTE="WARNING: machine was ${busy}% busy before the run (other processes); figures are unreliable."
    log "$IDLE_NOTE"; ps -eo pid,pcpu,comm --sort=-pcpu | head -n 4 | sed 's/^/    /' >&2
  else IDLE_NOTE="Machine ${busy}% busy before the run."; fi
}

port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }

size_bytes() {
  local s="${1,,}"
  case "$s" in
    *k) echo $(( ${s%k} * 1024 )) ;;
    *m) echo $(( ${s%m} * 1024 * 1024 )) ;;
    *[!0-9]* | "") die "bad size '$1' in SIZES (use N, Nk or Nm)" ;;
    *) echo "$s" ;;
  esac
}

duration_seconds() {
  local d="$1"
  case "$d" in
    *ms) echo 1 ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *) echo "$d" ;;
  esac
}

prepare_work_dir() {
  WORK_DIR="$(mktemp -d /tmp/portcullis-tls-bench.XXXXXX)"
  chmod 755 "$WORK_DIR"   # nginx workers run as nobody and must read www/
  mkdir -p "$WORK_DIR/www" "$OUT_DIR"
  local s
  for s in $SIZES; do head -c "$(size_bytes "$s")" /dev/urandom >"$WORK_DIR/www/$s"; done
  chmod -R a+rX "$WORK_DIR/www"
}

# Throw-away CA and a P-256 server certificate for localhost / 127.0.0.1 (PKCS#8 key), valid two days.
# server-chain.pem holds the leaf only: clients here do not verify (wrk, h2load) or get the CA (curl, s_client).
make_certs() {
  TLS_DIR="$WORK_DIR/tls"; mkdir -p "$TLS_DIR"
  local d="$TLS_DIR" ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server-ext.cnf"
  {
    openssl req -x509 "${ec[@]}" -keyout "$d/ca-key.pem" -out "$d/ca.pem" -days 2 -subj "/CN=Portcullis bench CA" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
    openssl req "${ec[@]}" -keyout "$d/server-key.pem" -out "$d/server.csr" -subj "/CN=localhost" &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -CAcreateserial -days 2 \
      -extfile "$d/server-ext.cnf" -out "$d/server-chain.pem" &&
    openssl verify -CAfile "$d/ca.pem" -purpose sslserver "$d/server-chain.pem"
  } >"$OUT_DIR/certs.log" 2>&1 || die "certificate generation failed; see $OUT_DIR/certs.log"
  CERT="$d/server-chain.pem"; KEY="$d/server-key.pem"; CA="$d/ca.pem"
}

nginx_common() {
  local name="$1"
  cat <<EOF
worker_processes 1;
daemon off;
pid $WORK_DIR/$name.pid;
error_log $OUT_DIR/$name-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  keepalive_timeout 65s;
  keepalive_requests 1000000;   # also caps requests per HTTP/2 connection since nginx 1.19.7
  client_body_temp_path $WORK_DIR/$name-tmp/body;
  proxy_temp_path       $WORK_DIR/$name-tmp/proxy;
  fastcgi_temp_path     $WORK_DIR/$name-tmp/fastcgi;
  uwsgi_temp_path       $WORK_DIR/$name-tmp/uwsgi;
  scgi_temp_path        $WORK_DIR/$name-tmp/scgi;
EOF
}

write_backend_conf() {
  { nginx_common backend
    cat <<EOF
  sendfile on;
  tcp_nopush on;
  server { listen $HOST:$BACKEND_PORT; root $WORK_DIR/www; location / { } }
}
EOF
  } >"$WORK_DIR/backend.conf"
  echo "$WORK_DIR/backend.conf"
}

# TLS reverse proxy: HTTP/1.1 and h2 (ALPN) downstream, HTTP/1.1 keep-alive pool upstream (as run.sh's, but sized
# by NGINX_UPSTREAM_KEEPALIVE).
write_tls_proxy_conf() {
  local name="$1" port="$2" resume=""
  [[ "$NGINX_TLS_RESUME" == off ]] && resume="ssl_session_tickets off; ssl_session_cache off;"
  { nginx_common "$name"
    cat <<EOF
  upstream backend {
    server $HOST:$BACKEND_PORT;
    keepalive $NGINX_UPSTREAM_KEEPALIVE;
    keepalive_requests 1000000;
  }
  server {
    listen $HOST:$port ssl$NGINX_H2_LISTEN;
    $NGINX_H2_ON
    ssl_certificate     $CERT;
    ssl_certificate_key $KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    $resume
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  } >"$WORK_DIR/$name.conf"
  echo "$WORK_DIR/$name.conf"
}

write_gateway_conf() {
  cat >"$WORK_DIR/portcullis-tls.yaml" <<EOF
server: { event_loops: $GW_LOOPS }
access_log: { enabled: false }
listeners:
  - name: tls
    address: $HOST:$GW_PORT
    tls:
      certificates:
        - cert: $CERT
          key: $KEY
routes:
  - name: all
    match: { path_prefix: / }
    cluster: backend
clusters:
  - name: backend
    endpoints: [ "$HOST:$BACKEND_PORT" ]
EOF
  echo "$WORK_DIR/portcullis-tls.yaml"
}

start_bg() {
  local name="$1"; shift
  "$@" >"$OUT_DIR/$name.log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

start_nginx() {
  local name="$1" conf="$2"
  mkdir -p "$WORK_DIR/$name-tmp"
  "$NGINX_BIN" -t -q -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf" || die "nginx config for $name invalid"
  start_bg "$name" "$NGINX_BIN" -p "$WORK_DIR" -e "$OUT_DIR/$name-error.log" -c "$conf"
}

# GET /<first size> until 200 with the right length; bounded, fails early if the process died. TLS targets are
# fetched as https://localhost with the CA, so this also checks chain, SAN and key of what they serve.
wait_ready() {
  local name="$1" port="$2" pid="$3" tries="$4" scheme="$5" first expect i got="" url
  first="${SIZES%% *}"; expect="$(size_bytes "$first")"
  url="$scheme://localhost:$port/$first"
  for ((i = 0; i < tries; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup; see $OUT_DIR/$name.log"
    got="$(curl -s --http1.1 --cacert "$CA" --resolve "localhost:$port:$HOST" -o /dev/null -m 2 \
      -w '%{http_code} %{size_download}' "$url" || true)"
    [[ "$got" == "200 $expect" ]] && { log "$name ready on $HOST:$port"; return 0; }
    sleep 0.3
  done
  die "$name not ready on $HOST:$port after $tries polls (last: '$got'); see $OUT_DIR/$name.log"
}

java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}
pick_java() {
  local cand
  for cand in "${JAVA_HOME:+$JAVA_HOME}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$cand" && -x "$cand/bin/java" ]] || continue
    if (( $(java_major "$cand/bin/java" || echo 0) >= 21 )); then echo "$cand"; return 0; fi
  done
  die "no JDK >= 21 found (set JAVA_HOME)"
}

# As run.sh: this checkout's jar, built first when missing or older than src/main or pom.xml.
ensure_jar() {
  local jdk="$1" jar
  jar="$(compgen -G "$REPO_ROOT/target/portcullis-*-all.jar" | head -n1 || true)"
  if [[ -z "$jar" || -n "$(find "$REPO_ROOT/src/main" "$REPO_ROOT/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
    log "gateway jar missing or stale; building with ./mvnw (JAVA_HOME=$jdk)"
    (cd "$REPO_ROOT" && JAVA_HOME="$jdk" ./mvnw -q -B -DskipTests package) || die "maven build failed"
    jar="$(compgen -G "$REPO_ROOT/target/portcullis-*-all.jar" | head -n1 || true)"
    [[ -n "$jar" ]] || die "build finished but no target/portcullis-*-all.jar"
  fi
  log "gateway jar: $jar"
}

start_gateway() {
  local conf="$1" jdk opts
  case "$GATEWAY_CMD" in
    "")
      jdk="$(pick_java)"; export JAVA_HOME="$jdk"
      if [[ -z "$JAR" ]]; then
        # Like run.sh: through the launcher, so the gateway gets the JVM options users get.
        ensure_jar "$jdk"
        log "gateway: bin/portcullis run -c $conf (JVM options: ${PORTCULLIS_JAVA_OPTS:-launcher default})"
        start_bg gateway "$REPO_ROOT/bin/portcullis" run -c "$conf"
      else
        [[ -f "$JAR" ]] || die "JAR=$JAR does not exist"
        # The launcher's default options (read from bin/portcullis, so they cannot drift), or PORTCULLIS_JAVA_OPTS.
        opts="$(grep -o 'PORTCULLIS_JAVA_OPTS:-[^}]*' "$REPO_ROOT/bin/portcullis" 2>/dev/null | head -n1 | cut -d- -f2- || true)"
        opts="${PORTCULLIS_JAVA_OPTS:-${opts:--XX:+UseSerialGC -Xms96m -Xmx96m}}"
        # As the launcher does: Netty's Unsafe buffer access allowed on JDKs that restrict it (23 and later).
        if (( $(java_major "$jdk/bin/java" || echo 0) >= 23 )); then
          opts="--sun-misc-unsafe-memory-access=allow $opts"
        fi
        log "gateway: $jdk/bin/java $opts -jar $JAR run -c $conf"
        # shellcheck disable=SC2086 # word splitting of the JVM options is intended
        start_bg gateway "$jdk/bin/java" $opts -jar "$JAR" run -c "$conf"
      fi
      ;;
    nginx-as-gateway)
      GW_LABEL="nginx-as-gateway"
      start_nginx gateway "$(write_tls_proxy_conf gateway "$GW_PORT")"
      ;;
    *)
      GW_LABEL="custom-gateway"
      start_bg gateway env GW_PORT="$GW_PORT" BACKEND_PORT="$BACKEND_PORT" GW_CONFIG="$conf" TLS_CERT="$CERT" \
        TLS_KEY="$KEY" bash -c "exec $GATEWAY_CMD"
      ;;
  esac
  wait_ready gateway "$GW_PORT" "$LAST_PID" 200 https   # a JVM needs longer: up to ~60 s
}

label() { if [[ "$1" == gateway ]]; then echo "$GW_LABEL"; else echo "nginx-tls"; fi; }

# Every size through both TLS targets over HTTP/1.1 and HTTP/2 (ALPN), and whether each resumes TLS sessions:
# wrk's reconnects offer the previous session (it keeps it across SSL_clear), so a server that resumes does
# abbreviated handshakes in the 'handshakes' case and one that does not pays full ones. Sets RESUMES[target].
# Also whether a request with Connection: close gets "Connection: close" back and the connection closed: wrk
# reconnects only when the response says so (http_should_keep_alive on the response). Sets CLOSES[target].
sanity_checks() {
  local t s port got expect req sess p1 p2
  for t in nginx gateway; do
    port="${TARGET_PORT[$t]}"
    for s in $SIZES; do
      expect="$(size_bytes "$s")"
      got="$(curl -s --http1.1 --cacert "$CA" --resolve "localhost:$port:$HOST" -o /dev/null -m 5 \
        -w '%{http_code} %{size_download} %{http_version}' "https://localhost:$port/$s" || true)"
      [[ "$got" == "200 $expect 1.1" ]] || die "$t /$s over HTTPS/1.1 answered '$got', expected '200 $expect 1.1'"
      got="$(curl -s --http2 --cacert "$CA" --resolve "localhost:$port:$HOST" -o /dev/null -m 5 \
        -w '%{http_code} %{size_download} %{http_version}' "https://localhost:$port/$s" || true)"
      [[ "$got" == "200 $expect 2" ]] || die "$t /$s over h2 (ALPN) answered '$got', expected '200 $expect 2'"
    done
    # Not via $(...): that would strip the request's final CRLF and the server would wait for the rest.
    req='GET /'"${SIZES%% *}"$' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
    sess="$WORK_DIR/session-$t.pem"; p1="$OUT_DIR/s_client-$t-1.txt"; p2="$OUT_DIR/s_client-$t-2.txt"
    local rc=0
    printf '%s' "$req" | timeout 10 openssl s_client -connect "$HOST:$port" -servername localhost -CAfile "$CA" \
      -verify_return_error -verify_hostname localhost -sess_out "$sess" -ign_eof >"$p1" 2>&1 || rc=$?
    grep -aq 'Verify return code: 0 (ok)' "$p1" || die "$t: s_client could not verify the certificate; see $p1"
    CLOSES[$t]=no
    ((rc != 124)) && grep -aiqE $'^connection: *close\r?$' "$p1" && CLOSES[$t]=yes
    RESUMES[$t]=unknown
    if [[ -s "$sess" ]]; then
      printf '%s' "$req" | timeout 10 openssl s_client -connect "$HOST:$port" -servername localhost -CAfile "$CA" \
        -sess_in "$sess" -ign_eof >"$p2" 2>&1 || true
      if grep -aq '^Reused,' "$p2"; then RESUMES[$t]=yes; elif grep -aq '^New,' "$p2"; then RESUMES[$t]=no; fi
    fi
    log "$(label "$t"): HTTPS/1.1 and h2 OK for: $SIZES; certificate verifies; session resumption: ${RESUMES[$t]};" \
        "closes on Connection: close: ${CLOSES[$t]}"
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------------

tree_pids() { local k; echo "$1"; for k in $(pgrep -P "$1" || true); do tree_pids "$k"; done; }
tree_rss_kib() {
  local p total=0 r
  for p in $(tree_pids "$1"); do
    r="$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)"; total=$((total + ${r:-0}))
  done
  echo "$total"
}
# utime + stime (clock ticks) of a process tree; fields counted after "(comm)", which may contain spaces.
tree_cpu_ticks() {
  local p total=0 r
  for p in $(tree_pids "$1"); do
    r="$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true)"; total=$((total + ${r:-0}))
  done
  echo "$total"
}
# TCP connections opened (connect()) on this host so far: wrk's reconnects show up here, one per new connection.
active_opens() { awk '/^Tcp:/ && ++n == 2 { print $6 }' /proc/net/snmp; }

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

# One load run of case $2 against target $1: raw output in $5, peak RSS in $5.rss, and "cpu_ticks opens" in
# $5.meta (CPU used by the target's process tree, TCP connections opened on the host during the run).
run_case() {
  local t="$1" c="$2" s="$3" secs out="$5" pid="${TARGET_PID[$1]}" url cpu0 op0 cmd
  secs="$(duration_seconds "$4")"
  url="https://$HOST:${TARGET_PORT[$t]}/$s"
  case "$c" in
    https-keepalive) cmd=(wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${secs}s" --latency "$url") ;;
    # wrk reconnects when a response says Connection: close (nginx and the gateway echo the request's).
    handshakes) cmd=(wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${secs}s" --latency -H "Connection: close" "$url") ;;
    h2) cmd=(h2load -t"$H2_THREADS" -c"$H2_CONNS" -m"$H2_STREAMS" -D "$secs" "$url") ;;
    *) die "unknown case '$c' in CASES" ;;
  esac
  start_rss_sampler "$pid" "$out.rss" $(( (secs + 5) * 5 ))
  cpu0="$(tree_cpu_ticks "$pid")"; op0="$(active_opens)"
  # Background + wait so INT/TERM run cleanup at once; timeout only guards against a hang.
  timeout $((secs + 30)) "${cmd[@]}" >"$out" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || log "WARN: ${cmd[0]} exited non-zero for $t $c /$s (see $out)"
  LOAD_PID=""
  echo "$(( $(tree_cpu_ticks "$pid") - cpu0 )) $(( $(active_opens) - op0 ))" >"$out.meta"
  touch "$out.rss.stop"; wait "$SAMPLER_PID" || true; SAMPLER_PID=""
}

to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print "NaN" }'
}

# "req/s latency_ms requests errors" of one raw output. Latency: wrk's p99; h2load's mean time for request (it
# prints no percentiles). errors: non-2xx/3xx, socket errors, failed/errored/timed-out streams, no ALPN h2, or an
# unparsable output: a proxy answering errors fast must not look fast.
parse_run() {
  local c="$1" f="$2" rps lat n err
  if [[ "$c" == h2 ]]; then
    rps="$(awk '/^finished in/ { print $4 }' "$f")"
    lat="$(awk '/^time for request:/ { print $6 }' "$f")"
    n="$(awk '/^requests:/ { print $8 }' "$f")"
    err="$(awk '/^requests:/ { e += $10 + $12 + $14 } /^status codes:/ { e += $7 + $9 } END { print e + 0 }' "$f")"
    grep -q '^Application protocol: h2$' "$f" || err=$((err + 1))
  else
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
    lat="$(awk '/Latency Distribution/ { d = 1; next } d && $1 == "99%" { print $2; exit }' "$f")"
    n="$(awk '/ requests in / { print $1 }' "$f")"
    err="$(awk '/Non-2xx or 3xx responses:/ { e += $NF } /Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
      END { print e + 0 }' "$f")"
  fi
  [[ -n "$rps" && -n "$lat" && -n "$n" ]] || { echo "NaN NaN 0 1"; return; }
  echo "$rps $(to_ms "$lat") $n $err"
}

median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) { print "NaN"; exit }
    if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------

report() {
  local c s t r secs tck f parsed meta warnings=() all_ok=1
  local -A RPS LAT CPU US OPN RSS ERR ROUND
  secs="$(duration_seconds "$DURATION")"; tck="$(getconf CLK_TCK)"
  for c in $CASES; do for s in $SIZES; do for t in nginx gateway; do
    local rps_l="" lat_l="" cpu_l="" us_l="" opn_l="" rss_max=0 errs=0
    for ((r = 1; r <= ROUNDS; r++)); do
      f="$OUT_DIR/r$r-$c-$s-$t.txt"
      read -r -a parsed <<<"$(parse_run "$c" "$f")"
      read -r -a meta <<<"$(cat "$f.meta" 2>/dev/null || echo "0 0")"
      ROUND[$c,$s,$t,$r]="${parsed[0]}"
      rps_l+="${parsed[0]}"$'\n'; lat_l+="${parsed[1]}"$'\n'; errs=$((errs + parsed[3]))
      cpu_l+="$(awk -v k="${meta[0]}" -v t="$tck" -v s="$secs" 'BEGIN { print 100 * k / t / s }')"$'\n'
      us_l+="$(awk -v k="${meta[0]}" -v t="$tck" -v n="${parsed[2]}" 'BEGIN { print (n > 0 ? 1e6 * k / t / n : "NaN") }')"$'\n'
      opn_l+="$(awk -v o="${meta[1]}" -v n="${parsed[2]}" 'BEGIN { print (n > 0 ? o / n : "NaN") }')"$'\n'
      [[ -s "$f.rss" ]] && (( $(cat "$f.rss") > rss_max )) && rss_max="$(cat "$f.rss")"
    done
    RPS[$c,$s,$t]="$(printf '%s' "$rps_l" | median)"; LAT[$c,$s,$t]="$(printf '%s' "$lat_l" | median)"
    CPU[$c,$s,$t]="$(printf '%s' "$cpu_l" | median)"; US[$c,$s,$t]="$(printf '%s' "$us_l" | median)"
    OPN[$c,$s,$t]="$(printf '%s' "$opn_l" | median)"; RSS[$c,$s,$t]="$rss_max"; ERR[$c,$s,$t]="$errs"
    ((errs == 0)) || warnings+=("WARNING: $(label "$t") $c /$s had $errs errors (non-2xx, socket errors, failed streams, no h2, or unparsable output); its numbers are suspect.")
    if [[ "$c" == handshakes ]] && awk -v o="${OPN[$c,$s,$t]}" 'BEGIN { exit !(o < 0.9) }'; then
      warnings+=("WARNING: $(label "$t") handshakes /$s: only ${OPN[$c,$s,$t]} new TCP connections per request; the client is reusing connections, so this is not a handshake rate.")
    fi
  done; done; done

  local gl; gl="$(label gateway)"
  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ) — TLS and HTTP/2: $gl vs nginx-tls, median of $ROUNDS interleaved rounds of $DURATION"
  echo
  echo "wrk -t$WRK_THREADS -c$WRK_CONNS --latency (https-keepalive; handshakes adds -H 'Connection: close'); h2load" \
       "-t$H2_THREADS -c$H2_CONNS -m$H2_STREAMS (h2). Both proxies: one worker / event_loops $GW_LOOPS, same P-256" \
       "certificate, TLSv1.2+1.3, same nginx backend (HTTP/1.1 keep-alive; nginx upstream keepalive" \
       "$NGINX_UPSTREAM_KEEPALIVE). $(nproc) cores shared by client, backend" \
       "and proxy: compare ratios, not absolutes."
  echo "TLS session resumption offered (s_client probe): nginx-tls ${RESUMES[nginx]} (NGINX_TLS_RESUME=$NGINX_TLS_RESUME)," \
       "$gl ${RESUMES[gateway]}. wrk offers its previous session on every reconnect, so 'handshakes' are abbreviated" \
       "(resumed) where the server resumes and full where it does not."
  local neg
  for t in nginx gateway; do
    f="$OUT_DIR/r1-h2-${SIZES%% *}-$t.txt"
    [[ -f "$f" ]] && neg+="$(label "$t"): $(awk -F': ' '/^TLS Protocol:|^Cipher:|^Server Temp Key:/ { printf "%s ", $2 }' "$f")"
    [[ -f "$f" ]] && neg+="; "
  done
  [[ -n "${neg:-}" ]] && echo "Negotiated by h2load: ${neg%; }."
  echo
  echo "| case | size | target | req/s | latency (ms) | proxy CPU (%) | proxy CPU (µs/req) | new TCP conns/req (host-wide) | peak RSS (MiB) | req/s vs nginx | latency vs nginx |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for c in $CASES; do for s in $SIZES; do for t in nginx gateway; do
    awk -v c="$c" -v s="$s" -v l="$(label "$t")" -v rps="${RPS[$c,$s,$t]}" -v lat="${LAT[$c,$s,$t]}" \
        -v cpu="${CPU[$c,$s,$t]}" -v us="${US[$c,$s,$t]}" -v o="${OPN[$c,$s,$t]}" -v rss="${RSS[$c,$s,$t]}" \
        -v nrps="${RPS[$c,$s,nginx]}" -v nlat="${LAT[$c,$s,nginx]}" \
      'BEGIN { printf "| %s | %s | %s | %.0f | %.2f | %.0f | %.0f | %.2f | %.1f | %.2f | %.2f |\n", c, s, l, rps, lat,
               cpu, us, o, rss / 1024, (nrps > 0 ? rps / nrps : 0), (nlat > 0 ? lat / nlat : 0) }'
  done; done; done
  echo
  echo "latency: wrk p99 (https-keepalive, handshakes); h2load mean time per request (h2; h2load prints no percentiles)."
  echo "proxy CPU: utime+stime of the proxy's process tree over the run (100 = one core); µs/req = CPU per request."
  echo "new TCP conns/req: connect()s on the whole host (/proc/net/snmp ActiveOpens) per request; 'handshakes' should" \
       "be about 1 (more if the proxy also reconnects upstream); other processes add to it (see the keep-alive rows)."
  echo
  echo "#### Targets: $gl req/s >= $RATIO_TARGET x nginx-tls on each case, RSS <= $RSS_LIMIT_MIB MiB"
  echo
  echo "| case | size | req/s vs nginx (median) | per round | >= $RATIO_TARGET | $gl peak RSS (MiB) | <= $RSS_LIMIT_MIB MiB |"
  echo "|---|---|---:|---|---|---:|---|"
  local ratio rounds ok_r ok_m failed=()
  for c in $CASES; do for s in $SIZES; do
    ratio="$(awk -v g="${RPS[$c,$s,gateway]}" -v n="${RPS[$c,$s,nginx]}" 'BEGIN { printf "%.2f", (n > 0 ? g / n : 0) }')"
    rounds=""
    for ((r = 1; r <= ROUNDS; r++)); do
      rounds+="$(awk -v g="${ROUND[$c,$s,gateway,$r]}" -v n="${ROUND[$c,$s,nginx,$r]}" \
        'BEGIN { printf "%.2f", (n > 0 ? g / n : 0) }') "
    done
    ok_r=yes; awk -v x="$ratio" -v m="$RATIO_TARGET" 'BEGIN { exit !(x >= m) }' || ok_r=NO
    local grss="${RSS[$c,$s,gateway]}" gerr="${ERR[$c,$s,gateway]}" nerr="${ERR[$c,$s,nginx]}"
    ok_m=yes; (( grss > 0 && grss <= RSS_LIMIT_MIB * 1024 )) || ok_m=NO
    ((gerr + nerr == 0)) || ok_r="$ok_r (errors)"
    [[ "$ok_r" == yes && "$ok_m" == yes ]] || { all_ok=0; failed+=("$c/$s"); }
    awk -v c="$c" -v s="$s" -v x="$ratio" -v rd="${rounds% }" -v okr="$ok_r" -v rss="${RSS[$c,$s,gateway]}" -v okm="$ok_m" \
      'BEGIN { printf "| %s | %s | %s | %s | %s | %.1f | %s |\n", c, s, x, rd, okr, rss / 1024, okm }'
  done; done
  echo
  if ((all_ok)); then
    echo "RESULT: every case has req/s >= $RATIO_TARGET x nginx-tls and RSS <= $RSS_LIMIT_MIB MiB ($gl)."
  else
    echo "RESULT: NOT met for: ${failed[*]} ($gl; ratio >= $RATIO_TARGET and RSS <= $RSS_LIMIT_MIB MiB both required)."
  fi
  for t in nginx gateway; do
    [[ "${CLOSES[$t]}" == yes ]] || warnings+=("WARNING: $(label "$t") did not answer 'Connection: close' and close (see $OUT_DIR/s_client-$t-1.txt): wrk keeps or loses connections, so its 'handshakes' figure is not a handshake rate.")
  done
  [[ "${RESUMES[nginx]}" != "${RESUMES[gateway]}" ]] && warnings+=("WARNING: session resumption differs (nginx-tls ${RESUMES[nginx]}, $gl ${RESUMES[gateway]}): the 'handshakes' case compares resumed with full handshakes. NGINX_TLS_RESUME=off makes nginx do full ones.")
  local e w
  for e in "$OUT_DIR"/*-error.log; do
    [[ -s "$e" ]] && grep -qv '\[notice\]' "$e" && warnings+=("NOTE: $(basename "$e") is not empty: $(grep -v '\[notice\]' "$e" | head -n1)")
  done
  for w in "${warnings[@]}"; do echo "$w"; done
  echo "$IDLE_NOTE Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Raw output: $OUT_DIR"
  return 0
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

main() {
  local c s t r
  [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, was '$ROUNDS'"
  [[ "$GW_LOOPS" =~ ^[1-9][0-9]*$ ]] || die "GW_LOOPS must be a positive integer, was '$GW_LOOPS'"
  [[ "$(duration_seconds "$DURATION")" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be whole seconds (e.g. 10s, 1m), was '$DURATION'"
  [[ "$NGINX_UPSTREAM_KEEPALIVE" =~ ^[1-9][0-9]*$ ]] || die "NGINX_UPSTREAM_KEEPALIVE must be a positive integer"
  [[ "$NGINX_TLS_RESUME" =~ ^(on|off)$ ]] || die "NGINX_TLS_RESUME must be on or off, was '$NGINX_TLS_RESUME'"
  for c in $CASES; do [[ "$c" =~ ^(https-keepalive|handshakes|h2)$ ]] || die "unknown case '$c' in CASES"; done
  ensure_tools
  for s in "$BACKEND_PORT" "$NGINX_PORT" "$GW_PORT"; do
    port_free "$s" || die "port $s already in use; set BASE_PORT to another value"
  done
  check_idle
  prepare_work_dir
  make_certs
  log "output in $OUT_DIR"

  start_nginx backend "$(write_backend_conf)"
  wait_ready backend "$BACKEND_PORT" "$LAST_PID" 100 http
  start_nginx nginx "$(write_tls_proxy_conf nginx "$NGINX_PORT")"; TARGET_PID[nginx]=$LAST_PID
  wait_ready nginx "$NGINX_PORT" "$LAST_PID" 100 https
  start_gateway "$(write_gateway_conf)"; TARGET_PID[gateway]=$LAST_PID
  TARGET_PORT=([nginx]=$NGINX_PORT [gateway]=$GW_PORT)
  sanity_checks

  log "warm-up: $(label gateway) $WARMUP per case and size, nginx-tls 2s"
  for c in $CASES; do for s in $SIZES; do
    run_case gateway "$c" "$s" "$WARMUP" "$OUT_DIR/warmup-$c-$s-gateway.txt"
    run_case nginx "$c" "$s" 2s "$OUT_DIR/warmup-$c-$s-nginx.txt"
  done; done

  for ((r = 1; r <= ROUNDS; r++)); do
    for c in $CASES; do for s in $SIZES; do for t in nginx gateway; do
      log "round $r/$ROUNDS $c /$s -> $(label "$t")"
      run_case "$t" "$c" "$s" "$DURATION" "$OUT_DIR/r$r-$c-$s-$t.txt"
    done; done; done
  done

  report | tee "$OUT_DIR/results.md"
}

main "$@"
