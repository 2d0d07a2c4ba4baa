#!/usr/bin/env bash
# Installs what the tests run against, from Debian's packages: skopeo, umoci and runc (the interop peers and
# oracles). Idempotent: installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

need=()
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
command -v tar >/dev/null 2>&1 || need+=(tar)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-peers: skopeo, umoci and runc are installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "install-peers: missing ${need[*]}; run this script as root to install them" >&2
    exit 1
  fi
fi
echo "install-peers: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"
