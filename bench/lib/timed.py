#!/usr/bin/env python3
"""Timing helpers of the server-mode benches (sourced through bench/lib/server.sh).

  timed.py command -- CMD ARGS...
      runs CMD (output to /dev/null); prints "<wall s> <CPU s of CMD and its children>"
  timed.py run URL TOKEN JOB_ID SERVER_PID
      POSTs the job's run and polls the run (one keep-alive connection, every 250 ms) until its
      status is terminal; prints "<wall s> <server CPU s> <its children's CPU s> <status>
      <files_total> <bytes_total> <run id> <server peak RSS MiB>". The wall time runs from just
      before the POST to the run's completed_at (the server's clock is this machine's), so how
      often the run is polled does not change it; but each poll costs the server about 2 ms of CPU
      (Jetty and the handler), taken from the run being measured on the same two cores, so it
      polls no more often than that (a page watching a run gets its progress pushed). Server
      CPU is utime+stime of SERVER_PID from /proc, read just before the trigger and after the
      terminal status is seen; its children's is cutime+cstime (processes it started and reaped
      meanwhile, such as rsync). Peak RSS is the server's VmHWM: its peak since it started, so
      a bench that wants one case's peak starts a server for it.
"""
import datetime
import http.client
import json
import os
import resource
import subprocess
import sys
import time
import urllib.parse

TICK = os.sysconf("SC_CLK_TCK")
TERMINAL = {"success", "failed", "cancelled", "skipped"}


def proc_cpu(pid):
    """(own, children) CPU seconds of a process from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK


def peak_rss_mib(pid):
    """The process's peak resident set (VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


def command(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{wall:.3f} {cpu:.3f}")


def run(url, token, job, pid):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"/api/v1/storage/sync-jobs/{job}"

    def call(method, path, body=None):
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
        if response.status >= 300:
            sys.exit(f"{method} {path}: {response.status} {text[:300]!r}")
        return json.loads(text)["data"]

    call("GET", base)  # open the connection before the clock starts
    cpu0, children0 = proc_cpu(pid)
    start = time.time()
    started = call("POST", base + "/run", b"{}")
    while True:
        r = call("GET", f"{base}/runs/{started['id']}")
        if r["status"] in TERMINAL:
            break
        time.sleep(0.25)
    completed = datetime.datetime.fromisoformat(r["completed_at"].replace("Z", "+00:00"))
    wall = completed.timestamp() - start
    cpu1, children1 = proc_cpu(pid)
    print(
        f"{wall:.3f} {cpu1 - cpu0:.3f} {children1 - children0:.3f} {r['status']}"
        f" {r['files_total']} {r['bytes_total']} {r['id']} {peak_rss_mib(pid)}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "command" and sys.argv[2] == "--":
        command(sys.argv[3:])
    elif sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
