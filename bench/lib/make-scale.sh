#!/bin/bash
# Generates the scale trees of 1 KiB files under $1, 1,000 files to a folder, as the HTTP and rsync
# benches name them:
#   files10k/    10,000 files in 10 folders
#   files100k/  100,000 files in 100 folders
# A tree that is complete is left as it is. Usage: make-scale.sh ROOT [tree...] (default both)
set -eu
root=$1
shift
trees=("${@:-files10k files100k}")
python3 - "$root" ${trees[@]} << 'PY'
import os, sys
root = sys.argv[1]
for tree in sys.argv[2:]:
    count = {"files10k": 10_000, "files100k": 100_000}[tree]
    done = os.path.join(root, f".{tree}.complete")  # beside the tree: not mirrored
    if os.path.exists(done):
        continue
    for i in range(count):
        folder = os.path.join(root, tree, f"d{i // 1000:03d}")
        if i % 1000 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"f{i:06d}.bin"), "wb") as f:
            f.write(os.urandom(1024))
    open(done, "w").close()
    print(f"{tree}: {count} files of 1 KiB", file=sys.stderr)
PY
