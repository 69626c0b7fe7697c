# Pair review: two cockpits on one session, each in a private tmux server of
# its own, against honk-replay. alice owns the session (honk TASK), bob
# attaches (honk attach ID), carol watches (honk attach --watch ID). A hunk
# approved in one shows approved in the other; the two pressing approve at
# once give one decision, and the other hears who decided; the watcher's
# rejection is refused; text the model streams while bob is attached
# streams in both; bob's q leaves the session running for alice, who
# commits; a finished session opens read-only from its journal; the owner
# detaches (Alt-d) and a third cockpit attaches and commits.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
HOST=$(hostname | cut -d. -f1)
A=honk-attach-$$-alice B=honk-attach-$$-bob W=honk-attach-$$-carol
trap 'for n in $A $B $W; do tmux -L $n kill-server 2>/dev/null; rm -f "$TMUX_SOCKETS/$n"; done; cleanup' EXIT

# on SERVER COMMAND...: cockpit.sh's helpers (screen, wait_for, settle,
# tm_keys ...) on that tmux server.
on() { (TMUX_NAME=$1; shift; "$@"); }
# pane SERVER USER ARGS...: honk ARGS in $R as USER, in a fresh server, 100x30;
# stderr in $T/SERVER.err, then "exited STATUS".
pane() {
    name=$1 user=$2; shift 2
    args=
    for a in "$@"; do args="$args '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
    tmux -L "$name" -f /dev/null new-session -d -x 100 -y 30 \
        "cd '$R' && env TERM=$TERM_NAME USER=$user $HONK_ENV $HONK_WRAP '$HONK'$args 2>'$T/$name.err'; echo \"exited \$?\"; sleep 30"
}
# The screen masked as cockpit.sh masks it, and the host in names too.
same() { on "$1" masked | sed "s/@$HOST\b/@host/g; s/Session [0-9a-f]\{8\}/Session xxxxxxxx/g; s/attach [0-9a-f]\{8\}/attach xxxxxxxx/g" > "$T/screen.txt"
    [ "${HONK_UPDATE_SCREENS:-}" = 1 ] && cp "$T/screen.txt" "$2"
    diff -u "$2" "$T/screen.txt"; }
status_line() { on "$1" screen | grep ' │ ' | tail -n 1; }
journal() { cat "$R/.git/honk/sessions/$ID.jsonl"; }
decisions() { journal | grep -c '"kind":"decision"'; }
decisions_of_hunk() { journal | grep '"kind":"decision"' | grep -c "\"hunk\":$1,"; }

# one_session NAME: a repository $T/NAME whose list alice's session (in $A)
# works on, with the proposal waiting; ID is the session's id.
PATCH='--- a/list\n+++ b/list\n@@ -1,2 +1,2 @@\n-1 sheep\n+1 SHEEP\n 2 sheep\n@@ -8,2 +8,2 @@\n-7 sheep\n+7 SHEEP\n 8 sheep\n@@ -15,2 +15,2 @@\n-14 sheep\n+14 SHEEP\n 15 sheep\n'
WORDS='"The ","tests ","pass: ","three ","sheep ","now ","shout, ","the ","rest ","sleep ","on, ","as ","sheep ","do.\n```commit\nShout three sheep\n```\n"'
one_session() {
    R=$T/$1
    new_repo "$R"
    # A line that starts with a letter: the @@ of the hunk below it names it
    # (git's function line), in the attached cockpit too.
    i=1; while [ $i -le 15 ]; do [ $i = 5 ] && echo "five: the shepherd"; echo "$i sheep"; i=$((i + 1)); done > "$R/list"
    (cd "$R" && git add -A && git commit -qm list)
    git -C "$R" config honk.test "echo all good"
    start_replay "{\"turns\":[{\"text\":[\"I will wake three sheep.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[$WORDS],\"chunk_delay_ms\":250}]}" || return 1
    pane "$A" alice --base-url "$URL" --model claude-test --approve=ask "wake the sheep"
    on $A wait_for "0/3 decided" 200 > /dev/null
    ID=$(cd "$R/.git/honk/sessions" && ls *.jsonl | sed 's/\.jsonl$//')
}
stop_panes() { for n in "$@"; do tmux -L $n kill-server 2>/dev/null; rm -f "$TMUX_SOCKETS/$n"; done; }

one_session repo || exit 0
pane "$B" bob attach "$ID"
check attach_opens_on_the_proposal on $B wait_for "[hunk 3: pending]" 200
check attach_owner_status_shows_bob on $A wait_for "with bob@$HOST"
on $A settle; on $B settle
check attach_owner_sees_bob_join same $A "$S/attach_owner_joined_100x30.txt"
check attach_bob_same_panes same $B "$S/attach_bob_joined_100x30.txt"

# (b) alice approves hunk 1: bob's Diff shows it approved, and who did it;
# bob approves hunk 2: alice's does.
on $A tm_keys M-2 a
check attach_approved_shows_in_other on $B wait_for "[hunk 1: approved]"
on $B wait_for "alice@$HOST approved hunk 1 of p1" > /dev/null
on $B settle
check attach_approved_in_other_100x30 same $B "$S/attach_bob_sees_approved_100x30.txt"
on $B tm_keys M-2 n a
check attach_approved_by_bob_in_owner on $A wait_for "[hunk 2: approved]"
check attach_owner_told_who on $A wait_for "bob@$HOST approved hunk 2 of p1"

# (d) carol only watches: her rejection, reason and all, is refused, and
# nothing of it is journalled.
pane "$W" carol attach --watch "$ID"
on $W wait_for "[hunk 3: pending]" 200 > /dev/null
# (the status line is cut at the pane's edge)
check attach_owner_status_shows_watcher poll sh -c "tmux -L $A capture-pane -p -t 0 | grep ' │ ' | grep -qF 'with bob@$HOST, carol@$HOST (watching'"
on $W tm_keys M-2 n n r
on $W wait_for "reason" > /dev/null
on $W tm_keys "not these sheep" Enter
check attach_watch_reject_refused on $W wait_for "only watches"
on $W settle
check attach_watch_refused_100x30 same $W "$S/attach_watch_refused_100x30.txt"
check attach_watch_nothing_journalled sh -c "[ $(decisions) = 2 ] && ! grep -q 'not these sheep' '$R/.git/honk/sessions/$ID.jsonl'"
on $W tm_keys q
on $W wait_for "exited 0" > /dev/null
check attach_watcher_left_owner_status poll sh -c "tmux -L $A capture-pane -p -t 0 | grep ' │ ' | grep -q 'with bob@$HOST │'"

# (a) alice approves hunk 3: the model's answer streams while bob is
# attached, into both cockpits (some of it on bob's screen while the model
# still thinks), and both show all of it. (alice's cursor went on to hunk 2.)
on $A tm_keys M-2 n a
streaming() { on $B screen | grep -q "The tests pass" && status_line $B | grep -q thinking; }
check attach_streams_live poll streaming
check attach_streamed_text_in_owner on $A wait_for "as sheep do." 200
check attach_streamed_text_in_bob on $B wait_for "as sheep do." 200
on $A wait_for "c: commit" 200 > /dev/null
on $B wait_for "c: commit" 200 > /dev/null
# Chat zoomed in both: the whole answer shows.
on $A tm_keys M-1 M-z; on $B tm_keys M-1 M-z
on $A wait_for "1 Chat  [zoom]" > /dev/null; on $B wait_for "1 Chat  [zoom]" > /dev/null
on $A settle; on $B settle
check attach_streamed_owner_100x30 same $A "$S/attach_owner_streamed_100x30.txt"
check attach_streamed_bob_100x30 same $B "$S/attach_bob_streamed_100x30.txt"
on $A tm_keys M-z M-2; on $B tm_keys M-z M-2

# (e) bob leaves with q: his cockpit ends, the session goes on; alice's
# status line lists nobody, and she commits.
on $B tm_keys q
check attach_q_detaches on $B wait_for "exited 0"
check attach_owner_status_without_bob on $A wait_gone "with bob@$HOST"
check attach_owner_chat_says_bob_left on $A wait_for "bob@$HOST left"
check attach_session_still_live sh -c "cd '$R' && '$HONK' attach | grep -q '^$ID .*0 attached'"
on $A settle
check attach_owner_after_bob_left_100x30 same $A "$S/attach_owner_bob_left_100x30.txt"
on $A tm_keys c
check attach_owner_commits_after on $A wait_for "done" 200
check attach_commit_on_branch sh -c "git -C '$R' log -1 --format=%s honk/$ID | grep -qx 'Shout three sheep'"
on $A tm_keys q
on $A wait_for "exited 0" 200 > /dev/null

# (f) A finished session: its journal, read-only, and decisions refused.
stop_panes $B
pane "$B" bob attach "$ID"
check attach_finished_read_only on $B wait_for "this is its journal, read-only" 200
on $B settle
check attach_finished_100x30 same $B "$S/attach_finished_100x30.txt"
on $B tm_keys M-2 a
check attach_finished_decision_refused on $B wait_for "is not running here any more"
on $B tm_keys q
on $B wait_for "exited 0" > /dev/null
stop_panes $A $B

# (c) A new session; both on hunk 1, both press a at once: one decision,
# and the one who was second hears who was first (either may be).
one_session race || exit 0
pane "$B" bob attach "$ID"
on $B wait_for "[hunk 3: pending]" 200 > /dev/null
on $A wait_for "with bob@$HOST" > /dev/null
on $A tm_keys M-2; on $B tm_keys M-2
on $A settle; on $B settle
sh -c "tmux -L $A send-keys -t 0 a; tmux -L $B send-keys -t 0 a"
on $A wait_for "1/3 decided" > /dev/null
on $B wait_for "1/3 decided" > /dev/null
told() { on $A screen | grep -q "already decided by bob@$HOST" && echo alice
    on $B screen | grep -q "already decided by alice@$HOST" && echo bob; }
i=0; while [ $i -lt 100 ] && [ -z "$(told)" ]; do sleep 0.05; i=$((i + 1)); done
check attach_same_hunk_one_decision [ "$(decisions_of_hunk 0)" = 1 ]
check attach_same_hunk_second_told_who [ "$(told | wc -l)" = 1 ]
check attach_same_hunk_both_show_approved sh -c "tmux -L $A capture-pane -p -t 0 | grep -qF '[hunk 1: approved]' &&
    tmux -L $B capture-pane -p -t 0 | grep -qF '[hunk 1: approved]'"
check attach_same_hunk_hunk_2_pending sh -c "tmux -L $A capture-pane -p -t 0 | grep -qF '[hunk 2: pending]' &&
    tmux -L $B capture-pane -p -t 0 | grep -qF '[hunk 2: pending]'"

# (g) alice detaches (Alt-d): her terminal says where the session went and
# her honk exits 0; the session runs on, bob still on it. dave attaches
# from a third cockpit, approves the rest and commits: the session is done,
# the commit on its branch, and the process that ran it on ends.
on $A tm_keys M-d
check attach_owner_detaches on $A wait_for "exited 0" 200
on $A settle
check attach_owner_detached_100x30 same $A "$S/attach_owner_detached_100x30.txt"
check attach_detached_still_live sh -c "cd '$R' && '$HONK' attach | grep -q '^$ID .*1 attached'"
pane "$W" dave attach "$ID"
check attach_third_sees_the_wait on $W wait_for "1/3 decided" 200
check attach_third_status_shows_bob on $W wait_for "with bob@$HOST"
on $W tm_keys M-2 A
check attach_third_approves_rest on $W wait_for "3/3 decided"
check attach_third_sees_answer on $W wait_for "as sheep do." 200
on $W wait_for "c: commit" 200 > /dev/null
on $W tm_keys c
check attach_third_commits on $W wait_for "Session done" 200
check attach_third_commit_on_branch sh -c "git -C '$R' log -1 --format=%s honk/$ID | grep -qx 'Shout three sheep'"
check attach_third_journal_done sh -c "grep '\"kind\":\"state\"' '$R/.git/honk/sessions/$ID.jsonl' | tail -n 1 | grep -q '\"state\":\"done\"'"
gone() { cd "$R" && "$HONK" attach | grep -q "^no live session"; }
check attach_detached_process_ends poll gone
on $B wait_for "Session done" > /dev/null
check attach_bob_sees_done sh -c "tmux -L $B capture-pane -p -t 0 | grep ' │ ' | grep -q '^ done'"
check attach_stderr_clean sh -c "! cat '$T'/*.err | grep -q 'ERROR\|runtime error'"

# One's own keys faster than the screen: alice approves hunk 1, goes back
# to it and rejects it, all before a redraw: her own decision is no
# "already decided" (what the screen last showed is what others changed).
stop_panes $W
one_session quick || exit 0
on $A tm_keys M-2
on $A settle
on $A tm_keys a N r
on $A wait_for "Reject hunk: reason" > /dev/null
on $A tm_keys "on second thought" Enter
check attach_own_quick_keys_decide on $A wait_for "[hunk 1: rejected]"
check attach_own_quick_keys_not_refused sh -c "! tmux -L $A capture-pane -p -t 0 | grep -q 'already decided'"
stop_panes $A
stop_replay
