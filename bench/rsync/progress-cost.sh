#!/bin/bash
# What live progress costs rsync itself, from a shell: the same tree from an rsync daemon on
# loopback, copied into a new folder each time by
#   a       rsync -a
#   lines   the adapter's options with --info=progress2, output to a file (a line per file, what an
#           rsync older than 3.2.0 gets)
#   asked   the adapter's options, its receiver sent SIGVTALRM every 0.5 s (what the server does)
# `sync` before each; rounds alternate the order; round 0 is not counted. Prints each contender's
# median and the median of its per-round ratios to `rsync -a`.
#
# Usage (from a clone): bench/rsync/progress-cost.sh [rounds] [tree]   (default 5 files100k)
#   BENCH_DIR   the copies (default /dev/shm/syncbench-rsync-progress)
#   BENCH_DATA  the trees (default /tmp/syncbench-rsync/data; made here when missing)
# Needs: rsync 3.2.0 or later, procps' kill, python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/server.sh
. "$here/../lib/server.sh"
rounds=${1:-5}
tree=${2:-files100k}
B=${BENCH_DIR:-/dev/shm/syncbench-rsync-progress}
data=${BENCH_DATA:-/tmp/syncbench-rsync/data}
case $tree in
  files*) bash "$here/../lib/make-scale.sh" "$data" "$tree" ;;
  *) bash "$here/make-data.sh" "$data" >&2 ;;
esac
rm -rf "$B"
mkdir -p "$B/out" "$B/partial"
port=$(free_port)
cat > "$B/rsyncd.conf" << EOC
use chroot = no
numeric ids = yes
pid file = $B/rsyncd.pid
[bench]
  path = $data
  read only = yes
EOC
rsync --daemon --no-detach --config="$B/rsyncd.conf" --address=127.0.0.1 --port="$port" &
daemon=$!
trap 'kill $daemon' EXIT
sleep 0.5
bench_environment
echo "== $(rsync --version | head -1), tree $tree" >&2
src="rsync://127.0.0.1:$port/bench/$tree/"
options=(--recursive --links --perms --times --group --owner --safe-links --protect-args
  --chmod=Fa-w --no-motd --no-human-readable --stats --delete --delete-excluded
  "--partial-dir=$B/partial" --contimeout=60)

asked() { # rsync with the options, its receiver (rsync's child) asked for progress twice a second
  rsync "${options[@]}" "$src" "$B/out/x/" > "$B/output" &
  local pid=$! receiver=
  (
    while sleep 0.5; do
      [ -n "$receiver" ] || receiver=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children" 2> /dev/null || true)
      [ -z "$receiver" ] || kill -s VTALRM "$receiver" 2> /dev/null || true
    done
  ) &
  local asker=$!
  wait "$pid"
  kill "$asker"
}

contenders=(a lines asked)
for r in $(seq 0 "$rounds"); do
  for i in 0 1 2; do
    c=${contenders[$(((i + r) % 3))]}
    rm -rf "$B/out/x" "$B/output"
    sync
    t0=$(date +%s.%N)
    case $c in
      a) rsync -a "$src" "$B/out/x/" ;;
      lines) rsync "${options[@]}" --info=progress2 "$src" "$B/out/x/" > "$B/output" ;;
      asked) asked ;;
    esac
    t1=$(date +%s.%N)
    if [ "$r" -gt 0 ]; then echo "$r $c $(echo "$t1 - $t0" | bc)"; fi
  done
done > "$B/times"
python3 - "$B/times" << 'EOP'
import collections, statistics, sys
t = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, c, s = line.split()
    t[c][r] = float(s)
print("| contender | wall median s | ratio to rsync -a, per round |")
print("|---|---:|---:|")
for c in ("a", "lines", "asked"):
    ratios = [t[c][r] / t["a"][r] for r in t[c]]
    print(f"| {c} | {statistics.median(t[c].values()):.2f} | {statistics.median(ratios):.3f} |")
EOP
