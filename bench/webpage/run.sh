#!/usr/bin/env bash
# The jobs table with many jobs in headless Chromium: a real server (temporary data dir, SQLite)
# gets N jobs through the API, the page is loaded R times, and the page's own timings of fetching
# and drawing the table are read back (median of the loads); then M jobs run at once, throttled,
# and the page's animation frames are timed while their progress streams in.
# Results go to stdout; copy the table into docs/benchmarks.md.
#
# Usage: bench/webpage/run.sh [jobs (1000)] [page loads (5)] [running jobs (60, at most 64)]
# Needs Debian's chromium and chromium-driver (.ci/setup-chromium.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="$here/target"
mkdir -p "$out/classes"
cd "$repo"
# test-compile in one reactor: the bench reuses the tests' TestServer and HeadlessChromium
mvn -q ${BENCH_MVN_OPTS:-} -pl sync-app -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt"
cp="$repo/sync-app/target/classes:$repo/sync-app/target/test-classes:$(cat "$out/cp.txt")"
javac -nowarn -d "$out/classes" -cp "$cp" $(find "$here/src" -name '*.java')
exec java ${BENCH_JAVA_OPTS:-} -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$out/classes:$cp" dev.syncjobs.app.web.JobsTableBench "${1:-1000}" "${2:-5}" "${3:-60}"
