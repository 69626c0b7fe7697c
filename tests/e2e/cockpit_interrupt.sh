# One Esc stops a runaway tool loop at once: the model asks for the tests
# turn after turn; Esc while they run stops the run and starts no new turn.
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
