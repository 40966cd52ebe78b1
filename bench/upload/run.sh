#!/bin/bash
# Upload benchmark: 1 GiB pushed over loopback into a running `./syncjobs serve` by the chunk API
# (5 MiB chunks, SHA-256 each, on 1 and on 4 connections) and by tus (one connection, 8 MiB
# PATCHes as the web page sends them), beside `curl -T` of the same file to nginx's WebDAV PUT,
# and the same `curl -T` followed by `sync` (until the bytes are on disk, as the server's are when
# it answers a chunk), in one run. Every client is curl (one process per connection, keep-alive,
# its requests from a config file); the chunks' files and SHA-256 are prepared before the clock
# starts, as they are the client's work. Rounds alternate the tools; medians over the rounds. The
# server's peak RSS (VmHWM) is reset before every run and read after it.
#
# Usage: bench/upload/run.sh [rounds]     (default 3; BENCH_SIZE_MIB=1024 sets the file's size)
# Needs: nginx-light curl python3 (Debian packages), a JDK and Maven; root to reset VmHWM
# (/proc/<pid>/clear_refs). Data (3 times the file's size) and nginx live under $BENCH_DIR
# (default /tmp/syncbench-upload); nginx listens on 127.0.0.1:$BENCH_PORT (default 18083).
# Results: $BENCH_DIR/results.csv and a Markdown table on stdout. BENCH_REBUILD=0 runs the jar as
# it is built (for A/B runs that alternate two checkouts' jars without rebuilding each time).
set -euo pipefail
rounds=${1:-3}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
B=${BENCH_DIR:-/tmp/syncbench-upload}
PORT=${BENCH_PORT:-18083}
TOKEN=bench-admin-token-0123456789
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
SIZE=$((SIZE_MIB * 1024 * 1024))
CHUNK=$((5 * 1024 * 1024))
PATCH=$((8 * 1024 * 1024))
mkdir -p "$B/put" "$B/put-tmp" "$B/run"
# nginx started by root writes as its workers' user, nobody
[ "$(id -u)" = 0 ] && chown nobody "$B/put" "$B/put-tmp"
rm -rf "$B/data"

src="$B/upload-$SIZE_MIB.bin"
if [ ! -f "$src" ] || [ "$(stat -c %s "$src")" != "$SIZE" ]; then
  echo "== generating $src" >&2
  head -c "$SIZE" /dev/urandom > "$src"
fi
# the client's part: the file cut into chunks and PATCH bodies, each chunk's SHA-256
parts() {
  local dir=$1 size=$2
  if [ ! -f "$dir/done" ] || [ "$dir/done" -ot "$src" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    split -b "$size" -d -a 4 "$src" "$dir/part."
    (cd "$dir" && sha256sum part.* > SHA256SUMS)
    touch "$dir/done"
  fi
}
parts "$B/chunks-$SIZE_MIB" "$CHUNK"
parts "$B/patches-$SIZE_MIB" "$PATCH"

if [ "${BENCH_REBUILD:-1}" != 0 ]; then
  (cd "$repo" && SYNCJOBS_REBUILD=1 ./syncjobs --help >/dev/null)
fi
sed -e "s#@ROOT@#$B#g" -e "s#@PORT@#$PORT#g" "$here/nginx.conf.in" > "$B/nginx.conf"
nginx -c "$B/nginx.conf" -s stop 2>/dev/null || true
nginx -c "$B/nginx.conf"

SYNCJOBS_DATA_DIR="$B/data" SYNCJOBS_PORT=0 SYNCJOBS_ADMIN_TOKEN=$TOKEN \
  "$repo/syncjobs" serve > "$B/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  nginx -c "$B/nginx.conf" -s stop 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  [ -s "$B/data/server.port" ] && curl -sf "http://127.0.0.1:$(cat "$B/data/server.port")/health" >/dev/null && break
  sleep 0.2
done
U="http://127.0.0.1:$(cat "$B/data/server.port")"
echo "== server pid $server at $U, nginx at 127.0.0.1:$PORT" >&2
AUTH="Authorization: Bearer $TOKEN"

# One request block of a curl config file (curl -K): options reset at each `next`.
block() { # url method file header...
  local url=$1 method=$2 file=$3
  shift 3
  printf 'url = "%s"\nrequest = "%s"\nupload-file = "%s"\noutput = "/dev/null"\n' "$url" "$method" "$file"
  printf 'write-out = "%%{http_code}\\n"\nheader = "%s"\nheader = "Expect:"\n' "$AUTH"
  for h in "$@"; do printf 'header = "%s"\n' "$h"; done
  printf 'next\n'
}
# Runs the config files $B/run/cfg.* at once (one curl each) and checks every status.
requests() {
  local want=$1 pids=() f
  sed -i '$d' "$B"/run/cfg.* # the last block's `next`
  for f in "$B"/run/cfg.*; do
    curl -sS -K "$f" > "${f/cfg/out}" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  if grep -hv "^$want\$" "$B"/run/out.* | grep -q .; then
    echo "unexpected statuses: $(grep -hv "^$want\$" "$B"/run/out.* | sort | uniq -c)" >&2
    exit 1
  fi
}
chunks() { # streams target
  local streams=$1 target=$2 id i=0 sum name
  id=$(curl -sS -f -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"file_path\":\"$target\",\"total_size\":$SIZE}" "$U/api/v1/sync/upload/start" |
    sed -n 's/.*"upload_id":"\([^"]*\)".*/\1/p')
  rm -f "$B"/run/*
  while read -r sum name; do
    block "$U/api/v1/sync/upload/$id/chunk/$i" POST "$B/chunks-$SIZE_MIB/$name" \
      "Content-Type: application/octet-stream" "X-Chunk-SHA256: $sum" >> "$B/run/cfg.$((i % streams))"
    i=$((i + 1))
  done < "$B/chunks-$SIZE_MIB/SHA256SUMS"
  requests 200
}
tus() { # target
  local target=$1 location i=0 name
  location=$(curl -sS -f -D - -o /dev/null -X POST -H "$AUTH" -H "Tus-Resumable: 1.0.0" \
    -H "Upload-Length: $SIZE" -H "Upload-Metadata: file_path $(printf %s "$target" | base64 -w0)" \
    "$U/api/v1/tus/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  rm -f "$B"/run/*
  for name in $(cd "$B/patches-$SIZE_MIB" && ls part.*); do
    block "$U$location" PATCH "$B/patches-$SIZE_MIB/$name" "Tus-Resumable: 1.0.0" \
      "Upload-Offset: $((i * PATCH))" "Content-Type: application/offset+octet-stream" >> "$B/run/cfg.0"
    i=$((i + 1))
  done
  requests 204
}
put() { curl -sS -f -o /dev/null -H "Expect:" -T "$src" "http://127.0.0.1:$PORT/bench/$1.bin"; }

clean() {
  rm -rf "$B/data/storage/bench" "$B/put/bench"
  sync
  echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true
}
hwm() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status"; }
run() {
  case "$1" in
    curl) put curl ;;
    curlsync) put curlsync && sync ;;
    chunks1) chunks 1 "bench/$1.bin" ;;
    chunks4) chunks 4 "bench/$1.bin" ;;
    tus1) tus "bench/$1.bin" ;;
  esac
}
stored() { case "$1" in curl*) echo "$B/put/bench/$1.bin" ;; *) echo "$B/data/storage/bench/$1.bin" ;; esac; }
tools=(curl curlsync chunks1 chunks4 tus1)

echo "== warm-up (untimed): one of each" >&2
for t in "${tools[@]}"; do clean; run "$t"; done

echo "round,tool,seconds,mib_per_s,server_hwm_mib" > "$B/results.csv"
for r in $(seq 1 "$rounds"); do
  # each round starts with another tool, so none always follows the same one
  n=${#tools[@]}
  for i in $(seq 0 $((n - 1))); do
    t=${tools[$(((i + r - 1) % n))]}
    clean
    t0=$(date +%s.%N)
    run "$t"
    t1=$(date +%s.%N)
    cmp -s "$src" "$(stored "$t")" || { echo "$t: the stored file differs" >&2; exit 1; }
    line="$r,$t,$(python3 -c "s = $t1 - $t0; print(f'{s:.3f},{$SIZE_MIB / s:.0f}')"),$(hwm)"
    echo "$line" >> "$B/results.csv"
    echo "$line" >&2
  done
done
clean
python3 "$here/table.py" "$B/results.csv" "$SIZE_MIB"
