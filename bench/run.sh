#!/usr/bin/env bash
# Ferry's benchmark suite: Ferry and its peers (skopeo, umoci, the docker CLI) on the same images, in the same run,
# alternating, page cache dropped before every timed command; prints medians, the Ferry/peer ratio against the
# target, peak RSS and Ferry's peak heap. Not part of the tests' pass/fail.
#
# Usage (root, Debian 12): bench/run.sh [RUNS]          default 3 runs per row (inspect: 4*RUNS-1)
#   BENCH_DIR   where images and outputs go (default bench/work; needs ~4x the image size free)
#   BENCH_SCALE size of the synthetic image: 1.0 = ~2.1 GiB, ~55,000 files in 4 layers (default 1.0)
#   BENCH_ROWS  a regular expression: only the rows whose names match (default: all)
# It installs what it needs (skopeo, umoci, docker.io, debootstrap, time), starts dockerd when none answers (and stops
# it after), builds a Debian bookworm minbase rootfs with debootstrap once, and caches the images in BENCH_DIR.
# The table goes to stdout and to bench/results.md; raw figures to $BENCH_DIR/results.tsv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
runs=${1:-3}
work="${BENCH_DIR:-$here/work}"
scale=${BENCH_SCALE:-1.0}
rows_filter=${BENCH_ROWS:-.}
mkdir -p "$work"
work="$(cd "$work" && pwd)"
tsv="$work/results.tsv"
: > "$tsv"

# --- peers and images (untimed) ---------------------------------------------------------------------------------
"$root/scripts/install-peers.sh" >&2
# debootstrap, and GNU time (package time, not in a minimal Debian) for the timings
bench_need=()
command -v debootstrap >/dev/null || bench_need+=(debootstrap)
[ -x /usr/bin/time ] || bench_need+=(time)
if [ ${#bench_need[@]} -gt 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq "${bench_need[@]}" >&2; fi
started_docker=0
if ! docker info >/dev/null 2>&1; then "$root/scripts/docker-daemon.sh" start >&2; started_docker=1; fi
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null; } || true
  docker rmi -f ferry-bench/big:1 ferry-bench/load:1 >/dev/null 2>&1 || true
  [ "$started_docker" = 1 ] && "$root/scripts/docker-daemon.sh" stop >&2 || true
}
trap cleanup EXIT
"$root/ferry" --version >/dev/null   # builds the CLI and its start-up archive once, outside the timings
export FERRY_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"
ferry="$root/ferry"

if [ ! -f "$work/big/index.json" ] || [ "$(cat "$work/big.scale" 2>/dev/null)" != "$scale" ]; then
  rm -rf "$work/big"
  echo "bench: writing the synthetic image (scale $scale)" >&2
  java -cp "$(ls "$root"/cli/target/lib/commons-*.jar | tr '\n' ':')" "$here/MakeImage.java" "$work/big" "$scale" >&2
  echo "$scale" > "$work/big.scale"
  rm -f "$work/big.docker.tar"
fi
if [ ! -f "$work/debian-rootfs/etc/debian_version" ]; then
  rm -rf "$work/debian-rootfs"
  echo "bench: debootstrap --variant=minbase bookworm (once)" >&2
  debootstrap --variant=minbase bookworm "$work/debian-rootfs" http://deb.debian.org/debian >&2
fi
if [ ! -f "$work/debian/index.json" ]; then
  # The Debian image as its users get it: one gzip layer (made with umoci, a peer, so Ferry does not grade itself).
  rm -rf "$work/debian"
  umoci init --layout "$work/debian" && umoci new --image "$work/debian:minbase"
  umoci insert --image "$work/debian:minbase" "$work/debian-rootfs" / >&2
fi
[ -f "$work/big.docker.tar" ] || "$ferry" copy -q "oci:$work/big:big" "docker-archive:$work/big.docker.tar:ferry-bench/big:1" >/dev/null
img=ferry-bench/big:1

# --- measuring ------------------------------------------------------------------------------------------------
# measure ROW WHO RUN PREPARE COMMAND: runs PREPARE (untimed), drops the page cache, times COMMAND.
measure() {
  local row=$1 who=$2 run=$3 prepare=$4 command=$5 log="$work/time.log" heap="$work/heap.txt"
  bash -c "$prepare" >/dev/null 2>&1 || true
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  rm -f "$heap"
  if ! FERRY_HEAP_REPORT="$heap" /usr/bin/time -f '%e %M' -o "$log" bash -c "$command" >/dev/null 2>"$work/stderr.log"; then
    echo "bench: $row / $who (#$run) FAILED: $(tail -1 "$work/stderr.log")" >&2
    return
  fi
  read -r secs rss < "$log"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" "$(cat "$heap" 2>/dev/null || echo -)" >> "$tsv"
  printf 'bench: %-34s %-6s #%s %7ss %5s MiB\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" >&2
}
# pair ROW RUN PREPARE FERRY_COMMAND PEER_COMMAND: both, in an order that alternates between runs.
pair() {
  local row=$1 run=$2 prepare=$3 f=$4 p=$5
  [[ "$row" =~ $rows_filter ]] || return 0
  if (( run % 2 )); then measure "$row" ferry "$run" "$prepare" "$f"; measure "$row" peer "$run" "$prepare" "$p"
  else measure "$row" peer "$run" "$prepare" "$p"; measure "$row" ferry "$run" "$prepare" "$f"; fi
}
out="$work/out"
clean="rm -rf $out; mkdir -p $out"

# --- rows --------------------------------------------------------------------------------------------------------
docker rmi -f "$img" >/dev/null 2>&1 || true
for run in $(seq 1 "$runs"); do
  pair "oci->oci" "$run" "$clean" "$ferry copy -q oci:$work/big:big oci:$out/l:big" \
    "skopeo copy -q oci:$work/big:big oci:$out/l:big"
  pair "oci->oci-archive" "$run" "$clean" "$ferry copy -q oci:$work/big:big oci-archive:$out/a.tar:big" \
    "skopeo copy -q oci:$work/big:big oci-archive:$out/a.tar:big"
  pair "bundle (Debian minbase)" "$run" "$clean" "$ferry bundle -q oci:$work/debian:minbase $out/b" \
    "umoci unpack --image $work/debian:minbase $out/b"
  pair "bundle (synthetic)" "$run" "$clean" "$ferry bundle -q oci:$work/big:big $out/b" \
    "umoci unpack --image $work/big:big $out/b"
  pair "build (Debian rootfs)" "$run" "$clean; umoci init --layout $out/u; umoci new --image $out/u:t" \
    "$ferry build -q --to oci:$out/f:t $work/debian-rootfs" \
    "umoci insert --image $out/u:t $work/debian-rootfs /"
  pair "oci->docker-daemon (api)" "$run" "docker rmi -f $img ferry-bench/load:1; docker image prune -f" \
    "$ferry copy -q oci:$work/big:big docker-daemon:ferry-bench/load:1" "docker load -q -i $work/big.docker.tar"
  pair "oci->docker-daemon (cli)" "$run" "docker rmi -f $img ferry-bench/load:1; docker image prune -f" \
    "$ferry copy -q --docker-transport cli oci:$work/big:big docker-daemon:ferry-bench/load:1" \
    "docker load -q -i $work/big.docker.tar"
done
docker rmi -f ferry-bench/load:1 >/dev/null 2>&1 || true
docker load -q -i "$work/big.docker.tar" >/dev/null
export_peer="id=\$(docker create $img /bin/sh) && docker export -o $out/d.tar \$id && docker rm \$id"
for run in $(seq 1 "$runs"); do
  pair "docker-daemon->oci (api)" "$run" "$clean" "$ferry copy -q docker-daemon:$img oci:$out/l:big" \
    "skopeo copy -q docker-daemon:$img oci:$out/l:big"
  pair "docker-daemon->oci (cli)" "$run" "$clean" \
    "$ferry copy -q --docker-transport cli docker-daemon:$img oci:$out/l:big" \
    "skopeo copy -q docker-daemon:$img oci:$out/l:big"
  pair "docker-daemon->oci vs docker save" "$run" "$clean" "$ferry copy -q docker-daemon:$img oci:$out/l:big" \
    "docker save -o $out/s.tar $img"
  pair "export (generic, oci:)" "$run" "$clean" "$ferry export -q --docker-defaults oci:$work/big:big $out/e.tar" \
    "$export_peer"
  pair "export --via-container" "$run" "$clean" "$ferry export -q --via-container docker-daemon:$img $out/e.tar" \
    "$export_peer"
done
# Registries: a private docker-registry on loopback, fresh for each bench run, seeded by skopeo (untimed, one image
# after the other). skopeo gzips the synthetic image's layers on the way in (registries serve compressed layers), and
# that gzip image, pulled back once by skopeo, is what both push; skopeo's blob-info cache is removed before each
# timed command (with it, skopeo mounts blobs it saw elsewhere in the registry instead of uploading them).
registry_rows=0
for r in "registry->oci (Debian)" "oci->registry (Debian)" "oci->registry again (Debian)" \
    "registry->registry, one registry (Debian)" "registry->oci (synthetic, gzip)" "oci->registry (synthetic, gzip)"; do
  [[ "$r" =~ $rows_filter ]] && registry_rows=1
done
if [ "$registry_rows" = 1 ]; then
  rm -rf "$work/registry"
  for _ in 1 2 3 4 5; do
    reg_port=$((20000 + RANDOM % 20000))
    printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
      "$work/registry" "$reg_port" > "$work/registry.yml"
    docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
    registry_pid=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$reg_port") 2>/dev/null && break; sleep 0.1; done
    kill -0 "$registry_pid" 2>/dev/null && break
    registry_pid=""
  done
  [ -n "$registry_pid" ] || { echo "bench: docker-registry did not start: $(tail -1 "$work/registry.log")" >&2; exit 1; }
  R=127.0.0.1:$reg_port
  nocache="rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb \$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"
  bash -c "$nocache"
  skopeo copy -q --dest-tls-verify=false "oci:$work/debian:minbase" "docker://$R/seed/debian:1" >&2
  skopeo copy -q --dest-tls-verify=false "oci:$work/big:big" "docker://$R/seed/big:1" >&2
  if [ ! -f "$work/big-gz/index.json" ] || [ "$(cat "$work/big-gz.scale" 2>/dev/null)" != "$scale" ]; then
    rm -rf "$work/big-gz"
    skopeo copy -q --src-tls-verify=false "docker://$R/seed/big:1" "oci:$work/big-gz:big" >&2
    echo "$scale" > "$work/big-gz.scale"
  fi
  for run in $(seq 1 "$runs"); do
    for image in "Debian|debian|$work/debian:minbase" "synthetic, gzip|big|$work/big-gz:big"; do
      IFS='|' read -r name repo layout <<< "$image"
      pair "registry->oci ($name)" "$run" "$clean; $nocache" \
        "$ferry copy -q --src-tls-verify=false docker://$R/seed/$repo:1 oci:$out/l:t" \
        "skopeo copy -q --src-tls-verify=false docker://$R/seed/$repo:1 oci:$out/l:t"
      pair "oci->registry ($name)" "$run" "$nocache" \
        "$ferry copy -q --dest-tls-verify=false oci:$layout docker://$R/ferry-$run/$repo:1" \
        "skopeo copy -q --dest-tls-verify=false oci:$layout docker://$R/skopeo-$run/$repo:1"
      pair "oci->registry again ($name)" "$run" "$nocache" \
        "$ferry copy -q --dest-tls-verify=false oci:$layout docker://$R/ferry-$run/$repo:1" \
        "skopeo copy -q --dest-tls-verify=false oci:$layout docker://$R/skopeo-$run/$repo:1"
      pair "registry->registry, one registry ($name)" "$run" "$nocache" \
        "$ferry copy -q --tls-verify=false docker://$R/seed/$repo:1 docker://$R/ferry-mount-$run/$repo:1" \
        "skopeo copy -q --src-tls-verify=false --dest-tls-verify=false docker://$R/seed/$repo:1 docker://$R/skopeo-mount-$run/$repo:1"
    done
  done
  kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; registry_pid=""
  rm -rf "$work/registry"
fi
inspect_runs=$((4 * runs - 1))
for run in $(seq 1 "$inspect_runs"); do
  [[ "inspect (start-up)" =~ $rows_filter ]] || break
  for who in ferry peer; do
    if [ "$who" = ferry ]; then c="$ferry inspect oci:$work/debian:minbase"; else c="skopeo inspect oci:$work/debian:minbase"; fi
    # warm cache: this row is about start-up; millisecond resolution from date
    s=$(date +%s%N); FERRY_HEAP_REPORT="$work/heap.txt" bash -c "$c" >/dev/null; e=$(date +%s%N)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "inspect (start-up)" "$who" "$run" "$(awk -v n=$((e - s)) 'BEGIN{printf "%.3f", n/1e9}')" \
      "-" "$( [ "$who" = ferry ] && cat "$work/heap.txt" || echo -)" >> "$tsv"
  done
done
rm -rf "$out"

# --- the table ---------------------------------------------------------------------------------------------------
targets="registry->oci (Debian)=0.7|registry->oci (synthetic, gzip)=0.7|oci->registry (Debian)=0.7|oci->registry (synthetic, gzip)=0.7|oci->oci=0.7|oci->oci-archive=0.8|docker-daemon->oci (api)=0.6|docker-daemon->oci (cli)=0.6|oci->docker-daemon (api)=1.05|oci->docker-daemon (cli)=1.05|export (generic, oci:)=0.5|export --via-container=0.5|bundle (Debian minbase)=1.0|inspect (start-up)=12"
peers="registry->oci (Debian)=skopeo copy|registry->oci (synthetic, gzip)=skopeo copy|oci->registry (Debian)=skopeo copy|oci->registry (synthetic, gzip)=skopeo copy|oci->registry again (Debian)=skopeo copy|oci->registry again (synthetic, gzip)=skopeo copy|registry->registry, one registry (Debian)=skopeo copy|registry->registry, one registry (synthetic, gzip)=skopeo copy|oci->oci=skopeo copy|oci->oci-archive=skopeo copy|docker-daemon->oci (api)=skopeo copy|docker-daemon->oci (cli)=skopeo copy|docker-daemon->oci vs docker save=docker save -o|oci->docker-daemon (api)=docker load|oci->docker-daemon (cli)=docker load|export (generic, oci:)=docker create+export+rm|export --via-container=docker create+export+rm|bundle (Debian minbase)=umoci unpack|bundle (synthetic)=umoci unpack|build (Debian rootfs)=umoci insert|inspect (start-up)=skopeo inspect"
size=$(du -sh --apparent-size "$work/big/blobs" | cut -f1)
{
  echo "Measured $(date -u +%F) on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null), $(skopeo --version), $(umoci --version), $(java -version 2>&1 | head -1)."
  echo "Synthetic image: $size in 4 uncompressed layers (scale $scale); Debian bookworm minbase: $(du -sh --apparent-size "$work/debian-rootfs" | cut -f1) rootfs, one gzip layer."
  echo "Command: \`bench/run.sh $runs\`. Medians of $runs alternating runs (inspect: $inspect_runs), page cache dropped before each (not for inspect); Ferry with -Xmx128m."
  echo
  echo "| Row | Ferry (s) | Peer | Peer (s) | Ferry/peer | Target | Met | Ferry peak RSS / heap (MiB) | Peer peak RSS (MiB) |"
  echo "|---|---:|---|---:|---:|---:|---|---:|---:|"
  awk -F'\t' -v targets="$targets" -v peers="$peers" '
    function median(list,   n, a, i, t, j) {
      n = split(list, a, " "); for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function max(list,   n, a, i, m) { n = split(list, a, " "); m = ""; for (i = 1; i <= n; i++) if (a[i] != "-" && (m == "" || a[i] + 0 > m + 0)) m = a[i]; return m == "" ? "-" : m }
    BEGIN {
      n = split(targets, t, "|"); for (i = 1; i <= n; i++) { eq = index(t[i], "="); target[substr(t[i], 1, eq - 1)] = substr(t[i], eq + 1) }
      n = split(peers, p, "|"); for (i = 1; i <= n; i++) { eq = index(p[i], "="); peer[substr(p[i], 1, eq - 1)] = substr(p[i], eq + 1) }
    }
    { if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 } secs[$1, $2] = secs[$1, $2] " " $4; rss[$1, $2] = rss[$1, $2] " " $5; heap[$1, $2] = heap[$1, $2] " " $6 }
    END {
      for (r = 1; r <= rows; r++) {
        row = order[r]; f = median(secs[row, "ferry"]); q = median(secs[row, "peer"]); ratio = q > 0 ? f / q : 0
        tg = (row in target) ? target[row] : ""; met = tg == "" ? "-" : (ratio <= tg + 0 ? "yes" : "no")
        printf "| %s | %.2f | %s | %.2f | %.2f | %s | %s | %s / %s | %s |\n", row, f, peer[row], q, ratio, tg == "" ? "-" : "<= " tg, met, max(rss[row, "ferry"]), max(heap[row, "ferry"]), max(rss[row, "peer"])
      }
    }' "$tsv"
} | tee "$here/results.md"
