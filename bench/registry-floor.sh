#!/usr/bin/env bash
# The floors of the registry rows (issue 13): curl moving the same blobs as the tools, beside skopeo and Ferry, in
# the same run, alternating, each command after the same cold-data set-up as bench/registry.sh (2 GB of a scratch
# file read into the page cache and dropped again, then the page cache dropped; the tool itself warm). Per image:
#   pull  curl: every layer blob GET into a file, all at once, then synced (the tools sync what they write);
#         skopeo copy and ferry copy docker://R/seed/IMAGE:1 -> a fresh oci: layout
#   push  curl: per layer, POST then one streamed PATCH then PUT ?digest= (as both tools upload), all at once;
#         skopeo copy and ferry copy of the oci: layout -> a fresh repository
# No manifest or config moves in curl's rows: they are the floor of the layer bytes alone. Prints one line per
# command (image, row, tool, ms) and, at the end, the medians.
#
# Usage (root): BENCH_DIR=/work/bench [BENCH_PORT=PORT] [BENCH_IMAGES="debian big"] bench/registry-floor.sh [RUNS]
#   images: $BENCH_DIR/debian (oci layout, tag minbase) and $BENCH_DIR/regbig-gz (tag big), made by bench/registry.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-3}
work="$(cd "${BENCH_DIR:-$here/work}" && pwd)"
port=${BENCH_PORT:-$((30000 + RANDOM % 1000))}
out="$work/registry-floor"
rm -rf "$out"
mkdir -p "$out"
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"
ferry="$root/ferry"
"$ferry" --version >/dev/null
R=127.0.0.1:$port
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
  "$out/store" "$R" > "$out/registry.yml"
docker-registry serve "$out/registry.yml" > "$out/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; wait $registry 2>/dev/null || true; rm -rf "$out/store" "$out/o" "$out/recycle-2g.bin"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
dd if=/dev/zero of="$out/recycle-2g.bin" bs=4M count=512 conv=fsync status=none
cold() {
  rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb "$HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"
  sync; echo 3 > /proc/sys/vm/drop_caches
  dd if="$out/recycle-2g.bin" of=/dev/null bs=4M status=none
  sync; echo 3 > /proc/sys/vm/drop_caches
  "$@" > /dev/null 2>&1 || true
}
ms() {
  local s=$EPOCHREALTIME e
  "$@" > /dev/null 2>&1 || echo "registry-floor: FAILED: $*" >&2
  e=$EPOCHREALTIME
  echo $(( (10#${e//[.,]/} - 10#${s//[.,]/}) / 1000 ))
}
location() { awk -F': ' 'tolower($1) == "location" { print $2 }' "$1" | tr -d '\r' | sed "s|^/|http://$R/|"; }
pull_curl() { # REPO DIGEST...
  local repo=$1 d
  shift
  for d; do curl -sf -o "$out/o/${d#sha256:}" "http://$R/v2/$repo/blobs/$d" & done
  wait
  sync -f "$out/o"
}
push_one() { # REPO LAYOUT DIGEST
  local h="$out/h.${3:7:12}" loc
  curl -sf -X POST -D "$h" -o /dev/null "http://$R/v2/$1/blobs/uploads/"
  loc=$(location "$h")
  curl -sf -X PATCH -H 'Content-Type: application/octet-stream' -T "$2/blobs/sha256/${3#sha256:}" -D "$h" -o /dev/null "$loc"
  loc=$(location "$h")
  case "$loc" in *\?*) loc="$loc&digest=$3" ;; *) loc="$loc?digest=$3" ;; esac
  curl -sf -X PUT -o /dev/null "$loc"
}
push_curl() { # REPO LAYOUT DIGEST...
  local repo=$1 layout=$2 d
  shift 2
  for d; do push_one "$repo" "$layout" "$d" & done
  wait
}
results="$out/floor.tsv"
: > "$results"
for image in ${BENCH_IMAGES:-debian big}; do
  case "$image" in
    debian) layout=$work/debian tag=minbase ;;
    big) layout=$work/regbig-gz tag=big ;;
    *) echo "registry-floor: unknown image $image" >&2; exit 2 ;;
  esac
  skopeo copy -q --dest-tls-verify=false "oci:$layout:$tag" "docker://$R/seed/$image:1"
  manifest=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['manifests'][0]['digest'].split(':')[1])" "$layout/index.json")
  layers=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(' '.join(l['digest'] for l in sorted(m['layers'], key=lambda l: -l['size'])))" "$layout/blobs/sha256/$manifest")
  for r in $(seq "$runs"); do
    rm -rf "$out/o"; mkdir -p "$out/o"; cold curl --version
    echo "$image pull curl $(ms pull_curl "seed/$image" $layers)" | tee -a "$results"
    rm -rf "$out/o"; cold skopeo --version
    echo "$image pull skopeo $(ms skopeo copy -q --src-tls-verify=false "docker://$R/seed/$image:1" "oci:$out/o:t")" | tee -a "$results"
    rm -rf "$out/o"; cold "$ferry" --version
    echo "$image pull ferry $(ms "$ferry" copy -q --src-tls-verify=false "docker://$R/seed/$image:1" "oci:$out/o:t")" | tee -a "$results"
    cold curl --version
    echo "$image push curl $(ms push_curl "curl-$r/$image" "$layout" $layers)" | tee -a "$results"
    cold skopeo --version
    echo "$image push skopeo $(ms skopeo copy -q --dest-tls-verify=false "oci:$layout:$tag" "docker://$R/skopeo-$r/$image:1")" | tee -a "$results"
    cold "$ferry" --version
    echo "$image push ferry $(ms "$ferry" copy -q --dest-tls-verify=false "oci:$layout:$tag" "docker://$R/ferry-$r/$image:1")" | tee -a "$results"
  done
done
echo
echo "Medians of $runs (ms), $(date -u '+%F %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg):"
python3 - "$results" <<'EOF'
import statistics, sys
d = {}
for line in open(sys.argv[1]):
    image, row, tool, ms = line.split()
    d.setdefault((image, row), {}).setdefault(tool, []).append(int(ms))
for (image, row), tools in d.items():
    m = {t: statistics.median(v) for t, v in tools.items()}
    print(f"{image} {row}: " + ", ".join(f"{t} {m[t]:.0f}" for t in ("curl", "skopeo", "ferry") if t in m)
          + f"; curl/skopeo {m['curl'] / m['skopeo']:.2f}, ferry/skopeo {m['ferry'] / m['skopeo']:.2f}")
EOF
