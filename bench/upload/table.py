"""Medians per tool from bench/upload/run.sh's results.csv, as the Markdown table of docs/benchmarks.md."""
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1])))
size = int(sys.argv[2])
names = {
    "curl": "`curl -T` → nginx WebDAV PUT (raw)",
    "curlsync": "`curl -T` → nginx, then `sync` (raw, on disk)",
    "chunks1": "chunk API, 5 MiB + SHA-256, 1 stream",
    "chunks4": "chunk API, 5 MiB + SHA-256, 4 streams",
    "tus1": "tus, 8 MiB PATCHes, 1 stream",
}
by = {}
for r in rows:
    by.setdefault(r["tool"], []).append(r)
raw = statistics.median(float(r["seconds"]) for r in by["curl"])
durable = statistics.median(float(r["seconds"]) for r in by["curlsync"])
print(f"| upload of {size} MiB | median s | min–max s | MiB/s | × raw PUT | × raw PUT + sync | server peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for tool, label in names.items():
    rs = by.get(tool, [])
    if not rs:
        continue
    secs = [float(r["seconds"]) for r in rs]
    med = statistics.median(secs)
    rss = "" if tool.startswith("curl") else str(max(int(r["server_hwm_mib"]) for r in rs))
    print(f"| {label} | {med:.2f} | {min(secs):.2f}–{max(secs):.2f} | {size / med:.0f} | "
          f"{raw / med:.2f} | {durable / med:.2f} | {rss} |")
