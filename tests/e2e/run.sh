# honk run / resume / log / show end to end: a fresh repository per case,
# honk-replay playing the model, real tests in a pty, real commits.
. "$HONK_TOP/tests/lib.sh"
KEY=sk-run-secret-7777
export ANTHROPIC_API_KEY=$KEY

# new_repo DIR : a tiny shell project whose test fails until add() adds.
new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh")
}

# checkout_hash DIR : every tracked and untracked file, the index and HEAD
checkout_hash() {
    (cd "$1" && { git ls-files -co --exclude-standard -z | xargs -0 sha1sum; sha1sum .git/index; git rev-parse HEAD; git symbolic-ref HEAD; } | sha1sum)
}

EDIT_WRONG='{"text":["The sign is wrong."],"tool_calls":[{"id":"t2","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 * $2"}}]}'
EDIT_RIGHT='{"text":["It must be a plus."],"tool_calls":[{"id":"t3","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 * $2","new_string":"$1 + $2"}}]}'
READ='{"text":["Let me look."],"tool_calls":[{"id":"t1","name":"read_file","input":{"path":"calc.sh"}}]}'
EDIT_RIGHT_DIRECT='{"tool_calls":[{"id":"t4","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add() to add\n\nIt subtracted.\n```\n"]}'

# 1. read, edit, red tests, fix, green tests, commit and land: headless, --approve=all.
R=$T/r1; new_repo "$R"
start_replay "{\"turns\":[$READ,$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
check run_all_exit_0 [ $rc -eq 0 ]
check run_all_red_then_green sh -c "grep -q 'tests failed, exit 1' '$T/err' && grep -q 'tests passed' '$T/err'"
check run_all_commit_landed [ "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
check run_all_trailer sh -c "git -C '$R' log -1 --format=%B main | grep -q '^Honk-Session: '"
check run_all_file_fixed grep -qF '$1 + $2' "$R/calc.sh"
check run_all_proposal_said_pending sh -c "grep -q '^    calc.sh: hunk 1 pending$' '$T/err' && ! grep -q 'hunk 1 applied' '$T/err'"
check run_all_failure_reached_model contains "$T/record.jsonl" 'FAIL add: got 6'
check run_all_read_result_reached_model contains "$T/record.jsonl" '1\tadd() { echo $(($1 - $2)); }'
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R" && "$HONK" log) > "$T/log"
check log_lists_session sh -c "grep -q '^$id  *done .*honk/$id  *fix add' '$T/log'"
(cd "$R" && "$HONK" show "$id") > "$T/show"
check show_prints_transcript sh -c "grep -q 'It must be a plus.' '$T/show' && grep -q 'approve p2' '$T/show'"
check key_never_in_journal sh -c "! grep -rqF '$KEY' '$R/.git/honk'"

# 2. --approve=ask stops at the first proposal with status 3; resume --accept finishes.
R=$T/r2; new_repo "$R"
before=$(checkout_hash "$R")
start_replay "{\"turns\":[$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=ask --json --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
check ask_exit_3 [ $rc -eq 3 ]
check ask_json_events sh -c "grep -q '^{\"kind\":\"proposal\"' '$T/out' && grep -q '\"state\":\"awaiting_approval\"' '$T/out'"
check ask_says_how_to_resume grep -q 'honk resume [0-9a-f]* --accept' "$T/err"
check ask_checkout_untouched [ "$(checkout_hash "$R")" = "$before" ]
id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
(cd "$R" && "$HONK" resume "$id" --accept --base-url "$URL" > "$T/out2" 2> "$T/err2")
rc=$?
check resume_accept_waits_again [ $rc -eq 3 ]
(cd "$R" && "$HONK" resume "$id" --approve=all --base-url "$URL" > "$T/out3" 2> "$T/err3")
rc=$?
check resume_finishes [ $rc -eq 0 ]
check resume_landed [ "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]

# 3. A rejection's reason reaches the model as the tool result.
R=$T/r3; new_repo "$R"
start_replay "{\"turns\":[$EDIT_WRONG,{\"text\":[\"I see.\"]}]}"
(cd "$R" && "$HONK" run --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
(cd "$R" && "$HONK" resume "$id" --reject "multiplying is not adding" --base-url "$URL" > /dev/null 2> "$T/err2")
check reject_reason_reaches_model contains "$T/record.jsonl" 'was rejected: multiplying is not adding'
check reject_restores_file grep -qF '$1 - $2' "$R/.git/honk/worktrees/$id/calc.sh"

# 3b. honk stopped between a decision's effect on the files and the
# proposal's new state in the journal: resume takes the journalled decision
# rather than refusing the proposal as changed.
J=$R/.git/honk/sessions/$id.jsonl
line=$(grep -n '"kind":"decision"' "$J" | head -n 1 | cut -d: -f1)
head -n "$line" "$J" > "$T/cut.jsonl" && cp "$T/cut.jsonl" "$J"
stop_replay
start_replay "{\"turns\":[{\"text\":[\"I see.\"]}]}"
(cd "$R" && "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err3")
check late_decision_not_refused sh -c "! grep -q 'changed since' '$T/err3'"
check late_decision_reason_resent contains "$T/record.jsonl" 'was rejected: multiplying is not adding'
check late_decision_file_as_decided grep -qF '$1 - $2' "$R/.git/honk/worktrees/$id/calc.sh"

# 3c. --approve=all and a hunk header with text for numbers ("@@ @@ heading"
#     copied from git, naming a function the file lacks): the hunk is rejected
#     with its reason to the model, never put at line 1 and committed.
R=$T/r3c; new_repo "$R"
BAD_PATCH='--- a/calc.sh\n+++ b/calc.sh\n@@ @@ sub() {\n-add() { echo $(($1 - $2)); }\n+add() { echo $(($1 + $2)); }\n'
start_replay "{\"turns\":[{\"tool_calls\":[{\"id\":\"b\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$BAD_PATCH\"}}]},$EDIT_RIGHT_DIRECT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
check heading_hunk_rejected_to_model contains "$T/record.jsonl" "heading 'sub() {' is not a line of the file"
check heading_hunk_never_at_top sh -c "[ \"\$(git -C '$R' show main:calc.sh)\" = 'add() { echo \$((\$1 + \$2)); }' ]"

# 4. Deploy stages run in order and stop at the first failing one; the commit stays.
R=$T/r4; new_repo "$R"
git -C "$R" config honk.deploy.stages "build publish notify"
git -C "$R" config honk.deploy.build.command "echo built >> ../deploy.log"
git -C "$R" config honk.deploy.publish.command "echo publish >> ../deploy.log; exit 4"
git -C "$R" config honk.deploy.notify.command "echo notified >> ../deploy.log"
start_replay "{\"turns\":[$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=all --deploy --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
rc=$?
check deploy_fail_exit_1 [ $rc -eq 1 ]
check deploy_order sh -c "[ \"\$(cat '$R/.git/honk/worktrees/deploy.log')\" = \"\$(printf 'built\npublish')\" ]"
check deploy_skipped_rest grep -q 'deploy stage notify: skipped' "$T/err"
check deploy_keeps_commit sh -c "grep -q 'the deploy failed; the commit' '$T/err' && git -C '$R' log -1 --format=%s main | grep -q 'Fix add'"

# 5. honk killed with SIGKILL mid-session; honk resume completes it. The
#    engineer's checkout (dirty, so landing leaves it alone) never changes.
R=$T/r5; new_repo "$R"
echo "my notes" > "$R/NOTES.txt"
git -C "$R" config honk.test "sleep 2; sh test.sh"
before=$(checkout_hash "$R")
start_replay "{\"turns\":[$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
(cd "$R" && exec "$HONK" run --approve=all --base-url "$URL" "fix add" > /dev/null 2> "$T/err") &
pid=$!
i=0
while ! grep -q 'running sleep' "$T/err" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid; wait $pid 2>/dev/null
check kill_checkout_unchanged [ "$(checkout_hash "$R")" = "$before" ]
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R" && "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err2")
rc=$?
check kill_resume_completes [ $rc -eq 0 ]
check kill_resume_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "Fix add() to add" ]
check kill_checkout_still_unchanged [ "$(checkout_hash "$R")" = "$before" ]
check kill_land_says_what_to_run grep -q "git merge --ff-only honk/$id" "$T/err2"
check dirty_checkout_is_mentioned grep -q "Your checkout has uncommitted changes (1 untracked)" "$T/err"

# 5b. The model server is down: the run fails clearly; resume asks the same turn again.
R=$T/r5b; new_repo "$R"
start_replay '{"turns":[{"status":503,"message":"down"}]}'
(cd "$R" && "$HONK" run --retries 1 --approve=all --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
rc=$?
check model_down_exit_1 [ $rc -eq 1 ]
check model_down_says_why grep -q 'honk: error: the model server answered HTTP 503: api_error: down' "$T/err"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
start_replay "{\"turns\":[$EDIT_RIGHT_DIRECT,$FINISH]}"
(cd "$R" && "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err2")
check model_back_resume_finishes [ $? -eq 0 ]

# 6. A model that reaches outside the worktree gets tool errors; nothing outside changes.
R=$T/r6; new_repo "$R"
echo secret > "$T/outside.txt"
start_replay '{"turns":[{"tool_calls":[
  {"id":"a","name":"read_file","input":{"path":"../../../../outside.txt"}},
  {"id":"b","name":"write_file","input":{"path":"/tmp/honk-escape-test","content":"x"}},
  {"id":"c","name":"edit_file","input":{"path":".git/config","old_string":"[core]","new_string":"[core]\n\thooksPath = /tmp"}},
  {"id":"d","name":"apply_patch","input":{"patch":"--- a/../../x\n+++ b/../../x\n@@ -0,0 +1 @@\n+pwned\n"}},
  {"id":"e","name":"read_file","input":{"path":"/etc/passwd"}}]},
  {"text":["I cannot."]}]}'
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "escape" > /dev/null 2> "$T/err")
check escape_read_refused contains "$T/record.jsonl" "is outside the worktree"
check escape_no_write [ ! -e /tmp/honk-escape-test ]
check escape_git_refused sh -c "! grep -q hooksPath '$R/.git/config'"
check escape_five_errors [ "$(grep -c '     error:' "$T/err")" -eq 5 ]
check escape_outside_intact [ "$(cat "$T/outside.txt")" = secret ]

# 7. The backend leaks nothing: a whole run with a deploy, and a resume, under valgrind.
if [ "${SANITIZE:-}" != 1 ] && command -v valgrind >/dev/null; then
    VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
    R=$T/r7; new_repo "$R"
    git -C "$R" config honk.deploy.stages "build"
    git -C "$R" config honk.deploy.build.command "true"
    start_replay "{\"turns\":[$READ,$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
    (cd "$R" && $VG "$HONK" run --approve=all --deploy --base-url "$URL" "fix add" > /dev/null 2> "$T/vg")
    check valgrind_run_clean [ $? -eq 0 ]
    R=$T/r8; new_repo "$R"
    start_replay "{\"turns\":[$EDIT_WRONG,{\"text\":[\"Done.\"]},$EDIT_RIGHT,$FINISH]}"
    (cd "$R" && "$HONK" run --base-url "$URL" "fix add" > /dev/null 2> "$T/err")
    id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
    (cd "$R" && $VG "$HONK" resume "$id" --approve=all --base-url "$URL" > /dev/null 2> "$T/vg2")
    check valgrind_resume_clean [ $? -eq 0 ]
fi

check key_in_no_honk_file sh -c "! grep -rqF '$KEY' '$T'/r*/.git/honk"
stop_replay
