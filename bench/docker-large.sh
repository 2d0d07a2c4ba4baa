#!/usr/bin/env bash
# Times ferry (heap capped at 128 MiB) beside skopeo and the docker CLI moving the same big image between the
# Docker daemon and an OCI layout: docker-api -> oci, docker-cli -> oci, oci -> docker-api, oci -> docker-cli,
# with `docker save` and `docker load` of the same image as the floor. Alternating runs; wall time and peak RSS.
# Usage: bench/docker-large.sh [LAYERS] [SIZE_MIB] [RUNS]     (default: 5 layers x 256 MiB, 3 runs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
docker info >/dev/null 2>&1 || { echo "docker-large: no Docker daemon answers; run scripts/docker-daemon.sh start" >&2; exit 1; }
img=ferry-bench/big:1

"$root/ferry" copy -q "oci:$work/src:big" "docker-api:$img"
docker save -o "$work/saved.tar" "$img"
echo "image: $(du -sh "$work/src" | cut -f1) in $layers layers; $(nproc) cores; $(date -u +%F)"
for run in $(seq 1 "$runs"); do
  rm -rf "$work/o1" "$work/o2" "$work/o3"
  measure "docker save (#$run)" docker save -o "$work/save-$run.tar" "$img"
  rm -f "$work/save-$run.tar"
  measure "ferry docker-api->oci (#$run)" "$root/ferry" copy -q "docker-api:$img" "oci:$work/o1:big"
  measure "ferry docker-cli->oci (#$run)" "$root/ferry" copy -q "docker-cli:$img" "oci:$work/o2:big"
  measure "skopeo docker-daemon->oci (#$run)" skopeo copy -q "docker-daemon:$img" "oci:$work/o3:big"
  docker rmi -f "$img" >/dev/null
  measure "docker load (#$run)" docker load -i "$work/saved.tar"
  docker rmi -f "$img" >/dev/null
  measure "ferry oci->docker-api (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "docker-api:$img"
  docker rmi -f "$img" >/dev/null
  measure "ferry oci->docker-cli (#$run)" "$root/ferry" copy -q "oci:$work/src:big" "docker-cli:$img"
  docker rmi -f "$img" >/dev/null
  measure "skopeo oci->docker-daemon (#$run)" skopeo copy -q "oci:$work/src:big" "docker-daemon:$img"
done
docker rmi -f "$img" >/dev/null 2>&1 || true
rm -rf "$work/o1" "$work/o2" "$work/o3" "$work/saved.tar"
