#!/usr/bin/env bash
# Times `ferry export` and `ferry bundle` (heap capped at 128 MiB) of a big image beside `umoci unpack` of the
# same layout and `docker create` + `docker export` + `docker rm` of the same image in the daemon, alternating runs.
# Usage: bench/rootfs-large.sh [LAYERS] [SIZE_MIB] [RUNS]     (default: 5 layers x 256 MiB, 3 runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
img=ferry-bench/big:1
docker info >/dev/null 2>&1 && have_docker=1 || have_docker=0
[ "$have_docker" = 1 ] && "$root/ferry" copy -q "oci:$work/src:big" "docker-api:$img"
docker_export="id=\$(docker create $img /dev/null) && docker export -o $work/docker-export.tar \$id && docker rm \$id >/dev/null"

echo "image: $(du -sh "$work/src" | cut -f1) in $layers layers; $(nproc) cores; $(date -u +%F)"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/export.tar" "$work/bundle" "$work/umoci" "$work/docker-export.tar" "$work/via.tar"
  measure "ferry export (#$run)" "$root/ferry" export "oci:$work/src:big" "$work/export.tar"
  if [ "$have_docker" = 1 ]; then
    measure "ferry export --via-container (#$run)" "$root/ferry" export --via-container "docker-api:$img" "$work/via.tar"
    measure "docker create+export+rm (#$run)" bash -c "$docker_export"
  fi
  measure "ferry bundle (#$run)" "$root/ferry" bundle "oci:$work/src:big" "$work/bundle"
  measure "umoci unpack (#$run)" umoci unpack --image "$work/src:big" "$work/umoci"
done
rm -rf "$work/export.tar" "$work/bundle" "$work/umoci" "$work/docker-export.tar" "$work/via.tar"
[ "$have_docker" = 1 ] && docker rmi -f "$img" >/dev/null || true
