#!/usr/bin/env bash
# Installs what the tests run against, from Debian's packages: skopeo, umoci and runc (the OCI interop peers and
# oracles), docker.io (the Docker Engine and CLI), busybox-static (a runnable test image), attr (getfattr, to
# read binary xattrs back), docker-registry (the CNCF distribution server the registry tests start privately),
# apache2-utils (htpasswd, for its Basic auth), openssl (test certificates and the token issuer's key), man-db
# (man pages are checked to render without warnings), debootstrap (the .deb is installed in a fresh Debian root) and
# libisal2 (ISA-L's gzip, which Ferry loads when present; its tests fail under CI=true without it). Idempotent: installs
# only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

need=()
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v umoci >/dev/null 2>&1 || need+=(umoci)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
command -v tar >/dev/null 2>&1 || need+=(tar)
[ -x /usr/sbin/dockerd ] || command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v getfattr >/dev/null 2>&1 || need+=(attr)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
ldconfig -p 2>/dev/null | grep -q 'libisal\.so\.2 ' || [ -e /usr/lib/x86_64-linux-gnu/libisal.so.2 ] \
  || [ -e /usr/lib/aarch64-linux-gnu/libisal.so.2 ] || need+=(libisal2)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-peers: skopeo, umoci, runc, docker, busybox, attr, docker-registry, htpasswd, openssl, man, debootstrap and libisal2 are installed"
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
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "install-peers: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${need[@]}"
