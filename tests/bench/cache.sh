# Prompt caching, as honk-replay bills it (Anthropic's rules: reads at 0.1x
# the input price, writes at 1.25x, a minimum of 1024 tokens): for a 12-turn
# and a 40-turn task, the input tokens sent, the billable input with caching,
# and its ratio to the same run with honk.cache=false.
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$T"' EXIT
export ANTHROPIC_API_KEY=bench HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Bench && git config user.email b@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     i=1 && while [ $i -le 120 ]; do printf 'f%d() { echo "helper number %d of the library, kept for the benchmark"; }\n' $i $i; i=$((i + 1)); done > lib.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh")
}

scenario() { # TURNS: TURNS-2 reads, an edit, the summary
    n=$(($1 - 2)) i=1 turns=""
    while [ $i -le $n ]; do
        f=calc.sh; [ $((i % 3)) -eq 0 ] && f=lib.sh; [ $((i % 3)) -eq 1 ] && f=test.sh
        turns="$turns{\"text\":[\"Reading $f ($i).\"],\"tool_calls\":[{\"id\":\"r$i\",\"name\":\"read_file\",\"input\":{\"path\":\"$f\"}}]},"
        i=$((i + 1))
    done
    turns="$turns{\"tool_calls\":[{\"id\":\"e1\",\"name\":\"edit_file\",\"input\":{\"path\":\"calc.sh\",\"old_string\":\"\$1 - \$2\",\"new_string\":\"\$1 + \$2\"}}]},"
    printf '{"turns":[%s{"text":["Fixed.\\n```commit\\nFix add\\n```\\n"]}]}\n' "$turns"
}

# run TURNS CACHE : prints "requests sent billable" from the replay's record
run() {
    new_repo "$T/r"
    git -C "$T/r" config honk.cache "$2"
    scenario "$1" > "$T/s.json"
    : > "$T/rec"
    "$REPLAY" --record "$T/rec" "$T/s.json" > "$T/url" & pid=$!
    i=0
    while ! grep -q '^http://127.0.0.1:[0-9]*$' "$T/url" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    (cd "$T/r" && "$HONK" run --approve=all --base-url "$(head -n 1 "$T/url")" "fix add" > /dev/null 2> "$T/err")
    kill $pid; wait $pid 2>/dev/null; pid=
    grep -q '"usage":{' "$T/rec" || { echo "(honk run failed: $(tail -n 1 "$T/err"))" >&2; }
    sed -n 's/^{"n":[0-9]*,[^}]*"usage":{"input_tokens":\([0-9]*\),"cache_creation_input_tokens":\([0-9]*\),"cache_read_input_tokens":\([0-9]*\)}.*/\1 \2 \3/p' "$T/rec" |
        awk '{ n++; sent += $1 + $2 + $3; bill += $1 + 1.25 * $2 + 0.1 * $3 } END { printf "%d %d %.0f\n", n, sent, bill }'
}

for turns in ${BENCH_TURNS:-12 40}; do
    set -- $(run $turns true) $(run $turns false)
    printf '%d-turn task (%d requests): %d input tokens sent; billable %s with caching, %s without: %.1f%%\n' \
        $turns "$1" "$2" "$3" "$6" "$(echo "$3 $6" | awk '{ print 100 * $1 / $2 }')"
done
echo "goal: billable input under 30% of uncached on the 40-turn task"
