#!/usr/bin/env bash
# Writes a synthetic OCI image layout without any image tool: LAYERS uncompressed tar layers of SIZE_MIB MiB of
# random data each (one file per layer), plus config, manifest and index.json with ref REF.
# Usage: bench/make-layout.sh DIR [LAYERS] [SIZE_MIB] [REF]
set -euo pipefail
dir=$1 layers=${2:-5} size=${3:-256} ref=${4:-big}
rm -rf "$dir" && mkdir -p "$dir/blobs/sha256"
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
layer_json="" diff_ids=""
for i in $(seq 1 "$layers"); do
  mkdir -p "$work/l$i/data"
  head -c "$((size << 20))" /dev/urandom > "$work/l$i/data/layer-$i.bin"
  tar -C "$work/l$i" --owner=0 --group=0 --mtime=@0 -cf "$work/layer.tar" data
  sum=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  bytes=$(stat -c %s "$work/layer.tar")
  mv "$work/layer.tar" "$dir/blobs/sha256/$sum"
  rm -rf "$work/l$i"
  layer_json+="${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$sum\",\"size\":$bytes}"
  diff_ids+="${diff_ids:+,}\"sha256:$sum\""
done
blob() { # writes stdin as a blob, prints "digest size" once the blob is in place
  local tmp; tmp=$(mktemp "$work/blob.XXXXXX")
  cat > "$tmp"; local s n; s=$(sha256sum "$tmp" | cut -d' ' -f1); n=$(stat -c %s "$tmp")
  mv "$tmp" "$dir/blobs/sha256/$s"; echo "sha256:$s $n"
}
read -r cd cs < <(printf '{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diff_ids" | blob)
read -r md ms < <(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' "$cd" "$cs" "$layer_json" | blob)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$md" "$ms" "$ref" > "$dir/index.json"
echo "$dir: $layers layers of $size MiB, manifest $md"
