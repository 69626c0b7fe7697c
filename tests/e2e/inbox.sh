# honk inbox --json: every session of the repository, what needs a person
# first: one stopped at a proposal (needs you: proposal), one ready for
# review with its diffstat and green tests, one queued by honk queue (who
# asked); a finished one last. Nothing in the repository changes by reading.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-inbox-1234

R=$T/r
mkdir -p "$R" && (cd "$R" && git init -q -b main && git config user.name Tester &&
    git config user.email t@example.com && echo a > f && printf 'grep -q b f\n' > test.sh &&
    git add -A && git commit -qm one && git config honk.test "sh test.sh")
EDIT='{"tool_calls":[{"id":"t1","name":"write_file","input":{"path":"f","content":"b\n"}}]}'
FINISH='{"text":["Done.\n```commit\nMake f say b\n```\n"]}'
SCENARIO="{\"turns\":[$EDIT,$FINISH]}"
session_of() { sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$1"; }
inbox() { (cd "$R" && "$HONK" inbox --json) > "$T/inbox.json" 2> "$T/inbox.err"; }
# field N EXPR : jq-less reading of item N's member by python
field() { python3 -c "import json,sys; l=json.load(open('$T/inbox.json')); print(eval(sys.argv[1], {'l': l}))" "$1"; }

inbox
check inbox_empty_is_list [ "$(cat "$T/inbox.json")" = "[]" ]

start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=edits --base-url "$URL" "make f say b" > /dev/null 2> "$T/err1")
review=$(session_of "$T/err1")
start_replay "$SCENARIO"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --base-url "$URL" "change f again" > /dev/null 2> "$T/err2")
ask=$(session_of "$T/err2")
(cd "$R" && USER=alice "$HONK" queue "later task" > "$T/queued" 2> /dev/null)
queued=$(cat "$T/queued")
head_before=$(git -C "$R" rev-parse HEAD)

inbox
check inbox_json_exit [ $? -eq 0 ]
check inbox_lists_three [ "$(field 'len(l)')" = 3 ]
check inbox_needs_you_first [ "$(field 'l[0]["id"], l[0]["kind"], l[0]["needs"]')" = "('$ask', 'needs_you', 'proposal')" ]
check inbox_review_second [ "$(field 'l[1]["id"], l[1]["kind"], l[1]["state"]')" = "('$review', 'review', 'review')" ]
check inbox_review_diffstat [ "$(field 'l[1]["diff"]')" = "{'files': 1, 'added': 1, 'deleted': 1}" ]
check inbox_review_tests [ "$(field 'l[1]["tests"]')" = "{'command': 'sh test.sh', 'passed': True}" ]
check inbox_review_task [ "$(field 'l[1]["task"], l[1]["from"]["kind"]')" = "('make f say b', 'honk')" ]
check inbox_queued_last [ "$(field 'l[2]["id"], l[2]["kind"], l[2]["from"]["kind"]')" = "('$queued', 'queued', 'queue')" ]
check inbox_queued_who [ -n "$(field 'l[2]["from"]["user"] or ""')" ]
check inbox_not_running [ "$(field '[i["running"] for i in l]')" = "[False, False, False]" ]
check inbox_age [ "$(field 'all(0 <= i["age_s"] < 600 for i in l)')" = True ]
check inbox_reads_only [ "$(git -C "$R" rev-parse HEAD)" = "$head_before" ]
grep -q . "$T/inbox.err" && fail inbox_quiet "$(cat "$T/inbox.err")" || ok inbox_quiet
check inbox_nothing_undelivered [ "$(field '[i["undelivered"] for i in l]')" = "[0, 0, 0]" ]

# What serve could not deliver about a task (it keeps it for its next start)
# is counted on that task.
printf '{"key":"%s","method":"chat.postMessage","body":"{}"}\n' "$review" > "$R/.git/honk/serve/undelivered.jsonl"
inbox
check inbox_undelivered_counted [ "$(field '[(i["id"], i["undelivered"]) for i in l if i["undelivered"]]')" = "[('$review', 1)]" ]
stop_replay
