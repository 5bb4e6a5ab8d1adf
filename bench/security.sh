#!/usr/bin/env bash
# Portcullis security benchmark (issue 8): what the security filters cost on the request path, in ONE run against
# ONE gateway whose routes all send to the same cluster (one static nginx backend):
#   plain   - /plain, no security (the reference)
#   secure  - /secure, IP allow list + JWT (RS256; one token, so verified once and then served from the
#             verified-token cache) + role check
#   waf     - /waf, injection filter in block mode; requests carry a benign ~100-byte query string
#   limited - /limited, a local token bucket per client IP that never refuses (issue 9: its cost, not refusals)
#   shared  - /shared, the same bucket shared through Redis (a redis-server this script starts on BASE_PORT+5)
#   batched - /batched, the shared bucket with `batch: BATCH`: each instance leases BATCH tokens per Redis call
#   backend - (BACKEND_REF=1) the nginx backend hit directly, for reference
# plain, secure, limited, shared and batched requests all carry the same "Authorization: Bearer <token>" and differ only by
# the path. Targets: secure req/s >= 0.85 x plain (issue 8); limited req/s >= 0.95 x plain (issue 9); shared is
# reported (req/s ratio and added p99), no target, and so is batched. Runs are interleaved (round -> case) and we report the median
# across rounds, plus the gateway's CPU per request, so the cost of each filter set shows as microseconds too.
# See bench/README.md ("Security filters"). Shared helpers: bench/lib.sh.
set -euo pipefail

# ---------------------------------------------------------------------------------------------------------------
# Knobs (environment)
# ---------------------------------------------------------------------------------------------------------------
DURATION="${DURATION:-10s}"       # wrk -d per measured run (whole seconds)
ROUNDS="${ROUNDS:-3}"             # interleaved rounds; the tables show the median across them
WARMUP="${WARMUP:-10s}"           # wrk -d per gateway case before measuring (JIT); backend 2s
CASES="${CASES:-backend plain secure waf limited shared batched}"   # which cases, in this order within a round; plain is
                                                                    # required (the reference of every ratio)
SIZE="${SIZE:-1k}"                # response body: N bytes, Nk KiB or Nm MiB
GW_LOOPS="${GW_LOOPS:-1}"         # gateway event loops; 1 = a one-core budget, as run.sh and tls.sh
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNS="${WRK_CONNS:-64}"
BASE_PORT="${BASE_PORT:-18280}"   # backend = +1, gateway = +3, redis = +5 (127.0.0.1 only; run.sh uses 18080,
                                  # tls.sh 18180)
BACKEND_REF="${BACKEND_REF:-1}"   # 1 = also measure the bare backend (reference row, if in CASES); 0 = never
RATIO_TARGET="${RATIO_TARGET:-0.85}"              # secure/plain req/s
LOCAL_RATIO_TARGET="${LOCAL_RATIO_TARGET:-0.95}"  # limited/plain req/s
BATCH="${BATCH:-100}"             # tokens the batched case leases per Redis call
# Benign but "interesting" to an injection scanner: an apostrophe, spaces, a colon, a dash (105 bytes).
WAF_QUERY="${WAF_QUERY:-q=O%27Brien%20shoes%20size%2042&sort=price&page=3&filter=brand%3Aacme&lang=en-GB&ref=spring%2Dsale%2D2026}"
ATTACK_QUERY="q=1%27%20OR%20%271%27%3D%271"   # must be refused with 403 by /waf before anything is measured
GATEWAY_CMD="${GATEWAY_CMD:-}"    # empty = this checkout's jar via bin/portcullis; 'nginx-as-gateway' = an nginx that
                                  # mimics the routes (401/403 by map, RateLimit-Policy by add_header, tests this
                                  # script); else `bash -c "exec $GATEWAY_CMD"` with GW_PORT, BACKEND_PORT,
                                  # GW_CONFIG, JWT_PUBLIC_KEY (PEM) and REDIS_PORT exported

readonly HOST=127.0.0.1
readonly BACKEND_PORT=$((BASE_PORT + 1)) GW_PORT=$((BASE_PORT + 3)) REDIS_PORT=$((BASE_PORT + 5))
readonly ALL_CASES="backend plain secure waf limited shared batched"
# The never-refusing bucket of both limit cases: we measure the bookkeeping, not refusals.
readonly RL_RATE=1000000000 RL_PER=1s RL_BURST=1000000000
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT_DIR="$BENCH_DIR/out/$(date +%Y%m%d-%H%M%S)-security"
LOG_TAG="security-bench"
readonly BENCH_DIR REPO_ROOT OUT_DIR LOG_TAG
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"
bench_traps

GW_LABEL="portcullis"
TOKEN=""; WRONG_ROLE_TOKEN=""; PUBKEY=""
declare -A CASE_PORT CASE_PATH CASE_PID
CASE_LIST=()       # CASES, checked
REDIS_PID=""       # the redis-server of the shared cases, if started

has_case() { local c; for c in "${CASE_LIST[@]}"; do [[ "$c" == "$1" ]] && return 0; done; return 1; }
uses_redis() { has_case shared || has_case batched; }

# ---------------------------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------------------------

# base64url without padding (RFC 7515), from stdin.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# An RS256 JWT signed with $WORK_DIR/jwt/private.pem, for the given roles JSON array. openssl alone.
make_token() {
  local roles="$1" now header payload
  now="$(date +%s)"
  header="$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)"
  payload="$(printf '{"sub":"bench-client","iss":"bench","aud":"api","iat":%d,"exp":%d,"roles":%s}' \
    "$now" $((now + 86400)) "$roles" | b64url)"
  printf '%s.%s.%s' "$header" "$payload" \
    "$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$WORK_DIR/jwt/private.pem" | b64url)"
}

# RSA 2048 key pair; the public half as a PEM "PUBLIC KEY" block, which jwks_file accepts (no kid: fits any token).
make_keys_and_tokens() {
  mkdir -p "$WORK_DIR/jwt"
  { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK_DIR/jwt/private.pem" &&
    openssl pkey -in "$WORK_DIR/jwt/private.pem" -pubout -out "$WORK_DIR/jwt/public.pem"; } >"$OUT_DIR/keys.log" 2>&1 \
    || die "RSA key generation failed; see $OUT_DIR/keys.log"
  PUBKEY="$WORK_DIR/jwt/public.pem"
  TOKEN="$(make_token '["reader"]')"
  WRONG_ROLE_TOKEN="$(make_token '["writer"]')"   # valid signature, missing role: must get 403
  [[ "$TOKEN" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{300,}$ ]] || die "token generation failed: '$TOKEN'"
  log "RS256 token: ${#TOKEN} bytes (header line 'Authorization: Bearer <token>' of $((${#TOKEN} + 22)) bytes)"
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

# One listener, one route per gateway case with exact paths, one cluster. Route policies as the issues describe
# them. The shared routes and the redis section only when a shared case runs (no Redis otherwise).
write_gateway_conf() {
  local shared_limit="" shared_route="" redis=""
  if has_case shared; then
    shared_limit="
  - { name: shared-ip, key: [ client_ip ], rate: $RL_RATE, per: $RL_PER, burst: $RL_BURST, shared: true }"
    shared_route="
  - name: shared
    match: { path: /shared }
    cluster: backend
    security: { rate_limits: [ shared-ip ] }"
  fi
  if has_case batched; then
    shared_limit+="
  - { name: batched-ip, key: [ client_ip ], rate: $RL_RATE, per: $RL_PER, burst: $RL_BURST, shared: true, batch: $BATCH }"
    shared_route+="
  - name: batched
    match: { path: /batched }
    cluster: backend
    security: { rate_limits: [ batched-ip ] }"
  fi
  if uses_redis; then
    redis="redis: { address: \"$HOST:$REDIS_PORT\", timeout: 20ms }"
  fi
  cat >"$WORK_DIR/portcullis-security.yaml" <<EOF
server: { event_loops: $GW_LOOPS }
access_log: { enabled: false }
$redis
rate_limits:
  - { name: local-ip, key: [ client_ip ], rate: $RL_RATE, per: $RL_PER, burst: $RL_BURST }$shared_limit
security:
  jwt:
    - name: bench
      jwks_file: $PUBKEY
      issuer: bench
      audiences: [ api ]
listeners:
  - name: bench
    address: $HOST:$GW_PORT
routes:
  - name: plain
    match: { path: /plain }
    cluster: backend
  - name: secure
    match: { path: /secure }
    cluster: backend
    security:
      ip: { allow: [ 127.0.0.0/8 ] }
      auth: [ jwt ]
      authorize: { roles: { any_of: [ reader ] } }
  - name: waf
    match: { path: /waf }
    cluster: backend
    security:
      injection: { mode: block }
  - name: limited
    match: { path: /limited }
    cluster: backend
    security: { rate_limits: [ local-ip ] }$shared_route
clusters:
  - name: backend
    endpoints: [ "$HOST:$BACKEND_PORT" ]
EOF
  echo "$WORK_DIR/portcullis-security.yaml"
}

# Test double: nginx answering like the gateway would (401 without the token, 403 with another bearer token or
# an obvious injection on /waf), so the orchestration, checks and tables can be tested without the jar.
write_double_conf() {
  { nginx_common gateway
    cat <<EOF
  map_hash_bucket_size 1024;   # the key holds a whole token
  map \$http_authorization \$bench_auth { "Bearer $TOKEN" ok; "~^Bearer " forbidden; default missing; }
  upstream backend { server $HOST:$BACKEND_PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen $HOST:$GW_PORT;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location = /plain { proxy_pass http://backend; }
    location = /secure {
      if (\$bench_auth = missing) { return 401; }
      if (\$bench_auth = forbidden) { return 403; }
      proxy_pass http://backend;
    }
    location = /waf {
      if (\$args ~* "%27%20OR%20") { return 403; }
      proxy_pass http://backend;
    }
    location = /limited { add_header RateLimit-Policy '"local-ip";q=$RL_RATE;w=1' always; proxy_pass http://backend; }
    location = /shared { add_header RateLimit-Policy '"shared-ip";q=$RL_RATE;w=1' always; proxy_pass http://backend; }
    location = /batched { add_header RateLimit-Policy '"batched-ip";q=$RL_RATE;w=1' always; proxy_pass http://backend; }
  }
}
EOF
  } >"$WORK_DIR/gateway.conf"
  echo "$WORK_DIR/gateway.conf"
}

# Polls GET /plain until 200 with the right length; bounded, fails early if the process died.
wait_ready() {
  local name="$1" port="$2" pid="$3" tries="$4" path="$5" expect i got=""
  expect="$(size_bytes "$SIZE")"
  for ((i = 0; i < tries; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup; see $OUT_DIR/$name.log"
    got="$(curl -s -o /dev/null -m 2 -w '%{http_code} %{size_download}' "http://$HOST:$port$path" || true)"
    [[ "$got" == "200 $expect" ]] && { log "$name ready on $HOST:$port"; return 0; }
    sleep 0.3
  done
  die "$name not ready on $HOST:$port after $tries polls (last: '$got'); see $OUT_DIR/$name.log"
}

# The Redis of the shared cases: loopback only, no persistence, its files (none expected) under WORK_DIR. Started
# before the gateway so the shared limit finds it up; stopped by bench_cleanup like the rest (start_bg).
start_redis() {
  local i got=""
  mkdir -p "$WORK_DIR/redis"
  start_bg redis redis-server --port "$REDIS_PORT" --bind "$HOST" --save "" --appendonly no --daemonize no \
    --dir "$WORK_DIR/redis"
  REDIS_PID=$LAST_PID
  for ((i = 0; i < 50; i++)); do
    kill -0 "$REDIS_PID" 2>/dev/null || die "redis-server exited during startup; see $OUT_DIR/redis.log"
    got="$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)"
    [[ "$got" == PONG ]] && { log "redis ready on $HOST:$REDIS_PORT ($(redis-server --version | cut -d' ' -f3))"; return 0; }
    sleep 0.2
  done
  die "redis not ready on $HOST:$REDIS_PORT after 50 pings (last: '$got'); see $OUT_DIR/redis.log"
}

start_gateway() {
  local conf jdk jar
  case "$GATEWAY_CMD" in
    "")
      conf="$(write_gateway_conf)"
      jdk="$(pick_jdk)"; export JAVA_HOME="$jdk"
      jar="$(ensure_jar "$jdk")"
      log "gateway jar: $jar"
      "$jdk/bin/java" -jar "$jar" validate -c "$conf" >"$OUT_DIR/validate.log" 2>&1 \
        || die "gateway config rejected: $(head -n 5 "$OUT_DIR/validate.log")"
      # Through the launcher (java -jar target/portcullis-*-all.jar with its default JVM options), as run.sh.
      log "gateway: bin/portcullis run -c $conf (JAVA_HOME=$jdk, event_loops=$GW_LOOPS," \
          "JVM options: ${PORTCULLIS_JAVA_OPTS:-launcher default})"
      start_bg gateway "$REPO_ROOT/bin/portcullis" run -c "$conf"
      ;;
    nginx-as-gateway)
      GW_LABEL="nginx-as-gateway"
      start_nginx gateway "$(write_double_conf)"
      ;;
    *)
      GW_LABEL="custom-gateway"
      conf="$(write_gateway_conf)"
      log "gateway: custom GATEWAY_CMD: $GATEWAY_CMD"
      start_bg gateway env GW_PORT="$GW_PORT" BACKEND_PORT="$BACKEND_PORT" GW_CONFIG="$conf" JWT_PUBLIC_KEY="$PUBKEY" \
        REDIS_PORT="$REDIS_PORT" bash -c "exec $GATEWAY_CMD"
      ;;
  esac
  wait_ready gateway "$GW_PORT" "$LAST_PID" 200 /plain   # a JVM needs longer than nginx: up to ~60 s
}

# "code bytes" of one GET through the gateway; extra curl arguments after the path.
probe() {
  local path="$1"; shift
  curl -s -o /dev/null -m 5 -w '%{http_code} %{size_download}' "$@" "http://$HOST:$GW_PORT$path" || true
}

# Value of response header $2 (case-insensitive) of one GET of path $1 through the gateway, with the measured
# Authorization header; empty when absent.
probe_header() {
  curl -s -o /dev/null -D - -m 5 -H "Authorization: Bearer $TOKEN" "http://$HOST:$GW_PORT$1" 2>/dev/null \
    | tr -d '\r' | awk -v h="${2,,}" 'index(tolower($0), h ":") == 1 { sub(/^[^:]*:[ \t]*/, ""); print; exit }' || true
}

# The portcullis:rl:* key Redis touched while serving one /shared request, or nothing. A plain SCAN afterwards would
# miss it: with a bucket this large the backlog a request leaves is 1 ns, so the key expires 1 ms later (the script
# sets PX to the backlog + 1 ms). So watch the request go by with MONITOR instead; bounded by timeout.
shared_key_seen() {
  local mon="$OUT_DIR/redis-monitor.log" mpid i
  timeout 10 redis-cli -h "$HOST" -p "$REDIS_PORT" monitor >"$mon" 2>&1 &
  mpid=$!
  for ((i = 0; i < 50; i++)); do grep -q '^OK' "$mon" 2>/dev/null && break; sleep 0.1; done
  probe /shared -H "Authorization: Bearer $TOKEN" >/dev/null
  for ((i = 0; i < 20; i++)); do grep -q '"portcullis:rl:' "$mon" && break; sleep 0.1; done
  kill "$mpid" 2>/dev/null || true; wait "$mpid" 2>/dev/null || true
  grep -o '"portcullis:rl:[^"]*"' "$mon" | head -n1 | tr -d '"' || true
}

# Before measuring: every route does what its policy says, so a misconfigured route cannot pass for a fast one.
sanity_checks() {
  local n got c key
  n="$(size_bytes "$SIZE")"
  check_route() {   # description, wanted "code" or "code bytes", path, curl args...
    local what="$1" want="$2" path="$3"; shift 3
    got="$(probe "$path" "$@")"
    [[ "$got" == "$want" || "${got%% *}" == "$want" ]] || die "check failed: $what: GET $path answered '$got', expected '$want'"
    log "check ok: $what -> ${got%% *}"
  }
  check_route "/plain without credentials"            "200 $n" /plain
  check_route "/plain ignores injections (no filter)"  "200 $n" "/plain?$ATTACK_QUERY"
  check_route "/secure with the reader token"         "200 $n" /secure -H "Authorization: Bearer $TOKEN"
  check_route "/secure without a token"               401      /secure
  check_route "/secure with a token lacking the role" 403      /secure -H "Authorization: Bearer $WRONG_ROLE_TOKEN"
  check_route "/waf with the benign query"            "200 $n" "/waf?$WAF_QUERY"
  check_route "/waf with a SQL injection"             403      "/waf?$ATTACK_QUERY"
  # No limit on the reference (a listener-level limit would hide in every ratio).
  [[ -z "$(probe_header /plain RateLimit-Policy)" ]] || die "check failed: /plain carries RateLimit-Policy (a limit applies)"
  for c in limited shared batched; do
    has_case "$c" || continue
    check_route "/$c with the token" "200 $n" "/$c" -H "Authorization: Bearer $TOKEN"
    got="$(probe_header "/$c" RateLimit-Policy)"
    [[ -n "$got" ]] || die "check failed: /$c answered without a RateLimit-Policy header (no limit applied?)"
    log "check ok: /$c carries RateLimit-Policy: $got"
  done
  if has_case shared; then
    if [[ "$GW_LABEL" == nginx-as-gateway ]]; then
      log "check skipped: the test double does not talk to Redis (no portcullis:rl:* key expected)"
    else
      key="$(shared_key_seen)"
      [[ -n "$key" ]] || die "check failed: Redis saw no portcullis:rl:* key during a /shared request (not shared?);" \
        "see $OUT_DIR/redis-monitor.log"
      log "check ok: a /shared request ran its decision in Redis on $key"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------------------------

# One wrk run of case $1 for $2: raw output in $3, peak RSS in $3.rss and the CPU ticks of the measured process
# tree in $3.meta (the gateway for gateway cases; the backend for the backend row, not reported); for shared and
# batched, the ticks of redis-server in $3.redis.
run_case() {
  local c="$1" d="$2" out="$3" secs pid cpu0 rcpu0=0 hdr=()
  secs="$(duration_seconds "$d")"; pid="${CASE_PID[$c]}"
  # plain, secure, limited, shared and batched carry the same header, forwarded as well: they differ only by the path
  # (and so by the route's filters).
  [[ "$c" == backend || "$c" == waf ]] || hdr=(-H "Authorization: Bearer $TOKEN")
  start_rss_sampler "$pid" "$out.rss" $(( (secs + 5) * 5 ))
  [[ ( "$c" == shared || "$c" == batched ) && -n "$REDIS_PID" ]] && rcpu0="$(tree_cpu_ticks "$REDIS_PID")"
  cpu0="$(tree_cpu_ticks "$pid")"
  # Background + wait so INT/TERM run cleanup at once; timeout only guards against a hang.
  timeout $((secs + 30)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${secs}s" --latency "${hdr[@]}" \
    "http://$HOST:${CASE_PORT[$c]}${CASE_PATH[$c]}" >"$out" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || log "WARN: wrk exited non-zero for $c (see $out)"
  LOAD_PID=""
  echo "$(( $(tree_cpu_ticks "$pid") - cpu0 ))" >"$out.meta"
  [[ ( "$c" == shared || "$c" == batched ) && -n "$REDIS_PID" ]] &&
    echo "$(( $(tree_cpu_ticks "$REDIS_PID") - rcpu0 ))" >"$out.redis"
  stop_rss_sampler "$out.rss"
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------

report() {
  local cases=("$@") c r f secs tck parsed ticks warnings=()
  local -A RPS P50 P99 CPU US RSS ERR ROUND REDIS_US
  secs="$(duration_seconds "$DURATION")"; tck="$(getconf CLK_TCK)"
  for c in "${cases[@]}"; do
    local rps_l="" p50_l="" p99_l="" cpu_l="" us_l="" rus_l="" rss_max=0 errs=0
    for ((r = 1; r <= ROUNDS; r++)); do
      f="$OUT_DIR/r$r-$c.txt"
      read -r -a parsed <<<"$(parse_wrk "$f")"
      ticks="$(cat "$f.meta" 2>/dev/null || echo 0)"
      ROUND[$c,$r]="${parsed[0]}"
      rps_l+="${parsed[0]}"$'\n'; p50_l+="${parsed[1]}"$'\n'; p99_l+="${parsed[2]}"$'\n'
      errs=$((errs + parsed[4]))
      cpu_l+="$(awk -v k="$ticks" -v t="$tck" -v s="$secs" 'BEGIN { print 100 * k / t / s }')"$'\n'
      us_l+="$(awk -v k="$ticks" -v t="$tck" -v n="${parsed[3]}" 'BEGIN { print (n > 0 ? 1e6 * k / t / n : "NaN") }')"$'\n'
      [[ -s "$f.redis" ]] && rus_l+="$(awk -v k="$(cat "$f.redis")" -v t="$tck" -v n="${parsed[3]}" \
        'BEGIN { print (n > 0 ? 1e6 * k / t / n : "NaN") }')"$'\n'
      [[ -s "$f.rss" ]] && (( $(cat "$f.rss") > rss_max )) && rss_max="$(cat "$f.rss")"
    done
    RPS[$c]="$(printf '%s' "$rps_l" | median)"; P50[$c]="$(printf '%s' "$p50_l" | median)"
    P99[$c]="$(printf '%s' "$p99_l" | median)"; CPU[$c]="$(printf '%s' "$cpu_l" | median)"
    US[$c]="$(printf '%s' "$us_l" | median)"; RSS[$c]="$rss_max"; ERR[$c]="$errs"
    REDIS_US[$c]="$(printf '%s' "$rus_l" | median)"
    ((errs == 0)) || warnings+=("WARNING: $c had $errs non-2xx answers or socket errors (or an unparsable wrk output); its numbers are suspect.")
  done

  echo
  echo "### $(date -u +%Y-%m-%dT%H:%MZ) — security filters: $GW_LABEL, median of $ROUNDS interleaved rounds of $DURATION"
  echo
  [[ "$GW_LABEL" == nginx-as-gateway ]] && echo "TEST DOUBLE: nginx mimicking the routes (401/403 by map and regex, RateLimit-Policy by add_header, no Redis), not the gateway; figures test the script only." && echo
  local with_hdr=() desc=()
  for c in plain secure limited shared batched; do has_case "$c" && with_hdr+=("$c"); done
  has_case secure && desc+=("secure = IP allow 127.0.0.0/8 + JWT RS256 (one token: verified once, then cached) + roles any_of [reader];")
  has_case waf && desc+=("waf = injection filter (block), query of ${#WAF_QUERY} bytes;")
  has_case limited && desc+=("limited = local token bucket per client IP (rate $RL_RATE per $RL_PER, burst $RL_BURST: never refuses);")
  has_case shared && desc+=("shared = the same bucket shared through Redis $(redis-server --version | cut -d' ' -f3 | cut -d= -f2) on loopback (timeout 20ms, one decision per request);")
  has_case batched && desc+=("batched = that shared bucket with batch $BATCH (one Redis call per $BATCH requests per instance);")
  echo "wrk -t$WRK_THREADS -c$WRK_CONNS --latency, /$SIZE body ($(size_bytes "$SIZE") bytes) from one nginx backend" \
       "(worker_processes 1); gateway event_loops $GW_LOOPS, JVM options ${PORTCULLIS_JAVA_OPTS:-of the launcher (default)};" \
       "all routes to the same cluster. ${desc[*]} ${with_hdr[*]} requests all carry the same" \
       "$((${#TOKEN} + 22))-byte Authorization header. $(nproc) cores shared by wrk, backend, gateway$(uses_redis && echo " and Redis"):" \
       "compare ratios, not absolutes."
  echo
  echo "| case | path | req/s | p50 (ms) | p99 (ms) | gateway CPU (%) | gateway CPU (µs/req) | peak RSS (MiB) | req/s vs plain | per round | Δ CPU vs plain (µs/req) | Δ p99 vs plain (ms) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  for c in "${cases[@]}"; do
    local rounds="" path="${CASE_PATH[$c]}"
    for ((r = 1; r <= ROUNDS; r++)); do
      rounds+="$(awk -v a="${ROUND[$c,$r]}" -v b="${ROUND[plain,$r]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') "
    done
    [[ "$c" == waf ]] && path="/waf?<${#WAF_QUERY} B>"
    awk -v c="$c" -v p="$path" -v rps="${RPS[$c]}" -v p50="${P50[$c]}" -v p99="${P99[$c]}" -v cpu="${CPU[$c]}" \
        -v us="${US[$c]}" -v rss="${RSS[$c]}" -v prps="${RPS[plain]}" -v pus="${US[plain]}" -v rd="${rounds% }" \
        -v pp99="${P99[plain]}" \
        -v gw="$([[ "$c" == backend ]] && echo 0 || echo 1)" \
      'BEGIN { printf "| %s | %s | %.0f | %.2f | %.2f | ", c, p, rps, p50, p99
               if (gw) printf "%.0f | %.1f | %.1f | ", cpu, us, rss / 1024; else printf "— | — | — | "
               printf "%.2f | %s | ", (prps > 0 ? rps / prps : 0), rd
               if (gw && c != "plain") printf "%+.1f | %+.2f |\n", us - pus, p99 - pp99; else printf "— | — |\n" }'
  done
  echo
  echo "gateway CPU: utime+stime of the gateway's process tree during the run (100 = one core); µs/req = CPU per" \
       "request; Δ = what the route's filters add per request (CLK_TCK=$tck, so ±$(awk -v t="$tck" -v s="$secs" \
       'BEGIN { printf "%.1f", 100 / t / s }') % of a core per reading)$(uses_redis &&
       echo "; Redis's own CPU is not in the shared rows (see their RESULT lines)")."
  echo
  # req/s of case $1 over plain's, two decimals.
  vs_plain() { awk -v a="${RPS[$1]}" -v b="${RPS[plain]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
  local ratio ok wratio="" lratio sratio
  if has_case secure; then
    ok="PASS"; ratio="$(vs_plain secure)"
    has_case waf && wratio="$(vs_plain waf)"
    awk -v x="$ratio" -v m="$RATIO_TARGET" 'BEGIN { exit !(x >= m) }' || ok="FAIL"
    ((ERR[secure] + ERR[plain] == 0)) || ok="FAIL (errors)"
    echo "RESULT: $ok — secure/plain req/s = $ratio (target >= $RATIO_TARGET);${wratio:+ waf/plain = $wratio;}" \
         "filters' CPU per request: secure $(awk -v a="${US[secure]}" -v b="${US[plain]}" 'BEGIN { printf "%+.1f", a - b }') µs$(
         has_case waf && printf ', waf %s µs' "$(awk -v a="${US[waf]}" -v b="${US[plain]}" 'BEGIN { printf "%+.1f", a - b }')") ($GW_LABEL)."
  fi
  if has_case limited; then
    ok="PASS"; lratio="$(vs_plain limited)"
    awk -v x="$lratio" -v m="$LOCAL_RATIO_TARGET" 'BEGIN { exit !(x >= m) }' || ok="FAIL"
    ((ERR[limited] + ERR[plain] == 0)) || ok="FAIL (errors)"
    echo "RESULT: local limit req/s = $lratio of plain (target >= $LOCAL_RATIO_TARGET): $ok"
  fi
  local c2
  for c2 in shared batched; do
    has_case "$c2" || continue
    sratio="$(vs_plain "$c2")"
    echo "RESULT: $c2 limit req/s = $sratio of plain, added p99 $(awk -v a="${P99[$c2]}" -v b="${P99[plain]}" \
         'BEGIN { printf "%+.2f", a - b }') ms (no target; gateway CPU $(awk -v a="${US[$c2]}" -v b="${US[plain]}" \
         'BEGIN { printf "%+.1f", a - b }') µs/req, Redis CPU $(awk -v a="${REDIS_US[$c2]}" \
         'BEGIN { printf (a == "NaN" ? "n/a" : "%.1f µs/req"), a }'))$( ((ERR[$c2] == 0)) || echo " — ERRORS, see the warnings")."
  done
  local e w
  for e in "$OUT_DIR"/*-error.log; do
    [[ -s "$e" ]] && grep -qv '\[notice\]' "$e" && warnings+=("NOTE: $(basename "$e") is not empty: $(grep -v '\[notice\]' "$e" | head -n1)")
  done
  for w in "${warnings[@]}"; do echo "$w"; done
  echo "$IDLE_NOTE Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Raw wrk output: $OUT_DIR"
  return 0
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

main() {
  local c r BACKEND_PID
  [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, was '$ROUNDS'"
  [[ "$GW_LOOPS" =~ ^[1-9][0-9]*$ ]] || die "GW_LOOPS must be a positive integer, was '$GW_LOOPS'"
  [[ "$BACKEND_REF" =~ ^[01]$ ]] || die "BACKEND_REF must be 0 or 1, was '$BACKEND_REF'"
  for c in "$DURATION" "$WARMUP"; do
    [[ "$(duration_seconds "$c")" =~ ^[1-9][0-9]*$ ]] || die "DURATION and WARMUP must be whole seconds (e.g. 10s, 1m), was '$c'"
  done
  for c in "$RATIO_TARGET" "$LOCAL_RATIO_TARGET"; do
    awk -v x="$c" 'BEGIN { exit !(x + 0 > 0) }' || die "RATIO_TARGET and LOCAL_RATIO_TARGET must be positive numbers, was '$c'"
  done
  for c in $CASES; do
    [[ " $ALL_CASES " == *" $c "* ]] || die "unknown case '$c' in CASES (known: $ALL_CASES)"
    has_case "$c" && die "case '$c' twice in CASES"
    [[ "$c" == backend && "$BACKEND_REF" == 0 ]] && continue
    CASE_LIST+=("$c")
  done
  has_case plain || die "CASES must include plain, the reference of every ratio (was '$CASES')"
  size_bytes "$SIZE" >/dev/null
  local tools=(nginx wrk curl openssl) ports=("$BACKEND_PORT" "$GW_PORT")
  if uses_redis; then tools+=(redis-server redis-cli); ports+=("$REDIS_PORT"); fi
  ensure_tools "${tools[@]}"
  require_free_ports "${ports[@]}"
  check_idle
  bench_work_dir portcullis-security-bench
  log "output in $OUT_DIR"
  (($(nproc) < 4)) && log "only $(nproc) cores: wrk, backend and gateway compete for CPU; read ratios, not absolutes"

  # The same body under every route path (the gateway forwards the path unchanged); the query is ignored.
  head -c "$(size_bytes "$SIZE")" /dev/urandom >"$WORK_DIR/www/plain"
  for c in secure waf limited shared batched; do cp "$WORK_DIR/www/plain" "$WORK_DIR/www/$c"; done
  chmod -R a+rX "$WORK_DIR/www"
  make_keys_and_tokens

  start_nginx backend "$(write_backend_conf)"; BACKEND_PID=$LAST_PID
  wait_ready backend "$BACKEND_PORT" "$LAST_PID" 100 /plain
  if uses_redis; then start_redis; fi
  start_gateway
  for c in plain secure waf limited shared batched; do CASE_PID[$c]=$LAST_PID; CASE_PORT[$c]=$GW_PORT; CASE_PATH[$c]=/$c; done
  CASE_PID[backend]=$BACKEND_PID; CASE_PORT[backend]=$BACKEND_PORT; CASE_PATH[backend]=/plain
  CASE_PATH[waf]="/waf?$WAF_QUERY"
  sanity_checks

  local cases=("${CASE_LIST[@]}")
  log "cases: ${cases[*]}"
  log "warm-up: $GW_LABEL $WARMUP per case$(has_case backend && echo ", backend 2s")"
  for c in "${cases[@]}"; do
    if [[ "$c" == backend ]]; then run_case backend 2s "$OUT_DIR/warmup-backend.txt"
    else run_case "$c" "$WARMUP" "$OUT_DIR/warmup-$c.txt"; fi
  done

  for ((r = 1; r <= ROUNDS; r++)); do
    for c in "${cases[@]}"; do
      log "round $r/$ROUNDS -> $c"
      run_case "$c" "$DURATION" "$OUT_DIR/r$r-$c.txt"
    done
  done

  report "${cases[@]}" | tee "$OUT_DIR/results.md"
}

main "$@"
