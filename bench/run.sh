#!/usr/bin/env bash
# Ferry's benchmark suite: Ferry and its peers (skopeo, umoci, the docker CLI, tar) doing the same work on the same
# images as users have them (every layer gzip-compressed, by a peer, so that Ferry never grades its own input;
# outputs compressed when the peer's are), in the same run, alternating, page cache dropped before every timed
# command. Prints medians, output sizes, the Ferry/peer ratios against the targets, peak RSS and Ferry's peak heap.
# Not part of the tests' pass/fail.
#
# Usage (root, Debian 12): bench/run.sh [RUNS]     default 3 runs per row (the start-up rows: 4*RUNS-1)
#                          bench/run.sh quick      a quick check: 1 run, a 10% synthetic image, in bench/work-quick
#   BENCH_DIR   where images and outputs go (default bench/work; needs ~5x the synthetic image's size free)
#   BENCH_SCALE size of the synthetic image: 1.0 = ~2.1 GiB, ~55,000 files in 4 layers (default 0.75)
#   BENCH_ROWS  a regular expression: only the rows whose names match (default: all)
# It installs what it needs (skopeo, umoci, docker.io, debootstrap, time), starts dockerd when none answers (and stops
# it after), builds a Debian bookworm minbase rootfs with debootstrap once, and caches the images in BENCH_DIR.
# Then it runs bench/registry.sh and bench/sync.sh when they exist, with the same helpers (bench/lib.sh).
# The table goes to stdout and to bench/results.md; raw figures to $BENCH_DIR/results.tsv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [ "${1:-}" = quick ]; then
  runs=1
  work="${BENCH_DIR:-$here/work-quick}"
  scale=${BENCH_SCALE:-0.1}
else
  runs=${1:-3}
  work="${BENCH_DIR:-$here/work}"
  scale=${BENCH_SCALE:-0.75}
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
export BENCH_WORK="$work" BENCH_RUNS="$runs" BENCH_ROWS="${BENCH_ROWS:-.}" BENCH_LIB="$here/lib.sh"
export BENCH_TSV="$work/results.tsv" BENCH_META="$work/rows.tsv"
: > "$BENCH_TSV"
: > "$BENCH_META"
# shellcheck source=bench/lib.sh
source "$BENCH_LIB"

# --- peers and images (untimed) ---------------------------------------------------------------------------------
"$root/scripts/install-peers.sh" >&2
bench_need=()
command -v debootstrap >/dev/null || bench_need+=(debootstrap)
[ -x /usr/bin/time ] || bench_need+=(time)
if [ ${#bench_need[@]} -gt 0 ]; then apt-get update -qq >&2 && apt-get install -y -qq "${bench_need[@]}" >&2; fi
started_docker=0
if ! docker info >/dev/null 2>&1; then "$root/scripts/docker-daemon.sh" start >&2; started_docker=1; fi
img=ferry-bench/big:1
cleanup() {
  docker rmi -f "$img" ferry-bench/load:1 >/dev/null 2>&1 || true
  [ "$started_docker" = 1 ] && "$root/scripts/docker-daemon.sh" stop >&2 || true
}
trap cleanup EXIT
"$root/ferry" --version >/dev/null   # builds the CLI and its start-up archive once, outside the timings
export FERRY_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"
export FERRY="$root/ferry"
ferry="$FERRY"

# The synthetic image: written uncompressed by bench/MakeImage.java, then its layers gzip-compressed by skopeo.
if [ ! -f "$work/big/index.json" ] || [ "$(cat "$work/big.scale" 2>/dev/null)" != "$scale" ]; then
  rm -rf "$work/big" "$work/big-gz" "$work/big-gz.oci.tar" "$work/big.docker.tar" "$work/big.save.tar"
  echo "bench: writing the synthetic image (scale $scale)" >&2
  java -cp "$(ls "$root"/cli/target/lib/commons-*.jar | tr '\n' ':')" "$here/MakeImage.java" "$work/big" "$scale" >&2
  echo "$scale" > "$work/big.scale"
fi
if [ ! -f "$work/big-gz/index.json" ]; then
  skopeo copy -q --dest-compress --dest-compress-format gzip "oci:$work/big:big" "oci:$work/big-gz:big" >&2
fi
[ -f "$work/big-gz.oci.tar" ] || skopeo copy -q "oci:$work/big-gz:big" "oci-archive:$work/big-gz.oci.tar:big" >&2
[ -f "$work/big.docker.tar" ] || skopeo copy -q "oci:$work/big-gz:big" "docker-archive:$work/big.docker.tar:$img" >&2
if [ ! -f "$work/big.save.tar" ]; then
  # what `docker save` writes for the image, for the `docker load` rows
  docker load -q -i "$work/big.docker.tar" >&2 && docker save -o "$work/big.save.tar" "$img" && docker rmi -f "$img" >&2
fi
if [ ! -f "$work/debian-rootfs/etc/debian_version" ]; then
  rm -rf "$work/debian-rootfs"
  echo "bench: debootstrap --variant=minbase bookworm (once)" >&2
  debootstrap --variant=minbase bookworm "$work/debian-rootfs" http://deb.debian.org/debian >&2
fi
if [ ! -f "$work/debian/index.json" ]; then
  # The Debian image as its users get it: one gzip layer, made by umoci.
  rm -rf "$work/debian"
  umoci init --layout "$work/debian" && umoci new --image "$work/debian:minbase"
  umoci insert --image "$work/debian:minbase" "$work/debian-rootfs" / >&2
fi
# The synthetic image's layer blobs, base first, linked as big-gz-layers/1.tar.gz...: what `tar -xzf` extracts one
# after the other.
rm -rf "$work/big-gz-layers"
mkdir "$work/big-gz-layers"
python3 - "$work/big-gz" "$work/big-gz-layers" <<'EOF'
import json, os, sys
d, into = sys.argv[1], sys.argv[2]
def blob(digest): return d + "/blobs/" + digest.replace(":", "/")
index = json.load(open(d + "/index.json"))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
for i, layer in enumerate(manifest["layers"]):
    os.link(blob(layer["digest"]), "%s/%d.tar.gz" % (into, i + 1))
EOF

out="$work/out"
clean="rm -rf $out; mkdir -p $out"
S="synthetic gzip"
G="$work/big-gz:big"

# --- rows without the image in the daemon ------------------------------------------------------------------------
docker rmi -f "$img" ferry-bench/load:1 >/dev/null 2>&1 || true
noimage="docker rmi -f $img ferry-bench/load:1; docker image prune -f"
for run in $(seq 1 "$runs"); do
  pair "oci->oci ($S)" "$run" "$clean" "$ferry copy -q oci:$G oci:$out/l:big" \
    "skopeo copy -q oci:$G oci:$out/l:big" "$out/l" 0.7
  pair "oci->oci-archive ($S)" "$run" "$clean" "$ferry copy -q oci:$G oci-archive:$out/a.tar:big" \
    "skopeo copy -q oci:$G oci-archive:$out/a.tar:big" "$out/a.tar" 0.8
  pair "oci-archive->oci ($S)" "$run" "$clean" "$ferry copy -q oci-archive:$work/big-gz.oci.tar:big oci:$out/l:big" \
    "skopeo copy -q oci-archive:$work/big-gz.oci.tar:big oci:$out/l:big" "$out/l" 0.8
  pair "oci->docker-archive ($S)" "$run" "$clean" "$ferry copy -q oci:$G docker-archive:$out/d.tar:$img" \
    "skopeo copy -q oci:$G docker-archive:$out/d.tar:$img" "$out/d.tar" 1.0
  pair "docker-archive->oci, gzip out ($S)" "$run" "$clean" \
    "$ferry copy -q --compress gzip docker-archive:$work/big.docker.tar oci:$out/l:big" \
    "skopeo copy -q docker-archive:$work/big.docker.tar oci:$out/l:big" "$out/l" 0.8 1.05
  pair "export ($S) vs tar -xzf of its layers" "$run" "$clean" \
    "$ferry export -q --docker-defaults oci:$G $out/e.tar" \
    "mkdir $out/x && for b in \$(ls $work/big-gz-layers/* | sort -V); do tar -xzf \$b -C $out/x; done" "$out/e.tar|$out/x" 2.0
  pair "bundle (Debian)" "$run" "$clean" "$ferry bundle -q oci:$work/debian:minbase $out/b" \
    "umoci unpack --image $work/debian:minbase $out/b" "$out/b" 0.8
  pair "bundle ($S)" "$run" "$clean" "$ferry bundle -q oci:$G $out/b" \
    "umoci unpack --image $G $out/b" "$out/b" 0.5
  pair "build (Debian rootfs), gzip out" "$run" "$clean; umoci init --layout $out/u; umoci new --image $out/u:t" \
    "$ferry build -q --to oci:$out/l:t $work/debian-rootfs" \
    "umoci insert --image $out/u:t $work/debian-rootfs /" "$out/l|$out/u" 1.0 1.05
  pair "oci->docker-daemon, api ($S)" "$run" "$noimage" \
    "$ferry copy -q oci:$G docker-daemon:ferry-bench/load:1" "docker load -q -i $work/big.save.tar" - 1.05
  pair "oci->docker-daemon, cli ($S)" "$run" "$noimage" \
    "$ferry copy -q --docker-transport cli oci:$G docker-daemon:ferry-bench/load:1" \
    "docker load -q -i $work/big.save.tar" - 1.05
done

# --- rows from the image in the daemon ---------------------------------------------------------------------------
docker rmi -f ferry-bench/load:1 >/dev/null 2>&1 || true
docker load -q -i "$work/big.save.tar" >/dev/null
export_peer="id=\$(docker create $img /bin/sh) && docker export -o $out/e.tar \$id && docker rm \$id"
for run in $(seq 1 "$runs"); do
  pair "docker-daemon->oci, gzip out, api ($S)" "$run" "$clean" \
    "$ferry copy -q --compress gzip docker-daemon:$img oci:$out/l:big" \
    "skopeo copy -q docker-daemon:$img oci:$out/l:big" "$out/l" 0.8 1.05
  pair "docker-daemon->oci, gzip out, cli ($S)" "$run" "$clean" \
    "$ferry copy -q --compress gzip --docker-transport cli docker-daemon:$img oci:$out/l:big" \
    "skopeo copy -q docker-daemon:$img oci:$out/l:big" "$out/l" 0.8 1.05
  pair "docker-daemon->oci, gzip out, api, vs docker save ($S)" "$run" "$clean" \
    "$ferry copy -q --compress gzip docker-daemon:$img oci:$out/l:big" "docker save -o $out/s.tar $img" - 1.1
  pair "export ($S) vs docker" "$run" "$clean" "$ferry export -q --docker-defaults oci:$G $out/e.tar" \
    "$export_peer" "$out/e.tar" 0.5
  # --via-container has the daemon do docker create + export + rm itself and copies its stream: the peer's work
  # plus Ferry's, so its bound is 1.0 (no slower than the peer); issue 16's 0.5 is the row above, Ferry's own export
  pair "export --via-container ($S)" "$run" "$clean" \
    "$ferry export -q --via-container docker-daemon:$img $out/e.tar" "$export_peer" "$out/e.tar" 1.0
done
docker rmi -f "$img" >/dev/null 2>&1 || true

# --- start-up (warm page cache, millisecond resolution) ----------------------------------------------------------
# (timed without the heap report, whose management beans take ~30 ms at exit; an untimed run after reports the heap)
warm() {
  local row=$1 run=$2 who=$3 command=$4 s e
  rm -f "$work/heap.txt"
  # the clock read by bash itself (an external date, forked and run after the command, added 5-10 ms to both tools'
  # times on this machine), the command run from a subshell of this one (bash -c added a shell's start)
  s=$EPOCHREALTIME; (eval "$command") >/dev/null; e=$EPOCHREALTIME
  [ "$who" = ferry ] && (FERRY_HEAP_REPORT="$work/heap.txt"; export FERRY_HEAP_REPORT; eval "$command") >/dev/null
  printf '%s\t%s\t%s\t%s\t-\t%s\t-\n' "$row" "$who" "$run" \
    "$(awk -v n=$((10#${e//[.,]/} - 10#${s//[.,]/})) 'BEGIN{printf "%.3f", n/1e6}')" \
    "$(cat "$work/heap.txt" 2>/dev/null || echo -)" >> "$BENCH_TSV"
}
for run in $(seq 1 $((4 * runs - 1))); do
  for r in "inspect (start-up)|$ferry inspect oci:$work/debian:minbase|skopeo inspect oci:$work/debian:minbase|12|-" \
      "--version (start-up)|$ferry --version|skopeo --version|-|0.15"; do
    IFS='|' read -r name f p target absolute <<< "$r"
    [[ "$name" =~ $BENCH_ROWS ]] || continue
    row "$name" "$p" "$target" - "$absolute" "$f"
    if (( run % 2 )); then warm "$name" "$run" ferry "$f"; warm "$name" "$run" peer "$p"
    else warm "$name" "$run" peer "$p"; warm "$name" "$run" ferry "$f"; fi
  done
done
rm -rf "$out"

# --- rows written by the other scripts (registries; sync and friends) ---------------------------------------------
for script in registry sync; do
  if [ -x "$here/$script.sh" ]; then
    "$here/$script.sh" || echo "bench: bench/$script.sh failed (exit $?); its rows may be missing" >&2
  fi
done

# --- the table ---------------------------------------------------------------------------------------------------
{
  echo "Measured $(date -u +%F) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $load_before before the run and $(cut -d' ' -f1-3 /proc/loadavg) after, $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null), $(skopeo --version), $(umoci --version), $(tar --version | head -1), $(java -version 2>&1 | head -1)."
  echo "Synthetic image: $(du -sb "$work/big/blobs" | awk '{printf "%.2f GB", $1/1e9}') uncompressed in 4 layers (\`bench/MakeImage.java\`, scale $scale), gzip-compressed by \`skopeo copy --dest-compress\` to $(du -sb "$work/big-gz/blobs" | awk '{printf "%.0f MB", $1/1e6}'); Debian bookworm minbase: $(du -sb "$work/debian-rootfs" | awk '{printf "%.0f MB", $1/1e6}') rootfs, one gzip layer made by \`umoci insert\` ($(du -sb "$work/debian/blobs" | awk '{printf "%.0f MB", $1/1e6}'))."
  echo "Command: \`bench/run.sh $*\`. Medians of $runs alternating runs (start-up rows: $((4 * runs - 1)), warm cache), page cache dropped before each other command; Ferry with -Xmx128m."
  echo
  table
  echo
  echo "Commands, Ferry's / the peer's (paths relative to BENCH_DIR):"
  echo
  commands
} | tee "$here/results.md"
