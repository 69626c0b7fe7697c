# One Esc stops a runaway tool loop at once: the model asks for the tests
# turn after turn; Esc while they run stops the run and starts no new turn.
# SIGTERM and SIGINT end the cockpit with status 130 whatever it is doing.
. "$HONK_TOP/tests/cockpit.sh"

R=$T/repo; new_repo "$R"
git -C "$R" config honk.test "echo tests started; sleep 30"
TESTS='{"text":["Again."],"tool_calls":[{"name":"run_tests","input":{}}]}'
start_replay "{\"turns\":[$TESTS,$TESTS,$TESTS,$TESTS,$TESTS,$TESTS]}"
tm_honk 120 40 "$R" --base-url "$URL" --model claude-test "run the tests"
check interrupt_tests_running wait_for "tests started" 200
tm_keys Escape
check interrupt_one_esc_stops wait_for "Interrupted: the model's tool calls stopped." 200
check interrupt_no_new_turn [ "$(grep -c '"turn":[0-9]' "$T/record.jsonl")" -eq 1 ]
check interrupt_session_idle wait_for " idle │"
tm_stop
stop_replay

# SIGTERM and SIGINT end the cockpit with 130 in every state: thinking
# while the model server stalls, and waiting for a decision.
honk_pid() { ps -o pid= --ppid "$(tm list-panes -F '#{pane_pid}' | head -n 1)" | head -n 1; }
EDIT='{"tool_calls":[{"id":"e","name":"write_file","input":{"path":"new.txt","content":"x\n"}}]}'
for sig in TERM INT; do
    start_replay '{"turns":[{"stall_ms":60000}]}'
    tm_honk 120 40 "$R" --base-url "$URL" --model claude-test "hello"
    wait_for " thinking │" > /dev/null
    kill -$sig "$(honk_pid)"
    check "cockpit_sig${sig}_thinking_exits_130" wait_for "exited 130"
    start_replay "{\"turns\":[$EDIT]}"
    tm_honk 120 40 "$R" --base-url "$URL" --model claude-test "write it"
    wait_for "Waiting for your decision" > /dev/null
    kill -$sig "$(honk_pid)"
    check "cockpit_sig${sig}_awaiting_exits_130" wait_for "exited 130"
done
tm_stop
stop_replay
