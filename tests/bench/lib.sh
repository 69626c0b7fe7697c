# Benchmark helpers: /usr/bin/time -v figures and medians (POSIX sh + awk).
# measure OUT-PREFIX RUNS COMMAND... : appends "wall cpu maxrss_kib" per run to OUT-PREFIX.runs
measure() {
    prefix=$1 runs=$2; shift 2
    : > "$prefix.runs"
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -v "$@" > /dev/null 2> "$prefix.time"
        awk -F': ' '
            /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
            /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
            END { printf "%.3f %.3f %d\n", w, u + s, m }' "$prefix.time" >> "$prefix.runs"
        i=$((i + 1))
    done
}

# median FILE COLUMN
median() {
    sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
