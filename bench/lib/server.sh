# Server-mode bench harness, sourced by the benches that time runs the way the product runs them:
# a job's run triggered through the API of a running `./syncjobs serve`, timed from the trigger to
# the run's terminal status (bench/lib/timed.py). Needs curl and python3.
#
#   server_build                   builds sync-app/target/syncjobs.jar (BENCH_NO_BUILD=1 skips it)
#   server_start DATA_DIR          starts the server on a free loopback port; sets SERVER_PID,
#                                  SERVER_URL, SERVER_TOKEN; manual runs are not rate-limited
#   server_stop                    stops it (SIGTERM, then waits)
#   server_api METHOD PATH [JSON]  one API call; prints the response body, fails on an error status
#   server_create_job JSON         creates a job; prints its id
#   server_delete_job ID           deletes the job (its published versions stay on disk)
#   server_timed_run ID            "<wall s> <server CPU s> <children's CPU s> <status> <files>
#                                  <bytes> <run id> <server peak RSS MiB since it started>"
#   timed_command CMD...           "<wall s> <CPU s of CMD and its children>"
#   server_warm_up CASE [RUNS]     calls the bench's own `server_round CASE wN` for N = 1 ..
#                                  BENCH_WARM_RUNS, else RUNS, else 8: untimed runs before round 0
#   bench_environment              prints nproc, load average, the JDK (to stderr)
#   free_port                      prints a loopback port above 20000 that nothing listens on
# Each timed command should follow a `sync` (the caller's), so no earlier run's writeback is timed.

BENCH_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_REPO="$(cd "$BENCH_LIB/../.." && pwd)"
SERVER_TOKEN=${SERVER_TOKEN:-bench-admin-token-0123456789}

server_build() {
  [ -n "${BENCH_NO_BUILD:-}" ] && return 0
  echo "== building the server jar" >&2
  # the launcher's own build (mvn package of sync-app and what it needs), offline when asked
  (cd "$BENCH_REPO" && mvn -q -B ${BENCH_MVN_OFFLINE:+-o} -DskipTests -Dspotless.check.skip=true \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl sync-app -am package) >&2
}

server_start() {
  local data=$1
  mkdir -p "$data"
  rm -f "$data/server.port"
  SYNCJOBS_DATA_DIR="$data" SYNCJOBS_PORT=0 SYNCJOBS_ADMIN_TOKEN="$SERVER_TOKEN" \
    SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS=0 \
    "$BENCH_REPO/syncjobs" serve > "$data/server.log" 2>&1 &
  SERVER_PID=$! # the launcher execs java, so this is the JVM
  local i
  for i in $(seq 1 300); do
    if [ -s "$data/server.port" ] &&
      curl -sf "http://127.0.0.1:$(cat "$data/server.port")/health" > /dev/null; then
      SERVER_URL="http://127.0.0.1:$(cat "$data/server.port")"
      echo "== server pid $SERVER_PID at $SERVER_URL" >&2
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2> /dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "the server did not start; its log:" >&2
  tail -20 "$data/server.log" >&2
  return 1
}

server_stop() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=
  fi
}

server_api() {
  local method=$1 path=$2 body=${3:-}
  curl -sS -f -X "$method" -H "Authorization: Bearer $SERVER_TOKEN" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "$SERVER_URL$path"
}

server_create_job() {
  server_api POST /api/v1/storage/sync-jobs "$1" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["id"])'
}

server_delete_job() {
  server_api DELETE "/api/v1/storage/sync-jobs/$1" > /dev/null
}

server_timed_run() {
  python3 "$BENCH_LIB/timed.py" run "$SERVER_URL" "$SERVER_TOKEN" "$1" "$SERVER_PID"
}

# A server in service has run its jobs before, and the JIT has compiled the per-file code by then.
# A fresh server spends a large part of its first runs of a tree compiling (C2); the benches run the
# case a few times on each new server first, so the rounds time a server as it runs day to day.
# BENCH_WARM_RUNS=0 times a fresh server.
server_warm_up() {
  local w
  for w in $(seq 1 "${BENCH_WARM_RUNS:-${2:-8}}"); do
    server_round "$1" "w$w"
  done
}

timed_command() {
  python3 "$BENCH_LIB/timed.py" command -- "$@"
}

bench_environment() {
  {
    echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(cd "$BENCH_REPO" && git rev-parse --short HEAD)"
    echo "== nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== $(java -version 2>&1 | head -1)"
  } >&2
}

free_port() {
  local candidate
  for _ in $(seq 1 20); do
    candidate=$((20001 + RANDOM % 40000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}
