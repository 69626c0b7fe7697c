# honk serve end to end: Slack requests signed exactly as Slack signs them
# (openssl dgst -hmac over "v0:TS:BODY"), sent with curl; honk-replay is the
# model. A signed slash command runs a task to review; every refusal runs
# nothing; a retried event runs once; the JSON API needs its token; 50 tasks
# posted at once with jobs=2 all end journalled, never more than 2 at work,
# none lost or run twice, across a kill -9 of serve; SIGTERM stops sessions
# where they resume; honk queue feeds the same queue.
# Waits are bounded polls; nothing started here outlives the test.
. "$HONK_TOP/tests/lib.sh"
. "$HONK_TOP/tests/serve_lib.sh"
export ANTHROPIC_API_KEY=sk-serve-1
SECRET=shh-signing-secret-1
TOKEN=tok-serve-1
SERVE_PID=

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
     git add -A && git commit -qm "calc" && git config honk.test "sh test.sh" &&
     git config honk.serve.slack.allow U0ALLOWED && git config --add honk.serve.slack.allow C0TEAM)
}
EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add\n```\n"]}'

# start_serve DIR ARGS... : honk serve in DIR on a free port; sets SERVE_PID and
# PORT; its log is $T/serve.log (appended, so a restart keeps the first's).
start_serve() {
    dir=$1; shift
    : >> "$T/serve.log"
    mark=$(wc -l < "$T/serve.log")
    (cd "$dir" && SLACK_SIGNING_SECRET=$SECRET HONK_SERVE_TOKEN=$TOKEN exec "$HONK" serve --listen 127.0.0.1:0 "$@" \
        2>> "$T/serve.log") &
    SERVE_PID=$!
    serve_listening "$mark"
}
trap 'stop_serve; [ -n "$KEEP" ] && cp -r "$T" /tmp/serve-kept; cleanup' EXIT

sign() { # sign TS BODY [SECRET] : X-Slack-Signature as Slack computes it
    printf 'v0=%s' "$(printf 'v0:%s:%s' "$1" "$2" | openssl dgst -sha256 -hmac "${3:-$SECRET}" -r | cut -d' ' -f1)"
}
# post PATH BODY CURL-ARGS... : the status on stdout, the answer in $T/resp
post() {
    path=$1 body=$2; shift 2
    printf '%s' "$body" > "$T/body"
    curl -s -m 10 -o "$T/resp" -w '%{http_code}' "$@" --data-binary @"$T/body" "http://127.0.0.1:$PORT$path"
}
slack() { # slack PATH BODY [TS [SIGNATURE]] : a request as Slack sends it
    ts=${3:-$(date +%s)}
    sig=${4:-$(sign "$ts" "$2")}
    post "$1" "$2" -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
        -H 'Content-Type: application/x-www-form-urlencoded'
}
api() { # api METHOD PATH : the status; the answer in $T/resp
    curl -s -m 10 -o "$T/resp" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$2"
}
count_tasks() { api GET /v1/tasks > /dev/null; grep -o '"id":"[0-9a-f]\{8\}"' "$T/resp" | wc -l; }
count_sessions() { ls "$1/.git/honk/sessions/" 2>/dev/null | grep -c '\.jsonl$'; }
task_state() { api GET "/v1/tasks/$1" > /dev/null; sed -n 's/^{"id":"[0-9a-f]*","state":"\([a-z_]*\)".*/\1/p' "$T/resp"; }
# until_state ID STATE : polls (at most ~30 s) for the task's state
until_state() {
    i=0
    while [ $i -lt 600 ]; do
        [ "$(task_state "$1")" = "$2" ] && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
command_body() { # command_body USER TEXT
    printf 'token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705&channel_name=test&user_id=%s&user_name=Steve&command=%%2Fhonk&text=%s&api_app_id=A123456&response_url=https%%3A%%2F%%2Fhooks.slack.com%%2Fcommands%%2F1234%%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0' "$1" "$2"
}

# --- a signed slash command runs a task to review ------------------------------
R=$T/repo; new_repo "$R"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
start_serve "$R" || exit 1
status=$(slack /slack/commands "$(command_body U0ALLOWED 'fix+the+add+function')")
id=$(sed -n 's/.*[Tt]ask \([0-9a-f]\{8\}\).*/\1/p' "$T/resp")
check slash_command_acknowledged sh -c "[ '$status' = 200 ] && [ -n '$id' ]"
check slash_command_answer_names_task grep -q 'fix the add function' "$T/resp"
if until_state "$id" review; then ok slash_command_reaches_review
else fail slash_command_reaches_review "state $(task_state "$id"): $(tail -n 5 "$T/serve.log")"; fi
check slash_command_change_in_worktree grep -qF '$1 + $2' "$R/.git/honk/worktrees/$id/calc.sh"
check slash_command_waits_for_commit grep -q '"waiting":{"kind":"commit"' "$T/resp"
check slash_command_journalled grep -q "\"id\":\"$id\",\"task\":\"fix the add function\"" "$R/.git/honk/serve/queue.jsonl"
check log_line_per_request grep -q "POST /slack/commands 200 .*task $id" "$T/serve.log"
check log_line_per_transition grep -q "task $id review" "$T/serve.log"
check log_has_no_secret sh -c "! grep -qE '$SECRET|$TOKEN' '$T/serve.log' '$R/.git/honk/serve/queue.jsonl'"

# --- refusals: nothing runs --------------------------------------------------------
tasks=$(count_tasks); sessions=$(count_sessions "$R"); requests=$(wc -l < "$T/record.jsonl")
body=$(command_body U0ALLOWED 'delete+everything')
now=$(date +%s)
refused() { # refused NAME STATUS WANT : the status, and nothing queued or started; the answer in $T/refused
    cp "$T/resp" "$T/refused"
    if [ "$2" != "$3" ]; then fail "$1" "status $2, not $3: $(cat "$T/refused")"
    elif [ "$(count_tasks)" -ne "$tasks" ] || [ "$(count_sessions "$R")" -ne "$sessions" ]; then fail "$1" "something was queued"
    else ok "$1"; fi
}
refused refuse_wrong_signature "$(slack /slack/commands "$body" "$now" "$(sign "$now" "$body" not-the-secret)")" 401
refused refuse_signature_of_other_body "$(slack /slack/commands "$body" "$now" "$(sign "$now" "$(command_body U0ALLOWED 'fix+add')")")" 401
old=$((now - 360))
refused refuse_timestamp_6_minutes_old "$(slack /slack/commands "$body" "$old" "$(sign "$old" "$body")")" 401
refused refuse_missing_signature "$(post /slack/commands "$body" -H "X-Slack-Request-Timestamp: $now")" 401
refused refuse_missing_timestamp "$(post /slack/commands "$body" -H "X-Slack-Signature: $(sign "$now" "$body")")" 401
refused refuse_user_not_allowed "$(slack /slack/commands "$(command_body U0STRANGER 'delete+everything')")" 200
check refuse_user_not_allowed_politely grep -q '"response_type":"ephemeral","text":"Sorry, honk takes tasks only from' "$T/refused"
big=$(command_body U0ALLOWED "$(head -c 70000 /dev/zero | tr '\0' 'a')")
refused refuse_body_over_limit "$(slack /slack/commands "$big")" 413
check refuse_body_over_limit_says_bound grep -q 'over 64 KiB' "$T/refused"
check refusals_reached_no_model [ "$(wc -l < "$T/record.jsonl")" -eq "$requests" ]
check refusals_logged grep -q 'POST /slack/commands 401 .*refused: X-Slack-Signature does not match' "$T/serve.log"

# --- Events API: the challenge, and a retried event runs once -------------------
status=$(slack /slack/events '{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}')
check events_url_verification sh -c "[ '$status' = 200 ] && grep -q '\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"' '$T/resp'"
event='{"token":"x","team_id":"T0001","api_app_id":"A1","type":"event_callback","event_id":"Ev0PV52K21","event_time":1700000000,"event":{"type":"app_mention","user":"U0ALLOWED","text":"<@U0BOT> rename add to sum","ts":"1700000000.000100","channel":"C2147483705","event_ts":"1700000000.000100"}}'
tasks=$(count_tasks)
s1=$(slack /slack/events "$event")
s2=$(slack /slack/events "$event" "$(date +%s)" "" ; :)
printf '%s' "$event" > "$T/body"; ts=$(date +%s)
s3=$(curl -s -m 10 -o "$T/resp" -w '%{http_code}' -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $(sign "$ts" "$event")" \
    -H 'X-Slack-Retry-Num: 1' -H 'X-Slack-Retry-Reason: http_timeout' --data-binary @"$T/body" "http://127.0.0.1:$PORT/slack/events")
check event_acknowledged [ "$s1" = 200 ]
check event_retry_acknowledged sh -c "[ '$s2' = 200 ] && [ '$s3' = 200 ]"
check event_runs_once [ "$(count_tasks)" -eq $((tasks + 1)) ]
api GET /v1/tasks > /dev/null
check event_task_words grep -q '"task":"rename add to sum"' "$T/resp"
check event_retry_logged grep -q 'event Ev0PV52K21, retry 1 is task [0-9a-f]* already; not run again' "$T/serve.log"

# --- a flood from one person is rate-limited; SIGHUP rereads who may ----------------
git -C "$R" config honk.serve.rateLimit 2
git -C "$R" config --add honk.serve.slack.allow U0RATE
kill -HUP "$SERVE_PID"
until_file "$T/serve.log" 'SIGHUP: configuration reread'
tasks=$(count_tasks)
s1=$(slack /slack/commands "$(command_body U0RATE 'rate+one')")
s2=$(slack /slack/commands "$(command_body U0RATE 'rate+two')")
s3=$(slack /slack/commands "$(command_body U0RATE 'rate+three')")
check rate_limit_says_so sh -c "[ '$s3' = 200 ] && grep -q 'You have given honk 2 tasks in the last minute' '$T/resp'"
check rate_limit_queues_only_the_allowed [ "$(count_tasks)" -eq $((tasks + 2)) ]
git -C "$R" config --add honk.serve.slack.allow U0NEWCOMER
s1=$(slack /slack/commands "$(command_body U0NEWCOMER 'hello')")
check newcomer_refused_before_sighup grep -q 'Sorry, honk takes tasks only from' "$T/resp"
kill -HUP "$SERVE_PID"
i=0; while [ "$(grep -c 'SIGHUP: configuration reread' "$T/serve.log")" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
s1=$(slack /slack/commands "$(command_body U0NEWCOMER 'hello')")
check newcomer_allowed_after_sighup grep -q '"response_type":"in_channel","text":"\(Queued as task\|Task\) ' "$T/resp"
git -C "$R" config honk.serve.rateLimit 0

# --- the JSON API and its token --------------------------------------------------
tasks=$(count_tasks)
s1=$(post /v1/tasks '{"task":"fix add"}')
s2=$(post /v1/tasks '{"task":"fix add"}' -H 'Authorization: Bearer wrong-token-000')
check api_without_token_refused sh -c "[ '$s1' = 401 ] && [ '$s2' = 401 ] && [ $(count_tasks) -eq $tasks ]"
s3=$(post /v1/tasks '{"task":"fix add","base":"main"}' -H "Authorization: Bearer $TOKEN")
check api_with_token_accepted sh -c "[ '$s3' = 202 ] && grep -q '\"id\":\"[0-9a-f]\{8\}\",\"state\":\"[a-z]*\"' '$T/resp'"
check api_bad_body_refused [ "$(post /v1/tasks '{"tusk":"x"}' -H "Authorization: Bearer $TOKEN")" = 400 ]
check api_unknown_repo_refused [ "$(post /v1/tasks '{"task":"x","repo":"nope"}' -H "Authorization: Bearer $TOKEN")" = 400 ]
check api_unknown_task_404 [ "$(api GET /v1/tasks/0123abcd)" = 404 ]

# --- one serve per repository -----------------------------------------------------
(cd "$R" && HONK_SERVE_TOKEN=x "$HONK" serve --listen 127.0.0.1:0) > /dev/null 2> "$T/second.err"; rc=$?
check second_serve_refused sh -c "[ $rc -eq 1 ] && grep -q 'honk serve runs in this repository already (pid $SERVE_PID)' '$T/second.err'"

# --- a task for another configured repository runs there ----------------------------
O=$T/other; new_repo "$O"
git -C "$O" config honk.baseUrl "$URL"
git -C "$R" config honk.serve.repo.other.path "$O"
kill -HUP "$SERVE_PID"
i=0; while [ "$(grep -c 'named repository' "$T/serve.log")" -lt 1 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
check api_named_repo_accepted [ "$(post /v1/tasks '{"task":"fix add over there","repo":"other"}' -H "Authorization: Bearer $TOKEN")" = 202 ]
oid=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
i=0; while [ ! -s "$O/.git/honk/sessions/$oid.jsonl" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
check api_named_repo_runs_there sh -c "grep -q '\"task\":\"fix add over there\"' '$O/.git/honk/sessions/$oid.jsonl' && [ ! -e '$R/.git/honk/sessions/$oid.jsonl' ]"

# --- honk queue feeds the running serve -------------------------------------------
qid=$(cd "$R" && "$HONK" queue "fix add from the shell" 2> /dev/null)
i=0; while [ $i -lt 200 ] && [ "$(api GET "/v1/tasks/$qid")" != 200 ]; do sleep 0.05; i=$((i + 1)); done
check queue_task_seen_by_serve grep -q '"kind":"queue"' "$T/resp"
stop_serve
stop_replay
check serve_stops_on_sigterm grep -q 'honk serve: .* stopped' "$T/serve.log"

# --- not loopback only when asked ---------------------------------------------------
(cd "$R" && "$HONK" serve --listen 0.0.0.0:0 > /dev/null 2> "$T/remote.err"); rc=$?
check remote_listen_refused sh -c "[ $rc -eq 1 ] && grep -q 'reachable from other machines.*--allow-remote' '$T/remote.err'"

# --- 50 tasks at once, jobs=2, kill -9 midway, restart ------------------------------
R=$T/flood; new_repo "$R"
turns=$(i=0; while [ $i -lt 60 ]; do printf '%s{"stall_ms":150,"text":["Nothing to change here."]}' "$([ $i -gt 0 ] && echo ,)"; i=$((i + 1)); done)
start_replay "{\"turns\":[$turns]}"
git -C "$R" config honk.baseUrl "$URL"
git -C "$R" config honk.serve.jobs 2
start_serve "$R" || exit 1
i=0
while [ $i -lt 50 ]; do
    curl -s -m 10 -o "$T/ack.$i" -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
        --data-binary "{\"task\":\"flood task $i\"}" "http://127.0.0.1:$PORT/v1/tasks" > "$T/status.$i" &
    i=$((i + 1))
done
wait_acks() { # curl's children only: serve and replay run on
    i=0
    while [ $i -lt 50 ]; do
        j=0; while [ ! -s "$T/status.$i" ] && [ $j -lt 200 ]; do sleep 0.05; j=$((j + 1)); done
        i=$((i + 1))
    done
}
wait_acks
acked=$(cat "$T"/status.* | grep -c '^202$')
check flood_all_acknowledged [ "$acked" -eq 50 ]
for f in "$T"/ack.*; do sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1\n/p' "$f"; done | grep . | sort > "$T/acked"
check flood_ids_distinct [ "$(sort -u "$T/acked" | wc -l)" -eq 50 ]
# Kill -9 once some tasks have ended; the processes it ran die with it.
ended() { grep -c '"exit":' "$R/.git/honk/serve/queue.jsonl"; }
i=0; while [ "$(ended)" -lt 10 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
before=$(ended)
check flood_killed_midway sh -c "[ $before -ge 10 ] && [ $before -lt 50 ]"
start_serve "$R" || exit 1
# ends when no task is queued or at work
busy() { api GET /v1/tasks > /dev/null; grep -oE '"state":"(queued|starting|thinking|applying|testing|committing|deploying)"' "$T/resp" | wc -l; }
i=0; while [ "$(busy)" -gt 0 ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i + 1)); done
api GET /v1/tasks > /dev/null
sed 's/},{"id"/}\n{"id"/g' "$T/resp" | sed -n 's/.*"id":"\([0-9a-f]\{8\}\)","state":"\([a-z_]*\)".*/\1 \2/p' | sort > "$T/final"
check flood_none_lost [ "$(cut -d' ' -f1 "$T/final")" = "$(cat "$T/acked")" ]
check flood_all_ended_journalled sh -c "! grep -vqE ' (idle|review|failed|done)$' '$T/final'"
check flood_restart_requeued_running grep -qE 'when the last honk serve ended; it (resumes from its journal|starts again)' "$T/serve.log"
# Run once: one session per task, each begun once (one task event), no other sessions.
once=1
for id in $(cat "$T/acked"); do
    [ "$(grep -c '"kind":"task"' "$R/.git/honk/sessions/$id.jsonl" 2>/dev/null)" = 1 ] || { once=0; echo "# $id: not one task event ($(grep "^$id" "$T/final")): $(tail -n 2 "$R/.git/honk/serve/$id.log" 2>/dev/null)"; }
done
check flood_none_run_twice sh -c "[ $once = 1 ] && [ $(count_sessions "$R") -eq 50 ]"
# Never more than 2 at work: replay the queue journal's transitions in order.
most=$(awk '
    /"op":"state"/ {
        id = $0; sub(/.*"id":"/, "", id); id = substr(id, 1, 8)
        st = $0; sub(/.*"state":"/, "", st); sub(/".*/, "", st)
        busy = (st ~ /^(starting|thinking|applying|testing|committing|deploying)$/)
        if (busy && !(id in on)) { on[id] = 1; n++ }
        if (!busy && (id in on)) { delete on[id]; n-- }
        if (n > most) most = n
    }
    /"op":"add"/ && n > most { most = n }
    END { print most + 0 }' "$R/.git/honk/serve/queue.jsonl")
check flood_never_more_than_2_running sh -c "[ $most -le 2 ] && [ $most -ge 1 ]"
stop_serve
stop_replay

# --- a restart after processes killed before their journals began ------------------
# One left a branch and an empty journal, one a branch and worktree and no
# journal, one the branch's lock file, one a half-made worktree (git's admin
# directory with only its HEAD): each starts afresh (not resumed from
# nothing), once.
R=$T/early; new_repo "$R"
start_replay "{\"turns\":[$EDIT,$FINISH,$EDIT,$FINISH,$EDIT,$FINISH,$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
mkdir -p "$R/.git/honk/serve" "$R/.git/honk/sessions" "$R/.git/refs/heads/honk"
for id in 0000aaaa 0000bbbb 0000dddd 0000eeee; do
    printf '{"op":"add","time":1,"task":{"id":"%s","task":"fix add","from":"api"}}\n{"op":"state","time":2,"id":"%s","state":"starting"}\n' \
        $id $id >> "$R/.git/honk/serve/queue.jsonl"
done
git -C "$R" branch honk/0000aaaa
: > "$R/.git/honk/sessions/0000aaaa.jsonl"
git -C "$R" worktree add -q -b honk/0000bbbb "$R/.git/honk/worktrees/0000bbbb" 2> /dev/null
: > "$R/.git/refs/heads/honk/0000dddd.lock"
git -C "$R" branch honk/0000eeee
mkdir -p "$R/.git/worktrees/0000eeee" "$R/.git/honk/worktrees/0000eeee"
echo 'ref: refs/heads/honk/0000eeee' > "$R/.git/worktrees/0000eeee/HEAD"
start_serve "$R" --jobs 1 || exit 1
for id in 0000aaaa 0000bbbb 0000dddd 0000eeee; do
    i=0; while [ $i -lt 600 ]; do
        case $(task_state $id) in review|idle|failed|done) break ;; esac
        sleep 0.05; i=$((i + 1))
    done
    st=$(task_state $id)
    if [ "$(grep -c '"kind":"task"' "$R/.git/honk/sessions/$id.jsonl" 2>/dev/null)" = 1 ] && [ "$st" != failed ]; then
        ok "restart_starts_afresh_$id"
    else fail "restart_starts_afresh_$id" "state $st: $(tail -n 2 "$R/.git/honk/serve/$id.log" 2>/dev/null)"; fi
done
stop_serve
stop_replay

# --- SIGTERM: a session at work stops where it resumes, and the next serve resumes it
R=$T/term; new_repo "$R"
git -C "$R" config honk.test "sleep 2; sh test.sh"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
start_serve "$R" || exit 1
post /v1/tasks '{"task":"fix add"}' -H "Authorization: Bearer $TOKEN" > /dev/null
id=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
until_state "$id" testing
stop_serve
check sigterm_journals_for_resume grep -q "\"id\":\"$id\",\"state\":\"queued\",\"resume\":true" "$R/.git/honk/serve/queue.jsonl"
start_serve "$R" || exit 1
if until_state "$id" review; then ok sigterm_session_resumes_to_review
else fail sigterm_session_resumes_to_review "state $(task_state "$id"): $(tail -n 4 "$T/serve.log")"; fi
# kill -9 while it waits for review: its process dies with serve, and the next
# serve resumes it, waiting (and attachable) again.
said=$(grep -c "honk attach $id" "$R/.git/honk/serve/$id.log")
kill -9 "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null; SERVE_PID=
start_serve "$R" || exit 1
check waiting_session_resumed_after_kill grep -q "task $id was review when the last honk serve ended; it resumes from its journal" "$T/serve.log"
until_state "$id" review
i=0; while [ "$(grep -c "honk attach $id" "$R/.git/honk/serve/$id.log")" -le "$said" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
check waiting_session_live_again [ "$(grep -c "honk attach $id" "$R/.git/honk/serve/$id.log")" -gt "$said" ]
(cd "$R" && timeout 10 "$HONK" attach --json "$id" < /dev/null > "$T/attach.out" 2> "$T/attach.err")
check waiting_session_attachable grep -q '"type":"hello".*"state":"review"' "$T/attach.out"

# --- cancel: a running task's session is cancelled, a queued one never runs, one
# waiting for review is cancelled too; an ended one is not the API's to cancel
git -C "$R" config honk.serve.jobs 1
git -C "$R" config honk.test "sleep 30; sh test.sh"
kill -HUP "$SERVE_PID"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
post /v1/tasks '{"task":"fix add"}' -H "Authorization: Bearer $TOKEN" > /dev/null
busy=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
post /v1/tasks '{"task":"fix add later"}' -H "Authorization: Bearer $TOKEN" > /dev/null
later=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
until_state "$busy" testing
check cancel_queued_task sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$PORT/v1/tasks/$later/cancel)\" = 202 ]"
check cancel_running_task [ "$(api POST "/v1/tasks/$busy/cancel")" = 202 ]
if until_state "$busy" cancelled; then ok cancel_running_session_cancelled; else fail cancel_running_session_cancelled "state $(task_state "$busy")"; fi
check cancel_queued_never_ran sh -c "[ ! -e '$R/.git/honk/sessions/$later.jsonl' ] && [ '$(task_state "$later")' = cancelled ]"
# Waiting for review, its session keeps its process (honk run --wait): cancel ends it.
check review_waits_attachable grep -q "session $id waits for .*honk attach $id" "$R/.git/honk/serve/$id.log"
check cancel_waiting_task [ "$(api POST "/v1/tasks/$id/cancel")" = 202 ]
if until_state "$id" cancelled; then ok cancel_waiting_session_cancelled; else fail cancel_waiting_session_cancelled "state $(task_state "$id")"; fi
check cancel_ended_refused sh -c "[ \"\$(curl -s -o '$T/c409' -w '%{http_code}' -X POST -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:$PORT/v1/tasks/$busy/cancel)\" = 409 ] && grep -q 'is not queued or running (it is cancelled)' '$T/c409'"
check sigterm_resumed_not_restarted [ "$(grep -c '"kind":"task"' "$R/.git/honk/sessions/$id.jsonl")" = 1 ]
stop_serve
stop_replay

# --- Slack is told: the status message, 👀, updates, the final message ------------
# fake-slack stands in for the Web API; its first call fails (503) and its
# second is rate-limited (429, Retry-After: 1): both are tried again.
FAKESLACK=$HONK_BUILD/tests/fake-slack
R=$T/told; new_repo "$R"
AGAIN='{"text":["Kept the old name too.\n```commit\nFix add, keep its name\n```\n"]}'
start_replay "{\"turns\":[$EDIT,$FINISH,$AGAIN]}"
git -C "$R" config honk.baseUrl "$URL"
: > "$T/slack.jsonl"
"$FAKESLACK" --record "$T/slack.jsonl" --token xoxb-test-1 --fail 1 --ratelimit 1 --hmac-key "$TOKEN" \
    > "$T/fakeslack.out" 2>&1 &
FAKE_PID=$!
until_file "$T/fakeslack.out" 'http://'
git -C "$R" config honk.serve.slack.apiUrl "$(head -n 1 "$T/fakeslack.out")"
SLACK_BOT_TOKEN=xoxb-test-1 start_serve "$R" || exit 1
status=$(slack /slack/commands "$(command_body U0ALLOWED 'fix+the+add+function')")
id=$(sed -n 's/.*[Tt]ask \([0-9a-f]\{8\}\).*/\1/p' "$T/resp")
check told_acknowledged_at_once [ "$status" = 200 ]
until_state "$id" review
until_file "$T/slack.jsonl" 'white_check_mark'
told() { grep -F -- "$1" "$T/slack.jsonl" | grep -q -- "$2"; }
check told_status_message told '"method":"chat.postMessage"' ":hourglass: Queued as task $id"
check told_eyes_on_pickup told '"method":"reactions.add"' '"name":"eyes"'
check told_status_updated told '"method":"chat.update"' "Task $id: the tests run"
check told_waits_for_review told '"method":"chat.update"' "Task $id waits for a person: approval to commit (ready for review)"
check told_final_message told '"method":"chat.postMessage"' "Task $id is ready for review on branch \`honk/$id\`. 1 file changed, +1 -1 (calc.sh +1 -1). Tests: \`sh test.sh\` passed. Open it where honk serve runs: \`honk attach $id\`"
status_ts=$(grep -F '"status":200' "$T/slack.jsonl" | grep -F 'chat.update' | sed -n 's/.*"ts":"\([0-9.]*\)".*/\1/p' | head -n 1)
check told_final_in_thread sh -c "grep -F 'is ready for review' '$T/slack.jsonl' | grep -qF '\"thread_ts\":\"$status_ts\"'"
check told_done_reaction told '"method":"reactions.add"' '"name":"white_check_mark"'
check told_with_bot_token sh -c "! grep -q '\"auth\":\"bad\"' '$T/slack.jsonl'"
check told_retried_5xx_and_429 sh -c "grep -q '\"status\":503' '$T/slack.jsonl' && grep -q '\"status\":429' '$T/slack.jsonl' && grep -q 'chat.postMessage: HTTP 429; trying again in 1.0 s' '$T/serve.log'"
check told_no_token_in_log sh -c "! grep -q xoxb-test-1 '$T/serve.log'"
# A reply in the task's thread is a follow-up to its session (the send
# command over its socket): the model gets it; a retry of that event, and the
# mention Slack also sends of the same message, pass it on once; a reply from
# someone not allowed is refused and passes nothing on.
reply() { # reply EVENT-ID TYPE USER TS TEXT
    printf '{"type":"event_callback","event_id":"%s","event":{"type":"%s","user":"%s","text":"%s","ts":"%s","thread_ts":"%s","channel":"C2147483705"}}' \
        "$1" "$2" "$3" "$5" "$4" "$status_ts"
}
requests=$(wc -l < "$T/record.jsonl")
check reply_acknowledged [ "$(slack /slack/events "$(reply Ev0REPLY1 message U0ALLOWED 1700000002.000200 'also keep the old name')")" = 200 ]
until_file "$T/serve.log" "task $id: follow-up from U0ALLOWED sent to its session"
check reply_reaches_session grep -q '"kind":"user".*also keep the old name' "$R/.git/honk/sessions/$id.jsonl"
until_file "$T/record.jsonl" 'also keep the old name'
check reply_reaches_model grep -qF 'also keep the old name' "$T/record.jsonl"
body=$(reply Ev0REPLY1 message U0ALLOWED 1700000002.000200 'also keep the old name'); now=$(date +%s)
post /slack/events "$body" -H "X-Slack-Request-Timestamp: $now" -H "X-Slack-Signature: $(sign "$now" "$body")" \
    -H 'X-Slack-Retry-Num: 1' > /dev/null
slack /slack/events "$(reply Ev0REPLY1M app_mention U0ALLOWED 1700000002.000200 '<@U0BOT> also keep the old name')" > /dev/null
slack /slack/events "$(reply Ev0REPLY2 message U0STRANGER 1700000003.000300 'and drop the tables')" > /dev/null
until_file "$T/slack.jsonl" 'Task '"$id"' was not told'
check reply_stranger_refused told '"method":"chat.postEphemeral"' '"user":"U0STRANGER","text":"Sorry, honk takes messages only from'
check reply_passed_on_once [ "$(grep -c '"kind":"user".*also keep the old name' "$R/.git/honk/sessions/$id.jsonl")" = 1 ]
check reply_retry_and_mention_answered [ "$(grep -c "POST /slack/events 200 .*task $id: that reply was passed on already" "$T/serve.log")" = 2 ]
check reply_stranger_not_passed sh -c "! grep -q 'drop the tables' '$R/.git/honk/sessions/$id.jsonl'"
check reply_no_new_task [ "$(count_tasks)" = 1 ]
if until_state "$id" review; then ok reply_back_to_review; else fail reply_back_to_review "state $(task_state "$id")"; fi
# A mention from someone not allowed gets the refusal, to them only.
stranger='{"type":"event_callback","event_id":"Ev0STRANGE1","event":{"type":"app_mention","user":"U0STRANGER","text":"<@U0BOT> drop the tables","ts":"1700000001.000100","channel":"C2147483705"}}'
tasks=$(count_tasks)
slack /slack/events "$stranger" > /dev/null
until_file "$T/slack.jsonl" 'Sorry, honk takes tasks only from'
check told_refusal_to_sender_only told '"method":"chat.postEphemeral"' '"user":"U0STRANGER","text":"Sorry, honk takes tasks only from'
check told_refusal_ran_nothing [ "$(count_tasks)" -eq "$tasks" ]
# A JSON API task's callback_url gets each transition, signed with the token.
hook=$(head -n 1 "$T/fakeslack.out" | sed 's|/api$|/hook|')
start_replay "{\"turns\":[$EDIT,$FINISH]}"
git -C "$R" config honk.baseUrl "$URL"
post /v1/tasks "{\"task\":\"fix add\",\"callback_url\":\"$hook\"}" -H "Authorization: Bearer $TOKEN" > /dev/null
cid=$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' "$T/resp")
until_state "$cid" review
until_file "$T/slack.jsonl" "\"id\":\"$cid\",\"state\":\"review\",\"waiting\":{\"kind\":\"commit\""
cb_ok=1
for st in starting thinking testing review; do
    grep '"method":"/hook"' "$T/slack.jsonl" | grep -qF "\"id\":\"$cid\",\"state\":\"$st\"" || cb_ok=0
done
check callback_each_transition [ $cb_ok = 1 ]
check callback_signed sh -c "grep -q '\"method\":\"/hook\".*\"signed\":\"ok\"' '$T/slack.jsonl' && ! grep -q '\"signed\":\"bad\"' '$T/slack.jsonl'"
# The engineer commits from a client attached to the session (the cockpit's
# c sends the same answer): serve follows it to done and the thread is told (after the
# callback task above, as this lands the fix on main).
printf '{"command":"answer","wait":"commit","approve":true}\n' |
    (cd "$R" && timeout 30 "$HONK" attach --json --name eve "$id") > "$T/attach.out" 2> "$T/attach.err"
if until_state "$id" done; then ok commit_from_attached_client_done; else fail commit_from_attached_client_done "state $(task_state "$id")"; fi
commit=$(git -C "$R" rev-parse --short=7 "honk/$id")
until_file "$T/slack.jsonl" "Task $id is done"
check told_outcome_of_commit told '"method":"chat.postMessage"' "Task $id is done: committed $commit on branch \`honk/$id\`"
check told_outcome_in_thread sh -c "grep -F 'Task $id is done' '$T/slack.jsonl' | grep -qF '\"thread_ts\":\"$status_ts\"'"
check told_status_done told '"method":"chat.update"' "Task $id: done"
stop_serve
stop_replay
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null

# --- what Slack could not be told waits for the next serve ----------------------------
# Slack fails every call (503): serve stops while it still retries a refusal;
# the call is kept (without the bot token) and the next serve, with Slack
# back, delivers it.
R=$T/undelivered; new_repo "$R"
: > "$T/slack2.jsonl"
"$FAKESLACK" --record "$T/slack2.jsonl" --token xoxb-test-1 --fail 1000 > "$T/fakeslack2.out" 2>&1 &
FAKE_PID=$!
until_file "$T/fakeslack2.out" 'http://'
git -C "$R" config honk.serve.slack.apiUrl "$(head -n 1 "$T/fakeslack2.out")"
SLACK_BOT_TOKEN=xoxb-test-1 start_serve "$R" || exit 1
stranger2='{"type":"event_callback","event_id":"Ev0STRANGE2","event":{"type":"app_mention","user":"U0STRANGER","text":"<@U0BOT> drop the tables","ts":"1700000009.000100","channel":"C2147483705"}}'
slack /slack/events "$stranger2" > /dev/null
until_file "$T/slack2.jsonl" '"status":503'
stop_serve
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
KEPT=$R/.git/honk/serve/undelivered.jsonl
check undelivered_kept grep -q '"method":"chat.postEphemeral".*U0STRANGER' "$KEPT"
check undelivered_kept_private sh -c "[ \"\$(stat -c %a '$KEPT')\" = 600 ] && ! grep -q xoxb-test-1 '$KEPT'"
check undelivered_stop_logged grep -q 'were not delivered before the stop; the next honk serve tries them again' "$T/serve.log"
: > "$T/slack3.jsonl"
"$FAKESLACK" --record "$T/slack3.jsonl" --token xoxb-test-1 > "$T/fakeslack3.out" 2>&1 &
FAKE_PID=$!
until_file "$T/fakeslack3.out" 'http://'
git -C "$R" config honk.serve.slack.apiUrl "$(head -n 1 "$T/fakeslack3.out")"
SLACK_BOT_TOKEN=xoxb-test-1 start_serve "$R" || exit 1
until_file "$T/slack3.jsonl" 'chat.postEphemeral'
check undelivered_sent_by_next_serve sh -c "grep -F 'chat.postEphemeral' '$T/slack3.jsonl' | grep -q '\"auth\":\"ok\",\"status\":200.*U0STRANGER'"
check undelivered_retry_logged grep -q '1 call an earlier serve could not deliver is tried again' "$T/serve.log"
check undelivered_emptied [ ! -s "$KEPT" ]
stop_serve
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null

# --- the command line ------------------------------------------------------------------
for c in serve queue; do
    "$HONK" $c --help > "$T/out" 2> "$T/err" < /dev/null; rc=$?
    check "help_$c" sh -c "[ $rc -eq 0 ] && head -n 1 '$T/out' | grep -q '^usage: honk $c' && [ ! -s '$T/err' ]"
done
"$HONK" --help > "$T/help"
check help_lists_serve_and_queue sh -c "grep -q '^  honk serve ' '$T/help' && grep -q '^  honk queue ' '$T/help' && grep -q -- '--allow-remote' '$T/help' && grep -q -- '--id ID' '$T/help'"
(cd "$R" && "$HONK" serve --jobs 0) > /dev/null 2> "$T/err"
check serve_jobs_0_refused sh -c "[ $? -eq 2 ] && grep -q 'jobs takes a whole number, 1 or more' '$T/err'"
(cd "$R" && "$HONK" queue) > /dev/null 2> "$T/err"
check queue_without_task_usage sh -c "[ $? -eq 2 ] && grep -q '^usage: honk queue' '$T/err'"

# honk discard (and serve's restart) removes a task branch that never got its
# worktree, in a repository that has no .git/worktrees at all.
R=$T/bare-branch; new_repo "$R"
git -C "$R" branch honk/0000cccc
(cd "$R" && "$HONK" discard --yes 0000cccc) > /dev/null 2> "$T/err"
check discard_branch_without_worktree sh -c "[ $? -eq 0 ] && ! git -C '$R' rev-parse -q --verify refs/heads/honk/0000cccc > /dev/null"

