#!/usr/bin/env bash
# Makes a class-data sharing archive (AppCDS) for the ferry CLI: runs a few typical commands on a tiny image made
# here, records the classes they load, and dumps them into JSA. Used by ./ferry after each build.
# Usage: scripts/cds-archive.sh JAR JSA
set -euo pipefail
jar=$1 jsa=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { java -XX:+UseSerialGC -Xshare:off -XX:DumpLoadedClassList="$tmp/$1.lst" -jar "$jar" "${@:2}" > /dev/null; }
mkdir -p "$tmp/ctx/etc" && echo hello > "$tmp/ctx/etc/motd"
run version --version
run transports transports
run build -q build --to "oci:$tmp/l:t" "$tmp/ctx"
run inspect inspect "oci:$tmp/l:t"
run copy -q copy "oci:$tmp/l:t" "oci-archive:$tmp/a.tar:t"
run export export -q "oci:$tmp/l:t" "$tmp/rootfs.tar"
run usage copy --no-such-flag 2>/dev/null || true
# the registry client's classes: a push, an inspect and a pull against a private docker-registry when one is
# installed (scripts/install-peers.sh), else a refused connection, which loads the HTTP and TLS set-up
reg=""
if command -v docker-registry >/dev/null 2>&1; then
  port=$((20000 + RANDOM % 20000))
  printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$tmp/registry" "$port" > "$tmp/registry.yml"
  docker-registry serve "$tmp/registry.yml" > /dev/null 2>&1 &
  reg=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  run registry-push -q copy --dest-tls-verify=false "oci:$tmp/l:t" "docker://127.0.0.1:$port/cds:t" 2>/dev/null || true
  run registry-inspect inspect --tls-verify=false "docker://127.0.0.1:$port/cds:t" 2>/dev/null || true
  run registry-pull -q copy --src-tls-verify=false "docker://127.0.0.1:$port/cds:t" "oci:$tmp/p:t" 2>/dev/null || true
  kill "$reg" 2>/dev/null || true
  wait "$reg" 2>/dev/null || true
else
  run registry inspect --tls-verify=false --retry-times 0 docker://127.0.0.1:9/ferry-cds 2>/dev/null || true
fi
# in order, first occurrence kept: a lambda proxy line (@lambda-proxy) must follow its class, or it is dropped
for f in "$tmp"/*.lst; do cat "$f"; done | awk '!seen[$0]++' > "$tmp/classes.lst"
java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" \
  -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" --version > /dev/null 2>&1 \
  || java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" -cp "$jar" > /dev/null
mv -f "$tmp/ferry.jsa" "$jsa"
