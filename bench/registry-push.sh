#!/usr/bin/env bash
# Where the time of a push to a loopback registry goes (issue 13): Ferry, skopeo and curl (the floor: the registry
# taking the same blobs with nothing else to do, POST + PATCH + PUT per blob like the tools, largest first, one
# upload per core at once, no HEAD) push the images bench/registry.sh prepares, in the same run, alternating. Per run:
# wall seconds, the tool's user+sys CPU seconds (/usr/bin/time), and the CPU seconds the registry process spent
# meanwhile (/proc/PID/stat). The registry logs at level info, so each request's end and duration are known: the
# timeline of the last run of each tool is printed (ms since the command started).
#
# Usage (root): BENCH_DIR=/work/bench [BENCH_OUT=DIR (default $BENCH_DIR/registry-push)] [BENCH_PORT=PORT] [BENCH_DROP_CACHES=0|1] bench/registry-push.sh [RUNS]
#   images: $BENCH_DIR/debian (oci layout, tag minbase) and $BENCH_DIR/regbig-gz (tag big), made by bench/registry.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-5}
work="$(cd "${BENCH_DIR:-$here/work}" && pwd)"
port=${BENCH_PORT:-$((30000 + RANDOM % 1000))}
drop=${BENCH_DROP_CACHES:-1}
out="${BENCH_OUT:-$work/registry-push}"
rm -rf "$out"
mkdir -p "$out"
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"
ferry="$root/ferry"
"$ferry" --version >/dev/null
R=127.0.0.1:$port
printf 'version: 0.1\nlog: {level: info, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
  "$out/store" "$R" > "$out/registry.yml"
docker-registry serve "$out/registry.yml" > "$out/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; wait $registry 2>/dev/null || true; rm -rf "$out/store"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
ticks() { awk '{ print $14 + $15 }' "/proc/$registry/stat"; }
nocache="rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb $HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"

# curl-push LAYOUT REPO: every blob but the manifest, largest first, $(nproc) at once; then the manifest
cat > "$out/curl-push.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
layout=$1 R=$2 repo=$3
location() { tr -d '\r' | awk -F': ' 'tolower($1) == "location" { print $2 }' | sed 's#^http://[^/]*##'; }
one() {
  local f=$1 l
  l=$(curl -sf -i -X POST "http://$R/v2/$repo/blobs/uploads/" | location)
  l=$(curl -sf -i -X PATCH -H 'Content-Type: application/octet-stream' -T "$f" "http://$R$l" | location)
  curl -sf -o /dev/null -X PUT "http://$R$l&digest=sha256:$(basename "$f")"
}
export -f one location; export R repo
manifest=$(grep -o 'sha256:[0-9a-f]*' "$layout/index.json" | head -1 | cut -d: -f2)
ls -S "$layout"/blobs/sha256/* | grep -v "$manifest" | xargs -P "$(nproc)" -I{} bash -c 'one {}'
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
  --data-binary "@$layout/blobs/sha256/$manifest" "http://$R/v2/$repo/manifests/1"
EOF
chmod +x "$out/curl-push.sh"

# timeline FROM_LINE START_NS: the requests the registry finished since line FROM_LINE of its log
timeline() {
  tail -n +"$(($1 + 1))" "$out/registry.log" | grep 'msg="response completed' | python3 -c '
import sys, re, datetime
t0 = int(sys.argv[1]) / 1e6
rows = []
for l in sys.stdin:
    end = datetime.datetime.fromisoformat(re.search(r"time=\"([^\"]+)\"", l).group(1)[:26].rstrip("Z") + "+00:00").timestamp() * 1000
    d = re.search(r"http.response.duration=\"?([0-9.]+)(ms|s|µs)", l)
    dur = float(d.group(1)) * {"ms": 1, "s": 1000, "µs": 0.001}[d.group(2)]
    method = re.search(r"http.request.method=(\w+)", l).group(1)
    uri = re.search(r"http.request.uri=\"?([^\"? ]+)", l).group(1)
    uri = re.sub(r"sha256:([0-9a-f]{8})[0-9a-f]+", r"\1", uri)
    uri = re.sub(r"uploads/([0-9a-f]{8})[-0-9a-f]+", r"uploads/\1", uri)
    port = re.search(r"http.request.remoteaddr=\"?[^ \"]*:(\d+)", l).group(1)
    status = re.search(r"http.response.status=(\d+)", l).group(1)
    rows.append((end - dur - t0, end - t0, dur, method, uri, status, port))
for r in sorted(rows):
    print("    %7.0f %7.0f %7.0f  %-6s %-48s %s  :%s" % r)
' "$2"
}

tsv="$out/runs.tsv"
: > "$tsv"
for run in $(seq 1 "$runs"); do
  for image in "debian|$work/debian|minbase" "big|$work/regbig-gz|big"; do
    IFS='|' read -r name layout tag <<< "$image"
    tools=(curl skopeo ferry)
    (( run % 2 )) || tools=(ferry skopeo curl)
    for who in "${tools[@]}"; do
      repo=$who-$run/$name
      case $who in
        curl) cmd="$out/curl-push.sh $layout $R $repo" ;;
        skopeo) cmd="skopeo copy -q --dest-tls-verify=false oci:$layout:$tag docker://$R/$repo:1" ;;
        ferry) cmd="$ferry copy -q --dest-tls-verify=false oci:$layout:$tag docker://$R/$repo:1" ;;
      esac
      bash -c "$nocache"
      if [ "$drop" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
      case $who in ferry) "$ferry" --version >/dev/null ;; skopeo) skopeo --version >/dev/null ;; esac
      line=$(wc -l < "$out/registry.log")
      before=$(ticks)
      start=$(date +%s%N)
      /usr/bin/time -f '%e %U %S' -o "$out/time" bash -c "$cmd" >/dev/null 2>"$out/stderr" \
        || { echo "bench: $who $name #$run failed: $(tail -1 "$out/stderr")" >&2; continue; }
      after=$(ticks)
      read -r wall user sys < "$out/time"
      printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$who" "$wall" "$(echo "$user + $sys" | bc)" \
        "$(echo "scale=2; ($after - $before) / 100" | bc)" | tee -a "$tsv" >&2
      [ "$run" = "$runs" ] && { echo "$name $who (run $run): start end duration (ms)"; timeline "$line" "$start"; } >> "$out/timelines.txt"
    done
  done
done

echo "Measured $(date -u '+%F %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs alternating runs; page cache $([ "$drop" = 1 ] && echo dropped || echo kept) before each."
echo
echo "| Image | Tool | Wall (s) | Tool CPU (s) | Registry CPU (s) | Wall / skopeo |"
echo "|---|---|---:|---:|---:|---:|"
python3 - "$tsv" <<'EOF'
import sys, statistics, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    image, who, wall, cpu, reg = line.split()
    runs[image, who].append((float(wall), float(cpu), float(reg)))
for image in ("debian", "big"):
    peer = statistics.median(r[0] for r in runs[image, "skopeo"]) if runs[image, "skopeo"] else 0
    for who in ("curl", "skopeo", "ferry"):
        r = runs[image, who]
        if not r:
            continue
        wall = statistics.median(x[0] for x in r)
        print("| %s | %s | %.2f | %.2f | %.2f | %s |" % (image, who, wall, statistics.median(x[1] for x in r),
              statistics.median(x[2] for x in r), "%.2f" % (wall / peer) if peer else "-"))
EOF
echo
echo "Timelines of the last run (registry log: each request's start and end, ms since the command started):"
echo
sed 's/^/    /' "$out/timelines.txt"
