#!/usr/bin/env bash
# Next-fire planning cost per schedule kind (SchedulePlanner.next), and the validation of a cron
# expression seen for the first time. Results go to stdout; copy the table into docs/benchmarks.md.
#
# Usage: bench/schedule/run.sh [samples (15)] [zone (Europe/Berlin)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/target"
mkdir -p "$out/classes"
cd "$repo"
mvn -q -pl sync-core -DskipTests compile dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/cp-syncjobs.txt"
cp="$repo/sync-core/target/classes:$(cat "$out/cp-syncjobs.txt")"
javac -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')
exec java ${BENCH_JAVA_OPTS:-} -Xmx512m -cp "$out/classes:$cp" dev.syncjobs.bench.ScheduleBench "${1:-15}" "${2:-Europe/Berlin}"
