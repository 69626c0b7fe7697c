# honk serve's per-task limits (honk.serve.task.*), with honk-replay as the
# model: a task working past maxSeconds, or past maxTokens, is stopped and
# fails with a sentence (journal, log, JSON API) and honk resume goes on
# from where it was; maxIterations reaches the task's process, which fails
# at it. Waits are bounded polls; nothing started here outlives the test.
. "$HONK_TOP/tests/lib.sh"
. "$HONK_TOP/tests/serve_lib.sh"
export ANTHROPIC_API_KEY=sk-serve-1
TOKEN=tok-serve-1
SERVE_PID=

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
     git add -A && git commit -qm "calc" && git config honk.test "sh test.sh")
}
EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add\n```\n"]}'

start_serve() { # start_serve DIR : honk serve in DIR on a free port; sets SERVE_PID and PORT
    : > "$T/serve.log"
    (cd "$1" && HONK_SERVE_TOKEN=$TOKEN exec "$HONK" serve --listen 127.0.0.1:0 2>> "$T/serve.log") &
    SERVE_PID=$!
    serve_listening 0
}
trap 'stop_serve; [ -n "$KEEP" ] && cp -r "$T" /tmp/limits-kept; cleanup' EXIT

api() { # api METHOD PATH [BODY] : the status; the answer in $T/resp
    curl -s -m 10 -o "$T/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" ${3:+--data-binary "$3"} \
        "http://127.0.0.1:$PORT$2"
}
task_state() { api GET "/v1/tasks/$1" > /dev/null; sed -n 's/^{"id":"[0-9a-f]*","state":"\([a-z_]*\)".*/\1/p' "$T/resp"; }
until_state() { # until_state ID STATE : polls (at most ~30 s) for the task's state
    i=0
    while [ $i -lt 600 ]; do
        [ "$(task_state "$1")" = "$2" ] && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
# run_task DIR TASK : serve takes TASK in DIR; its id in $id
run_task() {
    start_serve "$1" || exit 1
    api POST /v1/tasks "{\"task\":\"$2\"}" > /dev/null
    id=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
}

# --- wall time: a model that stalls past maxSeconds ---------------------------------
R=$T/time; new_repo "$R"
start_replay "{\"turns\":[{\"stall_ms\":6000,\"text\":[\"late\"]},$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
git -C "$R" config honk.serve.task.maxSeconds 2
run_task "$R" "fix add"
said="ran past honk.serve.task.maxSeconds (2 s): stopped, resumable: honk resume $id"
if until_state "$id" failed; then ok time_limit_fails_task
else fail time_limit_fails_task "state $(task_state "$id"): $(tail -n 4 "$T/serve.log")"; fi
check time_limit_api_says_why grep -qF "\"error\":\"$said\"" "$T/resp"
check time_limit_log_says_why grep -qF "task $id failed: $said" "$T/serve.log"
check time_limit_journalled grep -qF "\"id\":\"$id\",\"state\":\"failed\"" "$R/.git/honk/serve/queue.jsonl"
check time_limit_journal_says_why grep -qF "$said" "$R/.git/honk/serve/queue.jsonl"
stop_serve
check time_limit_not_resumed_by_serve sh -c "! grep -q '\"id\":\"$id\",\"state\":\"failed\",\"resume\":true' '$R/.git/honk/serve/queue.jsonl'"
(cd "$R" && timeout 30 "$HONK" resume "$id" --approve=edits --no-wait < /dev/null > "$T/resume.out" 2> "$T/resume.err")
rc=$?
check time_limit_resumable sh -c "[ $rc -eq 3 ] && grep -qF '\$1 + \$2' '$R/.git/honk/worktrees/$id/calc.sh'" 
stop_replay

# --- tokens: a session past maxTokens, from Slack: its final message says why ----
sign() { # sign TS BODY : X-Slack-Signature as Slack computes it
    printf 'v0=%s' "$(printf 'v0:%s:%s' "$1" "$2" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)"
}
SECRET=shh-signing-secret-1
R=$T/tokens; new_repo "$R"
git -C "$R" config honk.serve.slack.allow U0ALLOWED
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
git -C "$R" config honk.serve.task.maxTokens 10
: > "$T/slack.jsonl"
"$HONK_BUILD/tests/fake-slack" --record "$T/slack.jsonl" --token xoxb-test-1 > "$T/fakeslack.out" 2>&1 &
FAKE_PID=$!
until_file "$T/fakeslack.out" 'http://'
git -C "$R" config honk.serve.slack.apiUrl "$(head -n 1 "$T/fakeslack.out")"
SLACK_BOT_TOKEN=xoxb-test-1 SLACK_SIGNING_SECRET=$SECRET start_serve "$R" || exit 1
body='token=x&team_id=T0001&channel_id=C2147483705&user_id=U0ALLOWED&command=%2Fhonk&text=fix+add&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2'
ts=$(date +%s)
printf '%s' "$body" > "$T/body"
curl -s -m 10 -o "$T/resp" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $(sign "$ts" "$body")" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$T/body" "http://127.0.0.1:$PORT/slack/commands"
id=$(sed -n 's/.*[Tt]ask \([0-9a-f]\{8\}\).*/\1/p' "$T/resp")
said="past honk.serve.task.maxTokens (10): stopped, resumable: honk resume $id"
if until_state "$id" failed; then ok token_limit_fails_task
else fail token_limit_fails_task "state $(task_state "$id"): $(tail -n 4 "$T/serve.log")"; fi
check token_limit_says_why grep -qF "$said" "$T/resp"
until_file "$T/slack.jsonl" "$said"
check token_limit_told_in_slack sh -c "grep -F '\"method\":\"chat.postMessage\"' '$T/slack.jsonl' | grep -F 'Task $id failed: spent ' | grep -qF '$said'"
stop_serve
stop_replay
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null

# --- iterations: honk.serve.task.maxIterations reaches the task's process -------------
R=$T/iter; new_repo "$R"
git -C "$R" config honk.test "exit 1"
git -C "$R" config honk.maxIterations 5
git -C "$R" config honk.serve.task.maxIterations 1
start_replay "{\"turns\":[$EDIT,$EDIT,$EDIT,$EDIT,$EDIT,$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
run_task "$R" "fix add"
if until_state "$id" failed; then ok iteration_limit_fails_task
else fail iteration_limit_fails_task "state $(task_state "$id"): $(tail -n 4 "$T/serve.log")"; fi
check iteration_limit_is_serves grep -q 'the tests still fail after 1 iterations' "$R/.git/honk/sessions/$id.jsonl"
stop_serve
stop_replay

"$HONK" run --help > "$T/out"
check help_run_max_iterations grep -q -- '--max-iterations N' "$T/out"
