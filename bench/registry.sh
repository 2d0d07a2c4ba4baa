#!/usr/bin/env bash
# The registry benchmark (issue 13): Ferry and skopeo against a private docker-registry on loopback, in the same run,
# alternating, on the Debian image (one gzip layer made by umoci, as bench/run.sh makes it) and on a synthetic image
# whose layers a peer compressed (bench/MakeImage.java's layers, gzipped by skopeo --dest-compress). Rows: pull to
# oci:, push from oci:, the same push again (every blob there), and a copy between two repositories of the registry
# (which should mount every blob). Layer bytes uploaded are counted from the registry's access log: the sizes of the
# blobs whose upload completed (PUT .../blobs/uploads/...?digest=, 201) in the pushed repository. Prints a markdown
# table of medians; Ferry runs with -Xmx128m and reports its peak heap. Not part of the tests' pass/fail.
#
# Usage (root, Debian 12): bench/registry.sh [RUNS]       default 3 runs per row
#   BENCH_DIR              where images and outputs go (default bench/work, shared with bench/run.sh's Debian image)
#   BENCH_REGISTRY_SCALE   MakeImage scale of the synthetic image (default 0.75: ~1.6 GB of incompressible layers)
#   BENCH_DROP_CACHES      1 (default) drops the page cache before each timed command, as bench/run.sh does (then
#                          warms the tool itself with TOOL --version, untimed: the data stays cold); 0 keeps it
#   BENCH_RECYCLE_MEMORY   1 (default, with BENCH_DROP_CACHES=1): before each timed command, reads a 2 GB scratch file
#                          of its own and drops the page cache again, so that every command finds memory the kernel
#                          freed a moment ago (see recycle below); 0 does not
#   BENCH_ROWS             a regular expression: only the rows whose names match (default: all)
# The table goes to stdout; raw figures to $BENCH_DIR/registry.tsv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-3}
work="${BENCH_DIR:-$here/work}"
scale=${BENCH_REGISTRY_SCALE:-0.75}
drop=${BENCH_DROP_CACHES:-1}
recycle_memory=${BENCH_RECYCLE_MEMORY:-1}
rows_filter=${BENCH_ROWS:-.}
mkdir -p "$work"
work="$(cd "$work" && pwd)"
tsv="$work/registry.tsv"
: > "$tsv"

# --- peers and images (untimed) ---------------------------------------------------------------------------------
"$root/scripts/install-peers.sh" >&2
bench_need=()
command -v debootstrap >/dev/null || bench_need+=(debootstrap)
[ -x /usr/bin/time ] || bench_need+=(time)
if [ ${#bench_need[@]} -gt 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq "${bench_need[@]}" >&2; fi
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work/registry-store" "$work/reg-out"
}
trap cleanup EXIT
"$root/ferry" --version >/dev/null   # builds the CLI and its start-up archive once, outside the timings
export FERRY_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"
ferry="$root/ferry"

if [ ! -f "$work/debian-rootfs/etc/debian_version" ]; then
  rm -rf "$work/debian-rootfs"
  echo "bench: debootstrap --variant=minbase bookworm (once)" >&2
  debootstrap --variant=minbase bookworm "$work/debian-rootfs" http://deb.debian.org/debian >&2
fi
if [ ! -f "$work/debian/index.json" ]; then
  # The Debian image as its users get it: one gzip layer, made by umoci (a peer, so Ferry does not grade itself).
  rm -rf "$work/debian"
  umoci init --layout "$work/debian" && umoci new --image "$work/debian:minbase"
  umoci insert --image "$work/debian:minbase" "$work/debian-rootfs" / >&2
fi
if [ ! -f "$work/regbig-gz/index.json" ] || [ "$(cat "$work/regbig-gz.scale" 2>/dev/null)" != "$scale" ]; then
  rm -rf "$work/regbig" "$work/regbig-gz"
  echo "bench: writing the synthetic image (scale $scale) and gzipping its layers with skopeo" >&2
  java -cp "$(ls "$root"/cli/target/lib/commons-*.jar | tr '\n' ':')" "$here/MakeImage.java" "$work/regbig" "$scale" >&2
  skopeo copy -q --dest-compress --dest-compress-format gzip "oci:$work/regbig:big" "oci:$work/regbig-gz:big" >&2
  rm -rf "$work/regbig"
  echo "$scale" > "$work/regbig-gz.scale"
fi

# --- the registry ------------------------------------------------------------------------------------------------
store="$work/registry-store"
log="$work/registry.log"
rm -rf "$store"
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000))
  # the access log (on) is where uploads and mounts are counted
  printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: false}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$store" "$port" > "$work/registry.yml"
  docker-registry serve "$work/registry.yml" > "$log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  kill -0 "$registry_pid" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill "$registry_pid" 2>/dev/null || true
  registry_pid=""
done
[ -n "$registry_pid" ] || { echo "bench: docker-registry did not start: $(tail -1 "$log")" >&2; exit 1; }
R=127.0.0.1:$port
# skopeo's blob-info cache: removed before each timed command (with it, skopeo mounts blobs it saw elsewhere)
nocache="rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb \$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"
bash -c "$nocache"
# seeded one image after the other (distribution 2.8 answers some concurrent pushes into one repository with 500)
skopeo copy -q --dest-tls-verify=false "oci:$work/debian:minbase" "docker://$R/seed/debian:1" >&2
skopeo copy -q --dest-tls-verify=false "oci:$work/regbig-gz:big" "docker://$R/seed/big:1" >&2

# --- measuring ------------------------------------------------------------------------------------------------
out="$work/reg-out"
# This machine is a VM whose balloon reports free memory to the host (virtio-balloon free page reporting): memory the
# guest freed a few seconds ago is given back, and filling it again (the registry reading its blobs from a cold disk
# into the page cache) costs the registry 1-2 s of CPU for 881 MB instead of 0.5, and the read 2-3 times as long. So a
# command right after one that read as much (and had its page cache dropped) ran fast, one after small commands slow:
# the synthetic pull was bimodal by its place in the run (docs/benchmarks.md). recycle puts every command in the first
# state: it reads 2 GB of a scratch file into the page cache and drops it again, just before the timed command.
recycle_file="$work/recycle-2g.bin"
if [ "$drop" = 1 ] && [ "$recycle_memory" = 1 ] && [ "$(stat -c %s "$recycle_file" 2>/dev/null)" != 2147483648 ]; then
  dd if=/dev/zero of="$recycle_file" bs=4M count=512 conv=fsync status=none
fi
recycle() {
  if [ "$drop" = 1 ] && [ "$recycle_memory" = 1 ]; then
    dd if="$recycle_file" of=/dev/null bs=4M status=none
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  fi
}
# uploaded REPO LINE: layer bytes whose upload into REPO completed in the access log after line LINE
uploaded() {
  local repo=$1 from=$2 total=0 hex size
  for hex in $(tail -n +"$((from + 1))" "$log" \
      | grep -E "\"PUT /v2/$repo/blobs/uploads/[^ ]*digest=sha256(%3A|:)[0-9a-f]{64}[^ ]* HTTP/1.1\" 201" \
      | grep -oE 'digest=sha256(%3A|:)[0-9a-f]{64}' | grep -oE '[0-9a-f]{64}$'); do
    size=$(stat -c %s "$work/debian/blobs/sha256/$hex" 2>/dev/null || stat -c %s "$work/regbig-gz/blobs/sha256/$hex" 2>/dev/null || echo 0)
    total=$((total + size))
  done
  echo "$total"
}
mounts() { tail -n +"$(($2 + 1))" "$log" | grep -cE "\"POST /v2/$1/blobs/uploads/\?mount=[^ ]* HTTP/1.1\" 201" || true; }
# measure ROW WHO RUN PREPARE COMMAND REPO: runs PREPARE (untimed), drops the page cache, times COMMAND; REPO (or -)
# is the repository whose uploads are counted.
measure() {
  local row=$1 who=$2 run=$3 prepare=$4 command=$5 repo=$6 tlog="$work/time.log" heap="$work/heap.txt" before
  bash -c "$prepare" >/dev/null 2>&1 || true
  if [ "$drop" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; fi
  recycle
  # the tool's own files back in the page cache, as where it is in use (the data stays cold)
  if [ "$who" = ferry ]; then "$ferry" --version >/dev/null 2>&1 || true; else skopeo --version >/dev/null 2>&1 || true; fi
  rm -f "$heap"
  before=$(wc -l < "$log")
  if ! FERRY_HEAP_REPORT="$heap" /usr/bin/time -f '%e %M' -o "$tlog" bash -c "$command" >/dev/null 2>"$work/stderr.log"; then
    echo "bench: $row / $who (#$run) FAILED: $(tail -1 "$work/stderr.log")" >&2
    return
  fi
  local secs rss sent=- mnt=- outsize=-
  read -r secs rss < "$tlog"
  if [ "$repo" != - ]; then sleep 0.2; sent=$(uploaded "$repo" "$before"); mnt=$(mounts "$repo" "$before"); fi
  [ -d "$out/l" ] && outsize=$(du -sb "$out/l" | cut -f1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" \
    "$(cat "$heap" 2>/dev/null || echo -)" "$sent" "$mnt" "$outsize" >> "$tsv"
  printf 'bench: %-36s %-6s #%s %7ss %5s MiB uploaded %s mounts %s\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" "$sent" "$mnt" >&2
}
# pair ROW RUN PREPARE FERRY_COMMAND FERRY_REPO PEER_COMMAND PEER_REPO: both, in an order that alternates.
pair() {
  local row=$1 run=$2 prepare=$3 f=$4 frepo=$5 p=$6 prepo=$7
  [[ "$row" =~ $rows_filter ]] || return 0
  if (( run % 2 )); then
    measure "$row" ferry "$run" "$prepare" "$f" "$frepo"; measure "$row" skopeo "$run" "$prepare" "$p" "$prepo"
  else
    measure "$row" skopeo "$run" "$prepare" "$p" "$prepo"; measure "$row" ferry "$run" "$prepare" "$f" "$frepo"
  fi
}
clean="rm -rf $out; mkdir -p $out"
for run in $(seq 1 "$runs"); do
  for image in "Debian|debian|$work/debian:minbase" "synthetic, gzip|big|$work/regbig-gz:big"; do
    IFS='|' read -r name repo layout <<< "$image"
    pair "pull: registry->oci ($name)" "$run" "$clean; $nocache" \
      "$ferry copy -q --src-tls-verify=false docker://$R/seed/$repo:1 oci:$out/l:t" - \
      "skopeo copy -q --src-tls-verify=false docker://$R/seed/$repo:1 oci:$out/l:t" -
    pair "push: oci->registry ($name)" "$run" "$clean; $nocache" \
      "$ferry copy -q --dest-tls-verify=false oci:$layout docker://$R/ferry-$run/$repo:1" "ferry-$run/$repo" \
      "skopeo copy -q --dest-tls-verify=false oci:$layout docker://$R/skopeo-$run/$repo:1" "skopeo-$run/$repo"
    pair "second push ($name)" "$run" "$clean; $nocache" \
      "$ferry copy -q --dest-tls-verify=false oci:$layout docker://$R/ferry-$run/$repo:1" "ferry-$run/$repo" \
      "skopeo copy -q --dest-tls-verify=false oci:$layout docker://$R/skopeo-$run/$repo:1" "skopeo-$run/$repo"
    pair "same-registry copy ($name)" "$run" "$clean; $nocache" \
      "$ferry copy -q --tls-verify=false docker://$R/seed/$repo:1 docker://$R/ferry-mount-$run/$repo:1" \
      "ferry-mount-$run/$repo" \
      "skopeo copy -q --src-tls-verify=false --dest-tls-verify=false docker://$R/seed/$repo:1 docker://$R/skopeo-mount-$run/$repo:1" \
      "skopeo-mount-$run/$repo"
  done
done

# --- the table ---------------------------------------------------------------------------------------------------
targets="pull: registry->oci (Debian)=0.7|pull: registry->oci (synthetic, gzip)=0.7|push: oci->registry (Debian)=0.7|push: oci->registry (synthetic, gzip)=0.7|second push (Debian)=1s"
layers() { du -sb --apparent-size "$1/blobs" | cut -f1; }
{
  echo "Measured $(date -u '+%F %H:%M') UTC on $(nproc) cores (load average $(cut -d' ' -f1-3 /proc/loadavg)), $(skopeo --version), docker-registry $(docker-registry --version 2>/dev/null | awk '{print $3}'), $(java -version 2>&1 | head -1)."
  echo "Images: Debian bookworm minbase, one gzip layer by umoci ($(layers "$work/debian") bytes of blobs); synthetic, bench/MakeImage.java scale $scale, layers gzipped by \`skopeo copy --dest-compress --dest-compress-format gzip\` ($(layers "$work/regbig-gz") bytes of blobs)."
  echo "Command: \`bench/registry.sh $runs\`. Medians of $runs alternating runs, page cache $([ "$drop" = 1 ] && echo "dropped$([ "$recycle_memory" = 1 ] && echo ' (after 2 GB of a scratch file read and dropped: BENCH_RECYCLE_MEMORY)')" || echo kept) before each; Ferry with FERRY_JAVA_OPTS=\"$FERRY_JAVA_OPTS\"; registry $R (plain HTTP, loopback)."
  echo "Layer bytes uploaded: sizes of the blobs whose upload completed in the pushed repository (registry access log); mounts: cross-repository mounts answered 201."
  echo
  echo "| Row | Ferry (s) | skopeo (s) | Ferry/skopeo | Target | Met | Ferry peak heap / RSS (MiB) | skopeo RSS (MiB) | Output: Ferry / skopeo |"
  echo "|---|---:|---:|---:|---|---|---:|---:|---|"
  awk -F'\t' -v targets="$targets" '
    function median(list,   n, a, i, t, j) {
      n = split(list, a, " "); if (n == 0) return -1
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function max(list,   n, a, i, m) { n = split(list, a, " "); m = ""; for (i = 1; i <= n; i++) if (a[i] != "-" && (m == "" || a[i] + 0 > m + 0)) m = a[i]; return m == "" ? "-" : m }
    function output(row, who,   s, m, o) {
      s = max(sent[row, who]); m = max(mnt[row, who]); o = max(size[row, who])
      if (s != "-") return sprintf("%s layer bytes uploaded, %s mounts", s, m)
      if (o != "-") return sprintf("%.1f MB layout", o / 1e6)
      return "-"
    }
    BEGIN { n = split(targets, t, "|"); for (i = 1; i <= n; i++) { eq = index(t[i], "="); target[substr(t[i], 1, eq - 1)] = substr(t[i], eq + 1) } }
    {
      if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 }
      secs[$1, $2] = secs[$1, $2] " " $4; rss[$1, $2] = rss[$1, $2] " " $5; heap[$1, $2] = heap[$1, $2] " " $6
      sent[$1, $2] = sent[$1, $2] " " $7; mnt[$1, $2] = mnt[$1, $2] " " $8; size[$1, $2] = size[$1, $2] " " $9
    }
    END {
      for (r = 1; r <= rows; r++) {
        row = order[r]; f = median(secs[row, "ferry"]); q = median(secs[row, "skopeo"]); ratio = q > 0 ? f / q : 0
        tg = (row in target) ? target[row] : ""
        if (tg == "") { met = "-"; shown = "-" }
        else if (tg ~ /s$/) { met = (f >= 0 && f < tg + 0) ? "yes" : "no"; shown = "< " tg }
        else { met = (f >= 0 && ratio <= tg + 0) ? "yes" : "no"; shown = "<= " tg " x" }
        if (row ~ /^same-registry/) { met = (max(sent[row, "ferry"]) == "0") ? "yes" : "no"; shown = "0 bytes uploaded" }
        printf "| %s | %.2f | %.2f | %.2f | %s | %s | %s / %s | %s | %s / %s |\n", row, f, q, ratio, shown, met,
          max(heap[row, "ferry"]), max(rss[row, "ferry"]), max(rss[row, "skopeo"]), output(row, "ferry"), output(row, "skopeo")
      }
    }' "$tsv"
  echo
  echo "Commands (R=$R, OUT=$out; the pushes go to a fresh repository per run, the second push to the same one):"
  echo
  echo "- pull: \`ferry copy -q --src-tls-verify=false docker://R/seed/REPO:1 oci:OUT/l:t\` / \`skopeo copy -q --src-tls-verify=false docker://R/seed/REPO:1 oci:OUT/l:t\`"
  echo "- push, second push: \`ferry copy -q --dest-tls-verify=false oci:LAYOUT docker://R/ferry-N/REPO:1\` / \`skopeo copy -q --dest-tls-verify=false oci:LAYOUT docker://R/skopeo-N/REPO:1\`"
  echo "- same-registry copy: \`ferry copy -q --tls-verify=false docker://R/seed/REPO:1 docker://R/ferry-mount-N/REPO:1\` / \`skopeo copy -q --src-tls-verify=false --dest-tls-verify=false docker://R/seed/REPO:1 docker://R/skopeo-mount-N/REPO:1\`"
  echo "- skopeo's blob-info cache removed before each: \`$nocache\`"
  echo "- inputs: \`umoci insert --image $work/debian:minbase $work/debian-rootfs /\`; \`skopeo copy --dest-compress --dest-compress-format gzip oci:regbig:big oci:regbig-gz:big\`"
}
