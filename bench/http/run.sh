#!/bin/bash
# HTTP adapter benchmark: syncjobs (`./syncjobs once`, whole process) beside rclone (http
# backend), lftp mirror --parallel=4, wget -m, and for the single file curl and aria2c -x4,
# against nginx on loopback serving the same trees, in one run (hyperfine, medians).
#
# Usage: bench/http/run.sh [runs]        (default 3 runs per command)
# Needs: nginx-light rclone lftp wget aria2 curl hyperfine python3 (Debian packages), a JDK and
# Maven to build the launcher's jar. Data (about 3 GiB) and nginx live under $BENCH_DIR
# (default /tmp/syncbench-http); nginx listens on 127.0.0.1:$BENCH_PORT (default 18081).
# Results: $BENCH_DIR/results/*.json and a Markdown table on stdout.
set -euo pipefail
runs=${1:-3}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
B=${BENCH_DIR:-/tmp/syncbench-http}
PORT=${BENCH_PORT:-18081}
U=http://127.0.0.1:$PORT
O=$B/out
R=$B/results
mkdir -p "$B/nginx-tmp" "$O" "$R"

"$here/make-data.sh" "$B/data" >&2
sed -e "s#@ROOT@#$B#g" -e "s#@PORT@#$PORT#g" "$here/nginx.conf.in" > "$B/nginx.conf"
nginx -c "$B/nginx.conf" -s stop 2>/dev/null || true
nginx -c "$B/nginx.conf"
trap 'nginx -c "$B/nginx.conf" -s stop' EXIT
(cd "$repo" && SYNCJOBS_REBUILD=1 ./syncjobs --help >/dev/null)

SJ="$repo/syncjobs once -q --keep-versions 1"
# The first `once` after a build records the launcher's class-data archive; do that untimed.
rm -rf "$O/warm"
$SJ "$U/small/d00/" "$O/warm" >&2
rm -rf "$O/warm"
# The launcher's own JVM flags for `once` (C1 alone with --no-verify-checksums, otherwise C2 only
# for the hottest loops), and the same with the JVM's default JIT for comparison.
C2="env SYNCJOBS_JAVA_OPTS=-Xms32m\ -Xmx256m\ -XX:+UseSerialGC $SJ"
hf() {
  local name=$1 prepare=$2
  shift 2
  # `sync` after the clean-up: no run starts while the previous one's writes are still flushing.
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$R/$name.json" \
    --prepare "sh -c '$prepare; sync'" "$@" >&2
}

echo "== tree: 2,000 files / 1 GiB, full mirror" >&2
hf tree-full "rm -rf $O/t" \
  -n "syncjobs" "$SJ --no-verify-checksums $U/tree/ $O/t" \
  -n "syncjobs --verify-checksums" "$SJ --verify-checksums $U/tree/ $O/t" \
  -n "syncjobs (default JIT)" "$C2 --no-verify-checksums $U/tree/ $O/t" \
  -n "rclone copy" "rclone copy -q --http-url $U/tree/ :http: $O/t" \
  -n "lftp mirror --parallel=4" "lftp -c 'mirror --parallel=4 $U/tree/ $O/t'" \
  -n "wget -m" "wget -q -m -np -nH --cut-dirs=1 -P $O/t $U/tree/"

echo "== tree: no-op re-sync" >&2
rm -rf "$O/ts" "$O/tr" "$O/tl"
$SJ --no-verify-checksums "$U/tree/" "$O/ts" >&2
rclone copy -q --http-url "$U/tree/" :http: "$O/tr" >&2
lftp -c "mirror --parallel=4 $U/tree/ $O/tl" >&2
hf tree-noop "true" \
  -n "syncjobs" "$SJ --no-verify-checksums $U/tree/ $O/ts" \
  -n "syncjobs --verify-checksums" "$SJ --verify-checksums $U/tree/ $O/ts" \
  -n "syncjobs (default JIT)" "$C2 --no-verify-checksums $U/tree/ $O/ts" \
  -n "rclone copy" "rclone copy -q --http-url $U/tree/ :http: $O/tr" \
  -n "lftp mirror --parallel=4" "lftp -c 'mirror --parallel=4 $U/tree/ $O/tl'"

echo "== small: 10,000 files of 4 KiB, full mirror" >&2
hf small-full "rm -rf $O/s" \
  -n "syncjobs" "$SJ --no-verify-checksums $U/small/ $O/s" \
  -n "syncjobs --verify-checksums" "$SJ --verify-checksums $U/small/ $O/s" \
  -n "syncjobs (default JIT)" "$C2 --no-verify-checksums $U/small/ $O/s" \
  -n "rclone copy" "rclone copy -q --http-url $U/small/ :http: $O/s" \
  -n "lftp mirror --parallel=4" "lftp -c 'mirror --parallel=4 $U/small/ $O/s'" \
  -n "wget -m" "wget -q -m -np -nH --cut-dirs=1 -P $O/s $U/small/"

echo "== big: one 2 GiB file" >&2
hf big "rm -rf $O/b" \
  -n "syncjobs" "$SJ --no-verify-checksums $U/big/large.iso $O/b" \
  -n "syncjobs --verify-checksums" "$SJ --verify-checksums $U/big/large.iso $O/b" \
  -n "syncjobs (default JIT)" "$C2 --no-verify-checksums $U/big/large.iso $O/b" \
  -n "rclone copy" "rclone copy -q --http-url $U/big/ :http: $O/b" \
  -n "curl" "curl -s --create-dirs -o $O/b/large.iso $U/big/large.iso" \
  -n "aria2c -x4" "aria2c -q -x4 -s4 -d $O/b $U/big/large.iso"

echo "== peak RSS" >&2
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
{
  rm -rf "$O/b"; echo "syncjobs big $(rss $SJ --no-verify-checksums "$U/big/large.iso" "$O/b")"
  rm -rf "$O/b"; echo "syncjobs-verify big $(rss $SJ --verify-checksums "$U/big/large.iso" "$O/b")"
  rm -rf "$O/b"; echo "rclone big $(rss rclone copy -q --http-url "$U/big/" :http: "$O/b")"
  rm -rf "$O/t"; echo "syncjobs tree $(rss $SJ --no-verify-checksums "$U/tree/" "$O/t")"
  rm -rf "$O/b" "$O/t"
} > "$R/rss.txt"

python3 "$here/table.py" "$R"
