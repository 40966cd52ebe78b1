#!/usr/bin/env python3
"""evict.py DIR...: drops the (written back) page cache of every file under each DIR.

The benches keep finished rounds' outputs on disk rather than delete them (see bench/http/
server.sh); their cached pages would otherwise fill the memory and make the next rounds pay for
reclaiming it. Call after `sync`: only clean pages are dropped.
"""
import os
import sys

for top in sys.argv[1:]:
    for folder, _, names in os.walk(top):
        for name in names:
            try:
                fd = os.open(os.path.join(folder, name), os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
