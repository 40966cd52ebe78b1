#!/usr/bin/env bash
# Scheduler + repository throughput of syncjobs (SQLite; PostgreSQL with 1 and 3 instances) beside
# db-scheduler on the same PostgreSQL, in one run. Results go to stdout; copy the table into
# docs/benchmarks.md.
#
# Usage: bench/persistence/run.sh [runs (3)] [tasks per scenario (1000)] [regex: only the scenarios it finds, e.g. "x1"]
# Needs PostgreSQL: run .ci/setup-postgres.sh as root first (or set SYNCJOBS_TEST_PG_URL /
# SYNCJOBS_TEST_PG_USER / SYNCJOBS_TEST_PG_PASSWORD).
set -euo pipefail
runs=${1:-3}
tasks=${2:-1000}
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/target"
mkdir -p "$out/classes"
cd "$repo"
# clean: a migration file deleted from the sources must not linger in target/classes and be applied
mvn -q -pl sync-adapters-persistence -am -DskipTests clean package dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/cp-syncjobs.txt"
mvn -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$out/cp-bench.txt"
cp="$repo/sync-core/target/classes:$repo/sync-adapters-persistence/target/classes"
cp="$cp:$(cat "$out/cp-syncjobs.txt"):$(cat "$out/cp-bench.txt")"
javac -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')
exec java ${BENCH_JAVA_OPTS:-} -Xmx1g -cp "$out/classes:$cp" dev.syncjobs.bench.PersistenceBench "$runs" "$tasks" "${3:-}"
