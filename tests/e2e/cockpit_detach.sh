# The owner's detach key (M-d) gives the terminal back and leaves the
# session running in the background, headless: the shell's prompt returns
# with one line saying how to attach, the session process lives on (off the
# terminal, stdio on /dev/null) still waiting, is answered through honk
# attach and finishes there; SIGTERM cancels it as it does a honk run. With no session yet, detach is refused in Chat; during a
# test run it waits for the run to end (the run is this process's child).
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"

PATCH='--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old readme\n+new readme\n'
FIX="{\"turns\":[{\"text\":[\"working on it\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"

# The screen with the session id masked wherever it shows.
detach_screen() {
    masked | sed 's/attach [0-9a-f]\{8\}/attach xxxxxxxx/g' > "$T/screen.txt"
    [ "${HONK_UPDATE_SCREENS:-}" = 1 ] && cp "$T/screen.txt" "$1"
    diff -u "$1" "$T/screen.txt"
}
journal() { ls "$R"/.git/honk/sessions/*.jsonl 2>/dev/null | tail -n 1; }
# last_state: the state of the journal's last state event
last_state() { grep -s '"kind":"state"' "$(journal)" | tail -n 1 | sed 's/.*"state":"\([a-z_]*\)".*/\1/'; }
state_is() { [ "$(last_state)" = "$1" ]; }
# background_pid: the honk that runs on once the cockpit's process has exited
background_pid() { pgrep -f "^$HONK --base-url $URL" | head -n 1; }
# joined_screen_has TEXT: the pane holds TEXT, lines that wrapped joined
joined_screen_has() { tm capture-pane -p -J -t 0 | grep -qF -- "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# No session yet: refused with a sentence, the cockpit stays.
tm_honk 80 24 "$R"
wait_for "Type a task" > /dev/null
tm_keys M-d
check detach_without_session_refused wait_for "No session runs yet, so there is none to leave running; q quits."
check detach_without_session_stays sh -c "! tmux -L '$TMUX_NAME' capture-pane -p -t 0 | grep -q exited"
tm_keys C-q
wait_for "exited 0" > /dev/null

# honk review has no session: M-d says so.
tm_honk 80 24 "$R" review
wait_for "Diff" > /dev/null
tm_keys M-d
check detach_in_review_refused wait_for "a review has no session to leave running: q quits"
tm_keys q
wait_for "exited" > /dev/null

# ? lists the key with the other global ones.
tm_honk 80 40 "$R"
wait_for "Type a task" > /dev/null
tm_keys F1
check detach_in_help wait_for "M-d              detach           leave with the session running on"
tm_keys q C-q
wait_for "exited 0" > /dev/null

# The proposal waits; M-d: the prompt is back with the line, the session lives on.
tm_task 100 24 "$R" "$FIX" "fix it" --approve=ask
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-d
check detach_exits_0 wait_for "exited 0"
settle
check detach_gives_the_terminal_back detach_screen "$S/detach_100x24.txt"
id=$(basename "$(journal)" .jsonl)
check detach_names_session joined_screen_has "honk: session $id runs on in the background; attach to it: honk attach $id"
check detach_stderr_quiet [ ! -s "$T/stderr" ]
pid=$(background_pid)
check detached_alive sh -c "[ -n '$pid' ] && kill -0 '$pid'"
check detached_off_the_terminal [ "$(ps -o tty= -p "$pid" | tr -d ' ')" = "?" ]
check detached_stdio_null sh -c "[ \"\$(readlink /proc/$pid/fd/0)\" = /dev/null ] &&
    [ \"\$(readlink /proc/$pid/fd/1)\" = /dev/null ] && [ \"\$(readlink /proc/$pid/fd/2)\" = /dev/null ]"
check detached_still_waits state_is awaiting_approval
(cd "$R" && "$HONK" attach) > "$T/live" 2>&1
check detached_lock_names_it grep -q "^$id  awaiting_approval  *pid $pid " "$T/live"
# Answered from another terminal (honk attach --json), it goes on in the
# background: the proposal, then the commit; done, committed on honk/ID.
echo '{"command":"answer","wait":"proposal","id":"p1","approve":true}' |
    (cd "$R" && timeout 30 "$HONK" attach --json "$id" > "$T/attach1" 2>&1)
check detached_attach_answers [ $? -eq 0 ]
check detached_goes_on poll state_is review
echo '{"command":"commit"}' | (cd "$R" && timeout 30 "$HONK" attach --json "$id" > "$T/attach2" 2>&1)
check detached_attach_commits [ $? -eq 0 ]
check detached_finishes poll state_is done
check detached_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "New readme" ]
check detached_process_ends poll gone "$pid"

# SIGTERM cancels a detached session, as it does a honk run.
R=$T/term
new_repo "$R"
tm_task 100 24 "$R" "$FIX" "fix it" --approve=ask
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-d
wait_for "exited 0" > /dev/null
id=$(basename "$(journal)" .jsonl)
pid=$(background_pid)
check detached_term_alive sh -c "[ -n '$pid' ] && kill -0 '$pid'"
# A cockpit attached to it leaves with M-d as with q; the session lives on.
tm_honk 100 24 "$R" attach "$id"
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-d
check attached_detach_leaves wait_for "exited 0"
check attached_detach_session_lives sh -c "kill -0 '$pid' && [ \"\$(ps -o stat= -p '$pid' | cut -c1)\" != Z ]"
check attached_detach_still_waits state_is awaiting_approval
kill -TERM "$pid" 2>/dev/null
check detached_sigterm_ends_it poll gone "$pid"
check detached_sigterm_cancels state_is cancelled
check detached_sigterm_nothing_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = init ]

# While the tests run, detach waits for them to end (Chat says so), since the
# run is this process's child; then the session goes on in the background:
# the failure goes to the model, its next edit is tested (a run of the
# background process's own) and committed on honk/ID, and the process ends.
R=$T/testing
new_repo "$R"
git -C "$R" config honk.test "while [ ! -e '$T/go' ]; do sleep 0.05; done
    if [ -e '$T/again' ]; then echo tests passed; else touch '$T/again'; echo not yet; exit 1; fi"
AGAIN='{"tool_calls":[{"id":"w","name":"write_file","input":{"path":"README","content":"newer readme\n"}}]}'
LAST='{"text":["Done.\n```commit\nNewer readme\n```\n"]}'
start_replay "{\"turns\":[{\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\"]},$AGAIN,$LAST]}"
tm_honk 80 24 "$R" --base-url "$URL" --model claude-test --approve=all "fix it"
poll state_is testing
tm_keys M-d
check detach_waits_for_the_run wait_for "Leaving once the run in progress ends"
check detach_waits_cockpit_stays sh -c "! tmux -L '$TMUX_NAME' capture-pane -p -t 0 | grep -q exited"
touch "$T/go"
check detach_after_run_exits_0 wait_for "exited 0"
id=$(basename "$(journal)" .jsonl)
check detach_after_run_said joined_screen_has "honk: session $id runs on in the background; attach to it: honk attach $id"
check detach_after_run_finishes poll state_is done
check detach_after_run_tested_again contains "$(journal)" '"passed":true'
check detach_after_run_commits [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "Newer readme" ]
no_background() { [ -z "$(background_pid)" ]; }
check detach_after_run_process_ends poll no_background
tm_stop
stop_replay
