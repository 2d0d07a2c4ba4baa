#!/usr/bin/env bash
# Times ferry (heap capped at 128 MiB) and skopeo copying the same big image, oci->oci and oci->oci-archive,
# alternating runs, and prints wall time and peak RSS of each run (from /usr/bin/time -v).
# Usage: bench/copy-large.sh [LAYERS] [SIZE_MIB] [RUNS]     (default: 5 layers x 256 MiB, 3 runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v skopeo >/dev/null || { echo "copy-large: skopeo is missing; run scripts/install-peers.sh" >&2; exit 1; }

echo "image: $(du -sh "$work/src" | cut -f1) in $layers layers; $(nproc) cores; $(date -u +%F)"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/f-oci" "$work/s-oci" "$work/f.tar" "$work/s.tar"
  measure "ferry oci->oci (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "oci:$work/f-oci:big"
  measure "skopeo oci->oci (#$run)" skopeo copy -q "oci:$work/src:big" "oci:$work/s-oci:big"
  measure "ferry oci->oci-archive (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "oci-archive:$work/f.tar:big"
  measure "skopeo oci->oci-archive (#$run)" skopeo copy -q "oci:$work/src:big" "oci-archive:$work/s.tar:big"
done
rm -rf "$work/f-oci" "$work/s-oci" "$work/f.tar" "$work/s.tar"
