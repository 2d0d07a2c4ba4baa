#!/usr/bin/env bash
# The gzip-bound rows of bench/run.sh (same commands, same images in BENCH_DIR), with Ferry run twice: with ISA-L
# (the default when libisal2 is installed) and with FERRY_GZIP=jdk (zlib, Ferry before ISA-L), beside the peer,
# alternating in every run. Prints wall and user+sys CPU seconds (/usr/bin/time), peak RSS and output sizes, then
# medians. The page cache is not dropped (the images stay cached for every command alike).
#
# Usage (root): BENCH_DIR=/work/bench bench/gzip-codec-rows.sh [RUNS] [ROW-REGEX]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runs=${1:-3}
rows=${2:-.}
work="${BENCH_DIR:-$here/work}"
out="${BENCH_OUT:-$work/gzip-rows-out}"
tsv="${BENCH_OUT:-$work/gzip-rows-out}.tsv"
ferry="$root/ferry"
export FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC}"
img=ferry-bench/big:1
G="$work/big-gz:big"
: > "$tsv"

size_of() {
  local total=0 p
  IFS='|' read -ra parts <<< "$1"
  for p in "${parts[@]}"; do
    [ -e "$p" ] && total=$((total + $(du -sb "$p" | cut -f1)))
  done
  echo "$total"
}

# measure ROW WHO PREPARE COMMAND OUTPUT: one timed run, a line in the TSV
measure() {
  local row=$1 who=$2 prepare=$3 command=$4 output=$5
  bash -c "$prepare" >/dev/null 2>&1
  local t
  if ! /usr/bin/time -o "$out.time" -f '%e %U %S %M' bash -c "$command" >/dev/null 2>"$out.err"; then
    echo "FAILED: $who: $command" >&2
    cat "$out.err" >&2
  fi
  t=$(tail -1 "$out.time")
  read -r wall user sys rss <<< "$t"
  local cpu
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  local size
  size=$(size_of "$output")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$who" "$wall" "$cpu" "$((rss / 1024))" "$size" | tee -a "$tsv" >&2
}

# triple ROW RUN PREPARE FERRY-COMMAND PEER-COMMAND OUTPUT: isal, jdk and peer, in a rotating order
triple() {
  local row=$1 run=$2 prepare=$3 f=$4 p=$5 output=$6
  [[ "$row" =~ $rows ]] || return 0
  local order
  case $((run % 3)) in
    1) order="isal jdk peer" ;;
    2) order="peer isal jdk" ;;
    *) order="jdk peer isal" ;;
  esac
  for who in $order; do
    case $who in
      isal) measure "$row" "ferry-isal" "$prepare" "env -u FERRY_GZIP $f" "$output" ;;
      jdk) measure "$row" "ferry-zlib" "$prepare" "FERRY_GZIP=jdk $f" "$output" ;;
      peer) measure "$row" "peer" "$prepare" "$p" "$output" ;;
    esac
  done
}

clean="rm -rf $out; mkdir -p $out"
"$ferry" --version >/dev/null
for run in $(seq 1 "$runs"); do
  triple "build (Debian rootfs), gzip out" "$run" "$clean; umoci init --layout $out/u; umoci new --image $out/u:t" \
    "$ferry build -q --to oci:$out/l:t $work/debian-rootfs" \
    "umoci insert --image $out/u:t $work/debian-rootfs /" "$out/l|$out/u"
  triple "bundle (Debian)" "$run" "$clean" "$ferry bundle -q oci:$work/debian:minbase $out/b" \
    "umoci unpack --image $work/debian:minbase $out/b" "$out/b"
  triple "docker-archive->oci, gzip out (synthetic gzip)" "$run" "$clean" \
    "$ferry copy -q --compress gzip docker-archive:$work/big.docker.tar oci:$out/l:big" \
    "skopeo copy -q docker-archive:$work/big.docker.tar oci:$out/l:big" "$out/l"
  triple "export (synthetic gzip) vs tar -xzf of its layers" "$run" "$clean" \
    "$ferry export -q --docker-defaults oci:$G $out/e.tar" \
    "mkdir $out/x && for b in \$(ls $work/big-gz-layers/* | sort -V); do tar -xzf \$b -C $out/x; done" "$out/e.tar|$out/x"
  triple "bundle (synthetic gzip)" "$run" "$clean" "$ferry bundle -q oci:$G $out/b" \
    "umoci unpack --image $G $out/b" "$out/b"
  triple "docker-daemon->oci, gzip out (synthetic gzip)" "$run" \
    "$clean; docker image inspect $img >/dev/null 2>&1 || docker load -q -i $work/big.save.tar" \
    "$ferry copy -q --compress gzip docker-daemon:$img oci:$out/l:big" \
    "skopeo copy -q docker-daemon:$img oci:$out/l:big" "$out/l"
done
rm -rf "$out"
docker rmi -f "$img" >/dev/null 2>&1 || true

echo "| Row | Who | wall s (median) | user+sys s (median) | peak RSS MiB (max) | output (median) | runs |"
echo "|---|---|---:|---:|---:|---:|---:|"
awk -F'\t' '
  function median(list,   n, a, i, t, j) {
    n = split(list, a, " "); if (n == 0) return ""
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++k] = key }
    wall[key] = wall[key] " " $3; cpu[key] = cpu[key] " " $4; size[key] = size[key] " " $6; n[key]++
    if ($5 + 0 > rss[key] + 0) rss[key] = $5 }
  END { for (i = 1; i <= k; i++) { split(order[i], p, SUBSEP)
    printf "| %s | %s | %.2f | %.2f | %d | %.1f MB | %d |\n", p[1], p[2], median(wall[order[i]]), median(cpu[order[i]]), rss[order[i]], median(size[order[i]]) / 1e6, n[order[i]] } }' "$tsv"
