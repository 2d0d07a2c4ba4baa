#!/usr/bin/env bash
# Where the time of a pull from a loopback registry goes (issue 13): Ferry and skopeo pull the images
# bench/registry.sh prepares from a private docker-registry into a fresh oci: layout, in the same run, alternating.
# Per run: wall seconds, the tool's user+sys CPU seconds (/usr/bin/time), the CPU seconds the registry process spent
# meanwhile (/proc/PID/stat), and the blob requests the registry served (its log at level info gives each request's
# end and duration): when each layer's GET started and ended, in ms since the command started. Every run's timeline
# is kept (the pull of the synthetic image was bimodal: the slow runs are to be compared with the fast ones).
#
# Usage (root): BENCH_DIR=/work/bench [BENCH_OUT=DIR (default $BENCH_DIR/registry-pull)] [BENCH_PORT=PORT]
#   [BENCH_DROP_CACHES=0|1] [BENCH_RECYCLE_MEMORY=1|0] [BENCH_IMAGES="debian big"] [BENCH_TOOLS="skopeo ferry"] [FERRY_ARGS=...]
#   bench/registry-pull.sh [RUNS]
#   images: $BENCH_DIR/debian (oci layout, tag minbase) and $BENCH_DIR/regbig-gz (tag big), made by bench/registry.sh;
#   only read. FERRY_ARGS are passed to ferry copy (e.g. --jobs 2); BENCH_TOOLS may name ferry-ALT tools run with
#   FERRY_ALT_ARGS instead, and with the launcher FERRY_ALT (default: this checkout's) (an A/B of an option or of two
#   builds in the same run). BENCH_RECYCLE_MEMORY=1 (default) reads 2 GB of a
#   scratch file and drops the page cache again before each command, as bench/registry.sh does (see there why: this
#   VM gives memory freed for a few seconds back to the host, and the registry's cold reads into it are slow).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-5}
work="$(cd "${BENCH_DIR:-$here/work}" && pwd)"
port=${BENCH_PORT:-$((31000 + RANDOM % 1000))}
drop=${BENCH_DROP_CACHES:-1}
recycle_memory=${BENCH_RECYCLE_MEMORY:-1}
images=${BENCH_IMAGES:-debian big}
read -r -a tools_default <<< "${BENCH_TOOLS:-skopeo ferry}"
out="${BENCH_OUT:-$work/registry-pull}"
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"
ferry="$root/ferry"
"$ferry" --version >/dev/null
R=127.0.0.1:$port
printf 'version: 0.1\nlog: {level: info, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
  "$out/store" "$R" > "$out/registry.yml"
docker-registry serve "$out/registry.yml" > "$out/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; wait $registry 2>/dev/null || true; rm -rf "$out/store" "$out/l" "$out/recycle-2g.bin"' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
if [ "$drop" = 1 ] && [ "$recycle_memory" = 1 ]; then
  dd if=/dev/zero of="$out/recycle-2g.bin" bs=4M count=512 conv=fsync status=none
fi
ticks() { awk '{ print $14 + $15 }' "/proc/$registry/stat"; }
nocache="rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb $HOME/.local/share/containers/cache/blob-info-cache-v1.boltdb"
# seeded one image after the other (untimed)
skopeo copy -q --dest-tls-verify=false "oci:$work/debian:minbase" "docker://$R/seed/debian:1" >&2
case " $images " in *" big "*) skopeo copy -q --dest-tls-verify=false "oci:$work/regbig-gz:big" "docker://$R/seed/big:1" >&2 ;; esac

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
    port = re.search(r"http.request.remoteaddr=\"?[^ \"]*:(\d+)", l).group(1)
    status = re.search(r"http.response.status=(\d+)", l).group(1)
    w = re.search(r"http.response.written=(\d+)", l)
    mb = int(w.group(1)) / 1e6 if w else 0
    rows.append((end - dur - t0, end - t0, dur, mb, method, uri, status, port))
for r in sorted(rows):
    print("    %7.0f %7.0f %7.0f %8.1f MB  %-5s %-40s %s  :%s" % r)
' "$2"
}

tsv="$out/runs.tsv"
: > "$tsv"
: > "$out/timelines.txt"
for run in $(seq 1 "$runs"); do
  for name in $images; do
    tools=("${tools_default[@]}")
    if (( run % 2 == 0 )); then
      rev=(); for ((i = ${#tools[@]} - 1; i >= 0; i--)); do rev+=("${tools[i]}"); done; tools=("${rev[@]}")
    fi
    for who in "${tools[@]}"; do
      case $who in
        skopeo) cmd="skopeo copy -q --src-tls-verify=false docker://$R/seed/$name:1 oci:$out/l:t" ;;
        ferry) cmd="$ferry copy -q --src-tls-verify=false ${FERRY_ARGS:-} docker://$R/seed/$name:1 oci:$out/l:t" ;;
        ferry-*) cmd="${FERRY_ALT:-$ferry} copy -q --src-tls-verify=false ${FERRY_ALT_ARGS:-} docker://$R/seed/$name:1 oci:$out/l:t" ;;
      esac
      rm -rf "$out/l"
      bash -c "$nocache"
      if [ "$drop" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
      if [ "$drop" = 1 ] && [ "$recycle_memory" = 1 ]; then
        dd if="$out/recycle-2g.bin" of=/dev/null bs=4M status=none; sync; echo 3 > /proc/sys/vm/drop_caches
      fi
      case $who in ferry) "$ferry" --version >/dev/null ;; ferry-*) "${FERRY_ALT:-$ferry}" --version >/dev/null ;; skopeo) skopeo --version >/dev/null ;; esac
      line=$(wc -l < "$out/registry.log")
      load=$(cut -d' ' -f1 /proc/loadavg)
      before=$(ticks)
      start=$(date +%s%N)
      /usr/bin/time -f '%e %U %S' -o "$out/time" bash -c "$cmd" >/dev/null 2>"$out/stderr" \
        || { echo "bench: $who $name #$run failed: $(tail -1 "$out/stderr")" >&2; continue; }
      sleep 0.1
      after=$(ticks)
      read -r wall user sys < "$out/time"
      timeline "$line" "$start" > "$out/timeline"
      # the tail: ms from the end of the last response to the command's end (the final writes, the exit)
      tail_ms=$(awk -v wall="$wall" 'BEGIN { last = 0 } { if ($2 > last) last = $2 } END { printf "%.0f", wall * 1000 - last }' "$out/timeline")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$who" "$wall" "$(echo "$user + $sys" | bc)" \
        "$(echo "scale=2; ($after - $before) / 100" | bc)" "$run" "$load" "$tail_ms" | tee -a "$tsv" >&2
      { echo "$name $who (run $run, wall $wall s, load $load, tail $tail_ms ms): start end duration (ms), bytes"; cat "$out/timeline"; } >> "$out/timelines.txt"
    done
  done
done

echo "Measured $(date -u '+%F %H:%M') UTC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs alternating runs; page cache $([ "$drop" = 1 ] && echo dropped || echo kept) before each, memory recycled: $recycle_memory; FERRY_ARGS='${FERRY_ARGS:-}' FERRY_ALT_ARGS='${FERRY_ALT_ARGS:-}'."
echo
echo "| Image | Tool | Wall (s) | Walls | Tool CPU (s) | Registry CPU (s) | Tail (ms) | Wall / skopeo |"
echo "|---|---|---:|---|---:|---:|---:|---:|"
python3 - "$tsv" <<'EOF'
import sys, statistics, collections
runs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    image, who, wall, cpu, reg, run, load, tail = line.split()
    if (image, who) not in runs:
        order.append((image, who))
    runs[image, who].append((float(wall), float(cpu), float(reg), float(tail)))
for image, who in sorted(order, key=lambda k: (k[0] != "debian", k[1])):
    r = runs[image, who]
    peer = statistics.median(x[0] for x in runs[image, "skopeo"]) if runs[image, "skopeo"] else 0
    wall = statistics.median(x[0] for x in r)
    print("| %s | %s | %.2f | %s | %.2f | %.2f | %.0f | %s |" % (image, who, wall, " ".join("%.2f" % x[0] for x in r),
          statistics.median(x[1] for x in r), statistics.median(x[2] for x in r), statistics.median(x[3] for x in r),
          "%.2f" % (wall / peer) if peer else "-"))
EOF
echo
echo "Tail: from the end of the registry's last response to the command's end. Timelines (registry log: each request's start and end, ms since the command started): $out/timelines.txt"
