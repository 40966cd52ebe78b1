#!/bin/bash
# Generates the rsync benchmark trees under $1 (default /tmp/syncbench/data) — the same layout and
# seed as the project's shared benchmark data:
#   tree/   2,000 files in 40 folders, sizes 1 KiB..4 MiB (log-spread), about 1 GiB in all
#   small/  10,000 files of 4 KiB in 100 folders
set -eu
root=${1:-/tmp/syncbench/data}
mkdir -p "$root"
python3 - "$root" <<'PY'
import os, sys, random
root = sys.argv[1]
rnd = random.Random(42)
def write(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and os.path.getsize(path) == size: return
    with open(path, 'wb') as f:
        chunk = os.urandom(min(size, 1 << 20))
        left = size
        while left > 0:
            n = min(left, len(chunk)); f.write(chunk[:n]); left -= n
total = 0
for i in range(2000):
    size = int(1024 * (4096 ** rnd.random()))  # 1 KiB .. 4 MiB
    total += size
    write(f"{root}/tree/d{i % 40:02d}/f{i:04d}.bin", size)
for i in range(10000):
    write(f"{root}/small/d{i % 100:02d}/s{i:05d}.txt", 4096)
print("tree bytes", total)
PY
du -sh "$root"/tree "$root"/small
