# honk run --wait: where a headless run would stop with status 3 at a
# decision nobody can give there, it stays at it (said once on stderr, with
# how to answer it from another terminal) until --wait-timeout passes, then
# stops as before, resumable. Without --wait it stops at once, as it did.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-wait-1234

new_repo() {
    mkdir -p "$1" && (cd "$1" && git init -q -b main && git config user.name Tester &&
        git config user.email t@example.com && echo a > f && git add -A && git commit -qm one)
}
EDIT='{"tool_calls":[{"id":"t1","name":"write_file","input":{"path":"f","content":"b\n"}}]}'
FINISH='{"text":["Done.\n```commit\nMake f say b\n```\n"]}'
SCENARIO="{\"turns\":[$EDIT,$FINISH]}"
# session_of FILE: the id honk named on stderr
session_of() { sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$1"; }
WAITS='waits for a decision on a proposed change; answer it from another terminal: honk attach'
TODAY='waits for a decision on a proposed change, which nobody can give here.'

# (a) --wait --wait-timeout 1 under --approve=ask: the wait is said once, then
# the timeout ends the run with status 3 and today's message; it resumes.
R=$T/a; new_repo "$R"
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --wait --wait-timeout 1 --base-url "$URL" "change f" \
    > "$T/out" 2> "$T/err")
rc=$?
id=$(session_of "$T/err")
check wait_timeout_exit_3 [ $rc -eq 3 ]
check wait_said_once [ "$(grep -cF "$WAITS $id" "$T/err")" = 1 ]
check wait_names_session contains "$T/err" "honk: session $id $WAITS $id"
check wait_timeout_says_today contains "$T/err" "honk: session $id $TODAY"
check wait_before_timeout_message sh -c "grep -nF 'honk attach' '$T/err' | head -n 1 | grep -q 'answer it' &&
    [ \$(grep -nF 'answer it from' '$T/err' | cut -d: -f1) -lt \$(grep -nF 'nobody can give here' '$T/err' | cut -d: -f1) ]"
(cd "$R" && timeout 60 "$HONK" resume "$id" --approve=all --base-url "$URL" > "$T/out2" 2> "$T/err2")
rc=$?
check wait_timeout_resumable [ $rc -eq 0 ]
check wait_timeout_resumed_commit [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "Make f say b" ]

# (b) without --wait: status 3 at once, and no word of waiting.
R=$T/b; new_repo "$R"
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --base-url "$URL" "change f" > "$T/out" 2> "$T/err")
rc=$?
check no_wait_exit_3 [ $rc -eq 3 ]
check no_wait_says_today contains "$T/err" "$TODAY"
check no_wait_never_waits sh -c "! grep -qF 'answer it from another terminal' '$T/err'"

# (c) honk.run.wait=true in the config is --wait; honk.run.waitTimeout is
# --wait-timeout; --no-wait overrides the config.
R=$T/c; new_repo "$R"
git -C "$R" config honk.run.wait true
git -C "$R" config honk.run.waitTimeout 0.2
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --base-url "$URL" "change f" > "$T/out" 2> "$T/err")
rc=$?
id=$(session_of "$T/err")
check config_wait_exit_3 [ $rc -eq 3 ]
check config_wait_said contains "$T/err" "honk: session $id $WAITS $id"
check config_wait_timeout_says_today contains "$T/err" "$TODAY"
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --no-wait --base-url "$URL" "change f" > "$T/out" 2> "$T/err")
rc=$?
check no_wait_over_config [ $rc -eq 3 ] && check no_wait_over_config_silent sh -c "! grep -qF 'answer it from' '$T/err'"
git -C "$R" config honk.run.wait maybe
(cd "$R" && timeout 60 "$HONK" run --approve=ask --base-url "$URL" "change f" > "$T/out" 2> "$T/err")
rc=$?
check config_wait_bad_value [ $rc -eq 2 ]
check config_wait_bad_value_said contains "$T/err" 'honk: honk.run.wait is "maybe"; it must be true or false'
git -C "$R" config --unset honk.run.wait
git -C "$R" config --unset honk.run.waitTimeout

# The commit under --approve=edits waits too, said as what it is; and a
# headless resume waits as run does (--wait-timeout alone implies --wait).
R=$T/d; new_repo "$R"
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=edits --wait-timeout 0.2 --base-url "$URL" "change f" \
    > "$T/out" 2> "$T/err")
rc=$?
id=$(session_of "$T/err")
check commit_wait_exit_3 [ $rc -eq 3 ]
check commit_wait_said contains "$T/err" \
    "honk: session $id waits for approval to commit; answer it from another terminal: honk attach $id"
check commit_wait_timeout_says_today contains "$T/err" "is ready for review and waits for approval to commit, which nobody can give here."
(cd "$R" && timeout 60 "$HONK" resume "$id" --wait-timeout 0.2 --base-url "$URL" > "$T/out2" 2> "$T/err2" < /dev/null)
rc=$?
check resume_wait_exit_3 [ $rc -eq 3 ]
check resume_wait_said contains "$T/err2" "honk: session $id waits for approval to commit; answer it from another terminal"
check resume_wait_nothing_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = one ]

# (d) A background honk run --approve=ask --wait is answered from another
# terminal through honk attach --json: the proposal, then (a new wait, said
# once more) the commit; the background run then ends with status 0, the
# change committed on honk/ID.
R=$T/e; new_repo "$R"
start_replay "$SCENARIO"
rm -f "$T/err" # truncated now, not when the background job gets to it
(cd "$R" && timeout 60 "$HONK" run --approve=ask --wait --base-url "$URL" "change f" > "$T/out" 2> "$T/err"
 echo $? > "$T/rc") &
bg=$!
until_file "$T/err" "$WAITS"
id=$(session_of "$T/err")
echo '{"command":"answer","wait":"proposal","id":"p1","approve":true}' |
    (cd "$R" && timeout 30 "$HONK" attach --json "$id" > "$T/attach1" 2> "$T/attach1.err")
check attach_answers_proposal [ $? -eq 0 ]
check attached_answer_goes_on until_file "$T/err" \
    "honk: session $id waits for approval to commit; answer it from another terminal: honk attach $id"
check attached_run_still_waits [ ! -e "$T/rc" ]
echo '{"command":"answer","wait":"commit","approve":true}' |
    (cd "$R" && timeout 30 "$HONK" attach --json "$id" > "$T/attach2" 2> "$T/attach2.err")
check attach_answers_commit [ $? -eq 0 ]
wait $bg
check attached_run_exit_0 [ "$(cat "$T/rc")" = 0 ]
check attached_run_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "Make f say b" ]
check attached_run_said_each_wait_once sh -c "[ \$(grep -c 'answer it from another terminal' '$T/err') = 2 ]"

# SIGTERM while it waits cancels the session, as it does any honk run.
R=$T/f; new_repo "$R"
start_replay "$SCENARIO"
# a file of its own: the shell truncates a reused one only once the
# background job runs, and the last case's text would be taken for this one's
(cd "$R" && exec timeout 60 "$HONK" run --approve=ask --wait --base-url "$URL" "change f" > "$T/out" 2> "$T/err_term") &
bg=$!
until_file "$T/err_term" "$WAITS"
# to honk itself, not through timeout, which passes it to its whole group
kill -TERM $(pgrep -P $bg)
wait $bg
check wait_sigterm_exit_130 [ $? -eq 130 ]
check wait_sigterm_cancels sh -c "grep '\"kind\":\"state\"' '$R'/.git/honk/sessions/*.jsonl | tail -n 1 | grep -q '\"state\":\"cancelled\"'"

# honk run --help names the options.
"$HONK" run --help > "$T/help"
check help_names_wait sh -c "grep -q -- '--wait  ' '$T/help' && grep -q -- '--wait-timeout SECONDS' '$T/help'"
stop_replay
