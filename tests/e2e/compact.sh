# The context budget against honk-replay playing a 20,000-token window: a
# long task that reads a big file again and again runs to green through
# compactions, no request passes the window, the latest test failure is in
# every request after it, a resumed session (after a stop or a kill -9) goes on
# from the compacted form,
# and a provider's too-long refusal compacts and asks again once.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-compact-test

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     i=1 && while [ $i -le 300 ]; do printf 'line %d of the big notes file, which the model keeps reading again\n' $i; i=$((i + 1)); done > big.txt &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh")
}

READ_BIG='{"text":["Reading the notes."],"tool_calls":[{"name":"read_file","input":{"path":"big.txt"}}]}'
EDIT_WRONG='{"tool_calls":[{"name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 * $2"}}]}'
EDIT_RIGHT='{"tool_calls":[{"name":"edit_file","input":{"path":"calc.sh","old_string":"$1 * $2","new_string":"$1 + $2"}}]}'
EDIT_DIRECT='{"tool_calls":[{"name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add() to add\n\nIt subtracted.\n```\n"]}'
LONG="$READ_BIG,$READ_BIG,$READ_BIG,$EDIT_WRONG,{\"text\":[\"Done.\"]},$READ_BIG,$READ_BIG,$READ_BIG,$EDIT_RIGHT,$FINISH"

# statuses and sizes of the requests in the record: "n status tokens"
requests() { sed -n 's/^{"n":\([0-9]*\),.*"status":\([0-9]*\),"tokens":\([0-9]*\),.*/\1 \2 \3/p' "$T/record.jsonl"; }
journal_of() { ls "$1"/.git/honk/sessions/*.jsonl | head -n 1; }

# 1. honk.contextWindow 20000: compactions before the window is reached.
R=$T/r1; new_repo "$R"; git -C "$R" config honk.contextWindow 20000
start_replay "{\"context_window\":20000,\"turns\":[$LONG]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
check budget_run_green [ $rc -eq 0 -a "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
requests > "$T/req1"
check budget_no_request_over_the_window awk '$2 != 200 || $3 > 20000 { bad = 1 } END { exit bad || NR < 10 }' "$T/req1"
check budget_two_compactions [ "$(grep -c '"kind":"compact"' "$(journal_of "$R")")" -ge 2 ]
check budget_compaction_said grep -q '^honk: Compacted the conversation (it neared the context window): [0-9]* old tool results* elided' "$T/err"
check budget_stub_says_how_to_get_it_back contains "$T/record.jsonl" 'read_file big.txt, 300 lines: elided, read it again if needed'
# every request after the first failure still carries it
first=$(grep -n 'FAIL add: got 6' "$T/record.jsonl" | head -n 1 | cut -d: -f1)
check budget_failure_kept_after_compaction awk -v f="$first" 'NR >= f && !/FAIL add: got 6/ { bad = 1 } END { exit bad || !f }' "$T/record.jsonl"
check budget_task_kept awk '!/"content":"fix add"/ { bad = 1 } END { exit bad }' "$T/record.jsonl"

# 2. Stopped at a proposal right after a compaction, resumed: the next request
# is built from the compacted conversation (stubs, not the elided results).
R=$T/r2; new_repo "$R"; git -C "$R" config honk.contextWindow 20000
start_replay "{\"context_window\":20000,\"turns\":[$READ_BIG,$READ_BIG,$READ_BIG,$EDIT_DIRECT,$FINISH]}"
(cd "$R" && "$HONK" run --approve=ask --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
check resume_stopped_after_compaction sh -c "[ $rc -eq 3 -a -n '$id' ] && grep -q '\"kind\":\"compact\"' '$(journal_of "$R")'"
before=$(wc -l < "$T/record.jsonl")
(cd "$R" && "$HONK" resume "$id" --accept --base-url "$URL" > "$T/out2" 2> "$T/err2")
rc=$?
check resume_goes_on [ $rc -eq 0 -o $rc -eq 3 ]
sed -n "$((before + 1))p" "$T/record.jsonl" > "$T/resumed"
check resume_sends_the_compacted_form grep -q 'read_file big.txt, 300 lines: elided' "$T/resumed"
check resume_sends_one_full_copy [ "$(grep -o 'line 150 of the big notes' "$T/resumed" | wc -l)" -eq 1 ]

# 3. No window configured (the model's default is far larger): the server's
# too-long refusal compacts and asks once more, and its figure is kept.
R=$T/r3; new_repo "$R"
start_replay "{\"context_window\":20000,\"turns\":[$LONG]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
requests > "$T/req3"
check too_long_run_green [ $rc -eq 0 ]
check too_long_refused_once [ "$(awk '$2 == 400' "$T/req3" | wc -l)" -eq 1 ]
check too_long_compaction_said grep -q 'Compacted the conversation (the model server found it too long)' "$T/err"

# 4. A task too long by itself: no compaction can help; the turn fails with a
# sentence and the session can be resumed.
R=$T/r4; new_repo "$R"
start_replay '{"context_window":500,"turns":[]}'
task=$(awk 'BEGIN { for (i = 0; i < 400; i++) printf "please fix add "; }')
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "$task" > "$T/out" 2> "$T/err")
rc=$?
check too_long_task_fails [ $rc -ne 0 ]
check too_long_task_sentence grep -q "too long for the model's context window even after compaction" "$T/err"
check too_long_task_asked_once [ "$(wc -l < "$T/record.jsonl")" -eq 1 ]

# 5. When stubs cannot help (the model's own long words fill the window), the
# older turns are summarised by the model in one extra request; the task and
# the newest turns stay, the summary replaces the rest, and a resume goes on
# from the summarised form.
long_turn() { # MARK
    words=$(awk -v m="$1" 'BEGIN { for (i = 0; i < 600; i++) printf "%s-%d ", m, i }')
    printf '{"text":["%s"],"tool_calls":[{"name":"read_file","input":{"path":"calc.sh"}}]}' "$words"
}
SUMMARY='{"text":["SUMMARY-OF-EARLIER-WORK: calc.sh subtracts; add() must add."]}'
SUMMARISED="{\"context_window\":6000,\"turns\":[$(long_turn ALPHA),$(long_turn BRAVO),$(long_turn CHARLIE),$SUMMARY,$EDIT_DIRECT,$FINISH]}"
R=$T/r5; new_repo "$R"; git -C "$R" config honk.contextWindow 6000
start_replay "$SUMMARISED"
(cd "$R" && "$HONK" run --approve=ask --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
check summary_asked_with_its_own_prompt sh -c "sed -n 4p '$T/record.jsonl' | grep -q 'You summarise the earlier part of a coding session'"
sed -n 5p "$T/record.jsonl" > "$T/after"
check summary_replaces_the_oldest grep -q 'SUMMARY-OF-EARLIER-WORK' "$T/after"
check summary_keeps_the_task grep -q '"content":"fix add\\n\\nEarlier work on this task, summarised' "$T/after"
check summary_keeps_the_newest sh -c "grep -q 'CHARLIE-599' '$T/after' && ! grep -q 'ALPHA-599' '$T/after'"
check summary_said grep -q 'Compacted the conversation (it neared the context window): the 3 oldest messages summarised by the model' "$T/err"
check summary_journalled grep -q '"kind":"compact".*"replaced":3' "$(journal_of "$R")"
before=$(wc -l < "$T/record.jsonl")
(cd "$R" && "$HONK" resume "$id" --accept --base-url "$URL" > "$T/out2" 2> "$T/err2")
sed -n "$((before + 1))p" "$T/record.jsonl" > "$T/resumed"
check summary_resume_goes_on_summarised sh -c "[ $rc -eq 3 ] && grep -q 'SUMMARY-OF-EARLIER-WORK' '$T/resumed' && ! grep -q 'ALPHA-599' '$T/resumed'"
requests > "$T/req5"
check summary_no_request_over_the_window awk '$2 != 200 || $3 > 6000 { bad = 1 } END { exit bad || NR < 6 }' "$T/req5"

# 6. Killed (SIGKILL) right after a compaction is journalled, while the next
# request is out: the resumed session's first request is the compacted form
# (stubs and one full copy of the big file), not the original three copies.
R=$T/r6; new_repo "$R"; git -C "$R" config honk.contextWindow 20000
STALLED='{"stall_ms":60000,"text":["never seen"]}'
start_replay "{\"context_window\":20000,\"turns\":[$READ_BIG,$READ_BIG,$READ_BIG,$STALLED,$EDIT_DIRECT,$FINISH]}"
(cd "$R" && exec "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err") &
pid=$!
until_file "$T/record.jsonl" '"n":4,' && journal=$(journal_of "$R") && until_file "$journal" '"kind":"compact"'
kill -9 $pid; wait $pid 2>/dev/null
check kill_after_compaction_journalled sh -c "grep -q '\"kind\":\"compact\"' '$journal' && ! grep -q 'Fix add' '$journal'"
check kill_after_compaction_request_was_compacted grep -q 'read_file big.txt, 300 lines: elided' "$T/record.jsonl"
id=$(basename "$journal" .jsonl)
before=$(wc -l < "$T/record.jsonl")
(cd "$R" && "$HONK" resume "$id" --base-url "$URL" > "$T/out6" 2> "$T/err6")
rc=$?
sed -n "$((before + 1))p" "$T/record.jsonl" > "$T/resumed"
check kill_resume_goes_on_to_green [ $rc -eq 0 -a "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
check kill_resume_sends_the_compacted_form grep -q 'read_file big.txt, 300 lines: elided' "$T/resumed"
check kill_resume_sends_one_full_copy [ "$(grep -o 'line 150 of the big notes' "$T/resumed" | wc -l)" -eq 1 ]
check kill_resume_keeps_the_task grep -q '"content":"fix add"' "$T/resumed"
# from the journal's compacted form, not by compacting the original again
check kill_resume_does_not_compact_again [ "$(grep -c '"kind":"compact"' "$journal")" -eq 1 -a "$(grep -c 'honk: Compacted' "$T/err6")" -eq 1 ]

# 7. An OpenAI-compatible server that reports its window (vLLM's GET
# /v1/models, max_model_len) and no honk.contextWindow: honk asks for the
# figure and compacts before a request passes 80% of it, so the server
# never has to refuse one.
export OPENAI_API_KEY=sk-compact-test
posts() { grep '"method":"POST"' "$T/record.jsonl" | sed -n 's/^{"n":\([0-9]*\),.*"status":\([0-9]*\),"tokens":\([0-9]*\),.*/\1 \2 \3/p'; }
R=$T/r7; new_repo "$R"; git -C "$R" config honk.provider openai
start_replay "{\"context_window\":20000,\"turns\":[$LONG]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
check server_window_asked grep -q '"method":"GET","path":"/models"' "$T/record.jsonl"
check server_window_run_green [ $rc -eq 0 -a "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
posts > "$T/req7"
check server_window_no_request_past_80_percent awk '$2 != 200 || $3 > 16000 { bad = 1 } END { exit bad || NR < 10 }' "$T/req7"
check server_window_compacted_for_the_budget grep -q '"kind":"compact".*"reason":"budget","window":20000' "$(journal_of "$R")"

# 8. An explicit honk.contextWindow wins over the server's figure.
R=$T/r8; new_repo "$R"; git -C "$R" config honk.provider openai; git -C "$R" config honk.contextWindow 12000
start_replay "{\"context_window\":20000,\"turns\":[$LONG]}"
(cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
rc=$?
posts > "$T/req8"
check explicit_window_wins sh -c "[ $rc -eq 0 ] && awk '\$2 != 200 || \$3 > 9600 { bad = 1 } END { exit bad || NR < 10 }' '$T/req8' && grep -q '\"kind\":\"compact\".*\"window\":12000' '$(journal_of "$R")'"
check explicit_window_not_asked sh -c "! grep -q '\"method\":\"GET\"' '$T/record.jsonl'"
