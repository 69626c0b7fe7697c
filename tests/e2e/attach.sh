# honk attach from the command line: the live sessions listed, a session
# joined with --json by an id prefix, one that nobody runs read from its
# journal, a second honk on a live session refused, and the socket moved
# out of a repository whose path is too long for a Unix socket.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-attach-1234

new_repo() {
    mkdir -p "$1" && (cd "$1" && git init -q -b main && git config user.name Tester &&
        git config user.email t@example.com && echo a > f && git add -A && git commit -qm one)
}
# wait_live DIR: until a session in DIR listens (at most ~10 s).
wait_live() {
    i=0
    while [ $i -lt 200 ]; do
        [ -n "$(cd "$1" && "$HONK" attach 2>/dev/null | sed -n 's/^\([0-9a-f]\{8\}\)  .*/\1/p')" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

R=$T/r; new_repo "$R"
(cd "$R" && "$HONK" attach) > "$T/out" 2>&1
check attach_lists_none sh -c "[ $? -eq 0 ] && grep -q '^no live session in this repository' '$T/out'"

# A session whose model takes its time: live while it waits for the answer.
start_replay '{"turns":[{"stall_ms":20000,"text":["late"]}]}'
(cd "$R" && exec "$HONK" run --base-url "$URL" "take your time" > /dev/null 2> "$T/run.err") &
pid=$!
check attach_session_live wait_live "$R"
id=$(ls "$R/.git/honk/sessions" | sed -n 's/\.jsonl$//p')
(cd "$R" && "$HONK" attach) > "$T/out" 2>&1
check attach_lists_live grep -q "^$id  thinking  *pid $pid  *0 attached  *take your time\$" "$T/out"
check socket_private sh -c "[ \"\$(stat -c %a '$R/.git/honk/sessions')\" = 700 ] && [ \"\$(stat -c %a '$R/.git/honk/sessions/$id.sock')\" = 600 ]"

# --json by a prefix: the hello, the journal's events, the reply to a ping.
short=$(printf %s "$id" | cut -c1-4)
printf '{"type":"ping","id":"p"}\n' | (cd "$R" && timeout 20 "$HONK" attach --json --name carol "$short") > "$T/json" 2> "$T/err"
check attach_json_exit_0 [ $? -eq 0 ]
check attach_json_hello sh -c "head -n 1 '$T/json' | grep -q '^{\"type\":\"hello\",\"protocol\":1,\"session\":\"$id\",\"state\":\"thinking\",'"
# where this process took the session up (not journalled), then the journal from its first event
check attach_json_journal_first sh -c "sed -n 2p '$T/json' | grep -q '^{\"type\":\"event\",\"kind\":\"presence\",.*\"action\":\"listening\"' && sed -n 3p '$T/json' | grep -q '^{\"type\":\"event\",\"seq\":0,\"kind\":\"task\",'"
check attach_json_sees_itself grep -q '"kind":"presence","time":[0-9]*,"data":{"who":"carol","action":"joined","clients":1}' "$T/json"
check attach_json_ping_answered grep -qx '{"type":"reply","id":"p","ok":true}' "$T/json"
check attach_presence_journalled sh -c "grep -q '\"who\":\"carol\",\"action\":\"joined\"' '$R/.git/honk/sessions/$id.jsonl' && grep -q '\"who\":\"carol\",\"action\":\"left\"' '$R/.git/honk/sessions/$id.jsonl'"
(cd "$R" && "$HONK" show "$id") > "$T/show" 2>&1
check show_says_who_came sh -c "grep -qx 'honk: carol joined' '$T/show' && grep -qx 'honk: carol left' '$T/show'"

# A second honk on the live session is refused, pointing at attach.
(cd "$R" && "$HONK" resume "$id" --accept --base-url "$URL") > "$T/out" 2> "$T/err"
check resume_live_refused sh -c "[ $? -eq 2 ] && grep -qF 'honk: session $id is live in another honk (pid $pid): honk attach $id' '$T/err'"

# Killed: no longer live, its socket stale; attach reads the journal instead.
kill -9 $pid; wait $pid 2>/dev/null
(cd "$R" && "$HONK" attach) > "$T/out" 2>&1
check attach_killed_not_listed grep -q '^no live session' "$T/out"
(cd "$R" && timeout 20 "$HONK" attach --json "$id" < /dev/null) > "$T/json" 2> "$T/err"
check attach_json_finished_reads_journal sh -c "[ $? -eq 0 ] && grep -qF 'session $id is not running; these are its journal' '$T/err' && head -n 1 '$T/json' | grep -q '^{\"type\":\"event\",\"seq\":0,\"kind\":\"task\"'"
stop_replay

# resume replaces the stale socket and listens again.
start_replay '{"turns":[{"stall_ms":20000,"text":["late"]}]}'
(cd "$R" && exec "$HONK" resume "$id" --json --base-url "$URL" > /dev/null 2>&1) &
pid=$!
check resume_listens_again wait_live "$R"
printf '{"type":"ping","id":1}\n' | (cd "$R" && timeout 20 "$HONK" attach --json "$id") > "$T/json" 2>&1
check resume_answers_on_new_socket grep -qx '{"type":"reply","id":1,"ok":true}' "$T/json"
kill -9 $pid; wait $pid 2>/dev/null
stop_replay

# A repository deep enough that its socket path passes 107 bytes: the socket
# goes to the runtime directory, and the lock file says where.
deep=$T/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 40))
new_repo "$deep"
mkdir -p "$T/run"; chmod 700 "$T/run"
start_replay '{"turns":[{"stall_ms":20000,"text":["late"]}]}'
(cd "$deep" && XDG_RUNTIME_DIR=$T/run exec "$HONK" run --base-url "$URL" "deep" > /dev/null 2>&1) &
pid=$!
check deep_session_live wait_live "$deep"
did=$(ls "$deep/.git/honk/sessions" | sed -n 's/\.jsonl$//p')
check deep_socket_in_runtime_dir sh -c "ls '$T/run/honk/' | grep -q '^$did-[0-9a-f]\{8\}\.sock\$' && [ ! -e '$deep/.git/honk/sessions/$did.sock' ] && grep -qF '$T/run/honk/$did-' '$deep/.git/honk/sessions/$did.lock'"
printf '{"type":"ping","id":1}\n' | (cd "$deep" && timeout 20 "$HONK" attach --json "$did") > "$T/json" 2>&1
check deep_socket_answers grep -qx '{"type":"reply","id":1,"ok":true}' "$T/json"
kill -9 $pid; wait $pid 2>/dev/null
stop_replay
