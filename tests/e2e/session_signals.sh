# Every honk run/resume ends on SIGTERM and SIGINT in every state it can be
# in (thinking while the model stalls, testing, deploying), with status
# 130; a resume of a session that is done says so and exits 0 at once; a
# wait in review ends a headless run with status 3.
# Waits are bounded polls; honk is never left running.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-signals-1

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
     git add -A && git commit -qm "calc" && git config honk.test "sh test.sh")
}
EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add\n```\n"]}'


# ends_within PID : polls (at most ~5 s) for PID to end; its status is in $rc.
# A process still alive then is killed, so nothing outlives the test.
ends_within() {
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 "$1" 2>/dev/null; then
        kill -9 "$1"; wait "$1" 2>/dev/null; rc=timeout
        return 1
    fi
    wait "$1"; rc=$?
    return 0
}

# sig_case NAME SIGNAL MARK DIR ARGS... : honk ARGS runs in DIR (--json on
# stdout in $T/out); once its stdout shows MARK it gets SIGNAL and must end
# with status 130 within the bound.
sig_case() {
    name=$1 sig=$2 mark=$3 dir=$4; shift 4
    : > "$T/out"
    (cd "$dir" && exec "$HONK" "$@" > "$T/out" 2> "$T/err") &
    pid=$!
    if ! until_file "$T/out" "$mark"; then
        kill -9 $pid; wait $pid 2>/dev/null
        fail "$name" "never reached $mark: $(tail -n 3 "$T/err")"
        return
    fi
    kill -"$sig" $pid
    if ! ends_within $pid; then
        fail "$name" "still running 5 s after SIG$sig"
    elif [ "$rc" -ne 130 ]; then
        fail "$name" "exit $rc, not 130: $(tail -n 2 "$T/err")"
    else
        ok "$name"
    fi
}

for sig in TERM INT; do
    # Thinking: the model server holds the request without a byte.
    R=$T/think-$sig; new_repo "$R"
    start_replay '{"turns":[{"stall_ms":60000}]}'
    sig_case "sig${sig}_thinking_stalled_model" $sig '"state":"thinking"' "$R" run --json --base-url "$URL" "fix add"

    # Testing: the test command runs for a minute.
    R=$T/test-$sig; new_repo "$R"
    git -C "$R" config honk.test "sleep 60"
    start_replay "{\"turns\":[$EDIT]}"
    sig_case "sig${sig}_testing" $sig '"kind":"test_start"' "$R" run --approve=all --json --base-url "$URL" "fix add"

    # Deploying: a stage runs for a minute.
    R=$T/deploy-$sig; new_repo "$R"
    git -C "$R" config honk.deploy.stages "slow"
    git -C "$R" config honk.deploy.slow.command "sleep 60"
    start_replay "{\"turns\":[$EDIT,$FINISH]}"
    sig_case "sig${sig}_deploying" $sig '"state":"running"' "$R" run --approve=all --deploy --json --base-url "$URL" "fix add"
done

# Done: a resume (with or without an answer) says the session is done and exits 0 at once.
R=$T/done; new_repo "$R"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
check done_run_exit_0 [ -n "$id" ]
lines=$(wc -l < "$R/.git/honk/sessions/$id.jsonl")
for how in --accept "--reject no" ""; do
    (cd "$R" && exec "$HONK" resume "$id" $how --base-url "$URL" > /dev/null 2> "$T/err2") &
    pid=$!
    name="resume_done_${how:-plain}_exits_0"; name=$(echo "$name" | tr -d ' -' )
    if ! ends_within $pid; then fail "$name" "still running after 5 s"
    else check "$name" [ "$rc" -eq 0 ]; fi
done
check resume_done_says_done grep -q "session $id is done already" "$T/err2"
check resume_done_journal_unchanged [ "$(wc -l < "$R/.git/honk/sessions/$id.jsonl")" -eq "$lines" ]

# Review: under --approve=edits the commit waits for a person; headless,
# that is status 3 at once (it waited forever), and --accept commits.
R=$T/review; new_repo "$R"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
(cd "$R" && timeout -k 2 20 "$HONK" run --approve=edits --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
check review_headless_exit_3 [ $? -eq 3 ]
check review_headless_says_why grep -q 'is ready for review and waits for approval to commit' "$T/err"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R" && timeout -k 2 20 "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> "$T/err2")
check review_accept_commits sh -c "[ $? -eq 0 ] && git -C '$R' log -1 --format=%s 'honk/$id' | grep -q 'Fix add'"
stop_replay
