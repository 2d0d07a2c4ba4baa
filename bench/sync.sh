#!/usr/bin/env bash
# ferry sync against skopeo sync (1.9.3), same run, alternating, medians. Standalone (not part of bench/run.sh).
#
#   bench/sync.sh                       # 30 repositories x 4 tags (120), 3 rounds
#   REPOS=30 TAGS=40 ROUNDS=3 bench/sync.sh   # 1,200 tags
#
# Fixture: REPOS x TAGS images written as one OCI layout by a small generator (three shared base layers of
# 6 MiB, 3 MiB and 1 MiB of random bytes, gzip-compressed, then one small layer of its own per tag), seeded into a
# source registry by one `ferry sync --parallel-images 1` (each repository sequentially). Both tools read the same
# skopeo sync YAML file (every tag of every repository). Registries: Debian's docker-registry on loopback.
#
# Rows: first sync registry -> registry; a no-op re-sync; registry -> layouts (ferry: one layout per repository;
# skopeo: --dest dir, one folder per tag). Bytes moved into a registry are counted from its access log (each
# upload's digest, its size read from the registry's storage); bytes on disk with du. Each run writes into a new
# destination registry (new port), so that skopeo's blob info cache knows nothing of it.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
REPOS="${REPOS:-30}"
TAGS="${TAGS:-4}"
ROUNDS="${ROUNDS:-3}"
# Ferry within the heap the issue allows (any number of tags); the caller may say otherwise
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--XX:+UseSerialGC -Xmx128m}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
work="$(mktemp -d /tmp/ferry-sync-bench.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'echo "kept $work; registries ${pids[*]} left running (kill them)"' EXIT

ferry="$here/ferry"
"$ferry" --version >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_registry() { # NAME: starts it (its pid kept for the cleanup), writes HOST:PORT to $work/NAME/host
  local name="$1" port
  port="$(free_port)"
  mkdir -p "$work/$name"
  cat > "$work/$name/config.yml" <<CFG
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $work/$name/storage}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
CFG
  docker-registry serve "$work/$name/config.yml" > "$work/$name/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  echo "127.0.0.1:$port" > "$work/$name/host"
}

# the fixture layout
python3 - "$work/seed" "$REPOS" "$TAGS" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
out, repos, tags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f: f.write(data)
    return "sha256:" + d
def layer(name, size, seed):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        data = random.Random(seed).randbytes(size)
        info = tarfile.TarInfo(name); info.size = size; info.mtime = 0
        t.addfile(info, io.BytesIO(data))
    tar = raw.getvalue()
    gz = gzip.compress(tar, mtime=0)
    return {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)}, "sha256:" + hashlib.sha256(tar).hexdigest()
base = [layer("base/%d.bin" % i, s, i) for i, s in enumerate([6 << 20, 3 << 20, 1 << 20])]
entries = []
for r in range(repos):
    for t in range(tags):
        own, own_diff = layer("own/%d-%d.txt" % (r, t), 4096, 1000 + r * 1000 + t)
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["R=%d" % r, "T=%d" % t]},
                             "rootfs": {"type": "layers", "diff_ids": [d for _, d in base] + [own_diff]}}).encode()
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(config), "size": len(config)},
                               "layers": [l for l, _ in base] + [own]}).encode()
        entries.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(manifest), "size": len(manifest),
                        "annotations": {"org.opencontainers.image.ref.name": "repo%02d:t%02d" % (r, t)}})
with open(os.path.join(out, "oci-layout"), "w") as f: f.write('{"imageLayoutVersion":"1.0.0"}')
with open(os.path.join(out, "index.json"), "w") as f: json.dump({"schemaVersion": 2, "manifests": entries}, f)
PY

start_registry src
src="$(cat "$work/src/host")"
"$ferry" sync -q --parallel-images 1 --dest-tls-verify=false "oci:$work/seed" "docker://$src/bench"
{
  echo "$src:"
  echo "  tls-verify: false"
  echo "  images:"
  for r in $(seq 0 $((REPOS - 1))); do printf '    bench/repo%02d: []\n' "$r"; done
} > "$work/sync.yaml"

now() { date +%s.%N; }
uploaded_bytes() { # LOG-FROM-LINE -> bytes of the blobs uploaded since (one count per upload)
  tail -n +"$1" "$work/$dname/log" | { grep -o '"PUT /v2/[^ ]*/blobs/uploads/[^ ]*digest=sha256[^ &"]*' || true; } \
    | sed -E 's/.*digest=sha256(%3A|:)//' | while read -r hex; do
      stat -c %s "$work/$dname/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
    done | awk '{s+=$1} END {print s+0}'
}
uploads() { tail -n +"$1" "$work/$dname/log" | grep -c '"PUT /v2/[^ ]*/blobs/uploads/' || true; }
lines() { wc -l < "$work/$dname/log"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A t
for round in $(seq "$ROUNDS"); do
  for tool in ferry skopeo; do
    # a new destination registry for each run: nothing there, and nothing a client's cache knows of it
    dname="dst-$tool-$round"
    start_registry "$dname"
    dst="$(cat "$work/$dname/host")"
    from=$(( $(lines) + 1 ))
    s=$(now)
    if [ "$tool" = ferry ]; then
      "$ferry" sync -q --dest-tls-verify=false --from-file "$work/sync.yaml" "docker://$dst/f$round" > /dev/null
    else
      skopeo sync --src yaml --dest docker --dest-tls-verify=false "$work/sync.yaml" "$dst/s$round" > /dev/null 2>&1
    fi
    e=$(now)
    t[$tool-first]+="$(echo "$e - $s" | bc) "
    t[$tool-first-bytes]+="$(uploaded_bytes "$from") "
    t[$tool-first-uploads]+="$(uploads "$from") "
    from=$(( $(lines) + 1 ))
    s=$(now)
    if [ "$tool" = ferry ]; then
      "$ferry" sync -q --dest-tls-verify=false --from-file "$work/sync.yaml" "docker://$dst/f$round" > /dev/null
    else
      skopeo sync --src yaml --dest docker --dest-tls-verify=false "$work/sync.yaml" "$dst/s$round" > /dev/null 2>&1
    fi
    e=$(now)
    t[$tool-noop]+="$(echo "$e - $s" | bc) "
    t[$tool-noop-bytes]+="$(uploaded_bytes "$from") "
    s=$(now)
    if [ "$tool" = ferry ]; then
      "$ferry" sync -q --from-file "$work/sync.yaml" "oci:$work/fl$round" > /dev/null
      t[$tool-disk]+="$(du -sb "$work/fl$round" | cut -f1) "
    else
      mkdir -p "$work/sd$round"
      skopeo sync --src yaml --dest dir "$work/sync.yaml" "$work/sd$round" > /dev/null 2>&1
      t[$tool-disk]+="$(du -sb "$work/sd$round" | cut -f1) "
    fi
    e=$(now)
    t[$tool-layouts]+="$(echo "$e - $s" | bc) "
    rm -rf "$work/fl$round" "$work/sd$round"
    kill "${pids[-1]}" 2>/dev/null || true
  done
done

images=$((REPOS * TAGS))
printf '%s tags (%s repositories x %s), %s rounds, medians (seconds); load average %s before, %s after; FERRY_JAVA_OPTS="%s"\n' \
  "$images" "$REPOS" "$TAGS" "$ROUNDS" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$FERRY_JAVA_OPTS"
printf '%-34s %10s %10s %8s\n' "row" "ferry" "skopeo" "ratio"
for row in first noop layouts; do
  f=$(echo "${t[ferry-$row]}" | tr ' ' '\n' | grep . | median)
  k=$(echo "${t[skopeo-$row]}" | tr ' ' '\n' | grep . | median)
  printf '%-34s %10.2f %10.2f %8.2f\n' "$row" "$f" "$k" "$(echo "$f / $k" | bc -l)"
done
for row in first-bytes first-uploads noop-bytes disk; do
  f=$(echo "${t[ferry-$row]}" | tr ' ' '\n' | grep . | median)
  k=$(echo "${t[skopeo-$row]}" | tr ' ' '\n' | grep . | median)
  printf '%-34s %10s %10s\n' "$row" "$f" "$k"
done
echo "raw: ferry first ${t[ferry-first]}| skopeo first ${t[skopeo-first]}| ferry noop ${t[ferry-noop]}| skopeo noop ${t[skopeo-noop]}| ferry layouts ${t[ferry-layouts]}| skopeo dir ${t[skopeo-layouts]}"
