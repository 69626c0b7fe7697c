# Chat, Tests and Deploy through tmux on real honk runs: streamed text
# wrapped, messages sent from the input line (what reaches the model read in
# honk-replay's record), tool entries that expand, a real test command's
# colours and \r progress in Tests, real deploy stages and their keys.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"
(cd "$R" && mkdir src && printf 'int main(void) { return 0; }\n' > src/main.c && git add -A && git commit -qm main)

# wait_idle: the status line says the session waits for the engineer.
wait_idle() { wait_for " idle " > /dev/null || wait_for " failed " > /dev/null; }

# Chat: a streamed reply wraps at word boundaries; a code block stands out;
# a tool entry, a retry and an error each get their line.
WORDS=
for w in "The " "quick " "brown " "fox " "jumps " "over " "the " "lazy " "dog " "and " "keeps " "running " "through " "the " "forest " "until " "night " "falls " "on " "the " "quiet " "valley " "below."; do
    WORDS="$WORDS\"$w\","
done
CHAT="{\"turns\":[
 {\"text\":[$WORDS\"\\n\`\`\`\\ncode line\\n\`\`\`\\nafter — naïve 日本語 text\"],\"chunk_delay_ms\":5,
  \"tool_calls\":[{\"id\":\"c1\",\"name\":\"read_file\",\"input\":{\"path\":\"src/main.c\"}}]},
 {\"status\":529,\"retry_after\":1,\"message\":\"Overloaded\"},
 {\"text\":[\"I read it.\"]},
 {\"status\":400,\"message\":\"bad request from the test\"},
 {\"text\":[\"Two lines read.\"]},
 {\"text\":[\"slow \",\"words \",\"that \",\"take \",\"a \",\"while \",\"to \",\"come\"],\"chunk_delay_ms\":1000}
]}"
tm_task 60 30 "$R" "$CHAT" "explain" --no-color
tm_keys M-z
check chat_zoomed wait_for "1 Chat  [zoom]"
check chat_stream_complete wait_for "below."
check chat_wrapped_at_words wait_for "The quick brown fox jumps over the lazy dog and keeps"
check chat_wrapped_second_row wait_for "running through the forest until night falls on the quiet"
check chat_wide_chars wait_for "after — naïve 日本語 text"
check chat_tool_summary wait_for "▸ read_file src/main.c → 1 line"
check chat_retry_line wait_for "↻ the model server answered HTTP 529:"
check chat_retry_then_text wait_for "I read it."
wait_idle
# Enter on an empty input expands the selected tool entry.
tm_keys M-Up Enter
check chat_tool_expands wait_for "int main(void) { return 0; }"
# Typing and Enter send a message; the model's error gets its line.
tm_keys "hello there" Enter
check chat_user_message_shown wait_for "you: hello there"
check chat_send_reaches_model poll record_has '"hello there"'
check chat_error_line wait_for "✗ "
check chat_error_text wait_for "bad request from the test"
wait_idle
# Up brings the message back from the history; M-Enter breaks a line.
tm_keys Up
check chat_history wait_for "> hello there"
tm_keys C-u "line one" M-Enter "line two" Enter
check chat_multiline_sent poll record_has 'line one\nline two'
check chat_multiline_answered wait_for "Two lines read."
wait_idle
tm_keys "go slowly" Enter
wait_for "slow words" > /dev/null
tm_keys Escape
check chat_escape_interrupts wait_for " idle │"
check chat_interrupt_noted wait_for "Interrupted: the model's unfinished answer is not kept."
check chat_interrupt_stops_stream sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q 'to come'"

# Ctrl-X Ctrl-E edits the message in $EDITOR; the result comes back to the
# input line, and Enter sends it to the model as the task.
cat > "$T/editor.sh" <<'SH'
#!/bin/sh
printf 'written in the editor\n' > "$1"
SH
chmod +x "$T/editor.sh"
start_replay '{"turns":[{"text":["On it."]}]}'
HONK_ENV="EDITOR=$T/editor.sh" tm_honk 60 30 "$R" --base-url "$URL" --model claude-test
wait_for "Type a task"
tm_keys C-x C-e
check editor_text_in_input wait_for "> written in the editor"
tm_keys Enter
check editor_text_sent poll record_has '"written in the editor"'
check editor_task_answered wait_for "On it."

# Scrolling up stops following new output; End follows again.
LINES_=
i=1
while [ $i -le 60 ]; do LINES_="$LINES_\"line $i\\n\","; i=$((i + 1)); done
FOLLOW="{\"turns\":[{\"text\":[${LINES_%,}],\"tool_calls\":[{\"id\":\"c1\",\"name\":\"read_file\",\"input\":{\"path\":\"README\"}}]},{\"stall_ms\":800,\"text\":[\"LATE LINE\\n\"]}]}"
tm_task 80 24 "$R" "$FOLLOW" "follow"
wait_for "line 60"
tm_keys PgUp
wait_gone "line 60"
wait_for "LATE LINE" > /dev/null
poll sh -c "tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q ' idle '"
check chat_scrolled_up_stays sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q 'LATE LINE'"
tm_keys End
tm_keys PgDn PgDn PgDn
check chat_follows_again wait_for "LATE LINE"

# The mouse: the wheel scrolls the pane under the pointer, a click focuses.
mouse 96 5 3
check wheel_scrolls_chat wait_gone "LATE LINE"
mouse 32 5 20
mouse 35 5 20
check click_focuses_deploy wait_for "Tab: next pane"
mouse 97 5 3
check wheel_leaves_focus_alone wait_for "Tab: next pane"

# Tests: the repository's test command in a pty, its colours and its final
# \r progress line; the failure goes back to the model.
PATCH='--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old readme\n+new readme\n'
FIX="{\"turns\":[{\"text\":[\"Changing the readme.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"
git -C "$R" config honk.test "printf '\\033[32mPASS\\033[0m unit\\n'; printf 'progress 10%%\\rprogress 55%%\\rprogress 100%%\\n'; exit 3"
tm_task 100 30 "$R" "$FIX" "change the readme" --approve=all
wait_for "FAILED  exit 3" > /dev/null
wait_for "honk to the model: The tests failed (" > /dev/null
check tests_failure_reaches_model poll record_has "progress 100%"
wait_idle
settle
# The whole screen: Tests' header and its \r progress line in its final
# state only; Chat says the failure went to the model as honk's, not yours.
check tests_failed_100x30 same_screen "$S/tests_failed_100x30.txt"
# The Tests pane's line "PASS unit" as tmux shows it with its colours;
# polled: the failed run goes back to the model, and a next run clears the
# pane for a moment.
pass_line() {
    i=0
    while [ $i -lt 100 ]; do
        tmux -L "$TMUX_NAME" capture-pane -p -e -t 0 | grep -a 'PASS' | grep -av printf > "$T/pass_line" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
esc=$(printf '\033')
pass_line
# green PASS, then the program's reset: " unit" in the default colours, not the header's red
check tests_colour grep -qE "${esc}\[32m(${esc}\[[0-9;]*m)*PASS" "$T/pass_line"
check tests_colour_reset grep -qE "PASS(${esc}\[[0-9;]*m)*${esc}\[(0|39)m unit" "$T/pass_line"

# Tests keeps scrollback: PgUp shows what scrolled off, End follows again.
git -C "$R" config honk.test "seq 1 300"
tm_task 100 30 "$R" "$FIX" "change the readme" --approve=all
tm_keys M-3 z
wait_for "passed  exit 0" > /dev/null
wait_for "300" > /dev/null
settle
check tests_bottom_zoomed_100x30 same_screen "$S/tests_bottom_100x30.txt"
tm_keys PgUp PgUp PgUp
wait_for "scrolled (G/End: follow)" > /dev/null
settle
check tests_scrollback_100x30 same_screen "$S/tests_scrollback_100x30.txt"
tm_keys G
wait_gone "scrolled (G/End: follow)" > /dev/null
settle
check tests_follow_again same_screen "$S/tests_bottom_100x30.txt"
git -C "$R" config --unset honk.test

# Deploy: the repository's stages after the commit. (Every stage state, D
# and a stage's log are whole screens in cockpit_screens.sh.)
# deploy_session DIR: a fresh repository with four stages; the session's
# change committed.
deploy_session() {
    R=$1
    new_repo "$R"
    git -C "$R" config honk.deploy.stages "build migrate smoke notify"
    git -C "$R" config honk.deploy.build.command "echo compiled 12 files; echo linked honk"
    git -C "$R" config honk.deploy.migrate.command "exit 2"
    git -C "$R" config honk.deploy.smoke.command "echo smoke"
    git -C "$R" config honk.deploy.notify.command "echo notify"
    tm_task 100 30 "$R" "$FIX" "change the readme" --approve=all
    wait_for "Ready for review" > /dev/null
    tm_keys c
}
# C at the deploy question skips every stage; the session is done.
deploy_session "$T/deploy2"
wait_for "D deploys" > /dev/null
tm_keys M-4 z C
wait_for " done " > /dev/null
wait_for "– notify               skipped" > /dev/null
settle
check deploy_cancel_skips_every_stage same_screen "$S/deploy_cancelled_100x30.txt"
tm_stop
stop_replay
