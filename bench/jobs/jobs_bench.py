"""Driver of bench/jobs/run.sh: one server process, N jobs through the API, then the figures."""
import concurrent.futures
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

launcher, jobs, db, idle_seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
token = "bench-admin-token-" + uuid.uuid4().hex[:8]
ticks = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def start(env, port):
    """Starts the server; returns (process, seconds from exec to a 200 from /health)."""
    t0 = time.monotonic()
    log = open(os.path.join(work, "server.err"), "ab")
    p = subprocess.Popen([launcher, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                if r.status == 200:
                    return p, time.monotonic() - t0
        except OSError:
            pass
        if p.poll() is not None:
            sys.exit(f"server exited with {p.returncode}, see {work}/server.err")
        if time.monotonic() - t0 > 120:
            sys.exit("server not ready after 120 s")
        time.sleep(0.005)


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(60)


work = tempfile.mkdtemp(prefix="syncjobs-jobsbench-")
port = free_port()
env = dict(os.environ)
env.update({"SYNCJOBS_DATA_DIR": os.path.join(work, "data"), "SYNCJOBS_PORT": str(port),
            "SYNCJOBS_ADMIN_TOKEN": token, "SYNCJOBS_TIMEZONE": "UTC"})
schema = None
if db == "postgresql":
    pg_url = os.environ.get("SYNCJOBS_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/syncjobs_test")
    user = os.environ.get("SYNCJOBS_TEST_PG_USER", "syncjobs")
    password = os.environ.get("SYNCJOBS_TEST_PG_PASSWORD", "syncjobs")
    schema = "bench_jobs_" + uuid.uuid4().hex[:8]
    host_db = pg_url.split("//", 1)[1]
    host, dbname = host_db.split("/", 1)
    psql = ["psql", "-q", f"postgresql://{user}:{password}@{host}/{dbname}", "-c"]
    subprocess.run(psql + [f"CREATE SCHEMA {schema}"], check=True)
    env["SYNCJOBS_DB_URL"] = f"{pg_url}?currentSchema={schema}&user={user}&password={password}"

# Occurrences spread over one hour that starts at least two hours from now, so the idle
# measurement below is between occurrences.
hour = (datetime.datetime.now(datetime.timezone.utc).hour + 3) % 24
load_before = os.getloadavg()
server, first_start = start(env, port)
t0 = time.monotonic()


def create(i):
    status, _ = request(port, "POST", "/api/v1/storage/sync-jobs", {
        "name": f"bench-job-{i:05d}", "source_url": f"http://127.0.0.1:9/pool-{i}/",
        "destination_backend_id": "default", "destination_path": f"mirror/{i:05d}",
        "schedule": "cron", "cron_expression": f"{i % 60} {hour} * * *"})
    assert status == 201, status


with concurrent.futures.ThreadPoolExecutor(4) as pool:
    list(pool.map(create, range(jobs)))
created = time.monotonic() - t0


def list_times(rounds=11):
    """Median and slowest wall time of a list request (the first left out) and the server's CPU
    per request over the same requests."""
    times, size = [], 0
    for r in range(rounds):
        if r == 1:
            c0 = cpu_seconds(server.pid)
        t = time.monotonic()
        status, body = request(port, "GET", "/api/v1/storage/sync-jobs")
        times.append(time.monotonic() - t)
        size = len(body)
        assert status == 200
        assert len(json.loads(body)["data"]) == jobs
    cpu = (cpu_seconds(server.pid) - c0) / (rounds - 1)
    return statistics.median(times[1:]), max(times[1:]), size, cpu


list_median, list_max, list_size, list_cpu = list_times(21)
time.sleep(10)  # let the JIT and the start-up work settle
c0, w0 = cpu_seconds(server.pid), time.monotonic()
time.sleep(idle_seconds)
idle = (cpu_seconds(server.pid) - c0) / (time.monotonic() - w0)
stop(server)

starts = []
for _ in range(3):
    subprocess.run(["sync"])
    server, seconds = start(env, port)
    starts.append(seconds)
    stop(server)
server, _ = start(env, port)
list_after_restart, _, _, _ = list_times()
stop(server)
if schema:
    subprocess.run(psql + [f"DROP SCHEMA {schema} CASCADE"], check=True)
if os.environ.get("BENCH_KEEP"):
    print(f"# kept {work} (admin token {token}, port {port})")
else:
    shutil.rmtree(work)

print(f"# {jobs} jobs on {db}; {os.cpu_count()} CPUs; load before {load_before[0]:.2f}; "
      f"created in {created:.1f} s; first start {first_start:.2f} s")
print("| jobs | database | list request median (ms) | slowest (ms) | server CPU per list (ms) "
      "| list after restart (ms) | response KiB | idle CPU (% of one core) | start-up to ready, median of 3 (s) |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {jobs:,} | {db} | {list_median * 1000:.0f} | {list_max * 1000:.0f} | "
      f"{list_cpu * 1000:.0f} | {list_after_restart * 1000:.0f} | {list_size / 1024:.0f} | {idle * 100:.2f} | "
      f"{statistics.median(starts):.2f} ({', '.join(f'{s:.2f}' for s in starts)}) |")
