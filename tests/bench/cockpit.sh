# The cockpit's figures, through a private tmux server: time to the first
# full frame, CPU used while idle for 5 s, resident memory idle, the time to
# open a big diff, and the time to answer each key while paging it.
# The cockpit writes its own timings when HONK_COCKPIT_TIMINGS names a file.
: "${HONK:?run through make bench}"
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
N=0
S=honk-bench-$$-0
tm() { tmux -L "$S" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T" XDG_CONFIG_HOME="$T/.config" GIT_CONFIG_NOSYSTEM=1

export ANTHROPIC_API_KEY=sk-bench
R=$T/repo
mkdir -p "$R"
(cd "$R" && git init -q -b main && git config user.name Bench && git config user.email b@example.com &&
 echo bench > README && git add -A && git commit -qm init)

# start [ARGS...]: honk ARGS in the repository at 200x50; sets PID.
start() {
    tm kill-server 2>/dev/null
    N=$((N + 1))
    S=honk-bench-$$-$N # a fresh server: a dying one may still hold the old socket
    : > "$T/timings"
    tm new-session -d -x 200 -y 50 \
        "cd '$R' && date +%s%N > '$T/exec_at' && env TERM=tmux-256color HONK_COCKPIT_TIMINGS='$T/timings' $HONK $*; sleep 60"
    PID=
    i=0
    while [ -z "$PID" ] && [ $i -lt 100 ]; do
        PID=$(pgrep -P "$(tm display-message -p -t 0 '#{pane_pid}')" | head -n 1)
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

# Plain honk, waiting for a task.
start
first=$(wait_line first_frame_ms)
echo "first full frame:          $first ms"
sleep 1
t0=$(cpu_ticks "$PID")
sleep 5
t1=$(cpu_ticks "$PID")
hz=$(getconf CLK_TCK)
echo "CPU while idle for 5 s:    $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f s", (b - a) / hz }')"
echo "resident memory idle:      $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID/status") (peak $(awk '/VmHWM/ { print $2, $3 }' "/proc/$PID/status"))"

# A big diff: 4,000 changed blocks of 10 lines in 40 files of 6,000 lines (about
# 100,000 diff lines), a commit shown by honk review (libgit2 computes the diff).
mkdir -p "$R/src"
gen() { # OLD-OR-NEW
    awk -v side="$1" 'BEGIN {
        for (h = 0; h < 100; h++) {
            printf "int function_%d(void)\n", h
            for (l = 0; l < 30; l++) printf "context line %d of hunk %d with some words\n", l, h
            for (l = 0; l < 10; l++)
                if (side == "old") printf "old_value = compute(%d, %d) + offset;\n", h, l
                else printf "new_value = compute(%d, %d) + offset * 2;\n", h, l
            for (l = 0; l < 19; l++) printf "filler line %d of block %d\n", l, h
        }
    }'
}
f=0
while [ $f -lt 40 ]; do gen old > "$R/src/file$f.c"; f=$((f + 1)); done
git -C "$R" add -A && git -C "$R" commit -qm old
f=0
while [ $f -lt 40 ]; do gen new > "$R/src/file$f.c"; f=$((f + 1)); done
git -C "$R" commit -qam new
echo "diff size:                 $(git -C "$R" show HEAD | grep -c '^[-+ ]') lines"
start review HEAD
echo "open the diff (to frame):  $(wait_line diff_open_ms) ms (after the diff is computed)"
at=$(wait_line first_frame_at_ns)
echo "honk review started to its first frame, diff computed by libgit2 included: $(awk -v a="$(cat "$T/exec_at")" -v b="$at" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') ms"
echo "first full frame:          $(wait_line first_frame_ms) ms"
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
