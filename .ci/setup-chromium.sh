#!/usr/bin/env bash
# Headless Chromium and its driver for the web page test (sync-app WebPageBrowserTest).
# Idempotent; run as root. The test drives /usr/bin/chromium through /usr/bin/chromedriver.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
