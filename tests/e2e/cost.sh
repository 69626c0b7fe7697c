# Cost, counted and bounded: with a price for the model, honk show, honk log,
# the exit summary and --json's last line carry the tokens and the cost the
# replay server billed; --max-cost stops the session exactly before the
# request that would pass it, and a resume with a higher limit goes on.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-cost-test

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh" &&
     # a dollar per thousand prompt tokens, answers free: cost = tokens / 1000
     git config honk.price.claude-test.input 1000 && git config honk.price.claude-test.output 0 &&
     git config honk.cache false)
}
READ='{"text":["Let me look."],"tool_calls":[{"name":"read_file","input":{"path":"calc.sh"}}]}'
EDIT='{"tool_calls":[{"name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add() to add\n\nIt subtracted.\n```\n"]}'
SCENARIO="{\"turns\":[$READ,$READ,$READ,$READ,$EDIT,$FINISH]}"
tokens() { sed -n 's/^{"n":[0-9]*,.*"status":200,"tokens":\([0-9]*\),.*/\1/p' "$T/record.jsonl"; }

# 1. The whole task: what the server billed is what honk says it cost.
R=$T/r1; new_repo "$R"
start_replay "$SCENARIO"
(cd "$R" && "$HONK" run --approve=all --json --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
check priced_run_green [ $? -eq 0 ]
tokens > "$T/tok1"
total=$(awk '{ s += $1 } END { print s }' "$T/tok1")
cost=$(awk '{ s += $1 } END { printf "$%.4f", s / 1000 }' "$T/tok1")
check exit_summary_has_cost grep -qF "honk: tokens: $total in, " "$T/err"
check exit_summary_cost_is_billed grep -qF "; cost $cost" "$T/err"
check json_last_line_is_summary sh -c "tail -n 1 '$T/out' | grep -q '^{\"kind\":\"summary\".*\"input_tokens\":$total,.*\"cost_usd\":'"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R" && "$HONK" show "$id") > "$T/show"
check show_ends_with_cost sh -c "tail -n 1 '$T/show' | grep -qF 'honk: tokens: $total in, ' && tail -n 1 '$T/show' | grep -qF '; cost $cost'"
(cd "$R" && "$HONK" log) > "$T/log"
check log_has_cost grep -qF "$cost" "$T/log"

# 2. A limit between the cost after 3 requests and after 4: exactly 3 are sent.
three=$(sed -n 1,3p "$T/tok1" | awk '{ s += $1 } END { print s }')
fourth=$(sed -n 4p "$T/tok1")
limit=$(awk -v a="$three" -v b="$fourth" 'BEGIN { printf "%.4f", (a + b / 2) / 1000 }')
R=$T/r2; new_repo "$R"
start_replay "$SCENARIO"
(cd "$R" && "$HONK" run --approve=all --max-cost "$limit" --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
tokens > "$T/tok2"
check max_cost_exit_3 [ $rc -eq 3 ]
check max_cost_sent_exactly_three [ "$(wc -l < "$T/tok2")" -eq 3 ]
check max_cost_same_requests sh -c "[ \"\$(cat '$T/tok2')\" = \"\$(sed -n 1,3p '$T/tok1')\" ]"
check max_cost_says_why grep -q "Stopped before the next request: .* past the limit of \$$(printf '%.2f' "$limit")" "$T/err"
check max_cost_says_how_to_go_on grep -q "honk resume [0-9a-f]* --max-cost USD" "$T/err"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
(cd "$R" && "$HONK" resume "$id" --max-cost "$limit" --model claude-test --base-url "$URL" > "$T/out" 2> "$T/err2")
check max_cost_same_limit_stops_again sh -c "[ $? -eq 3 ] && [ \$(wc -l < '$T/record.jsonl') -eq 3 ]"
(cd "$R" && "$HONK" resume "$id" --max-cost 100 --model claude-test --base-url "$URL" > "$T/out" 2> "$T/err3")
check max_cost_higher_limit_goes_on [ $? -eq 0 -a "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
check max_cost_resumed_total grep -qF "; cost $cost" "$T/err3"

# 3. No price for the model: said, never guessed; honk.maxCost cannot be kept.
R=$T/r3; new_repo "$R"; git -C "$R" config --unset honk.price.claude-test.input; git -C "$R" config --unset honk.price.claude-test.output
start_replay "$SCENARIO"
(cd "$R" && "$HONK" run --approve=all --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
check unknown_price_said grep -qF "cost unknown (no honk.price for claude-test)" "$T/err"
R=$T/r4; new_repo "$R"; git -C "$R" config --remove-section honk.price.claude-test; git -C "$R" config honk.maxCost 1
start_replay "$SCENARIO"
(cd "$R" && "$HONK" run --approve=all --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
check unknown_price_with_limit_stops sh -c "[ $? -eq 3 ] && [ ! -s '$T/record.jsonl' ] && grep -q 'the price of claude-test is unknown' '$T/err'"

# 4. The extra request that summarises older turns is bounded too.
long_turn() { # MARK
    words=$(awk -v m="$1" 'BEGIN { for (i = 0; i < 600; i++) printf "%s-%d ", m, i }')
    printf '{"text":["%s"],"tool_calls":[{"name":"read_file","input":{"path":"calc.sh"}}]}' "$words"
}
LONG="{\"turns\":[$(long_turn ALPHA),$(long_turn BRAVO),$(long_turn CHARLIE),{\"text\":[\"SUMMARY\"]},$EDIT,$FINISH]}"
R=$T/r5; new_repo "$R"; git -C "$R" config honk.contextWindow 6000
start_replay "$LONG"
(cd "$R" && "$HONK" run --approve=all --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
check summary_run_asks_for_a_summary sh -c "sed -n 4p '$T/record.jsonl' | grep -q 'You summarise the earlier part'"
limit=$(tokens | sed -n 1,3p | awk '{ s += $1 } END { printf "%.4f", s / 1000 + 0.0001 }')
R=$T/r6; new_repo "$R"; git -C "$R" config honk.contextWindow 6000
start_replay "$LONG"
(cd "$R" && "$HONK" run --approve=all --max-cost "$limit" --model claude-test --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
check summary_bounded_by_max_cost sh -c "[ $? -eq 3 ] && [ \$(wc -l < '$T/record.jsonl') -eq 3 ] && ! grep -q 'You summarise' '$T/record.jsonl'"
