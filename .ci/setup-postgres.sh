#!/usr/bin/env bash
# Provides the PostgreSQL server the persistence tests use (run as root; idempotent).
#   - installs PostgreSQL from the distribution's packages when it is missing
#   - starts the cluster when it is not running (no systemd needed: pg_ctlcluster)
#   - creates role "syncjobs" (password "syncjobs") and database "syncjobs_test" owned by it
# Tests then connect to SYNCJOBS_TEST_PG_URL (default jdbc:postgresql://127.0.0.1:5432/syncjobs_test).
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql postgresql-client >/dev/null
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$version" main start
fi

for _ in $(seq 1 60); do
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done

su postgres -c "psql -v ON_ERROR_STOP=1 -qtA" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'syncjobs') THEN
    CREATE ROLE syncjobs LOGIN PASSWORD 'syncjobs';
  END IF;
END
$$;
SELECT 'CREATE DATABASE syncjobs_test OWNER syncjobs'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'syncjobs_test')\gexec
SQL

echo "PostgreSQL $version is up; database syncjobs_test (user syncjobs) is ready"
