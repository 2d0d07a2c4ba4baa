# Shared by the bench scripts (sourced, not run): arguments, the test image, and `measure`.
# Sets: here, root, layers, size, runs, work; builds the CLI once, outside the timings; caps ferry's heap at 128 MiB.
here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$here/.."
layers=${1:-5} size=${2:-256} runs=${3:-3}
work="${BENCH_DIR:-$here/work}"
mkdir -p "$work"
[ -f "$work/src/index.json" ] || "$here/make-layout.sh" "$work/src" "$layers" "$size" big
"$root/ferry" --version >/dev/null
export FERRY_JAVA_OPTS="-Xmx128m -XX:+UseSerialGC"

# measure NAME COMMAND...: drops the page cache, runs COMMAND under /usr/bin/time -v, prints wall time and peak RSS.
measure() {
  local name=$1; shift
  local log="$work/time.log"
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  if ! /usr/bin/time -v "$@" > /dev/null 2> "$log"; then echo "$name: FAILED"; tail -3 "$log"; return; fi
  printf '%-34s wall %-9s peak RSS %6d MiB\n' "$name" "$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')" \
    "$(( $(grep 'Maximum resident set size' "$log" | awk '{print $NF}') / 1024 ))"
}
