#!/bin/bash
# rsync adapter benchmark: bare `rsync -a` from an rsync daemon on loopback vs the adapter driven
# in-process (no JVM start in the timing), same tree, same run, alternating; then the disk used by
# a second version after one small file changed. Prints a Markdown table (docs/benchmarks.md).
# Usage (from a clone): bench/rsync/run.sh [runs] [data dir] [work dir] [trees: small,tree]
# Needs: JDK 17, Maven, rsync, python3, du.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
data=${2:-/tmp/syncbench-rsync/data}
work=${3:-/tmp/syncbench-rsync/work}
trees=${4:-small,tree}
bash bench/rsync/make-data.sh "$data" >&2
mkdir -p "$work"
mvn -q -B -pl sync-adapters-rsync -am test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >&2
cp="sync-adapters-rsync/target/test-classes:sync-adapters-rsync/target/classes"
cp="$cp:sync-core/target/classes:sync-core/target/test-classes:$(cat "$work/classpath.txt")"
echo "rsync: $(rsync --version | head -1)" >&2
java -cp "$cp" dev.syncjobs.rsync.RsyncBenchMain "$data" "$work" "$runs" "$trees"
