#!/bin/bash
# HTTP runs in server mode: a job's run triggered through the API of a running `./syncjobs serve`,
# timed from the trigger to the run's terminal status (bench/lib), beside `rclone copy --http-url`
# (4 transfers) from the same nginx (autoindex, loopback) into a new folder, in the same run. Every
# timed command follows a `sync`; rounds alternate which goes first; a first warm-up round per
# case is not counted. Jobs have verify_checksums=false (rclone hashes nothing over HTTP) and
# keep_versions=1.
# Before round 0, each case's server runs the case on its own, untimed (bench/lib/server.sh says
# why): BENCH_WARM_RUNS times, by default about 30,000 files' worth (16 runs of the tree, 4 of
# small, 2 of the scale trees) and 8 of the one large file. The optimising JIT still compiles the
# per-file code in a server's 12th run of the tree; from then on its runs take the same time.
#   full mirrors (tree, small, big): each server run is the first run of a new job, so it
#     downloads every file into an empty staging folder and publishes a full version, as rclone
#     copies every file into an empty folder; the previous round's job and output are deleted
#     outside the timing.
#   noop: one job mirrors the tree once (untimed); each round re-runs it, and rclone re-copies
#     into a folder it already filled: both only list and compare.
#   files10k, files100k (not run unless named): full mirrors of 10,000 and 100,000 files of 1 KiB,
#     1,000 to a folder (bench/lib/make-scale.sh), for how time and memory grow with a tree's size.
# Each case has a server started for it, so its peak RSS (VmHWM) is that case's alone.
# A file system without a journal (ext4 here) skips, for each file it creates, every free inode of
# the group freed less than 60 s ago, one by one: 2,000 files created seconds after 2,000 were
# deleted cost 0.45-0.55 s of kernel CPU, a minute later 0.10 s. In service an old version is
# deleted after a run, hours before the next; here both tools' outputs are therefore moved aside
# (a rename frees no inode) and dropped from the page cache (kept there, they would fill the
# memory), and deleted after each case's warm-up: round 0 starts 61 s later, the next rounds at
# once.
# CPU: the server's utime+stime from /proc/<pid>/stat around the run; rclone's from rusage.
#
# Usage (from a clone): bench/http/server.sh [rounds] [cases]   (default 5 tree,small,big,noop;
#   also files10k,files100k)
#   BENCH_DIR   data, nginx, the server's data dir and the copies (default /tmp/httpperf-bench)
#   BENCH_PORT  nginx's loopback port (default: a free one above 20000)
#   BENCH_KEEP_DATA=1 keeps the generated data (about 3 GiB) at the end
#   BENCH_NO_BUILD=1 uses the jar as built
# Needs: nginx-light, rclone, curl, python3, JDK 17, Maven. Prints a Markdown table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/server.sh
. "$here/../lib/server.sh"
rounds=${1:-5}
cases=${2:-tree,small,big,noop}
B=${BENCH_DIR:-/tmp/httpperf-bench}
mkdir -p "$B/nginx-tmp" "$B/out"
results="$B/results.txt"
: > "$results"
"$here/make-data.sh" "$B/data" >&2
for c in ${cases//,/ }; do
  case $c in files*) bash "$here/../lib/make-scale.sh" "$B/data" "$c" ;; esac
done

port=${BENCH_PORT:-$(free_port)}
sed -e "s#@ROOT@#$B#g" -e "s#@PORT@#$port#g" "$here/nginx.conf.in" > "$B/nginx.conf"
nginx -c "$B/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
cleanup() {
  server_stop
  kill "$nginx_pid" 2> /dev/null || true
  wait "$nginx_pid" 2> /dev/null || true
  rm -rf "$B/out" "$B/server" "$B/trash"
  [ -n "${BENCH_KEEP_DATA:-}" ] || rm -rf "$B/data"
}
trap cleanup EXIT
U=http://127.0.0.1:$port
for _ in $(seq 1 50); do
  curl -sf "$U/" > /dev/null && break
  sleep 0.1
done

server_build
rm -rf "$B/server"
bench_environment
echo "== $(rclone version | head -1)" >&2
store="$B/server/storage"

source_of() { # case -> the folder both tools mirror
  case $1 in noop) echo tree ;; *) echo "$1" ;; esac
}
create_job() { # name source
  server_create_job "{\"name\": \"$1\", \"source_url\": \"$U/$2/\",
    \"destination_backend_id\": \"default\", \"destination_path\": \"bench/$1\",
    \"keep_versions\": 1, \"verify_checksums\": false, \"max_retries\": 0}"
}
check() { # timed.py output, job id
  [ "$(echo "$1" | cut -d' ' -f4)" = success ] || {
    server_api GET "/api/v1/storage/sync-jobs/$2/history" >&2
    exit 1
  }
}
deleted=0
discard() { # moves a finished round's output aside: deleting it now would cost the next rounds
  local into p
  mkdir -p "$B/trash"
  into=$(mktemp -d "$B/trash/XXXXXX")
  for p in "$@"; do
    [ ! -e "$p" ] || mv "$p" "$into/"
  done
  sync
  python3 "$BENCH_LIB/evict.py" "$into" # its cached pages would fill the memory
}
empty_trash() {
  rm -rf "$B/trash"
  deleted=$(date +%s%N)
}
settle() { # waits until 61 s after the last deletion, then flushes earlier writes
  local left=$(((deleted + 61000000000 - $(date +%s%N)) / 1000000))
  [ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
  sync
}
noop_job=
server_round() { # case round
  local c=$1 r=$2 id out
  if [ "$c" = noop ]; then
    id=$noop_job
  else
    id=$(create_job "$c-$r" "$(source_of "$c")")
  fi
  settle
  out=$(server_timed_run "$id")
  check "$out" "$id"
  echo "$c server $r $out" | tee -a "$results" >&2
  if [ "$c" != noop ]; then
    server_delete_job "$id"
    discard "$store/bench/$c-$r" "$store/bench/.syncjobs"
  fi
}
rclone_round() { # case round
  local c=$1 r=$2 out dest
  if [ "$c" = noop ]; then dest=$B/out/noop; else dest=$B/out/$c-$r; fi
  settle
  out=$(timed_command rclone copy -q --http-url "$U/$(source_of "$c")/" :http: "$dest")
  echo "$c rclone $r $out" | tee -a "$results" >&2
  if [ "$c" != noop ]; then
    discard "$dest"
  fi
}

for c in ${cases//,/ }; do
  server_stop
  server_start "$B/server"
  if [ "$c" = noop ]; then
    noop_job=$(create_job noop tree)
    check "$(server_timed_run "$noop_job")" "$noop_job"
    rclone copy -q --http-url "$U/tree/" :http: "$B/out/noop"
  fi
  case $c in tree | noop) warm=16 ;; small | files10k) warm=4 ;; files100k) warm=2 ;; *) warm=8 ;; esac
  server_warm_up "$c" "$warm"
  empty_trash # the earlier cases' rounds and this warm-up: round 0 starts 61 s later
  for r in $(seq 0 "$rounds"); do
    if [ $((r % 2)) = 0 ]; then
      server_round "$c" "$r" && rclone_round "$c" "$r"
    else
      rclone_round "$c" "$r" && server_round "$c" "$r"
    fi
  done
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" << 'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)  # (case, tool) -> round -> (wall, cpu)
peak = collections.defaultdict(int)  # case -> the server's peak RSS, MiB
for line in open(sys.argv[1]):
    f = line.split()
    if f[1] == "server":
        peak[f[0]] = max(peak[f[0]], int(f[10]))
    if f[2] != "0" and not f[2].startswith("w"):  # round 0 and the server's runs w1.. warm up
        runs[(f[0], f[1])][int(f[2])] = (float(f[3]), float(f[4]))
names = {"tree": "2,000 files / 1 GiB, full mirror", "small": "10,000 × 4 KiB, full mirror",
         "big": "one 2 GiB file", "noop": "2,000 files, no-op re-sync",
         "files10k": "10,000 × 1 KiB, full mirror", "files100k": "100,000 × 1 KiB, full mirror"}
print("| data | tool | wall median s | wall runs s | ratio to rclone (median per round) "
      "| CPU median s | CPU ratio | server peak RSS MiB |")
print("|---|---|---:|---|---:|---:|---:|---:|")
for c in dict.fromkeys(c for c, _ in runs):
    rc, sv = runs[(c, "rclone")], runs[(c, "server")]
    for name, r in (("syncjobs server", sv), ("rclone copy", rc)):
        walls = [r[k][0] for k in sorted(r)]
        ratio = statistics.median(r[k][0] / rc[k][0] for k in r if k in rc)
        cpu = statistics.median(v[1] for v in r.values())
        cpu_ratio = cpu / statistics.median(v[1] for v in rc.values())
        print(f"| {names.get(c, c)} | {name} | {statistics.median(walls):.2f} | "
              f"{' '.join(f'{w:.2f}' for w in walls)} | {ratio:.2f} | {cpu:.2f} | {cpu_ratio:.2f} | "
              f"{peak[c] if r is sv else ''} |")
PY
