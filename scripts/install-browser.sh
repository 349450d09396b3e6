#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser), if it is not there yet.
# The tests drive it through the Python package playwright with executable_path=/usr/bin/chromium;
# playwright's own browser download ("playwright install") is never used.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "no apt-get here: install Chromium so that /usr/bin/chromium exists; the browser tests skip until then" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: cannot install chromium; the browser tests will skip" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq && \
   $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; then
  echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
else
  echo "apt-get could not install chromium; the browser tests will skip" >&2
fi
