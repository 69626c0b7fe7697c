# Shared helpers for the end-to-end scripts (POSIX sh). Each case reports
# "ok - NAME" or "FAIL - NAME: why"; tests/run counts them.
: "${HONK:?run through make test}" "${REPLAY:?run through make test}"

T=$(mktemp -d /tmp/honk-e2e.XXXXXX)
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
unset ANTHROPIC_API_KEY OPENAI_API_KEY ANTHROPIC_BASE_URL OPENAI_BASE_URL
REPLAY_PID=
cleanup() {
    [ -n "$REPLAY_PID" ] && kill "$REPLAY_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1: $2"; }

# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check() {
    name=$1; shift
    if "$@"; then ok "$name"; else fail "$name" "$*"; fi
}

# start_replay SCENARIO-JSON : sets URL and REPLAY_PID; the record is $T/record.jsonl
start_replay() {
    stop_replay
    printf '%s\n' "$1" > "$T/scenario.json"
    : > "$T/record.jsonl"
    : > "$T/replay.out" # else the old server's URL may be read before the new one truncates it
    "$REPLAY" --record "$T/record.jsonl" "$T/scenario.json" > "$T/replay.out" 2> "$T/replay.err" &
    REPLAY_PID=$!
    i=0
    while [ $i -lt 100 ]; do
        URL=$(head -n 1 "$T/replay.out" 2>/dev/null)
        case "$URL" in http://*) return 0 ;; esac
        sleep 0.05
        i=$((i + 1))
    done
    echo "honk-replay did not start: $(cat "$T/replay.err")"
    return 1
}

stop_replay() {
    if [ -n "$REPLAY_PID" ]; then
        kill "$REPLAY_PID" 2>/dev/null
        wait "$REPLAY_PID" 2>/dev/null
        REPLAY_PID=
    fi
}

# contains FILE TEXT : the file holds the fixed string
contains() { grep -qF -- "$2" "$1"; }

# until_file FILE TEXT : polls (at most ~10 s) until the file holds the text.
until_file() {
    i=0
    while [ $i -lt 200 ]; do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
