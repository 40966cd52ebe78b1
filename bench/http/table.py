#!/usr/bin/env python3
"""Prints the HTTP benchmark as a Markdown table: median seconds and the ratio to rclone."""
import json
import os
import sys

results = sys.argv[1]
rows = [
    ("tree-full", "2,000 files / 1 GiB, full mirror"),
    ("tree-noop", "2,000 files, no-op re-sync"),
    ("small-full", "10,000 files of 4 KiB, full mirror"),
    ("big", "one 2 GiB file"),
]
print("| data | tool | median s | min–max s | ratio to rclone |")
print("|---|---|---:|---:|---:|")
for name, title in rows:
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        continue
    res = json.load(open(path))["results"]
    anchor = next((r["median"] for r in res if r["command"].startswith("rclone")), None)
    for r in res:
        ratio = f"{r['median'] / anchor:.2f}" if anchor else "–"
        print(
            f"| {title} | {r['command']} | {r['median']:.2f} | "
            f"{min(r['times']):.2f}–{max(r['times']):.2f} | {ratio} |"
        )
rss = os.path.join(results, "rss.txt")
if os.path.exists(rss):
    print()
    print("| peak RSS | MiB |")
    print("|---|---:|")
    for line in open(rss):
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            print(f"| {parts[0]} ({parts[1]}) | {int(parts[2]) / 1024:.0f} |")
