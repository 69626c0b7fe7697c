# Chat, Tests and Deploy through tmux: streamed text wrapped, messages sent
# from the input line, tool entries that expand, a real command's colours and
# \r progress in Tests, stages and their keys in Deploy.
. "$HONK_TOP/tests/cockpit.sh"

# Chat: a streamed reply wraps at word boundaries; a code block stands out.
{
    echo '{"kind":"task","data":{"id":"t1","task":"explain","branch":"honk/t1","provider":"anthropic","model":"m"}}'
    for w in "The " "quick " "brown " "fox " "jumps " "over " "the " "lazy " "dog " "and " "keeps " "running " "through " "the " "forest " "until " "night " "falls " "on " "the " "quiet " "valley " "below."; do
        echo "{\"kind\":\"text\",\"delay_ms\":5,\"data\":{\"text\":\"$w\"}}"
    done
    printf '%s\n' '{"kind":"text","data":{"text":"\n```\ncode line\n```\nafter — naïve 日本語 text"}}'
    echo '{"kind":"tool_call","data":{"id":"c1","name":"read_file","summary":"src/main.c","input":{"path":"src/main.c"}}}'
    echo '{"kind":"tool_result","data":{"id":"c1","name":"read_file","ok":true,"summary":"42 lines","content":"int main(void) { return 0; }"}}'
    echo '{"kind":"retry","data":{"message":"overloaded","attempt":2,"delay_ms":1500}}'
    echo '{"kind":"error","data":{"message":"The model server answered HTTP 500."}}'
} > "$T/chat.jsonl"
tm_start 60 30 "$T/chat.jsonl" --no-color
tm_keys M-z
check chat_zoomed wait_for "1 Chat  [zoom]"
check chat_stream_complete wait_for "below."
check chat_wrapped_at_words wait_for "The quick brown fox jumps over the lazy dog and keeps"
check chat_wrapped_second_row wait_for "running through the forest until night falls on the quiet"
check chat_wide_chars wait_for "after — naïve 日本語 text"
check chat_tool_summary wait_for "▸ read_file: src/main.c → 42 lines ✓"
check chat_retry_line wait_for "retrying: overloaded (try 2, in 1.5 s)"
check chat_error_line wait_for "✗ The model server answered HTTP 500."
# Enter on an empty input expands the selected tool entry.
tm_keys Enter
check chat_tool_expands wait_for "int main(void) { return 0; }"
# Typing and Enter send a message; Up brings it back from the history.
tm_keys "hello there" Enter
check chat_send_logged wait_log "send hello there"
check chat_user_message_shown wait_for "you: hello there"
tm_keys Up
check chat_history wait_for "> hello there"
tm_keys C-u "line one" M-Enter "line two" Enter
check chat_multiline_sent wait_log "line two"
check chat_multiline_has_break sh -c "grep -A1 'send line one' '$T/actions.log' | grep -q '^line two'"
tm_keys Escape
check chat_escape_interrupts wait_log "interrupt"

# Ctrl-X Ctrl-E edits the message in $EDITOR; the result comes back to the input line.
cat > "$T/editor.sh" <<'SH'
#!/bin/sh
printf 'written in the editor\n' > "$1"
SH
chmod +x "$T/editor.sh"
HONK_ENV="EDITOR=$T/editor.sh" tm_start 60 30 "$T/chat.jsonl"
wait_for "below."
tm_keys C-x C-e
check editor_text_in_input wait_for "> written in the editor"
tm_keys Enter
check editor_text_sent wait_log "send written in the editor"

# Scrolling up stops following new output; End follows again.
{
    i=1
    while [ $i -le 60 ]; do printf '{"kind":"text","data":{"text":"line %d\\n"}}\n' $i; i=$((i + 1)); done
    printf '%s\n' '{"kind":"text","delay_ms":400,"data":{"text":"LATE LINE\n"}}'
} > "$T/follow.jsonl"
tm_start 80 24 "$T/follow.jsonl"
wait_for "line 60"
tm_keys PgUp
wait_gone "line 60"
sleep 0.5
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

# Tests: a real command in a pty, its colours and its final \r progress line.
cat > "$T/tests.jsonl" <<'JSON'
{"kind":"test_start","data":{"command":"printf '\\033[32mPASS\\033[0m unit\\n'; printf 'progress 10%%\\rprogress 55%%\\rprogress 100%%\\n'; exit 3"}}
JSON
tm_start 100 30 "$T/tests.jsonl"
check tests_output wait_for "PASS unit"
check tests_header_exit wait_for "FAILED  exit 3"
check tests_progress_final wait_for "progress 100%"
check tests_progress_overwritten sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q '^progress 55'"
check tests_colour sh -c "tmux -L $TMUX_NAME capture-pane -p -e -t 0 | grep -q \"\$(printf '\\033')\\[32mPASS\""
check tests_chat_line wait_for "Tests failed (exit 3"

# Tests keeps scrollback: PgUp shows what scrolled off, End follows again.
printf '%s\n' '{"kind":"test_start","data":{"command":"seq 1 300"}}' > "$T/long.jsonl"
tm_start 100 30 "$T/long.jsonl"
tm_keys M-3 z
check tests_last_line wait_for "passed  exit 0"
check tests_bottom_shown wait_for "300"
tm_keys PgUp PgUp PgUp
check tests_scrollback wait_for "scrolled (G/End: follow)"
check tests_scrollback_earlier sh -c "tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -qx '2[0-9][0-9]'"
check tests_scrollback_not_bottom sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -qx '300'"
tm_keys G
check tests_follow_again wait_for "300"

# Deploy: stages with marks and durations; Enter shows a log; D and C ask.
cat > "$T/deploy.jsonl" <<'JSON'
{"kind":"deploy_stage","data":{"stage":"build","state":"passed","duration_ms":1200,"log":"compiled 12 files\nlinked honk"}}
{"kind":"deploy_stage","data":{"stage":"migrate","state":"failed","exit":2,"duration_ms":300}}
{"kind":"deploy_stage","data":{"stage":"upload","state":"running"}}
{"kind":"deploy_stage","data":{"stage":"smoke","state":"skipped"}}
{"kind":"deploy_stage","data":{"stage":"notify","state":"pending"}}
JSON
tm_start 100 30 "$T/deploy.jsonl"
tm_keys M-4 z
check deploy_passed wait_for "✓ build                passed      1.2 s"
check deploy_failed wait_for "✗ migrate              failed      0.3 s  exit 2"
check deploy_running wait_for "upload               running"
check deploy_skipped wait_for "– smoke                skipped"
check deploy_pending wait_for "· notify               pending"
tm_keys Enter
check deploy_log wait_for "linked honk"
tm_keys D
check deploy_approve wait_log "deploy approve"
tm_keys C
check deploy_cancel wait_log "deploy cancel"
tm_stop
