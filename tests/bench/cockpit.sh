# The cockpit's figures, through a private tmux server: time to the first
# full frame, CPU used while idle for 5 s, resident memory idle, the time to
# open a 100,000-line diff, and the time to answer each key while paging it.
# The cockpit writes its own timings when HONK_COCKPIT_TIMINGS names a file.
: "${HONK:?run through make bench}"
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
N=0
S=honk-bench-$$-0
tm() { tmux -L "$S" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T" XDG_CONFIG_HOME="$T/.config" GIT_CONFIG_NOSYSTEM=1

# start EVENTS: the cockpit at 200x50; sets PID.
start() {
    tm kill-server 2>/dev/null
    N=$((N + 1))
    S=honk-bench-$$-$N # a fresh server: a dying one may still hold the old socket
    : > "$T/timings"
    tm new-session -d -x 200 -y 50 \
        "env TERM=tmux-256color HONK_COCKPIT_TIMINGS='$T/timings' $HONK __play-events '$1'; sleep 60"
    PID=
    i=0
    while [ -z "$PID" ] && [ $i -lt 100 ]; do
        PID=$(pgrep -f "__play-events $1" | head -n 1)
        sleep 0.05
        i=$((i + 1))
    done
}

# wait_line KEY: polls the timings file for a figure.
wait_line() {
    i=0
    while ! grep -q "^$1 " "$T/timings" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    grep "^$1 " "$T/timings" | head -n 1 | cut -d' ' -f2
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

printf '%s\n' '{"kind":"task","data":{"id":"t","task":"bench","branch":"honk/t","provider":"anthropic","model":"m"}}' \
    '{"kind":"text","data":{"text":"Some text in the chat pane to draw."}}' > "$T/idle.jsonl"
start "$T/idle.jsonl"
first=$(wait_line first_frame_ms)
echo "first full frame:          $first ms"
sleep 1
t0=$(cpu_ticks "$PID")
sleep 5
t1=$(cpu_ticks "$PID")
hz=$(getconf CLK_TCK)
echo "CPU while idle for 5 s:    $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f s", (b - a) / hz }')"
echo "resident memory idle:      $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID/status") (peak $(awk '/VmHWM/ { print $2, $3 }' "/proc/$PID/status"))"

# A 100,000-line diff: 2,000 hunks of 50 lines in 20 files.
awk 'BEGIN {
    for (f = 0; f < 20; f++) {
        printf "--- a/src/file%d.c\n+++ b/src/file%d.c\n", f, f
        for (h = 0; h < 100; h++) {
            s = h * 60 + 1
            printf "@@ -%d,40 +%d,40 @@ int function_%d(void)\n", s, s, h
            for (l = 0; l < 30; l++) printf " context line %d of hunk %d with some words\n", l, h
            for (l = 0; l < 10; l++) printf "-old_value = compute(%d, %d) + offset;\n", h, l
            for (l = 0; l < 10; l++) printf "+new_value = compute(%d, %d) + offset * 2;\n", h, l
        }
    }
}' > "$T/big.patch"
echo "diff size:                 $(grep -c '^[-+ ]' "$T/big.patch") lines"
printf '{"kind":"proposal","data":{"id":"big","summary":"bench","patch_file":"%s"}}\n' "$T/big.patch" > "$T/big.jsonl"
start "$T/big.jsonl"
echo "parse the unified diff:    $(wait_line diff_parse_ms) ms"
echo "open the diff (to frame):  $(wait_line diff_open_ms) ms (after the parse)"
echo "resident with the diff:    $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID/status")"
tm send-keys -t 0 M-2
sleep 0.3
: > "$T/timings"
i=0
while [ $i -lt 40 ]; do
    tm send-keys -t 0 PgDn
    sleep 0.03
    i=$((i + 1))
done
tm send-keys -t 0 G
sleep 0.5
awk '/^key_ms/ { v[n++] = $2; if ($2 > max) max = $2 }
     END { if (!n) { print "per key: no figures"; exit }
           asort_n = n; for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
           printf "per key while paging:     median %.3f ms, max %.3f ms over %d keys\n", v[int(n / 2)], max, n }' "$T/timings"
