#!/usr/bin/env bash
# rsync adapter tests: rsync (client and daemon), OpenSSH server and client, util-linux's setpriv.
# Idempotent; run as root.
set -euo pipefail
packages=()
# Resuming from --partial-dir fails verification in Debian's rsync 3.2.7 security builds
# (RsyncProject/rsync#715); the adapter's resume tests need rsync 3.4 or later (bookworm-security
# has 3.5.0), so an older one is upgraded.
version=$(rsync --version 2>/dev/null | awk 'NR == 1 { print $3 }' || true)
if [ -z "$version" ] || [ "$(printf '%s\n' 3.4.0 "$version" | sort -V | head -n 1)" != 3.4.0 ]; then
  packages+=(rsync)
fi
[ -x /usr/sbin/sshd ] || packages+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
command -v setpriv >/dev/null 2>&1 || packages+=(util-linux)
if [ ${#packages[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi
# sshd refuses to start without its privilege separation directory (the tests start their own sshd).
mkdir -p /run/sshd
