# The cockpit and its terminal through tmux: XON/XOFF flow control is off
# while honk runs (C-s does not freeze the screen, C-q reaches honk) and the
# terminal's modes come back on quit and on SIGTERM; one Esc interrupts the
# model from any pane (two quick ones too); the status clock ticks while
# honk waits for a decision.
. "$HONK_TOP/tests/cockpit.sh"
R=$T/repo
new_repo "$R"
printf -- '--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-old readme\n+new readme\n' > "$R/fix.patch"

# tm_shell W H COMMAND: COMMAND (sh) in a fresh private tmux server.
tm_shell() {
    tm_stop
    TMUX_N=$((TMUX_N + 1))
    TMUX_NAME=honk-test-$$-$TMUX_N
    tm new-session -d -x "$1" -y "$2" "cd '$R' && export TERM=$TERM_NAME; $3; sleep 30"
}
pane_tty() { tm display -p -t 0 '#{pane_tty}'; }

# C-s, then a key: the screen still answers; C-q quits; stty as before.
tm_shell 80 24 "stty -g > '$T/before'; '$HONK' review fix.patch 2>'$T/stderr'; echo \"exited \$?\"; stty -g > '$T/after'"
wait_for "[hunk 1: pending]" > /dev/null
check ixon_off_while_running sh -c "stty -a < '$(pane_tty)' | grep -q -- '-ixon'"
tm_keys C-s
check c_s_searches wait_for "Search:"
tm_keys Escape
wait_gone "Search:"
tm_keys a
check c_s_does_not_freeze wait_for "[hunk 1: approved]"
tm_keys C-q
check c_q_quits wait_for "exited 0"
check tty_restored_on_quit poll cmp -s "$T/before" "$T/after"

# SIGTERM: honk ends and the terminal is as it was.
rm -f "$T/after"
tm_shell 80 24 "stty -g > '$T/before'; '$HONK' review fix.patch < /dev/tty 2>'$T/stderr' & echo \$! > '$T/pid'; wait \$!; echo \"exited \$?\"; stty -g > '$T/after'"
wait_for "[hunk 1: pending]" > /dev/null
kill -TERM "$(cat "$T/pid")"
check sigterm_exits wait_for "exited"
check tty_restored_on_sigterm poll cmp -s "$T/before" "$T/after"

# One Esc interrupts a streaming answer whichever pane has the focus.
chunks= i=1
while [ $i -le 300 ]; do chunks="$chunks\"word$i \","; i=$((i + 1)); done
SLOW="{\"turns\":[{\"text\":[$chunks\"END-OF-STREAM\"],\"chunk_delay_ms\":40}]}"
for pane in Chat:none Diff:M-2 Tests:M-3 Deploy:M-4 Diff-twice:M-2; do
    pn=${pane%%:*} key=${pane#*:}
    tm_task 100 30 "$R" "$SLOW" "talk"
    wait_for "word3 " > /dev/null
    [ "$key" = none ] || tm_keys "$key"
    if [ "$pn" = Diff-twice ]; then tm_keys Escape Escape; else tm_keys Escape; fi
    check "esc_interrupts_from_$pn" wait_for "Interrupted: the model's unfinished answer is not kept."
    check "esc_stops_stream_from_$pn" sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q END-OF-STREAM"
done
tm_keys q
wait_for "exited" > /dev/null

# The clock ticks while honk waits for a decision on a proposal.
PATCH='--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-old readme\n+new readme\n'
PROPOSE="{\"turns\":[{\"text\":[\"new readme\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]}]}"
tm_task 100 30 "$R" "$PROPOSE" "new readme"
wait_for "awaiting_approval" > /dev/null
clock() { screen | grep awaiting_approval | grep -o '[0-9][0-9]:[0-9][0-9]' | head -n 1; }
# Twice: a tick left from before the wait may move it once.
first=$(clock)
clock_moved() { [ -n "$first" ] && [ "$(clock)" != "$first" ]; }
check clock_ticks_while_waiting poll clock_moved
first=$(clock)
check clock_keeps_ticking poll clock_moved
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
