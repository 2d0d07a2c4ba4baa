# Ferry's benchmark helpers, sourced by bench/run.sh and by the row scripts it calls (bench/registry.sh,
# bench/sync.sh): `source "$BENCH_LIB"` gives them the same measuring and the same table.
#
# Environment (set by run.sh, exported to the row scripts):
#   BENCH_WORK   the work folder (images, outputs)          BENCH_RUNS  runs per row
#   BENCH_TSV    raw timings, one line per timed command    BENCH_ROWS  a regular expression: rows to run
#   BENCH_META   one line per row: its peer command and targets
#   FERRY        the ferry launcher; FERRY_JAVA_OPTS is -Xmx128m -XX:+UseSerialGC
#
# BENCH_TSV columns: row, who (ferry|peer), run, seconds, peak RSS (MiB), Ferry's peak heap (MiB, or -),
# output size (bytes, or -). BENCH_META columns: row, peer command, time target (Ferry/peer ratio, or -),
# size target (Ferry's output / peer's, or -), absolute target (Ferry's seconds, or -).

# row ROW PEER_COMMAND TIME_TARGET SIZE_TARGET ABSOLUTE_TARGET FERRY_COMMAND: declares a row, once (the first
# declaration fixes its place in the table); pair does it.
row() {
  [[ "$1" =~ $BENCH_ROWS ]] || return 0
  cut -f1 "$BENCH_META" 2>/dev/null | grep -qxF -- "$1" && return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${3:--}" "${4:--}" "${5:--}" "${6:--}" >> "$BENCH_META"
}

# size_of OUTPUT: bytes of a file or folder (hardlinks counted once, as stored), docker:IMAGE for an image's size
# in the daemon, - for none.
size_of() {
  case "$1" in
    -|"") echo - ;;
    docker:*) docker image inspect --format '{{.Size}}' "${1#docker:}" 2>/dev/null || echo - ;;
    *) if [ -e "$1" ]; then du -sb "$1" | cut -f1; else echo -; fi ;;
  esac
}

# warm_tool COMMAND: reads the program that COMMAND starts (its first word) back into the page cache, as on a machine
# where the tool is in use, by running it with --version (untimed). The data the command reads stays cold.
warm_tool() {
  local first=${1%% *}
  first=${first//\"/}
  if command -v "$first" >/dev/null 2>&1; then "$first" --version >/dev/null 2>&1 || true; fi
}

# measure ROW WHO RUN PREPARE COMMAND [OUTPUT]: runs PREPARE (untimed), drops the page cache, warms the tool that
# COMMAND runs (warm_tool), times COMMAND, then records the size of OUTPUT (FERRY_OUTPUT|PEER_OUTPUT when they differ).
measure() {
  local row=$1 who=$2 run=$3 prepare=$4 command=$5 output=${6:--}
  if [[ "$output" == *"|"* ]]; then
    if [ "$who" = ferry ]; then output=${output%%|*}; else output=${output#*|}; fi
  fi
  local log="$BENCH_WORK/time.log" heap="$BENCH_WORK/heap.txt" err="$BENCH_WORK/stderr.log"
  bash -c "$prepare" >/dev/null 2>&1 || true
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  warm_tool "$command"
  rm -f "$heap"
  if ! FERRY_HEAP_REPORT="$heap" /usr/bin/time -f '%e %M' -o "$log" bash -c "$command" >/dev/null 2>"$err"; then
    echo "bench: $row / $who (#$run) FAILED: $(grep -v '^Command exited' "$err" | tail -1)" >&2
    return 0
  fi
  local secs rss size
  read -r secs rss < "$log"
  size=$(size_of "$output")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" \
    "$(cat "$heap" 2>/dev/null || echo -)" "$size" >> "$BENCH_TSV"
  printf 'bench: %-44s %-5s #%s %7ss %5s MiB %s\n' "$row" "$who" "$run" "$secs" "$((rss / 1024))" "$size" >&2
}

# pair ROW RUN PREPARE FERRY_COMMAND PEER_COMMAND [OUTPUT [TIME_TARGET [SIZE_TARGET [ABSOLUTE_TARGET]]]]: both,
# alternating which goes first from run to run; PREPARE runs before each; OUTPUT is what both write (its size is
# reported); targets: Ferry/peer time ratio, Ferry/peer output size ratio, Ferry's seconds (- for none).
pair() {
  local row=$1 run=$2 prepare=$3 f=$4 p=$5 output=${6:--}
  [[ "$row" =~ $BENCH_ROWS ]] || return 0
  row "$row" "$p" "${7:--}" "${8:--}" "${9:--}" "$f"
  if (( run % 2 )); then
    measure "$row" ferry "$run" "$prepare" "$f" "$output"; measure "$row" peer "$run" "$prepare" "$p" "$output"
  else
    measure "$row" peer "$run" "$prepare" "$p" "$output"; measure "$row" ferry "$run" "$prepare" "$f" "$output"
  fi
}

# table: the markdown table of BENCH_TSV and BENCH_META (medians; the largest RSS and heap of any run).
table() {
  echo "| Row | Ferry (s) | Ferry output | Peer command | Peer (s) | Peer output | Ferry/peer time | size | Target | Met | Ferry peak RSS / heap (MiB) | Peer peak RSS (MiB) |"
  echo "|---|---:|---:|---|---:|---:|---:|---:|---|---|---:|---:|"
  awk -F'\t' '
    function median(list,   n, a, i, t, j) {
      n = split(list, a, " "); if (n == 0) return ""
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function max(list,   n, a, i, m) { n = split(list, a, " "); m = ""; for (i = 1; i <= n; i++) if (a[i] != "-" && (m == "" || a[i] + 0 > m + 0)) m = a[i]; return m == "" ? "-" : m }
    function human(b) { if (b == "" || b == "-") return "-"; if (b >= 1e9) return sprintf("%.2f GB", b / 1e9); if (b >= 1e6) return sprintf("%.0f MB", b / 1e6); return sprintf("%.0f kB", b / 1e3) }
    FNR == NR { order[++rows] = $1; peer[$1] = $2; tt[$1] = $3; st[$1] = $4; at[$1] = $5; next }
    $2 != "ferry" && $2 != "peer" { next }
    {
      secs[$1, $2] = secs[$1, $2] " " $4; rss[$1, $2] = rss[$1, $2] " " $5; heap[$1, $2] = heap[$1, $2] " " $6
      if ($7 != "-") size[$1, $2] = size[$1, $2] " " $7
    }
    END {
      for (r = 1; r <= rows; r++) {
        row = order[r]; f = median(secs[row, "ferry"]); q = median(secs[row, "peer"])
        command = peer[row]; gsub(/\|/, "\\|", command) # a table cell: its pipes escaped
        if (f == "" && q == "") continue
        ratio = (f != "" && q > 0) ? sprintf("%.2f", f / q) : "-"
        fs = median(size[row, "ferry"]); ps = median(size[row, "peer"])
        sratio = (fs != "" && ps > 0) ? sprintf("%.2f", fs / ps) : "-"
        target = ""; met = ""
        if (tt[row] != "-") { target = "time <= " tt[row]; met = (ratio != "-" && ratio + 0 <= tt[row] + 0) ? "yes" : "no" }
        if (st[row] != "-") { target = target (target == "" ? "" : ", ") "size <= " st[row]; met = met (met == "" ? "" : ", ") ((sratio != "-" && sratio + 0 <= st[row] + 0) ? "yes" : "no") }
        if (at[row] != "-") { target = target (target == "" ? "" : ", ") "Ferry < " at[row] " s"; met = met (met == "" ? "" : ", ") ((f != "" && f + 0 < at[row] + 0) ? "yes" : "no") }
        printf "| %s | %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", row, f == "" ? "failed" : sprintf("%.2f", f), human(fs), command, q == "" ? "failed" : sprintf("%.2f", q), human(ps), ratio, sratio, target == "" ? "-" : target, met == "" ? "-" : met, max(rss[row, "ferry"]), max(heap[row, "ferry"]), max(rss[row, "peer"])
      }
    }' "$BENCH_META" "$BENCH_TSV" | sed "s|$BENCH_WORK/||g; s|$FERRY |ferry |g"
}

# commands: each row's exact commands, Ferry's and the peer's (paths relative to BENCH_DIR).
commands() {
  awk -F'\t' '{ printf "- %s: `%s` / `%s`\n", $1, $6, $2 }' "$BENCH_META" | sed "s|$BENCH_WORK/||g; s|$FERRY |ferry |g"
}
