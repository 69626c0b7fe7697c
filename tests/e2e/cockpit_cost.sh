# The cockpit shows what the context budget and the price table do: a
# compaction is a line in Chat, and the status line carries the cost so far
# next to the tokens when the model has a price.
. "$HONK_TOP/tests/cockpit.sh"

R=$T/repo; new_repo "$R"
(cd "$R" && i=1 && while [ $i -le 300 ]; do printf 'line %d of the big notes file, which the model keeps reading again\n' $i; i=$((i + 1)); done > big.txt &&
    git add -A && git commit -qm notes && git config honk.contextWindow 20000 &&
    git config honk.price.claude-test.input 3 && git config honk.price.claude-test.output 15)
READ_BIG='{"text":["Reading the notes."],"tool_calls":[{"name":"read_file","input":{"path":"big.txt"}}]}'
tm_task 120 40 "$R" "{\"context_window\":20000,\"turns\":[$READ_BIG,$READ_BIG,$READ_BIG,{\"text\":[\"All read.\"]}]}" "read the notes"
check cockpit_compaction_in_chat wait_for "Compacted the conversation" 200
check cockpit_reply_after_compaction wait_for "All read." 200
shown=$(screen | sed -n 's/.* tokens [0-9]*\/[0-9]* \$\([0-9.]*\) .*/\1/p')
check cockpit_status_shows_cost [ -n "$shown" ]
# the same total as the session's own, in the summary printed on quitting
tm_keys Tab q
wait_for "exited" 200 > /dev/null
total=$(screen | sed -n 's/.*; cost \$\([0-9.]*\)$/\1/p')
check cockpit_status_cost_is_the_sessions sh -c "[ -n '$total' ] && [ \"\$(printf '%.3f' '$total')\" = '$shown' ]"
tm_stop
stop_replay
