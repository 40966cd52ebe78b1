#!/bin/bash
# rsync runs in server mode: a job's run triggered through the API of a running `./syncjobs serve`,
# timed from the trigger to the run's terminal status, beside bare `rsync -a` from the same rsync
# daemon (loopback) into a new folder on the same file system, in the same run. Every timed
# command follows a `sync`; rounds alternate which goes first; a first warm-up round per tree is
# not counted, and before it the tree's server runs the tree on its own BENCH_WARM_RUNS times
# (default 8, untimed; bench/lib/server.sh says why). Each server run is the first run of a new
# job (no previous version to link to), so it copies every file into an empty staging folder and
# publishes a full version, as `rsync -a` copies every file into an empty folder. Creating and
# deleting the jobs and removing the copies happen outside the timing. A third contender, rsync
# from the shell with the options the server's run logged (output discarded), shows what those
# options cost rsync itself. The nightly cases follow each first copy: the same job runs again on
# the unchanged tree (the server's dry run against the previous version finds nothing to do, no
# version is published), beside `rsync -a` again into its existing copy; then once more after one
# file's time changed (the last file of the tree in name order; the server's dry run names it and
# rsync transfers it alone), beside `rsync -a` into its copy after the same change.
#
# Each tree has a server started for it, so its peak RSS (VmHWM) is that tree's alone. The scale
# trees files10k and files100k (1 KiB files, bench/lib/make-scale.sh) run when named.
#
# Usage (from a clone): bench/rsync/server.sh [rounds] [trees]      (default 5 small,tree;
#   also files10k,files100k)
#   BENCH_DIR   the server's data dir and the copies (default /dev/shm/syncbench-rsync-server)
#   BENCH_DATA  the trees of bench/rsync/make-data.sh (default /tmp/syncbench-rsync/data)
#   BENCH_NO_BUILD=1 uses the jar as built; BENCH_MVN_OFFLINE=1 builds it with mvn -o
# Needs: JDK 17, Maven, rsync, curl, python3. Prints a Markdown table (docs/benchmarks.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/server.sh
. "$here/../lib/server.sh"
rounds=${1:-5}
trees=${2:-small,tree}
B=${BENCH_DIR:-/dev/shm/syncbench-rsync-server}
data=${BENCH_DATA:-/tmp/syncbench-rsync/data}
bash "$here/make-data.sh" "$data" >&2
for tree in ${trees//,/ }; do
  case $tree in files*) bash "$here/../lib/make-scale.sh" "$data" "$tree" ;; esac
done
rm -rf "$B"
mkdir -p "$B/rsyncd" "$B/out"
results="$B/results.txt"
: > "$results"

# an rsync daemon on a free loopback port above 20000
port=$(free_port)
cat > "$B/rsyncd/rsyncd.conf" << EOF
use chroot = no
numeric ids = yes
pid file = $B/rsyncd/rsyncd.pid
log file = $B/rsyncd/rsyncd.log
[bench]
  path = $data
  read only = yes
EOF
rsync --daemon --no-detach --config="$B/rsyncd/rsyncd.conf" --address=127.0.0.1 --port="$port" &
daemon=$!
cleanup() {
  server_stop
  kill "$daemon" 2> /dev/null || true
  wait "$daemon" 2> /dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 50); do
  rsync "rsync://127.0.0.1:$port/bench/" > /dev/null 2>&1 && break
  sleep 0.1
done
src="rsync://127.0.0.1:$port/bench"

server_build
bench_environment
echo "== $(rsync --version | head -1)" >&2

# One timed run of job ID, recorded as "TREE LABEL ROUND <server_timed_run fields> <rsync s>"; the
# run's log stays in $B/run.log.
timed_job_run() { # tree label round id
  local out run rsync_s
  sync
  out=$(server_timed_run "$4")
  [ "$(echo "$out" | cut -d' ' -f4)" = success ] || {
    server_api GET "/api/v1/storage/sync-jobs/$4/history" >&2
    exit 1
  }
  # how long the rsync process itself ran, from the run's log
  run=$(echo "$out" | cut -d' ' -f7)
  server_api GET "/api/v1/storage/sync-jobs/$4/runs/$run/log" > "$B/run.log"
  rsync_s=$(sed -n 's/^rsync exited with status [0-9]* after \([0-9.]*\) s$/\1/p' "$B/run.log" |
    awk '{ s += $1 } END { if (NR) printf "%.3f", s }')
  echo "$1 $2 $3 $out ${rsync_s:-0}" >> "$results"
  echo "$1 $2 $3 $out ${rsync_s:-0}" >&2
}
# Runs the command with the time of one file of TREE changed (the last in name order), then puts
# the time back.
with_one_change() { # tree command...
  local f t
  f=$(find "$data/$1" -type f | LC_ALL=C sort | tail -1)
  t=$(stat -c %y "$f")
  touch -d '2001-02-03 04:05:06' "$f"
  "${@:2}"
  touch -d "$t" "$f"
}
server_round() { # tree round
  local tree=$1 r=$2 id
  id=$(server_create_job "{\"name\": \"bench-$tree-$r\", \"source_url\": \"$src/$tree\",
    \"destination_backend_id\": \"default\", \"destination_path\": \"bench/$tree-$r\",
    \"keep_versions\": 1, \"max_retries\": 0}")
  timed_job_run "$tree" server "$r" "$id"
  if [ ! -s "$B/flags" ]; then
    # the adapter's options, as the run logged them, for the third contender
    sed -n 's/^running [^ ]*rsync \(.*\) -- .*$/\1/p' "$B/run.log" | tr ' ' '\n' |
      sed "s#^--partial-dir=.*#--partial-dir=$B/partial#" > "$B/flags"
  fi
  timed_job_run "$tree" server-resync "$r" "$id" # the nightly case: the same job, nothing changed
  with_one_change "$tree" timed_job_run "$tree" server-changed "$r" "$id"
  server_delete_job "$id"
  rm -rf "$B/server/storage/bench/$tree-$r" "$B/server/storage/bench/.syncjobs"
}
rsync_round() { # tree round
  local tree=$1 r=$2 out
  sync
  out=$(timed_command rsync -a "$src/$tree/" "$B/out/$tree-$r/")
  echo "$tree rsync $r $out" >> "$results"
  echo "$tree rsync $r $out" >&2
  sync
  out=$(timed_command rsync -a "$src/$tree/" "$B/out/$tree-$r/") # unchanged: nothing to copy
  echo "$tree rsync-resync $r $out" >> "$results"
  echo "$tree rsync-resync $r $out" >&2
  sync
  out=$(with_one_change "$tree" timed_command rsync -a "$src/$tree/" "$B/out/$tree-$r/")
  echo "$tree rsync-changed $r $out" >> "$results"
  echo "$tree rsync-changed $r $out" >&2
  rm -rf "$B/out/$tree-$r"
}
flags_round() { # tree round: rsync from the shell with the adapter's options, output discarded
  local tree=$1 r=$2 out
  local -a flags
  mapfile -t flags < "$B/flags"
  sync
  out=$(timed_command rsync "${flags[@]}" "$src/$tree/" "$B/out/$tree-$r/")
  echo "$tree flags $r $out" >> "$results"
  echo "$tree flags $r $out" >&2
  rm -rf "$B/out/$tree-$r" "$B/partial"
}

for tree in ${trees//,/ }; do
  server_stop
  server_start "$B/server"
  server_warm_up "$tree"
  for r in $(seq 0 "$rounds"); do
    # the server first in round 0 (it logs the options the third contender uses), then rotating
    case $((r % 3)) in
      0) server_round "$tree" "$r" && rsync_round "$tree" "$r" && flags_round "$tree" "$r" ;;
      1) rsync_round "$tree" "$r" && flags_round "$tree" "$r" && server_round "$tree" "$r" ;;
      2) flags_round "$tree" "$r" && server_round "$tree" "$r" && rsync_round "$tree" "$r" ;;
    esac
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" << 'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)  # (tree, contender) -> round -> fields
peak = collections.defaultdict(int)  # tree -> the server's peak RSS, MiB
for line in open(sys.argv[1]):
    f = line.split()
    server_like = f[1].startswith("server")
    if f[1] == "server":
        peak[f[0]] = max(peak[f[0]], int(f[10]))
    if f[2] != "0" and not f[2].startswith("w"):  # round 0 and the server's w1.. warm up
        runs[(f[0], f[1])][int(f[2])] = [float(x) for x in
                                          (f[3:6] + f[11:12] if server_like else f[3:5])]
print("| tree | contender | wall median s | wall runs (s) | wall ratio to rsync -a, per round "
      "| CPU median s (JVM + rsync) | rsync process median s | server peak RSS MiB |")
print("|---|---|---:|---|---:|---:|---:|---:|")
for tree in dict.fromkeys(t for t, _ in runs):
    rows = (("rsync", (("rsync -a", "rsync"), ("rsync, the adapter's options", "flags"),
                       ("server run", "server"))),
            ("rsync-resync", (("re-sync, unchanged: rsync -a", "rsync-resync"),
                              ("re-sync, unchanged: server run", "server-resync"))),
            ("rsync-changed", (("re-sync, one file changed: rsync -a", "rsync-changed"),
                               ("re-sync, one file changed: server run", "server-changed"))))
    for base, contenders in rows:
        bare = runs[(tree, base)]
        for name, key in contenders:
            r = runs[(tree, key)]
            if not r:
                continue
            walls = [r[k][0] for k in sorted(r)]
            ratio = statistics.median(r[k][0] / bare[k][0] for k in r if k in bare)
            if not key.startswith("server"):
                cpu = f"{statistics.median(v[1] for v in r.values()):.2f}"
                inner = f"{statistics.median(walls):.2f}"
            else:
                inner = f"{statistics.median(v[3] for v in r.values()):.2f}"
                cpu = (f"{statistics.median(v[1] + v[2] for v in r.values()):.2f}"
                       f" ({statistics.median(v[1] for v in r.values()):.2f}"
                       f" + {statistics.median(v[2] for v in r.values()):.2f})")
            print(f"| {tree} | {name} | {statistics.median(walls):.2f} | "
                  f"{' '.join(f'{w:.2f}' for w in walls)} | {ratio:.3f} | {cpu} | {inner} | "
                  f"{peak[tree] if key == 'server' else ''} |")
PY
