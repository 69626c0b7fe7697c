# A model that calls tools forever: honk.maxTurns stops it resumably (and
# --accept allows as many turns again); SIGINT stops it at once; in the
# cockpit one interrupt (Esc) stops the loop even while a tool's run is on.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-runaway-1

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     echo hi > README && git add -A && git commit -qm init)
}
# runaway N TOOL-CALL : a scenario of N turns, each making the same call.
runaway() {
    printf '{"turns":['
    i=0
    while [ $i -lt "$1" ]; do
        [ $i -gt 0 ] && printf ','
        printf '{"text":["Once more."],"tool_calls":[%s]}' "$2"
        i=$((i + 1))
    done
    printf ']}'
}
READ='{"name":"read_file","input":{"path":"README"}}'
requests() { grep -c '"turn":[0-9]' "$T/record.jsonl"; }

# 1. honk.maxTurns=5: five requests, then a resumable stop with status 3.
R=$T/r1; new_repo "$R"
git -C "$R" config honk.maxTurns 5
start_replay "$(runaway 300 "$READ")"
(cd "$R" && timeout -k 5 60 "$HONK" run --base-url "$URL" "look" > /dev/null 2> "$T/err")
rc=$?
check max_turns_exit_3 [ $rc -eq 3 ]
check max_turns_five_requests [ "$(requests)" -eq 5 ]
check max_turns_says_so grep -q 'Stopped after 5 model turns without a message from the engineer (honk.maxTurns is 5)' "$T/err"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
check max_turns_says_how_to_go_on grep -q "honk resume $id --accept" "$T/err"
(cd "$R" && timeout -k 5 60 "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> "$T/err2")
rc=$?
check max_turns_accept_allows_five_more sh -c "[ $rc -eq 3 ] && [ $(requests) -eq 10 ]"
check max_turns_accept_says_so grep -q 'The engineer allowed 5 more model turns.' "$T/err2"
(cd "$R" && timeout -k 5 60 "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err3")
check max_turns_plain_resume_stays_stopped sh -c "[ $? -eq 3 ] && [ $(requests) -eq 10 ]"

# 2. The default bound holds without any configuration.
R=$T/r2; new_repo "$R"
start_replay "$(runaway 300 "$READ")"
(cd "$R" && timeout -k 5 120 "$HONK" run --base-url "$URL" "look" > /dev/null 2> "$T/err")
rc=$?
check max_turns_default_50 sh -c "[ $rc -eq 3 ] && [ $(requests) -eq 50 ]"

# 3. SIGINT in the middle of the loop ends it with 130 and no request after.
R=$T/r3; new_repo "$R"
git -C "$R" config honk.maxTurns 0
start_replay "$(runaway 300 "$READ")"
(cd "$R" && exec "$HONK" run --base-url "$URL" "look" > /dev/null 2> "$T/err") &
pid=$!
i=0
while [ "$(requests)" -lt 5 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then kill -9 $pid; fi
wait $pid; rc=$?
check sigint_runaway_exit_130 [ $rc -eq 130 ]
check sigint_runaway_stopped_early [ "$(requests)" -lt 300 ]
stop_replay
