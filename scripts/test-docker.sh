#!/usr/bin/env bash
# Proves the container image for real, with docker or podman as $ENGINE (`npm run test:docker`):
#   1. the base image: runs the OFFLINE_NODE_IMAGE tool when node:24-slim (or the engine) is missing;
#   2. build      $ENGINE build of ./Dockerfile (multi-stage; podman with --format docker so HEALTHCHECK is kept);
#   3. health     $ENGINE run -d with a published port (14000, or the next free one) → 4000, /healthz
#                 answers through it within 30 s, and the image's own HEALTHCHECK reports healthy;
#      login      scripts/docker-login-check.mjs: a full passwordless login through the published port;
#      fast stop  $ENGINE stop -t 10 takes < 5 s and the container exits 0 (SIGTERM reaches node as PID 1);
#   4. compose health / compose login: $COMPOSE up -d with docker-compose.yml (published port 4000,
#                 the mounted docker/tenant.example.yaml, a named volume), then down -v.
#   5. replicas health / same key / login: the `replicas` profile (redis:7, two Understudy replicas,
#                 nginx:stable round robin on port 4100, or the next free one): both replicas answer /readyz through nginx, sign
#                 with one key, and a full login through nginx (its steps alternate between the replicas)
#                 succeeds; then down -v.
#   6. https health / https from the host / https app login: the `https` profile (service `understudy.test`
#                 in HTTPS mode on port 443 as the image's unprivileged user, published on 127.0.0.1:443 or
#                 the next free port from 14443): the image's HEALTHCHECK answers over HTTPS; from the host,
#                 Node with understudy/resolve and the CA copied out of the container reads the discovery
#                 document through the published port; the `app-https` container (AUTH0_DOMAIN=understudy.test,
#                 NODE_EXTRA_CA_CERTS from the shared volume) logs in by the service name on 443; then down -v.
# Ends with `docker: N passed, N failed` and exits non-zero when any check failed.
#
# Notes on this podman setup (rootful podman 4.3, netavark, runc, cgroupfs, no systemd):
# - Published ports work (netavark's port forwarding), so no host networking is used at run time. The
#   build uses `--network host` only so that `RUN npm ci` reaches the npm registry the way the host does.
# - Without systemd, podman schedules no periodic healthchecks (it logs "unable to get systemd connection
#   to add healthchecks") and a container's health stays "starting": this script runs the HEALTHCHECK by
#   hand with `podman healthcheck run`, which is what sets the status that `podman inspect` shows.
# - `RUN npm ci` also reaches the registry from podman's default bridge network here (a plain
#   `podman-compose build` works); --network host is kept as the offline-node-image tool advises.
# - Compose is started with --no-build, so it runs the very image that step 2 built and step 3 tested.
# - podman-compose 1.0 ignores `profiles:`, so each compose step names the services it starts.
# - podman 4 keeps net.ipv4.ip_unprivileged_port_start at 1024 inside containers (Docker 20.10+ sets it
#   to 0): the `https` profile sets it with `sysctls`, so the image's `node` user can bind 443 under both.
# - podman-compose 1.0 reads `sysctls` only in the list form and knows no network aliases, hence the
#   service name `understudy.test`; it waits for no healthcheck, so step 6 starts app-https itself once
#   Understudy is healthy.
# Env: UNDERSTUDY_CONTAINER_ENGINE (docker or podman; by default docker when its daemon answers, else
# podman), OFFLINE_NODE_IMAGE (the tool that makes the base images offline), UNDERSTUDY_DOCKER_PORT
# (first host port to try for step 3, default 14000), UNDERSTUDY_REPLICAS_PORT (first host port to try
# for step 5, default 4100).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

# The container engine: UNDERSTUDY_CONTAINER_ENGINE (docker or podman), else docker when its daemon
# answers, else podman. Everything below goes through $ENGINE and $COMPOSE; the few places the two
# differ (build flags, running a HEALTHCHECK, compose's project label) are the engine_* helpers.
ENGINE=${UNDERSTUDY_CONTAINER_ENGINE:-}
if [ -z "$ENGINE" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker; else ENGINE=podman; fi
fi
case "$ENGINE" in
  docker) COMPOSE="docker compose"; PROJECT_LABEL=com.docker.compose.project; BUILD_FLAGS=(--network host) ;;
  podman) COMPOSE="podman-compose"; PROJECT_LABEL=io.podman.compose.project; BUILD_FLAGS=(--pull=never --network host --format docker) ;;
  *) echo "UNDERSTUDY_CONTAINER_ENGINE must be docker or podman, got \"$ENGINE\"" >&2; exit 2 ;;
esac
# The tool that makes the offline base images (this workplace's); elsewhere the images come from a registry.
OFFLINE_NODE_IMAGE=${OFFLINE_NODE_IMAGE:-$root/../shared/tools/offline-node-image}

IMAGE=localhost/understudy
BASE_IMAGE=docker.io/library/node:24-slim
IMAGE_NODE_MAJOR=24
CTR=understudy-dockertest-$$
COMPOSE_PROJECT=understudy-dockertest
COMPOSE_PORT=4000
REPLICAS_PROJECT=understudy-replicatest
REPLICAS_PORT=${UNDERSTUDY_REPLICAS_PORT:-4100}
HTTPS_PROJECT=understudy-httpstest
REPLICA_IMAGES="docker.io/library/redis:7 docker.io/library/nginx:stable"
HEALTH_TIMEOUT=30
logdir=$(mktemp -d "${TMPDIR:-/tmp}/understudy-docker.XXXXXX")

passed=0
failed=0
timings=()
ran_container=no
compose_started=no
replicas_started=no
https_started=no

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
timing() { timings+=("$(printf '  %-36s %8s s' "$1" "$2")"); }
section() { printf '\n== %s\n' "$*"; }

compose() { $COMPOSE -p "$COMPOSE_PROJECT" -f "$root/docker-compose.yml" "$@"; }
compose_replicas() { $COMPOSE -p "$REPLICAS_PROJECT" -f "$root/docker-compose.yml" "$@"; }
compose_https() { $COMPOSE -p "$HTTPS_PROJECT" -f "$root/docker-compose.yml" "$@"; }
engine_image_exists() { $ENGINE image inspect "$1" >/dev/null 2>&1; }
# podman without systemd schedules no HEALTHCHECK runs, so one is run by hand; docker runs its own.
engine_run_healthcheck() { if [ "$ENGINE" = podman ]; then podman healthcheck run "$1"; else true; fi; }
engine_project_containers() { $ENGINE ps -a --filter "label=$PROJECT_LABEL=$1" --format '{{.Names}}'; }
https_down() {
  compose_https down -v >>"$logdir/https.log" 2>&1 || true
  # podman-compose 1.0's down -v leaves this volume behind.
  $ENGINE volume rm -f "${HTTPS_PROJECT}_understudy-https-data" >>"$logdir/https.log" 2>&1 || true
}

cleanup() {
  local rc=$?
  trap - EXIT
  if [ "$ran_container" = yes ]; then $ENGINE rm -f -v -t 0 "$CTR" >/dev/null 2>&1 || true; fi
  if [ "$compose_started" = yes ]; then compose down -v >>"$logdir/compose.log" 2>&1 || true; fi
  if [ "$replicas_started" = yes ]; then compose_replicas down -v >>"$logdir/replicas.log" 2>&1 || true; fi
  if [ "$https_started" = yes ]; then https_down; fi
  if [ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]; then rm -rf "$logdir"; else echo "(logs kept in $logdir)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# True when nothing listens on TCP port $1 of any IPv4 address (what a published port needs).
port_free() {
  node -e 'const s = require("node:net").createServer();
    s.once("error", () => process.exit(1));
    s.listen(Number(process.argv[1]), "0.0.0.0", () => s.close(() => process.exit(0)));' "$1"
}

# Polls http://127.0.0.1:$1/healthz (through the published port) for up to $HEALTH_TIMEOUT s while
# container $2 runs; prints the seconds since $3 (an $EPOCHREALTIME). Fails early when the container exits.
wait_healthz() {
  local port=$1 ctr=$2 start=$3
  while :; do
    if PORT=$port node scripts/healthcheck.mjs 2>/dev/null; then since "$start"; return 0; fi
    if [ "$($ENGINE inspect --format '{{.State.Running}}' "$ctr" 2>/dev/null)" != true ]; then
      echo "container $ctr is not running ($($ENGINE inspect --format 'exit code {{.State.ExitCode}}' "$ctr" 2>/dev/null))" >&2
      return 1
    fi
    if awk -v a="$start" -v b="$EPOCHREALTIME" -v t="$HEALTH_TIMEOUT" 'BEGIN { exit !(b - a > t) }'; then
      echo "no answer from http://127.0.0.1:$port/healthz within $HEALTH_TIMEOUT s" >&2
      PORT=$port node scripts/healthcheck.mjs || true
      return 1
    fi
    sleep 0.2
  done
}

# Runs the image's HEALTHCHECK inside container $1 and prints the health status podman then records.
image_healthcheck() {
  local rc=0 status
  engine_run_healthcheck "$1" >"$logdir/healthcheck.out" 2>&1 || rc=$?
  status=$($ENGINE inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null || echo '?')
  echo "  healthcheck: exit $rc; $ENGINE inspect .State.Health.Status: $status"
  if [ "$status" != healthy ]; then sed 's/^/  | /' "$logdir/healthcheck.out"; fi
  [ "$status" = healthy ]
}

show_logs() { echo "  --- last lines of $1's log:"; $ENGINE logs --tail "${2:-30}" "$1" 2>&1 | sed 's/^/  | /'; }

login_check() { # BASE_URL EXPECTED_ISSUER [DEV_TOKEN]
  UNDERSTUDY_DEV_TOKEN=${3:-} node scripts/docker-login-check.mjs "$1" "$2" 2>&1 | sed 's/^/  /'
  return "${PIPESTATUS[0]}"
}

# The dev token container $1 generated (it listens on 0.0.0.0) and printed in its mailbox URL.
dev_token_of() {
  $ENGINE logs "$1" 2>/dev/null | grep -o '_dev/mailbox?token=[A-Za-z0-9_-]*' | head -n 1 | cut -d= -f2
}

# True when $1/_dev/api/messages answers 401 without a token and 200 with token $2.
dev_api_guarded() {
  local without with
  status() { node -e 'fetch(process.argv[1], { headers: process.argv[2] ? { authorization: `Bearer ${process.argv[2]}` } : {} }).then((r) => console.log(r.status), () => console.log("unreachable"))' "$@"; }
  without=$(status "$1/_dev/api/messages")
  with=$(status "$1/_dev/api/messages" "$2")
  echo "  dev API: $without without the token, $with with it"
  [ "$without" = 401 ] && [ "$with" = 200 ]
}

total_start=$EPOCHREALTIME

# ---- 1. podman and the base image ---------------------------------------------------------------
section "1. $ENGINE and $BASE_IMAGE"
missing_images=no
for image in $BASE_IMAGE $REPLICA_IMAGES; do
  engine_image_exists "$image" || missing_images=yes
done
if ! command -v "$ENGINE" >/dev/null || { [ "$ENGINE" = podman ] && ! command -v podman-compose >/dev/null; } || [ "$missing_images" = yes ]; then
  tool=
  if [ -f "$OFFLINE_NODE_IMAGE" ]; then tool=$OFFLINE_NODE_IMAGE; fi
  if [ -z "$tool" ]; then
    echo "$ENGINE (or its compose) or $BASE_IMAGE is missing, and there is no OFFLINE_NODE_IMAGE tool to make them ($OFFLINE_NODE_IMAGE)" >&2
  else
    echo "running $tool --node $IMAGE_NODE_MAJOR --with redis,nginx"
    t0=$(now)
    bash "$tool" --node "$IMAGE_NODE_MAJOR" --with redis,nginx || echo "offline-node-image failed" >&2
    timing "offline-node-image" "$(since "$t0")"
  fi
fi
if command -v "$ENGINE" >/dev/null && engine_image_exists "$BASE_IMAGE"; then
  echo "$($ENGINE --version); $($COMPOSE version 2>/dev/null | head -1 || $COMPOSE --version 2>/dev/null | head -1)"
  echo "$BASE_IMAGE: $($ENGINE run --rm "$BASE_IMAGE" node --version 2>/dev/null)"
fi
if ! node -e 'import("jose")' >/dev/null 2>&1; then
  echo "warning: the login check needs this checkout's node_modules (jose): run npm ci first" >&2
fi

# ---- 2. build -------------------------------------------------------------------------------------
section "2. $ENGINE build -t $IMAGE"
built=no
t0=$(now)
if $ENGINE build "${BUILD_FLAGS[@]}" -t "$IMAGE" . >"$logdir/build.log" 2>&1; then
  build_s=$(since "$t0")
  built=yes
  cached=$(grep -c -- '--> Using cache' "$logdir/build.log" || true)
  steps=$(grep -cE '^(\[[0-9]+/[0-9]+\] )?STEP ' "$logdir/build.log" || true)
  size=$($ENGINE image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')
  timing "build ($cached of $steps steps cached)" "$build_s"
  pass "build: $IMAGE in $build_s s ($cached of $steps steps from cache, image $size)"
  # The runtime the image ships, asked of the image itself (not of the base image's tag).
  # (podman's own complaints, such as the missing systemd for healthcheck timers, go to stderr.)
  image_node=$($ENGINE run --rm --entrypoint node "$IMAGE" --version 2>"$logdir/node-version.err" || true)
  if [[ "$image_node" =~ ^v${IMAGE_NODE_MAJOR}\.[0-9]+\.[0-9]+$ ]]; then
    pass "node: the image runs Node $image_node"
  else
    sed 's/^/  | /' "$logdir/node-version.err"
    fail "node: the image should run Node $IMAGE_NODE_MAJOR, \`node --version\` in it said: $image_node"
  fi
else
  timing "build (failed)" "$(since "$t0")"
  echo "  --- last lines of the build log:"
  tail -n 60 "$logdir/build.log" | sed 's/^/  | /'
  fail "build: $ENGINE build failed (full log: $logdir/build.log)"
  fail "node: not checked (no image)"
fi

# ---- 3. run with a published port: health, login, fast stop ----------------------------------------
port=${UNDERSTUDY_DOCKER_PORT:-14000}
section "3. $ENGINE run -p <port>:4000"
if [ "$built" = yes ]; then
  for _ in $(seq 1 50); do port_free "$port" && break; port=$((port + 1)); done
  issuer="http://localhost:$port/"
  echo "host port $port → container 4000, ISSUER_BASE_URL=$issuer"
  t0=$(now)
  if $ENGINE run -d --name "$CTR" -p "$port:4000" -e ISSUER_BASE_URL="$issuer" "$IMAGE" >"$logdir/run.out" 2>"$logdir/run.err"; then
    ran_container=yes
    if healthy_s=$(wait_healthz "$port" "$CTR" "$t0") && image_healthcheck "$CTR"; then
      timing "$ENGINE run -> /healthz answers" "$healthy_s"
      pass "health: /healthz through the published port $healthy_s s after $ENGINE run; HEALTHCHECK healthy"
    else
      timing "run -> healthy (failed)" "$(since "$t0")"
      show_logs "$CTR"
      fail "health: the container did not become healthy"
    fi
  else
    cat "$logdir/run.err" >&2
    fail "health: $ENGINE run failed"
  fi

  if [ "$ran_container" = yes ] && [ "$($ENGINE inspect --format '{{.State.Running}}' "$CTR")" = true ]; then
    token=$(dev_token_of "$CTR")
    if [ -n "$token" ] && dev_api_guarded "http://localhost:$port" "$token"; then
      pass "dev token: the container listens beyond loopback, generated a dev token and printed the mailbox URL with it"
    else
      show_logs "$CTR" 15
      fail "dev token: expected a generated token in the mailbox URL of the log, and the dev API to ask for it"
    fi
    t0=$(now)
    if login_check "http://localhost:$port" "$issuer" "$token"; then
      timing "login check (published port)" "$(since "$t0")"
      pass "login: full passwordless login through http://localhost:$port"
    else
      show_logs "$CTR"
      fail "login: the login check failed against http://localhost:$port"
    fi

    t0=$(now)
    $ENGINE stop -t 10 "$CTR" >/dev/null 2>"$logdir/stop.err" || cat "$logdir/stop.err" >&2
    stop_s=$(since "$t0")
    exit_code=$($ENGINE inspect --format '{{.State.ExitCode}}' "$CTR")
    timing "$ENGINE stop -t 10" "$stop_s"
    echo "  $ENGINE stop took $stop_s s; exit code $exit_code"
    if awk -v s="$stop_s" 'BEGIN { exit !(s < 5) }' && [ "$exit_code" = 0 ]; then
      pass "fast stop: $ENGINE stop in $stop_s s, exit code 0"
    else
      show_logs "$CTR" 15
      fail "fast stop: $ENGINE stop took $stop_s s (limit 5 s) with exit code $exit_code (want 0)"
    fi
  else
    fail "dev token: not run, the container is not running"
    fail "login: not run, the container is not running"
    fail "fast stop: not run, the container is not running"
  fi
  $ENGINE rm -f -v -t 0 "$CTR" >/dev/null 2>&1 || true
  ran_container=no
else
  fail "health: not run (no image)"
  fail "dev token: not run (no image)"
  fail "login: not run (no image)"
  fail "fast stop: not run (no image)"
fi

# ---- 4. podman-compose -----------------------------------------------------------------------------
section "4. $COMPOSE up -d (docker-compose.yml, port $COMPOSE_PORT)"
if [ "$built" != yes ]; then
  fail "compose health: not run (no image)"
  fail "compose login: not run (no image)"
elif ! port_free "$COMPOSE_PORT"; then
  echo "host port $COMPOSE_PORT is already in use, and docker-compose.yml publishes 4000:4000. Stop whatever" >&2
  echo "listens there (\`ss -ltnp 'sport = :$COMPOSE_PORT'\`) and run again; no other port is picked." >&2
  fail "compose health: host port $COMPOSE_PORT is busy"
  fail "compose login: host port $COMPOSE_PORT is busy"
else
  t0=$(now)
  compose_started=yes
  if compose up -d --no-build understudy >"$logdir/compose.log" 2>&1; then
    cctr=$(engine_project_containers "$COMPOSE_PROJECT" | head -n 1)
    echo "  container $cctr"
    if [ -n "$cctr" ] && healthy_s=$(wait_healthz "$COMPOSE_PORT" "$cctr" "$t0") && image_healthcheck "$cctr"; then
      timing "compose up -> /healthz answers" "$healthy_s"
      pass "compose health: /healthz on port $COMPOSE_PORT $healthy_s s after $COMPOSE up; healthcheck healthy"
      # Which tenant the service loaded: the mounted docker/tenant.example.yaml is expected.
      tenant=$($ENGINE logs "$cctr" 2>&1 | grep -o 'serving .\{0,120\}(/config/[^)]*)' | tr -d '\\' || true)
      echo "  tenant: ${tenant:-the log names no tenant file under /config}"
      t0=$(now)
      if login_check "http://localhost:$COMPOSE_PORT" "http://localhost:$COMPOSE_PORT/" "$(dev_token_of "$cctr")"; then
        timing "login check (compose)" "$(since "$t0")"
        pass "compose login: full passwordless login through http://localhost:$COMPOSE_PORT"
      else
        show_logs "$cctr"
        fail "compose login: the login check failed against http://localhost:$COMPOSE_PORT"
      fi
    else
      [ -n "$cctr" ] && show_logs "$cctr"
      fail "compose health: the compose service did not become healthy"
      fail "compose login: not run, the service is not healthy"
    fi
  else
    tail -n 40 "$logdir/compose.log" | sed 's/^/  | /'
    fail "compose health: $COMPOSE up failed"
    fail "compose login: not run, $COMPOSE up failed"
  fi
  t0=$(now)
  compose down -v >>"$logdir/compose.log" 2>&1 || echo "$COMPOSE down -v failed (see $logdir/compose.log)" >&2
  compose_started=no
  timing "$COMPOSE down -v" "$(since "$t0")"
fi

# ---- 5. the replicas profile: redis, two replicas, nginx --------------------------------------------
# Polls http://127.0.0.1:$REPLICAS_PORT/readyz through nginx until two different replicas (the
# X-Understudy-Replica header nginx adds) have answered 200; prints the seconds since $1.
wait_replicas_ready() {
  local start=$1 seen="" replica status
  while :; do
    read -r status replica < <(node -e '
      fetch(process.argv[1]).then((r) => console.log(r.status, r.headers.get("x-understudy-replica") ?? "-"), () => console.log("0 -"));' \
      "http://127.0.0.1:$REPLICAS_PORT/readyz")
    if [ "$status" = 200 ] && [ "$replica" != - ] && [[ " $seen " != *" $replica "* ]]; then seen="$seen $replica"; fi
    if [ "$(wc -w <<<"$seen")" -ge 2 ]; then echo "  ready through nginx:$seen" >&2; since "$start"; return 0; fi
    if awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a > 60) }'; then
      echo "  replicas not both ready through nginx within 60 s (last: $status from $replica; seen:${seen:- none})" >&2
      return 1
    fi
    sleep 0.3
  done
}

replica_logs() {
  for c in $(engine_project_containers "$REPLICAS_PROJECT"); do show_logs "$c" 15; done
}

for _ in $(seq 1 50); do port_free "$REPLICAS_PORT" && break; REPLICAS_PORT=$((REPLICAS_PORT + 1)); done
# docker-compose.yml publishes nginx on UNDERSTUDY_REPLICAS_PORT (4100 by default), the replicas' issuer too.
export UNDERSTUDY_REPLICAS_PORT=$REPLICAS_PORT
section "5. $COMPOSE replicas profile (redis, understudy-a, understudy-b, proxy on port $REPLICAS_PORT)"
if [ "$built" != yes ]; then
  fail "replicas health: not run (no image)"
  fail "replicas same key: not run (no image)"
  fail "replicas login: not run (no image)"
elif ! port_free "$REPLICAS_PORT"; then
  echo "no free host port from ${UNDERSTUDY_REPLICAS_PORT} on for the replicas profile's nginx." >&2
  fail "replicas health: host port $REPLICAS_PORT is busy"
  fail "replicas same key: host port $REPLICAS_PORT is busy"
  fail "replicas login: host port $REPLICAS_PORT is busy"
else
  t0=$(now)
  replicas_started=yes
  if compose_replicas up -d --no-build redis understudy-a understudy-b proxy >"$logdir/replicas.log" 2>&1 && ready_s=$(wait_replicas_ready "$t0"); then
    timing "replicas up -> both ready via nginx" "$ready_s"
    pass "replicas health: both replicas answer /readyz (Redis reachable) through nginx $ready_s s after $COMPOSE up"
    # JWKS through nginx until both replicas have answered (round robin: normally two fetches); replica=kid each.
    kids=$(node -e '
      (async () => {
        const seen = new Map();
        for (let i = 0; i < 10 && seen.size < 2; i++) {
          const r = await fetch(process.argv[1]);
          seen.set(r.headers.get("x-understudy-replica"), (await r.json()).keys[0].kid);
        }
        console.log([...seen].map(([replica, kid]) => `${replica}=${kid}`).join(" "));
      })();' "http://127.0.0.1:$REPLICAS_PORT/.well-known/jwks.json" 2>&1 || true)
    echo "  jwks: $kids"
    replicas=$(tr ' ' '\n' <<<"$kids" | cut -d= -f1 | sort -u | wc -l)
    distinct_kids=$(tr ' ' '\n' <<<"$kids" | cut -d= -f2 | sort -u | wc -l)
    if [ "$replicas" = 2 ] && [ "$distinct_kids" = 1 ]; then
      pass "replicas same key: both replicas publish kid $(cut -d' ' -f1 <<<"$kids" | cut -d= -f2)"
    else
      fail "replicas same key: expected one kid from two replicas, got: $kids"
    fi
    t0=$(now)
    # Both replicas derive the dev token from the master secret they share through Redis.
    rctr=$(engine_project_containers "$REPLICAS_PROJECT" | grep understudy-a | head -n 1)
    if login_check "http://localhost:$REPLICAS_PORT" "http://localhost:$REPLICAS_PORT/" "$(dev_token_of "$rctr")"; then
      timing "login check (replicas via nginx)" "$(since "$t0")"
      pass "replicas login: full passwordless login through nginx at http://localhost:$REPLICAS_PORT, its steps alternating between the replicas"
    else
      replica_logs
      fail "replicas login: the login check failed through nginx"
    fi
  else
    tail -n 40 "$logdir/replicas.log" | sed 's/^/  | /'
    replica_logs
    fail "replicas health: the replicas did not both become ready through nginx"
    fail "replicas same key: not run, the replicas are not ready"
    fail "replicas login: not run, the replicas are not ready"
  fi
  t0=$(now)
  compose_replicas down -v >>"$logdir/replicas.log" 2>&1 || echo "$COMPOSE down -v failed (see $logdir/replicas.log)" >&2
  replicas_started=no
  timing "replicas down -v" "$(since "$t0")"
fi

# ---- 6. the https profile: understudy.test on 443, an app container that trusts its CA ---------------
# Runs `podman healthcheck run` in container $1 until it reports healthy (at most 30 s); prints the seconds since $2.
wait_healthy() {
  local ctr=$1 start=$2
  while :; do
    if engine_run_healthcheck "$ctr" >"$logdir/https-health.out" 2>&1 && [ "$($ENGINE inspect --format '{{.State.Health.Status}}' "$ctr")" = healthy ]; then since "$start"; return 0; fi
    if [ "$($ENGINE inspect --format '{{.State.Running}}' "$ctr" 2>/dev/null)" != true ]; then echo "  container $ctr is not running" >&2; return 1; fi
    if awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a > 30) }'; then sed 's/^/  | /' "$logdir/https-health.out" >&2; return 1; fi
    sleep 0.5
  done
}

HTTPS_PORT=443
if ! port_free "$HTTPS_PORT"; then HTTPS_PORT=14443; for _ in $(seq 1 50); do port_free "$HTTPS_PORT" && break; HTTPS_PORT=$((HTTPS_PORT + 1)); done; fi
export UNDERSTUDY_HTTPS_PORT=$HTTPS_PORT
section "6. $COMPOSE https profile (understudy.test on 443, published on 127.0.0.1:$HTTPS_PORT; app-https)"
if [ "$built" != yes ]; then
  fail "https health: not run (no image)"
  fail "https from the host: not run (no image)"
  fail "https app login: not run (no image)"
else
  t0=$(now)
  https_started=yes
  hctr=${HTTPS_PROJECT}_understudy.test_1
  if compose_https up -d --no-build understudy.test >"$logdir/https.log" 2>&1 && healthy_s=$(wait_healthy "$hctr" "$t0"); then
    timing "https up -> healthy" "$healthy_s"
    uid=$($ENGINE exec "$hctr" id -u 2>/dev/null || echo '?')
    # Healthy means listening; the banner with the address comes just after: wait for it, not a moment.
    banner=no
    for _ in $(seq 1 100); do
      if $ENGINE logs "$hctr" 2>/dev/null | grep -q 'listening on  https://0.0.0.0:443'; then banner=yes; break; fi
      sleep 0.2
    done
    if [ "$banner" = yes ] && [ "$uid" = 1000 ]; then
      pass "https health: listening on 443 as uid $uid (the image's node user), HEALTHCHECK healthy over HTTPS $healthy_s s after $COMPOSE up"
    else
      show_logs "$hctr" 15
      fail "https health: expected the server listening on port 443 as uid 1000; banner seen: $banner, uid $uid"
    fi
    $ENGINE exec "$hctr" cat /data/tls/ca.pem >"$logdir/ca.pem" 2>>"$logdir/https.log" || true
    printed=$($ENGINE logs "$hctr" 2>/dev/null | grep -o 'AUTH0_DOMAIN=understudy.test NODE_EXTRA_CA_CERTS=/data/tls/ca.pem' | head -n 1 || true)
    issuer=$(UNDERSTUDY_HOSTS=understudy.test NODE_EXTRA_CA_CERTS="$logdir/ca.pem" node --require "$root/src/testing/resolve.cjs" -e '
      fetch(process.argv[1]).then((r) => r.json()).then((d) => console.log(d.issuer), (e) => console.log("failed:", e.cause?.code ?? e.message))' \
      "https://understudy.test:$HTTPS_PORT/.well-known/openid-configuration" 2>&1)
    echo "  from the host: $issuer; start-up line: ${printed:-none}"
    if [ "$issuer" = https://understudy.test/ ] && [ -n "$printed" ]; then
      pass "https from the host: understudy/resolve and the CA from /data/tls/ca.pem reach https://understudy.test:$HTTPS_PORT; the log prints $printed"
    else
      fail "https from the host: expected the issuer https://understudy.test/ and the AUTH0_DOMAIN line, got: $issuer"
    fi
    t0=$(now)
    actr=${HTTPS_PROJECT}_app-https_1
    if compose_https up -d --no-build --no-deps app-https >>"$logdir/https.log" 2>&1 && [ "$($ENGINE wait "$actr" 2>/dev/null)" = 0 ]; then
      timing "app-https login check" "$(since "$t0")"
      $ENGINE logs "$actr" 2>/dev/null | sed 's/^/  /'
      pass "https app login: a container with AUTH0_DOMAIN=understudy.test and NODE_EXTRA_CA_CERTS logs in by the service name on 443"
    else
      show_logs "$actr" 30
      show_logs "$hctr" 15
      fail "https app login: the app-https container's login check failed"
    fi
  else
    tail -n 40 "$logdir/https.log" | sed 's/^/  | /'
    engine_project_containers "$HTTPS_PROJECT" | while read -r c; do show_logs "$c" 15; done
    fail "https health: the https profile's Understudy did not become healthy"
    fail "https from the host: not run, Understudy is not healthy"
    fail "https app login: not run, Understudy is not healthy"
  fi
  t0=$(now)
  https_down
  https_started=no
  timing "https down -v" "$(since "$t0")"
fi

section "timings"
printf '%s\n' "${timings[@]}"
timing_total=$(since "$total_start")
printf '  %-36s %8s s\n' "total" "$timing_total"
echo
echo "docker: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
