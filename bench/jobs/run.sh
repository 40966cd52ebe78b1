#!/usr/bin/env bash
# Many jobs on one server, as users run it (./syncjobs serve, the launcher's JVM flags): N enabled
# jobs with cron schedules spread over one hour, then the list request's time, the idle server's
# CPU between occurrences, and the time from starting the server to a ready /health.
# Results go to stdout; copy the table into docs/benchmarks.md.
#
# Usage: bench/jobs/run.sh [jobs (10000)] [sqlite|postgresql (sqlite)] [idle seconds (60)]
# BENCH_KEEP=1 keeps the data dir (to profile a server on it); BENCH_NO_BUILD=1 uses the jar as built.
# PostgreSQL: SYNCJOBS_TEST_PG_URL/_USER/_PASSWORD as the tests take them (.ci/setup-postgres.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
[ -n "${BENCH_NO_BUILD:-}" ] || SYNCJOBS_REBUILD=1 ./syncjobs --version >/dev/null
exec python3 "$here/jobs_bench.py" "$repo/syncjobs" "${1:-10000}" "${2:-sqlite}" "${3:-60}"
