# honk serve with honk.serve.executor=command: the template runs the task in
# a clone of its own (standing for another machine) through a shell script,
# with honk run --push; serve follows it through what it pushes to the
# shared bare remote. Its state reaches the queue, the JSON API and the fake
# Slack as a local task's does; a command that fails at once, and one that
# never pushes, end as failed with a sentence. Waits are bounded polls.
. "$HONK_TOP/tests/lib.sh"
. "$HONK_TOP/tests/serve_lib.sh"
export ANTHROPIC_API_KEY=sk-exec-1
TOKEN=tok-exec-1
SERVE_PID=
FAKE_PID=

start_serve() {
    dir=$1; shift
    : >> "$T/serve.log"
    mark=$(wc -l < "$T/serve.log")
    (cd "$dir" && SLACK_SIGNING_SECRET=shh-exec HONK_SERVE_TOKEN=$TOKEN SLACK_BOT_TOKEN=xoxb-exec-1 \
        exec "$HONK" serve --listen 127.0.0.1:0 "$@" 2>> "$T/serve.log") &
    SERVE_PID=$!
    serve_listening "$mark"
}
trap 'stop_serve; [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; [ -n "$KEEP" ] && cp -r "$T" /tmp/serve-exec-kept; cleanup' EXIT

api() { # api METHOD PATH [BODY] : the status; the answer in $T/resp
    if [ -n "$3" ]; then
        curl -s -m 10 -o "$T/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" --data-binary "$3" "http://127.0.0.1:$PORT$2"
    else
        curl -s -m 10 -o "$T/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$2"
    fi
}
post_task() { api POST /v1/tasks "{\"task\":\"$1\"}" > /dev/null; sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp"; }
task_state() { api GET "/v1/tasks/$1" > /dev/null; sed -n 's/^{"id":"[0-9a-f]*","state":"\([a-z_]*\)".*/\1/p' "$T/resp"; }
until_state() { # until_state ID STATE : polls (at most ~60 s)
    i=0
    while [ $i -lt 600 ]; do
        [ "$(task_state "$1")" = "$2" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
sign() { printf 'v0=%s' "$(printf 'v0:%s:%s' "$1" "$2" | openssl dgst -sha256 -hmac shh-exec -r | cut -d' ' -f1)"; }
slash() { # slash TEXT : a signed slash command from an allowed user; the task's id on stdout
    body="token=x&team_id=T0001&channel_id=C2147483705&user_id=U0ALLOWED&command=%2Fhonk&text=$1"
    ts=$(date +%s)
    curl -s -m 10 -o "$T/resp" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $(sign "$ts" "$body")" \
        -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$body" "http://127.0.0.1:$PORT/slack/commands" > /dev/null
    sed -n 's/.*[Tt]ask \([0-9a-f]\{8\}\).*/\1/p' "$T/resp"
}
told() { grep -F -- "$1" "$T/slack.jsonl" | grep -qF -- "$2"; }

# A bare remote and serve's clone A.
git init -q --bare -b main "$T/remote.git"
mkdir -p "$T/seed"
(cd "$T/seed" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
 printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
 git add -A && git commit -qm "calc" && git push -q "$T/remote.git" main)
A=$T/a
git clone -q "$T/remote.git" "$A"
git -C "$A" config user.name Alice; git -C "$A" config user.email a@example.com
git -C "$A" config honk.serve.slack.allow U0ALLOWED
git -C "$A" config honk.serve.executor command
git -C "$A" config honk.serve.executor.poll 0.2

# The executor: another "machine" is a fresh clone of HONK_REPO_URL.
export WORKERS=$T/workers HONK
mkdir -p "$WORKERS"
cat > "$T/exec.sh" <<'SH'
set -e
dir=$WORKERS/$HONK_TASK_ID
env > "$dir.env"
git clone -q "$HONK_REPO_URL" "$dir"
cd "$dir"
git config user.name Worker; git config user.email w@example.com; git config honk.test "sh test.sh"
git config honk.baseUrl "$WORKER_MODEL_URL"
"$HONK" run --push "$HONK_PUSH_REMOTE" --id "$HONK_TASK_ID" --base "$HONK_BASE" --approve="$HONK_APPROVE" \
    -- "$HONK_TASK" > "$dir.out" 2> "$dir.err" || echo "honk run ended with $?" >&2
SH
git -C "$A" config honk.serve.executor.command "sh '$T/exec.sh'"

EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"stall_ms":2000,"text":["Fixed.\n```commit\nFix add\n```\n"]}'
start_replay "{\"turns\":[$EDIT,$FINISH]}"
export WORKER_MODEL_URL=$URL
: > "$T/slack.jsonl"
"$HONK_BUILD/tests/fake-slack" --record "$T/slack.jsonl" --token xoxb-exec-1 > "$T/fakeslack.out" 2>&1 &
FAKE_PID=$!
until_file "$T/fakeslack.out" 'http://'
git -C "$A" config honk.serve.slack.apiUrl "$(head -n 1 "$T/fakeslack.out")"
git -C "$A" config honk.serve.executor.deadline 120

# --- a task run by the command reaches review, as a local one does -------------
start_serve "$A" || exit 1
id=$(slash 'fix+the+add+function')
check exec_task_accepted [ -n "$id" ]
if until_state "$id" review; then ok exec_task_reaches_review
else fail exec_task_reaches_review "state $(task_state "$id"): $(tail -n 5 "$T/serve.log"; cat "$WORKERS/$id.err")"; fi
check exec_task_waits_for_commit grep -q '"waiting":{"kind":"commit"' "$T/resp"
check exec_ran_in_other_clone grep -qF '$1 + $2' "$WORKERS/$id/.git/honk/worktrees/$id/calc.sh"
check exec_no_local_worktree [ ! -d "$A/.git/honk/worktrees/$id" ]
check exec_env_has_task sh -c "grep -qx 'HONK_TASK=fix the add function' '$WORKERS/$id.env' && grep -qx 'HONK_TASK_ID=$id' '$WORKERS/$id.env' &&
    grep -qx 'HONK_BASE=$(git -C "$A" rev-parse HEAD)' '$WORKERS/$id.env' && grep -qx 'HONK_REPO_URL=$T/remote.git' '$WORKERS/$id.env' &&
    grep -qx 'HONK_PUSH_REMOTE=origin' '$WORKERS/$id.env'"
check exec_env_has_no_serve_secret sh -c "! grep -qE 'shh-exec|$TOKEN|xoxb-exec-1' '$WORKERS/$id.env'"
check exec_queue_journalled sh -c "grep '\"id\":\"$id\"' '$A/.git/honk/serve/queue.jsonl' | tail -n 1 | grep -q '\"state\":\"review\"'"
check exec_states_followed sh -c "grep -q 'task $id thinking' '$T/serve.log' && grep -q 'task $id review' '$T/serve.log'"
(cd "$A" && "$HONK" log) > "$T/log.out" 2>&1
check exec_session_in_serves_log grep -q "^$id .*review" "$T/log.out"
until_file "$T/slack.jsonl" "Task $id is ready for review"
check exec_told_status told '"method":"chat.postMessage"' ":hourglass: Queued as task $id"
check exec_told_waits told '"method":"chat.update"' "Task $id waits for a person: approval to commit (ready for review)"
check exec_told_final told '"method":"chat.postMessage"' "Task $id is ready for review on branch \`honk/$id\`. 1 file changed, +1 -1 (calc.sh +1 -1). Tests: \`sh test.sh\` passed. It ran elsewhere: \`honk fetch origin\`, then \`honk resume $id\` reviews it."
stop_serve
stop_replay

# --- a command that fails at once (the engine is missing) -----------------------
git -C "$A" config honk.serve.executor.command 'echo "kubectl: command not found" >&2; exit 127'
start_serve "$A" || exit 1
id=$(slash 'fix+add')
if until_state "$id" failed; then ok exec_exit_at_once_fails
else fail exec_exit_at_once_fails "state $(task_state "$id"): $(tail -n 5 "$T/serve.log")"; fi
check exec_exit_at_once_says_why grep -qF "its executor's command (honk.serve.executor.command) exited with status 127 before the session pushed anything to origin: kubectl: command not found" "$T/resp"
until_file "$T/slack.jsonl" "Task $id failed"
check exec_exit_at_once_told told '"method":"chat.postMessage"' "Task $id failed: its executor's command (honk.serve.executor.command) exited with status 127 before the session pushed anything to origin: kubectl: command not found\""
stop_serve

# --- commands that never push: one exits 0 (a job queued that never runs), one
# hangs; both fail at the deadline, and the hanging one is stopped -------------
git -C "$A" config honk.serve.executor.deadline 1.5
git -C "$A" config honk.serve.executor.command 'exit 0'
start_serve "$A" || exit 1
id=$(post_task "fix add")
if until_state "$id" failed; then ok exec_never_pushes_fails
else fail exec_never_pushes_fails "state $(task_state "$id"): $(tail -n 5 "$T/serve.log")"; fi
check exec_never_pushes_says_why grep -qF "its executor pushed nothing to origin within 1.5 s (honk.serve.executor.deadline), and its command has ended" "$T/resp"
stop_serve
git -C "$A" config honk.serve.executor.command "sleep 30 & echo \$! > '$T/hang.pid'; wait"
start_serve "$A" || exit 1
id=$(post_task "fix add")
if until_state "$id" failed; then ok exec_hangs_fails
else fail exec_hangs_fails "state $(task_state "$id"): $(tail -n 5 "$T/serve.log")"; fi
check exec_hangs_says_why grep -qF "its executor pushed nothing to origin within 1.5 s (honk.serve.executor.deadline); its command was stopped" "$T/resp"
i=0; while [ $i -lt 100 ] && kill -0 "$(cat "$T/hang.pid")" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
check exec_hangs_command_stopped sh -c "! kill -0 $(cat "$T/hang.pid") 2>/dev/null"
stop_serve

# --- serve stops while it follows a task: the next serve follows it again,
# without starting its command twice -----------------------------------------
git -C "$A" config honk.serve.executor.deadline 3
git -C "$A" config honk.serve.executor.command "echo started >> '$T/started'"
start_serve "$A" || exit 1
id=$(post_task "fix add")
until_file "$T/serve.log" "task $id: its executor's command ended with status 0"
stop_serve
check exec_stop_lets_go grep -q "task $id stopped with honk serve; the next honk serve follows it through origin again" "$T/serve.log"
start_serve "$A" || exit 1
if until_state "$id" failed; then ok exec_followed_again_after_restart
else fail exec_followed_again_after_restart "state $(task_state "$id"): $(tail -n 5 "$T/serve.log")"; fi
check exec_followed_again_logged grep -q "task $id followed again through origin" "$T/serve.log"
check exec_command_not_run_twice [ "$(wc -l < "$T/started")" -eq 1 ]
stop_serve

# --- a repository without the remote: the task fails with why ------------------
N=$T/no-remote
git init -q -b main "$N" && git -C "$N" -c user.name=T -c user.email=t@example.com commit -q --allow-empty -m first
git -C "$N" config honk.serve.executor command
git -C "$N" config honk.serve.executor.command 'exit 0'
start_serve "$N" || exit 1
id=$(post_task "fix add")
until_state "$id" failed
check exec_without_remote_says_why grep -qF "the remote origin (honk.serve.executor.remote) is not set up here and honk.serve.repoUrl is not set" "$T/resp"
stop_serve

# --- settings refused with a sentence ----------------------------------------------
git -C "$A" config honk.serve.executor kubernetes
(cd "$A" && "$HONK" serve --listen 127.0.0.1:0) > /dev/null 2> "$T/err" < /dev/null
check exec_unknown_executor_refused grep -q 'honk.serve.executor is "kubernetes"; it is local (the default) or command' "$T/err"
git -C "$A" config honk.serve.executor command
git -C "$A" config --unset honk.serve.executor.command
(cd "$A" && "$HONK" serve --listen 127.0.0.1:0) > /dev/null 2> "$T/err" < /dev/null
check exec_command_missing_refused grep -q 'honk.serve.executor is command but honk.serve.executor.command is not set' "$T/err"
