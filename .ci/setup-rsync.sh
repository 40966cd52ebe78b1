#!/usr/bin/env bash
# rsync adapter tests: rsync (client and daemon), OpenSSH server and client, util-linux's setpriv.
# Idempotent; run as root.
set -euo pipefail
packages=()
command -v rsync >/dev/null 2>&1 || packages+=(rsync)
[ -x /usr/sbin/sshd ] || packages+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
command -v setpriv >/dev/null 2>&1 || packages+=(util-linux)
if [ ${#packages[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi
# sshd refuses to start without its privilege separation directory (the tests start their own sshd).
mkdir -p /run/sshd
