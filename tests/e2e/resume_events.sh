# What a resumed session emits to its front end (and journals) equals what
# the uninterrupted one did: `honk resume ID --json` of a session waiting
# on a proposal prints the same events `honk run --json` printed (times
# masked), and journals nothing new.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-events-1

R=$T/r; mkdir -p "$R"
(cd "$R" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 printf 'add() { echo $(($1 - $2)); }\n' > calc.sh && printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || { echo "FAIL add"; exit 1; }\n' > test.sh &&
 git add -A && git commit -qm calc && git config honk.test "sh test.sh")
TESTS='{"text":["Run them."],"tool_calls":[{"id":"t1","name":"run_tests","input":{}}]}'
EDIT='{"text":["Plus."],"tool_calls":[{"id":"t2","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
start_replay "{\"turns\":[$TESTS,$EDIT]}"
(cd "$R" && "$HONK" run --json --base-url "$URL" "fix add" > "$T/run.jsonl" 2> "$T/err")
check events_run_waits [ $? -eq 3 ]
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
J=$R/.git/honk/sessions/$id.jsonl
lines=$(wc -l < "$J")
(cd "$R" && "$HONK" resume "$id" --json --base-url "$URL" > "$T/resume.jsonl" 2> "$T/err2")
check events_resume_waits [ $? -eq 3 ]
mask() { sed 's/"time":[0-9]*/"time":T/' "$1"; }
mask "$T/run.jsonl" > "$T/a"; mask "$T/resume.jsonl" > "$T/b"
check events_resume_same_as_run diff -u "$T/a" "$T/b"
check events_resume_journals_nothing [ "$(wc -l < "$J")" -eq "$lines" ]
check events_one_waiting_state [ "$(grep -c '"state":"awaiting_approval"' "$T/resume.jsonl")" -eq 1 ]

# The same for a command waiting for approval; --accept then runs it.
R2=$T/r2; mkdir -p "$R2"
(cd "$R2" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 echo hi > README && git add -A && git commit -qm init)
CMD=$(printf '{"text":["Count."],"tool_calls":[{"id":"c1","name":"run_command","input":{"command":"echo counted >> %s/count.log"}}]}' "$T")
start_replay "{\"turns\":[$CMD,{\"text\":[\"Done.\"]}]}"
(cd "$R2" && "$HONK" run --json --base-url "$URL" "count" > "$T/run2.jsonl" 2> "$T/err")
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R2" && "$HONK" resume "$id" --json --base-url "$URL" > "$T/resume2.jsonl" 2> /dev/null)
mask "$T/run2.jsonl" > "$T/a"; mask "$T/resume2.jsonl" > "$T/b"
check events_command_resume_same_as_run diff -u "$T/a" "$T/b"
(cd "$R2" && "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> /dev/null)
check events_command_accept_runs_once [ "$(grep -c counted "$T/count.log")" -eq 1 ]
stop_replay
