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
# the registry client's classes (HTTP, TLS set-up): a refused connection loads most of them
run registry inspect --tls-verify=false --retry-times 0 docker://127.0.0.1:9/ferry-cds 2>/dev/null || true
cat "$tmp"/*.lst | sort -u > "$tmp/classes.lst"
java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" \
  -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$jar" --version > /dev/null 2>&1 \
  || java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" -cp "$jar" > /dev/null
mv -f "$tmp/ferry.jsa" "$jsa"
