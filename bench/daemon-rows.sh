#!/usr/bin/env bash
# The Docker daemon rows of bench/run.sh (issue 16), Ferry with ISA-L (default) and with FERRY_GZIP=jdk beside the
# daemon's own commands and skopeo, alternating in a rotating order, with wall seconds, the command's user+sys CPU
# seconds (/usr/bin/time) and the CPU seconds dockerd spent meanwhile (from /proc/PID/stat), and output sizes.
# oci -> daemon: `docker load -i` of what `docker save` wrote is the peer; daemon -> oci (gzip out): `docker save -o`
# and `skopeo copy` are. The page cache is not dropped.
#
# Usage (root): BENCH_DIR=/work/bench bench/daemon-rows.sh [RUNS] [ROW-REGEX]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-3}
rows=${2:-.}
work="${BENCH_DIR:-$here/work}"
out="${BENCH_OUT:-$work/daemon-rows-out}"
tsv="$out.tsv"
ferry="$root/ferry"
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"
img=ferry-bench/big:1
dest=ferry-bench/load:1
dockerd=$(pidof dockerd | cut -d' ' -f1)
: > "$tsv"

# dockerd's user+sys and its reaped children's: a load untars in a child dockerd re-executes (chrootarchive), whose
# CPU (13.6 of the 32 s of a load of the synthetic image) counts only once it exits
dockerd_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$dockerd/stat"; }

# measure ROW WHO PREPARE COMMAND OUTPUT: one timed run, a line in the TSV
measure() {
  local row=$1 who=$2 prepare=$3 command=$4 output=$5
  bash -c "$prepare" >/dev/null 2>&1 || true
  local before after
  before=$(dockerd_ticks)
  if ! /usr/bin/time -o "$out.time" -f '%e %U %S %M' bash -c "$command" >/dev/null 2>"$out.err"; then
    echo "FAILED: $who: $command" >&2
    cat "$out.err" >&2
  fi
  after=$(dockerd_ticks)
  read -r wall user sys rss < <(tail -1 "$out.time")
  local size=0
  [ "$output" = - ] || size=$(du -sb "$output" 2>/dev/null | cut -f1)
  printf '%s\t%s\t%s\t%.2f\t%.2f\t%s\t%s\n' "$row" "$who" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(echo "($after - $before) / $(getconf CLK_TCK)" | bc -l)" "$((rss / 1024))" "$size" | tee -a "$tsv" >&2
}

# rotate ROW RUN PREPARE WHO=COMMAND...: every command once, the order rotating with the run
rotate() {
  local row=$1 run=$2 prepare=$3 output=$4
  shift 4
  [[ "$row" =~ $rows ]] || return 0
  local n=$# i
  local cmds=("$@")
  for ((i = 0; i < n; i++)); do
    local entry=${cmds[$(((i + run) % n))]}
    measure "$row" "${entry%%=*}" "$prepare" "${entry#*=}" "$output"
  done
}

mkdir -p "$out"
"$ferry" --version >/dev/null
noimage="docker rmi -f $dest; docker rmi -f $img"
clean="rm -rf $out/l $out/s.tar $out/u; mkdir -p $out; docker image inspect $img >/dev/null 2>&1 || docker load -q -i $work/big.save.tar"
# what `docker save` writes for the Debian image, for its `docker load` row
docker rmi -f "$dest" >/dev/null 2>&1 || true
"$ferry" copy -q "oci:$work/debian:minbase" "docker-daemon:$dest" && docker save -o "$out/debian.save.tar" "$dest"
for run in $(seq 1 "$runs"); do
  rotate "oci->docker-daemon (Debian gzip)" "$run" "docker rmi -f $dest" - \
    "ferry-isal-api=env -u FERRY_GZIP $ferry copy -q oci:$work/debian:minbase docker-daemon:$dest" \
    "ferry-zlib-api=FERRY_GZIP=jdk $ferry copy -q oci:$work/debian:minbase docker-daemon:$dest" \
    "docker-load=docker load -q -i $out/debian.save.tar"
  rotate "oci->docker-daemon (synthetic gzip)" "$run" "$noimage" - \
    "ferry-isal-api=env -u FERRY_GZIP $ferry copy -q oci:$work/big-gz:big docker-daemon:$dest" \
    "ferry-zlib-api=FERRY_GZIP=jdk $ferry copy -q oci:$work/big-gz:big docker-daemon:$dest" \
    "docker-load=docker load -q -i $work/big.save.tar"
  rotate "docker-daemon->oci, gzip out (synthetic gzip)" "$run" "$clean" "$out/l" \
    "ferry-isal-api=env -u FERRY_GZIP $ferry copy -q --compress gzip docker-daemon:$img oci:$out/l:big" \
    "ferry-zlib-api=FERRY_GZIP=jdk $ferry copy -q --compress gzip docker-daemon:$img oci:$out/l:big" \
    "skopeo=skopeo copy -q docker-daemon:$img oci:$out/l:big" \
    "docker-save=docker save -o $out/l $img"
done
docker rmi -f "$dest" "$img" >/dev/null 2>&1 || true
rm -rf "$out"

echo "| Row | Who | wall s (median) | user+sys s (median) | dockerd CPU s (median) | peak RSS MiB (max) | output (median) | runs |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
awk -F'\t' '
  function median(list,   n, a, i, t, j) {
    n = split(list, a, " "); if (n == 0) return ""
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++k] = key }
    wall[key] = wall[key] " " $3; cpu[key] = cpu[key] " " $4; dcpu[key] = dcpu[key] " " $5; size[key] = size[key] " " $7; n[key]++
    if ($6 + 0 > rss[key] + 0) rss[key] = $6 }
  END { for (i = 1; i <= k; i++) { split(order[i], p, SUBSEP)
    printf "| %s | %s | %.2f | %.2f | %.2f | %d | %.1f MB | %d |\n", p[1], p[2], median(wall[order[i]]), median(cpu[order[i]]), median(dcpu[order[i]]), rss[order[i]], median(size[order[i]]) / 1e6, n[order[i]] } }' "$tsv"
