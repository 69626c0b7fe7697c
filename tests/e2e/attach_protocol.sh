# The session socket (honk-protocol(7)) spoken by tests/support/hk_client
# against a real headless session (honk run --approve=ask --wait, honk-replay
# as the model): the hello, the journal's events then the live ones, from an
# offset, commands answered and refused, two clients deciding one hunk at
# once, another user refused, a stale socket replaced on resume, bad input
# and a client that never reads, none of which stops the session.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-attach-5555 USER=owner
CLIENT=$HONK_BUILD/tests/hk_client
HONK_PID=

stop_honk() {
    [ -n "$HONK_PID" ] && kill "$HONK_PID" 2>/dev/null && wait "$HONK_PID" 2>/dev/null
    HONK_PID=
}
trap 'stop_honk; cleanup' EXIT

# new_repo DIR : f holds the lines 1 to 20.
new_repo() {
    mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     seq 1 20 > f && git add -A && git commit -qm one)
}

# start_session NAME DIR TASK : honk run --approve=ask --wait in the background,
# until it waits; sets HONK_PID, SID, J (its journal) and SOCK (from its lock file).
start_session() {
    (cd "$2" && exec "$HONK" run --approve=ask --wait --base-url "$URL" "$3" > "$T/$1.out" 2> "$T/$1.err") &
    HONK_PID=$!
    SID= SOCK=
    until_file "$T/$1.err" " waits for " || { echo "# $1 never waited: $(cat "$T/$1.err")"; return 1; }
    SID=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/$1.err")
    J=$2/.git/honk/sessions/$SID.jsonl
    SOCK=$(sed -n 's/.*"socket":"\([^"]*\)".*/\1/p' "$2/.git/honk/sessions/$SID.lock")
    [ -S "$SOCK" ] || { echo "# $1: no socket in $2/.git/honk/sessions/$SID.lock"; return 1; }
}

# client NAME [HK_CLIENT-ARGS...] : runs hk_client on $SOCK, its script
# $T/NAME.send when there is one; output in $T/NAME.out, status in $T/NAME.rc.
client() {
    n=$1; shift
    [ -f "$T/$n.send" ] && set -- --send "$T/$n.send" "$@"
    "$CLIENT" --timeout 30 "$@" "$SOCK" > "$T/$n.out" 2> "$T/$n.err"
    echo $? > "$T/$n.rc"
}
script() { n=$1; shift; printf '%s\n' "$@" > "$T/$n.send"; }
rc_of() { cat "$T/$1.rc"; }
# a command message: id, then the command object's members
cmd() { printf '{"type":"command","id":"%s","command":{%s}}' "$1" "$2"; }
ping() { printf '{"type":"ping","id":"%s"}' "$1"; }
join() { printf '{"type":"join","name":"%s","from":%s}' "$1" "${2:-0}"; }
journal_count() { grep -c -- "$1" "$J"; }
alive() { kill -0 "$HONK_PID" 2>/dev/null; }
# ping_ok NAME : a fresh client joins and pings; the session answers
ping_ok() {
    script "$1" "$(join "$1")" "$(ping "$1-ping")"
    client "$1" --until "\"id\":\"$1-ping\""
    grep -q "\"type\":\"reply\",\"id\":\"$1-ping\",\"ok\":true" "$T/$1.out"
}

R=$T/a; new_repo "$R"
seq 1 20 | sed 's/^2$/two/; s/^19$/nineteen/' > "$T/f.new"
CONTENT=$(awk '{ printf "%s\\n", $0 }' "$T/f.new")
start_replay "{\"turns\":[
 {\"text\":[\"Changing two lines.\"],\"tool_calls\":[{\"id\":\"t1\",\"name\":\"write_file\",\"input\":{\"path\":\"f\",\"content\":\"$CONTENT\"}}]},
 {\"text\":[\"All done.\\n\`\`\`commit\\nName two lines\\n\`\`\`\\n\"]}]}"
start_session a "$R" "name two lines" || { fail session_started "see above"; exit 1; }
ok session_started

# A watcher that stays from the start to the end: it sees everything live.
script watch '{"type":"join","name":"wendy@test","watch":true,"from":0}' \
    "$(cmd w1 '"command":"decide","proposal":"p1","hunk":0,"verdict":"approve"')"
client watch --timeout 120 --until '"type":"bye"' &
WATCH_PID=$!

# 1. hello first, then the journal's events in order with their seq, then replies.
script hello "$(join hello@test)" "$(ping h1)"
client hello --until '"id":"h1"'
hello=$(head -n 1 "$T/hello.out")
case $hello in
'{"type":"hello","protocol":1,'*) ok hello_comes_first ;;
*) fail hello_comes_first "first line: $hello" ;;
esac
check hello_names_the_session_and_its_wait sh -c "echo '$hello' | grep -qF '\"session\":\"$SID\"' &&
    echo '$hello' | grep -qF '\"state\":\"awaiting_approval\"' && echo '$hello' | grep -qF '\"waiting\":{\"kind\":\"proposal\",\"id\":\"p1\"'"
N=$(echo "$hello" | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
grep '"type":"event","seq":' "$T/hello.out" | head -n "$N" | sed 's/.*"seq":\([0-9]*\),"kind":"\([a-z_]*\)".*/\1 \2/' > "$T/got"
head -n "$N" "$J" | sed 's/^{"kind":"\([a-z_]*\)".*/\1/' | awk '{ print NR - 1, $0 }' > "$T/want"
if [ -n "$N" ] && [ "$N" -gt 5 ] && cmp -s "$T/got" "$T/want"; then ok journal_events_replayed_in_order_with_seq
else fail journal_events_replayed_in_order_with_seq "events=$N; $(diff "$T/want" "$T/got" | head -n 4 | paste -sd' ')"; fi
# where this process's events begin (here, at 0), a marker without seq
listening=$(grep -B 1 -m 1 '"type":"event","seq":0,' "$T/hello.out" | head -n 1)
check replay_marks_where_this_process_began sh -c "echo '$listening' | grep -q '^{\"type\":\"event\",\"kind\":\"presence\",.*\"action\":\"listening\".*\"pid\":$HONK_PID[,}]'"
check ping_answered_ok grep -qF '{"type":"reply","id":"h1","ok":true}' "$T/hello.out"

# 2. from: the events from that offset on.
script from "$(join from@test 3)" "$(ping f1)"
client from --until '"id":"f1"'
check from_offset_starts_there sh -c "grep -m 1 '\"type\":\"event\"' '$T/from.out' | grep -qF '\"seq\":3,'"
check from_offset_skips_the_rest [ "$(grep -c '"seq":[012],' "$T/from.out")" -eq 0 ]

# 3. Anything before the join is refused with a sentence.
script nojoin "$(ping n1)"
client nojoin --until '"id":"n1"'
check before_join_refused grep -qF '{"type":"reply","id":"n1","ok":false,"error":"Say who you are first: ' "$T/nojoin.out"

# 4. Bad commands refused with a sentence; nothing decided; the connection stays.
script bad "$(join bad@test)" "$(cmd b1 '"command":"frobnicate"')" \
    "$(cmd b2 '"command":"decide","proposal":"p9","verdict":"approve"')" \
    '[1,2]' '{"type":"nosuch","id":"b3"}' '{"no":"type"}' "$(ping b4)"
client bad --until '"id":"b4"'
check unknown_command_refused_with_a_sentence grep -qE '"id":"b1","ok":false,"error":"[A-Z][^"]{8,}"' "$T/bad.out"
check decide_unknown_proposal_refused grep -qE '"id":"b2","ok":false,"error":"[A-Z][^"]{8,}"' "$T/bad.out"
check not_an_object_is_an_error grep -qE '^\{"type":"error","error":"[A-Z].{8,}"\}$' "$T/bad.out"
check unknown_type_with_id_refused grep -qE '"id":"b3","ok":false,"error":"[^"]{8,}"' "$T/bad.out"
check no_type_is_an_error [ "$(grep -c '^{"type":"error"' "$T/bad.out")" -ge 2 ]
check after_bad_input_still_answered grep -qF '{"type":"reply","id":"b4","ok":true}' "$T/bad.out"
check bad_commands_decided_nothing [ "$(journal_count '"kind":"decision"')" -eq 0 ]

# 5. Garbage, a 10 MB line and a client gone mid-line: the session goes on.
script garbage "$(join garbage@test)" "$(ping g1)"
client garbage --garbage --until '"id":"g1"'
check garbage_gets_an_error grep -q '^{"type":"error","error":"' "$T/garbage.out"
check garbage_then_still_answered grep -qF '{"type":"reply","id":"g1","ok":true}' "$T/garbage.out"
client big --line-bytes 10485760
check long_line_gets_bye grep -q '^{"type":"bye","reason":"[^"]' "$T/big.out"
check long_line_then_closed [ "$(rc_of big)" -eq 0 ]
client midline --close-mid-line
check session_lives_after_bad_input alive
check session_answers_after_bad_input ping_ok after-bad

# 6. Another user is refused, however the files' modes let it reach the socket.
if [ "$(id -u)" -ne 0 ]; then
    echo "skip - other_uid_refused: needs root to run a client as nobody"
else
    modes=$(stat -c '%a %n' "$T" "$R" "$R/.git" "$R/.git/honk" "$R/.git/honk/sessions" "$SOCK")
    chmod o+rx "$T" "$R" "$R/.git" "$R/.git/honk" "$R/.git/honk/sessions" && chmod 0666 "$SOCK"
    script nobody "$(join nobody@test)" "$(ping x1)"
    client nobody --as-user nobody
    echo "$modes" | while read -r m p; do chmod "$m" "$p"; done
    check other_uid_connects_then_bye grep -qF '{"type":"bye","reason":"this session belongs to another user"}' "$T/nobody.out"
    check other_uid_gets_no_hello [ "$(grep -c '"type":"hello"\|"type":"event"\|"type":"reply"' "$T/nobody.out")" -eq 0 ]
    check other_uid_not_joined [ "$(journal_count '"who":"nobody@test"')" -eq 0 ]
    check session_answers_after_other_uid ping_ok after-nobody
fi

# 7. Two clients approve the same hunk at once: one decision, the other is
# told who was first. Both wait for a third client's join to send.
racers=
for who in alice bob; do
    script "$who" "$(join "$who@test")" '#wait "who":"go@test"' \
        "$(cmd "$who-1" '"command":"decide","proposal":"p1","hunk":0,"verdict":"approve","state":"pending"')"
    client "$who" --until "\"id\":\"$who-1\"" &
    racers="$racers $!"
done
until_file "$J" '"who":"bob@test"' && until_file "$J" '"who":"alice@test"'
script go '{"type":"join","name":"go@test","id":"go"}' '#wait "id":"go"' '#close'
client go
wait $racers
wins=$(cat "$T/alice.out" "$T/bob.out" | grep -c '"type":"reply","id":"[a-z]*-1","ok":true')
check race_one_answer_wins [ "$wins" -eq 1 ]
check race_other_told_who_was_first sh -c "cat '$T/alice.out' '$T/bob.out' | grep '\"type\":\"reply\",\"id\":\"[a-z]*-1\",\"ok\":false' | grep -qE 'already decided by (alice|bob)@test'"
check race_one_decision_journalled [ "$(grep '"kind":"decision"' "$J" | grep -c '"hunk":0')" -eq 1 ]
check race_decision_says_by grep -qE '"kind":"decision".*"by":"(alice|bob)@test"' "$J"
check race_both_saw_the_decision sh -c "grep -q '\"kind\":\"decision\"' '$T/alice.out' && grep -q '\"kind\":\"decision\"' '$T/bob.out'"

# 8. A command with an id answered ok; the watcher's command was refused.
script carol "$(join carol@test)" "$(cmd c1 '"command":"decide","proposal":"p1","hunk":1,"verdict":"approve","state":"pending"')"
client carol --until '"id":"c1"'
check command_answered_ok grep -qF '{"type":"reply","id":"c1","ok":true}' "$T/carol.out"
check watcher_command_refused sh -c "grep -F '{\"type\":\"reply\",\"id\":\"w1\",\"ok\":false,' '$T/watch.out' | grep -qF 'this client only watches (honk attach --watch)'"
check presence_joined_journalled grep -qE '"kind":"presence".*"who":"carol@test","action":"joined"' "$J"
check presence_decided_journalled grep -qE '"kind":"presence".*"who":"carol@test","action":"decided"' "$J"

# 9. The commit answered by a client: the headless run ends done, exit 0, and
# the watcher saw the model's next turn live, then a bye.
until_file "$T/watch.out" '"waiting":{"kind":"commit"'
script commit "$(join dora@test)" "$(cmd k1 '"command":"answer","wait":"commit","approve":true')"
client commit --until '"id":"k1"'
check commit_answered_ok grep -qF '{"type":"reply","id":"k1","ok":true}' "$T/commit.out"
wait "$HONK_PID"; rc=$?; HONK_PID=
check headless_run_done_exit_0 [ $rc -eq 0 ]
check committed [ "$(git -C "$R" log -1 --format=%s "honk/$SID")" = "Name two lines" ]
wait $WATCH_PID
check watcher_saw_live_text sh -c "grep '\"kind\":\"text\"' '$T/watch.out' | grep -v '\"seq\"' | grep -qF 'All done.'"
check watcher_saw_the_text_once [ "$(grep '"kind":"text"' "$T/watch.out" | grep -c 'All done.')" -eq 1 ]
check journal_holds_the_text_the_watcher_saw_live grep -q '^{"kind":"text",.*All done.' "$J"
check watcher_saw_bye_at_the_end sh -c "tail -n 1 '$T/watch.out' | grep -q '^{\"type\":\"bye\",\"reason\":\"'"

# 10. A stale socket after SIGKILL: not live, replaced by honk resume.
R=$T/b; new_repo "$R"
start_replay "{\"turns\":[{\"tool_calls\":[{\"id\":\"t1\",\"name\":\"write_file\",\"input\":{\"path\":\"f\",\"content\":\"one\\n\"}}]}]}"
start_session b "$R" "one line" || { fail stale_session_started "see above"; exit 1; }
kill -9 "$HONK_PID"; wait "$HONK_PID" 2>/dev/null; HONK_PID=
check stale_socket_left_behind [ -S "$SOCK" ]
client stale-connect
check stale_socket_refuses_connections sh -c "[ \"\$(cat '$T/stale-connect.rc')\" -eq 1 ] && grep -q 'Connection refused' '$T/stale-connect.err'"
(cd "$R" && timeout 20 "$HONK" attach --json "$SID" < /dev/null > "$T/stale.out" 2> "$T/stale.err")
check attach_to_killed_session_says_not_live grep -qF "honk attach: session $SID is not running" "$T/stale.err"
check attach_to_killed_session_no_hello [ "$(grep -c '"type":"hello"' "$T/stale.out")" -eq 0 ]
(cd "$R" && exec "$HONK" resume "$SID" --wait --base-url "$URL" > "$T/resume.out" 2> "$T/resume.err") &
HONK_PID=$!
until_file "$T/resume.err" " waits for "
script resumed "$(join r@test)" "$(ping r1)"
client resumed --until '"id":"r1"'
marker=$(grep -n '"action":"listening"' "$T/resumed.out" | cut -d: -f1)
check resumed_replay_marks_the_new_process sh -c "[ \"\$(grep -c '\"action\":\"listening\"' '$T/resumed.out')\" -eq 1 ] &&
    [ '$marker' -gt 2 ] && sed -n '${marker}p' '$T/resumed.out' | grep -q '\"pid\":$HONK_PID[,}]'"
check resume_replaces_the_stale_socket sh -c "head -n 1 '$T/resumed.out' | grep -qF '\"session\":\"$SID\"' && grep -qF '\"id\":\"r1\",\"ok\":true' '$T/resumed.out'"
stop_honk

# 11. A client that never reads is dropped past its bound; another client gets
# every event meanwhile. 6000 deltas of 1000 bytes: well past 4 MiB and the socket's
# buffers, with room for the reader to fall a little behind.
R=$T/c; new_repo "$R"
X=$(head -c 1000 /dev/zero | tr '\0' x)
start_replay "{\"turns\":[{\"tool_calls\":[{\"id\":\"t1\",\"name\":\"write_file\",\"input\":{\"path\":\"f\",\"content\":\"one\\n\"}}]},
 {\"repeat\":{\"text\":\"$X\",\"count\":6000}}]}"
start_session c "$R" "one line" || { fail stuck_session_started "see above"; exit 1; }
script stuck "$(join stuck@test)"
client stuck --no-read --timeout 120 &
STUCK_PID=$!
until_file "$J" '"who":"stuck@test"'
script reader "$(join reader@test)" "$(cmd d1 '"command":"decide","proposal":"p1","verdict":"approve"')"
client reader --timeout 120 --until '"kind":"commit"'
wait $STUCK_PID
check stuck_client_dropped sh -c "grep -q 'server closed' '$T/stuck.err' && [ \"\$(cat '$T/stuck.rc')\" -eq 0 ]"
check stuck_client_dropped_journalled grep -qE '"kind":"presence".*"who":"stuck@test","action":"dropped"' "$J"
got=$(grep '"kind":"text"' "$T/reader.out" | grep -v '"seq"' | sed -n 's/.*"text":"\(x*\)".*/\1/p' | tr -d '\n' | wc -c)
check reader_got_every_delta [ "$got" -eq 6000000 ]
check reader_saw_the_drop grep -qE '"kind":"presence".*"who":"stuck@test","action":"dropped"' "$T/reader.out"
check session_lives_after_the_drop alive
stop_honk
