# The cockpit on a real session: idle figures of `honk` waiting for a task,
# then a 20,000-token answer streamed by honk-replay as fast as it can:
# peak memory, the time from the answer's end to its last line on screen,
# and the CPU seconds the whole answer cost (session set-up included).
: "${HONK:?run through make bench}"
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
S=honk-bench-session-$$
tm() { tmux -L "$S" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; [ -n "$rpid" ] && kill $rpid 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T" XDG_CONFIG_HOME="$T/.config" GIT_CONFIG_NOSYSTEM=1

printf '{"turns":[{"repeat":{"text":"token ","count":20000}}]}\n' > "$T/s.json"
"$REPLAY" "$T/s.json" > "$T/url" &
rpid=$!
while [ ! -s "$T/url" ]; do sleep 0.05; done
url=$(head -n 1 "$T/url")
mkdir "$T/repo" && (cd "$T/repo" && git init -q && git -c user.name=b -c user.email=b@b commit -q --allow-empty -m init)

: > "$T/timings"
tm new-session -d -x 200 -y 50 "cd '$T/repo' && date +%s%N > '$T/exec_at' && env TERM=tmux-256color ANTHROPIC_API_KEY=bench HONK_COCKPIT_TIMINGS='$T/timings' '$HONK' --base-url '$url'; sleep 60"
wait_line() {
    i=0
    while ! grep -q "^$1 " "$T/timings" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
    grep "^$1 " "$T/timings" | tail -n 1 | cut -d' ' -f2
}
PID=
i=0
while [ -z "$PID" ] && [ $i -lt 100 ]; do PID=$(pgrep -f "$HONK --base-url $url" | head -n 1); sleep 0.05; i=$((i + 1)); done
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
hz=$(getconf CLK_TCK)
at=$(wait_line first_frame_at_ns)
echo "first full frame (honk started, waiting for a task): $(awk -v a="$(cat "$T/exec_at")" -v b="$at" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') ms from exec"
sleep 1
t0=$(cpu); sleep 5; t1=$(cpu)
echo "CPU while idle for 5 s:    $(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f s", (b - a) / hz }')"
echo "resident memory idle:      $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID/status")"
c0=$(cpu)
tm send-keys -t 0 "write a long answer" Enter
last=$(wait_line last_line_ms)
c1=$(cpu)
echo "20,000-token answer: last line on screen $last ms after its last byte"
echo "20,000-token answer: $(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }') CPU-s in all; peak resident $(awk '/VmHWM/ { print $2, $3 }' "/proc/$PID/status"), after it $(awk '/VmRSS/ { print $2, $3 }' "/proc/$PID/status")"
echo "targets: first frame < 30 ms; 0.00 CPU-s idle; < 12 MiB idle, < 16 MiB after the answer; last line < 100 ms; < 0.3 CPU-s"
