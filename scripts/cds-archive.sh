#!/usr/bin/env bash
# Makes a class-data sharing archive (AppCDS) for the ferry CLI: runs a few typical commands on a tiny image made
# here, records the classes they load, and dumps them into JSA. Used by ./ferry after each build.
# Usage: scripts/cds-archive.sh JAR JSA
set -euo pipefail
jar=$1 jsa=$2
# the archive records the class path as given, and a JVM started elsewhere (or with the launchers' absolute path)
# refuses it: the jar's absolute path, as the launchers give it (physical, as cd -P finds their folder)
case "$jar" in */*) dir=${jar%/*} ;; *) dir=. ;; esac
jar=$(CDPATH= cd -P -- "${dir:-/}" && pwd)/${jar##*/}
tmp=$(mktemp -d)
trap '[ -n "${CDS_KEEP:-}" ] || rm -rf "$tmp"' EXIT
run() { java -XX:+UseSerialGC -Xshare:off -XX:DumpLoadedClassList="$tmp/$1.lst" -jar "$jar" "${@:2}" > /dev/null; }
mkdir -p "$tmp/ctx/etc" && echo hello > "$tmp/ctx/etc/motd"
run version --version
run transports transports
run build -q build --to "oci:$tmp/l:t" "$tmp/ctx"
run inspect inspect "oci:$tmp/l:t"
run copy -q copy "oci:$tmp/l:t" "oci-archive:$tmp/a.tar:t"
run export export -q "oci:$tmp/l:t" "$tmp/rootfs.tar"
run usage copy --no-such-flag 2>/dev/null || true
run help --help
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
# (a list whose JVM ended before writing its last line whole ends without a newline: that line is left out, since
# the next list must not be glued to it and a cut "@lambda-proxy HOST" line is a format error that fails the dump)
for f in "$tmp"/*.lst; do
  if [ -n "$(tail -c 1 "$f")" ]; then sed '$d' "$f"; else cat "$f"; fi
done | awk 'NF && !seen[$0]++' > "$tmp/classes.lst"
# JDK 17 archives a class compiled for Java 5 (picocli's) only when nothing linked it while dumping; making the lambda
# proxy of a line "@lambda-proxy HOST ..." links HOST and the interface the proxy implements, and a class that
# implements an old interface counts as old itself. So a first dump names the old classes it had to skip ("Old class
# has been linked"), the proxies of those (as host or interface) are dropped from the list, and the archive is dumped
# again: picocli's converters and handlers then load from the archive, not from their jar, at each start (their lambda
# proxies are made at run time, a few).
dump() {
  java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" \
    -Xlog:cds=warning:file="$tmp/dump.log" -Xlog:cds+dynamic=off -jar "$jar" --version > /dev/null 2>&1 \
    || java -XX:+UseSerialGC -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" -XX:SharedArchiveFile="$tmp/ferry.jsa" \
      -Xlog:cds=warning:file="$tmp/dump.log" -cp "$jar" > /dev/null
}
for _ in 1 2 3; do
  : > "$tmp/dump.log"
  dump
  sed -n 's/.*Skipping \([^ :]*\): Old class has been linked.*/\1/p' "$tmp/dump.log" | sort -u > "$tmp/old.txt"
  [ -s "$tmp/old.txt" ] || break
  awk 'NR == FNR { old[$1] = 1; next }
       /^@lambda-proxy / { if ($2 in old) next; for (c in old) if (index($0, "L" c ";")) next }
       { print }' "$tmp/old.txt" "$tmp/classes.lst" > "$tmp/classes2.lst"
  cmp -s "$tmp/classes.lst" "$tmp/classes2.lst" && break
  mv "$tmp/classes2.lst" "$tmp/classes.lst"
done
# The launchers map the archive at the address it was made for (-XX:ArchiveRelocationMode=0: see ./ferry) only with
# a java that was seen here to accept that diagnostic flag and map the archive with it: that java's real path is
# written beside the archive (JSA.java), after it, and the launchers compare it with the java they run (bash's -ef:
# no external command). A JVM that does not know the flag fails to start with it, so without JSA.java ferry starts
# as before, relocating the archive.
rm -f "$jsa.java"
mv -f "$tmp/ferry.jsa" "$jsa"
java=$(command -v java) && java=$(readlink -f "$java") || exit 0
if out=$(java -XX:+UseSerialGC -XX:+UnlockDiagnosticVMOptions \
    -XX:ArchiveRelocationMode=0 -Xshare:on -XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" --version 2>&1) && [ "${out#ferry }" != "$out" ]; then
  printf '%s\n' "$java" > "$tmp/java" && mv -f "$tmp/java" "$jsa.java"
else
  echo "cds-archive.sh: $java does not map the archive with -XX:ArchiveRelocationMode=0; it is relocated at each start"
fi
