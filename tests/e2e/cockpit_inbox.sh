# honk inbox on the screen, whole screens compared: a queued task, then a
# session finished by another honk appears without a key (live, inotify),
# ready for review with its diffstat and green tests, sorted first; x cancels
# the queued task; d asks, then discards the session (branch and worktree go).
. "$HONK_TOP/tests/cockpit.sh"
export ANTHROPIC_API_KEY=sk-inbox-1234
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"
git -C "$R" config honk.test "grep -q new README"
EDIT='{"tool_calls":[{"id":"t1","name":"write_file","input":{"path":"README","content":"new readme\n"}}]}'
FINISH='{"text":["Done.\n```commit\nNew readme\n```\n"]}'
# the session ids at the start of rows, and who queued, vary from run to run
inbox_same() {
    masked | sed 's/^[0-9a-f]\{8\}  /xxxxxxxx  /; s/[Ss]ession [0-9a-f]\{8\}/session xxxxxxxx/g
        s/queue [^ ]*@[^ ]*/queue USER/' > "$T/screen.txt"
    [ "${HONK_UPDATE_SCREENS:-}" = 1 ] && cp "$T/screen.txt" "$1"
    diff -u "$1" "$T/screen.txt" || return 1
}

(cd "$R" && "$HONK" queue "later task" > "$T/queued" 2> /dev/null)
tm_honk 100 30 "$R" inbox
wait_for "honk inbox: 1 session" > /dev/null
check inbox_queued_screen inbox_same "$S/inbox_queued_100x30.txt"

start_replay "{\"turns\":[$EDIT,$FINISH]}"
(cd "$R" && timeout 60 "$HONK" run --approve=edits --base-url "$URL" "rewrite the readme" > /dev/null 2> "$T/run.err")
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/run.err")
wait_for "honk inbox: 2 sessions" > /dev/null
settle
check inbox_live_review_first inbox_same "$S/inbox_review_100x30.txt"

tm_keys j x
wait_for "told to cancel" > /dev/null
settle
check inbox_cancel_queued inbox_same "$S/inbox_cancelled_100x30.txt"
check inbox_cancel_journalled grep -q '"state":"cancelled"' "$R/.git/honk/serve/queue.jsonl"

tm_keys d
wait_for "Discard session" > /dev/null
check inbox_discard_asks inbox_same "$S/inbox_discard_ask_100x30.txt"
check inbox_discard_kept_while_asking sh -c "git -C '$R' rev-parse -q --verify 'honk/$id' > /dev/null"
tm_keys y
wait_for "discarded" > /dev/null
settle
check inbox_discarded inbox_same "$S/inbox_discarded_100x30.txt"
check inbox_discard_branch_gone sh -c "! git -C '$R' rev-parse -q --verify 'honk/$id' > /dev/null"
tm_keys q
wait_for "exited 0" > /dev/null && ok inbox_q_leaves || fail inbox_q_leaves "$(screen)"

# A task honk queue took, run as serve runs it (honk run --id), waits for
# review: plain honk opens the inbox first; Enter resumes it in the cockpit
# at its change, c commits it, and back in the inbox it is done.
R=$T/served
new_repo "$R"
git -C "$R" config honk.test "grep -q new README"
(cd "$R" && "$HONK" queue "rewrite the readme" > "$T/queued" 2> /dev/null)
qid=$(cat "$T/queued")
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
git -C "$R" config honk.model claude-test
(cd "$R" && timeout 60 "$HONK" run --id "$qid" --approve=edits "rewrite the readme" > /dev/null 2> "$T/run2.err")
tm_honk 100 30 "$R"
wait_for "honk inbox: 1 session" > /dev/null
settle
check plain_honk_opens_inbox inbox_same "$S/inbox_served_100x30.txt"
tm_keys Enter
wait_for "c commit" > /dev/null
settle
check inbox_enter_resumes_at_review sh -c "tmux -L '$TMUX_NAME' capture-pane -p -t 0 | grep -q 'README'"
tm_keys c
wait_for "Landed honk/" > /dev/null
check inbox_commit_from_cockpit [ "$(git -C "$R" log -1 --format=%s main)" = "New readme" ]
tm_keys q
wait_for "honk inbox: 1 session" > /dev/null
settle
check inbox_back_after_cockpit inbox_same "$S/inbox_served_done_100x30.txt"
tm_keys q
wait_for "exited 0" > /dev/null && ok inbox_plain_q_leaves || fail inbox_plain_q_leaves "$(screen)"

# A session another honk runs (honk run --wait, at a proposal): Enter attaches
# to it (the proposal shows), M-d leaves it running and the inbox is back;
# x cancels it over its socket, and the list follows it to cancelled.
R=$T/live
new_repo "$R"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
(cd "$R" && exec timeout 60 "$HONK" run --approve=ask --wait --base-url "$URL" "rewrite the readme" \
    > /dev/null 2> "$T/live.err") &
LIVE_PID=$!
until_file "$T/live.err" "waits for a decision" > /dev/null
tm_honk 100 30 "$R" inbox
wait_for "needs you: proposal" > /dev/null
tm_keys Enter
check inbox_enter_attaches wait_for "[hunk 1: pending]" 200
tm_keys M-d
check inbox_back_after_detach wait_for "honk inbox: 1 session"
check inbox_detach_left_it_running kill -0 "$LIVE_PID"
tm_keys x
wait_for "told to cancel" > /dev/null
check inbox_cancel_running_ends sh -c "i=0; while kill -0 $LIVE_PID 2>/dev/null && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done; ! kill -0 $LIVE_PID 2>/dev/null"
check inbox_cancelled_shown wait_for "cancelled"
settle
check inbox_running_cancelled_screen inbox_same "$S/inbox_live_cancelled_100x30.txt"
wait "$LIVE_PID" 2>/dev/null
tm_keys q
stop_replay
tm_stop
