# Attached clients (honk-protocol(7), tests/support/hk_client) on a headless
# session (honk run --approve=ask --wait, honk-replay as the model):
# 1. with 8 clients, the time from a model text delta going out of
#    honk-replay (its --log-deltas CLOCK_MONOTONIC stamp) to the last of the
#    8 receiving it (each client's CLOCK_MONOTONIC stamp at its read), over
#    1000 deltas 2 ms apart: median and p99;
# 2. the session process's CPU time (utime+stime of /proc/PID/stat, from the
#    approval that starts the answer to the commit wait after it) for one
#    20,000-token answer streamed as fast as honk-replay can, with 0 and with
#    8 clients attached: median of 5 runs each, and the ratio.
. "$HONK_TOP/tests/bench/lib.sh"
: "${HONK:?run through make bench}"
CLIENT=$HONK_BUILD/tests/hk_client
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
rpid= hpid= cpids=
trap 'kill $cpids $hpid $rpid 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 ANTHROPIC_API_KEY=bench USER=bench
mkdir -p "$HOME"
hz=$(getconf CLK_TCK)

# replay SCENARIO-FILE [ARGS...] : (re)starts honk-replay; sets url
replay() {
    [ -n "$rpid" ] && kill $rpid 2>/dev/null && wait $rpid 2>/dev/null
    s=$1; shift
    : > "$T/url"
    "$REPLAY" "$@" "$s" > "$T/url" & rpid=$!
    i=0
    while [ ! -s "$T/url" ]; do
        kill -0 $rpid 2>/dev/null && [ $i -lt 200 ] || { echo "(honk-replay did not start)"; exit 1; }
        sleep 0.05; i=$((i + 1))
    done
    url=$(head -n 1 "$T/url")
}

# session NAME : a fresh repository and honk run --approve=ask --wait at its first
# proposal; sets hpid, J (journal) and sock
session() {
    R=$T/$1
    mkdir -p "$R" && (cd "$R" && git init -q -b main && git config user.name B && git config user.email b@example.com &&
                      echo one > f && git add -A && git commit -qm init)
    (cd "$R" && exec "$HONK" run --approve=ask --wait --base-url "$url" "talk" > /dev/null 2> "$T/$1.err") &
    hpid=$!
    wait_for "$T/$1.err" " waits for " || return 1
    id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/$1.err")
    J=$R/.git/honk/sessions/$id.jsonl
    sock=$(sed -n 's/.*"socket":"\([^"]*\)".*/\1/p' "$R/.git/honk/sessions/$id.lock")
}

# wait_for FILE TEXT : polls (at most ~60 s) until the file holds the text
wait_for() {
    i=0
    while ! grep -qF -- "$2" "$1" 2>/dev/null; do
        [ $i -ge 1200 ] && { echo "(gave up waiting for '$2' in $1)"; return 1; }
        sleep 0.05; i=$((i + 1))
    done
}

# attach N : N clients that follow the session until its commit wait
attach() {
    cpids=
    k=1
    while [ $k -le "$1" ]; do
        printf '{"type":"join","name":"c%d@bench","from":0}\n' $k > "$T/join$k"
        "$CLIENT" --timeout 120 --timestamps --send "$T/join$k" --until '"waiting":{"kind":"commit"' "$sock" > "$T/c$k.out" &
        cpids="$cpids $!"
        k=$((k + 1))
    done
    i=0
    while [ "$(grep -c '"action":"joined"' "$J")" -lt "$1" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
}

approve() {
    printf '%s\n' '{"type":"join","name":"approver@bench"}' \
        '{"type":"command","id":1,"command":{"command":"decide","proposal":"p1","verdict":"approve"}}' > "$T/approve"
    "$CLIENT" --timeout 60 --send "$T/approve" --until '"id":1' "$sock" > "$T/approve.out"
}

# utime+stime in clock ticks (10 ms: coarse for one answer), and the run time
# of its threads in ns (/proc/PID/task/*/schedstat), both read at once
cpu_now() { printf '%s %s\n' "$(awk '{ print $14 + $15 }' "/proc/$hpid/stat")" "$(cat /proc/$hpid/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }')"; }

finish() {
    [ -n "$cpids" ] && wait $cpids 2>/dev/null # (a bare wait would wait for honk too)
    cpids=
    kill $hpid 2>/dev/null; wait $hpid 2>/dev/null; hpid=
}

PROPOSE='{"tool_calls":[{"id":"t1","name":"write_file","input":{"path":"f","content":"two\n"}}]}'

# 1. Latency to the last of 8 clients.
words=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "%s\"w%04d \"", i ? "," : "", i }')
printf '{"turns":[%s,{"chunk_delay_ms":2,"text":[%s]}]}\n' "$PROPOSE" "$words" > "$T/lat.json"
replay "$T/lat.json" --log-deltas "$T/sent"
session lat || exit 1
attach 8
approve
wait_for "$J" '"waiting":{"kind":"commit"'
finish
awk '
    FNR == 1 { file++ }
    file == 1 { sent[$2] = $1; next }
    /"kind":"text"/ && !/"seq":/ {
        line = $0
        while (match(line, /w[0-9][0-9][0-9][0-9]/)) {
            w = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
            if (!((w, file) in got)) { got[w, file] = 1; n[w]++ }
            if ($1 > last[w]) last[w] = $1
        }
    }
    END { for (w in sent) print (n[w] == file - 1) ? (last[w] - sent[w]) / 1e6 : "missed" }' \
    "$T/sent" "$T"/c[1-8].out | sort -n | awk '
    /missed/ { missed++; next }
    { lat[++k] = $1 }
    END {
        if (!k) { print "no delta reached all 8 clients"; exit }
        printf "8 clients, a text delta from honk-replay to the last client: median %.2f ms, p99 %.2f ms (%d deltas; %d did not reach all 8)\n", \
            lat[int((k + 1) / 2)], lat[int(k * 0.99 + 0.999)], k, missed
    }'

# 2. CPU per 20,000-token answer, 0 and 8 clients.
printf '{"turns":[%s,{"repeat":{"text":"token ","count":20000}}]}\n' "$PROPOSE" > "$T/cpu.json"
for clients in 0 8; do
    : > "$T/cpu$clients"
    run=1
    while [ $run -le 5 ]; do
        replay "$T/cpu.json"
        session "cpu$clients-$run" || exit 1
        attach $clients
        c0=$(cpu_now)
        approve
        wait_for "$J" '"waiting":{"kind":"commit"'
        c1=$(cpu_now)
        echo "$c0 $c1" | awk -v hz="$hz" '{ printf "%.3f %.1f\n", ($3 - $1) / hz, ($4 - $2) / 1e6 }' >> "$T/cpu$clients"
        finish
        run=$((run + 1))
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }'; }
c0=$(median "$T/cpu0" 1) c8=$(median "$T/cpu8" 1) n0=$(median "$T/cpu0" 2) n8=$(median "$T/cpu8" 2)
printf 'session CPU per 20000-token answer (median of 5, utime+stime): %.3f CPU-s with 0 clients, %.3f CPU-s with 8 clients: %sx\n' \
    "$c0" "$c8" "$(ratio "$c0" "$c8")"
printf 'the same from schedstat (ns, not ticks): %.1f ms with 0 clients, %.1f ms with 8 clients: %sx\n' \
    "$n0" "$n8" "$(ratio "$n0" "$n8")"
echo "target: 8 clients under 2x the unattached CPU"
