#!/usr/bin/env bash
# Times ferry (heap capped at 128 MiB) and skopeo copying the same big image, oci->oci and oci->oci-archive,
# alternating runs, and prints wall time and peak RSS of each run (from /usr/bin/time -v).
# Usage: bench/copy-large.sh [LAYERS] [SIZE_MIB] [RUNS]     (default: 5 layers x 256 MiB, 3 runs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.."
layers=${1:-5} size=${2:-256} runs=${3:-3}
work="${BENCH_DIR:-$here/work}"
mkdir -p "$work"
[ -f "$work/src/index.json" ] || "$here/make-layout.sh" "$work/src" "$layers" "$size" big
"$root/ferry" --version >/dev/null   # builds the CLI once, outside the timings
command -v skopeo >/dev/null || { echo "copy-large: skopeo is missing; run scripts/install-peers.sh" >&2; exit 1; }
export FERRY_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"

measure() { # name, command...
  local name=$1; shift
  local log="$work/time.log"
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  printf '%-28s wall %-9s peak RSS %6d MiB\n' "$name" "$wall" "$((rss / 1024))"
}

echo "image: $(du -sh "$work/src" | cut -f1) in $layers layers; $(nproc) cores; $(date -u +%F)"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/f-oci" "$work/s-oci" "$work/f.tar" "$work/s.tar"
  measure "ferry oci->oci (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "oci:$work/f-oci:big"
  measure "skopeo oci->oci (#$run)" skopeo copy -q "oci:$work/src:big" "oci:$work/s-oci:big"
  measure "ferry oci->oci-archive (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "oci-archive:$work/f.tar:big"
  measure "skopeo oci->oci-archive (#$run)" skopeo copy -q "oci:$work/src:big" "oci-archive:$work/s.tar:big"
done
rm -rf "$work/f-oci" "$work/s-oci" "$work/f.tar" "$work/s.tar"
