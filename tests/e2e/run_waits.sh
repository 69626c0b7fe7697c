# honk run and resume headless, decided from what the session waits for
# (the state event's waiting kind), and answered through the session's one
# command path: a review that waits for the commit ends the run resumable
# (it used to wait forever), --accept commits it, and an answer that does
# not apply is said in one line and changes nothing.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-waits-1234

R=$T/r; mkdir -p "$R"
(cd "$R" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 echo a > f && git add -A && git commit -qm one)
start_replay '{"turns":[{"tool_calls":[{"id":"t1","name":"write_file","input":{"path":"f","content":"b\n"}}]},
 {"text":["Done.\n```commit\nMake f say b\n```\n"]}]}'

# 1. --approve=edits: the edit passes, the commit waits; nobody can approve it here.
(cd "$R" && timeout 60 "$HONK" run --approve=edits --base-url "$URL" "change f" > "$T/out" 2> "$T/err")
rc=$?
check run_review_waits_exit_3 [ $rc -eq 3 ]
check run_review_says_what_waits contains "$T/err" "waits for approval to commit, which nobody can give here"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")

# 2. --reject on a commit: refused in one line; the session still waits for it.
(cd "$R" && timeout 60 "$HONK" resume "$id" --reject "not yet" --base-url "$URL" > "$T/out2" 2> "$T/err2")
rc=$?
check resume_reject_commit_exit_3 [ $rc -eq 3 ]
check resume_reject_commit_refused contains "$T/err2" \
    "honk: Not answered: a commit is not declined; send a message to change the work, or cancel the session."
check resume_reject_commit_nothing_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = one ]

# 3. --accept commits it and the run ends done.
(cd "$R" && timeout 60 "$HONK" resume "$id" --accept --base-url "$URL" > "$T/out3" 2> "$T/err3")
rc=$?
check resume_accept_commit_exit_0 [ $rc -eq 0 ]
check resume_accept_commit_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "Make f say b" ]

# 4. The journal's state events carry the waiting kind, and honk show reads them.
J=$(ls "$R"/.git/honk/sessions/*.jsonl)
check journal_state_has_waiting_kind contains "$J" '"waiting":{"kind":"commit","message":"Make f say b"}'
(cd "$R" && "$HONK" show "$id" > "$T/show" 2>&1)
check show_says_ready_for_review contains "$T/show" "honk: ready for review"
