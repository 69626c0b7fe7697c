# A streamed answer is journalled as a few large text events, not one line
# per delta; `honk show` and resume read them whole, and text streamed so
# far reaches the journal while the answer still streams (a crash keeps it).
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-journal-1

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     echo hi > README && git add -A && git commit -qm init)
}

# 1. 20,000 deltas of "word ": a handful of text lines holding every word.
R=$T/r1; new_repo "$R"
start_replay '{"turns":[{"text":["Start. "],"repeat":{"text":"word ","count":20000}}]}'
(cd "$R" && "$HONK" run --base-url "$URL" "talk" > /dev/null 2> "$T/err")
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
J=$R/.git/honk/sessions/$id.jsonl
lines=$(grep -c '"kind":"text"' "$J")
check journal_text_coalesced [ "$lines" -ge 1 ] && [ "$lines" -le 20 ]
check journal_text_lines_few [ "$(wc -l < "$J")" -lt 40 ]
(cd "$R" && "$HONK" show "$id") > "$T/show"
check show_has_every_word [ "$(grep -o 'word' "$T/show" | wc -l)" -eq 20000 ]

# 2. The old form (one event per delta) still reads: the same journal with
#    its text as two small events.
awk '/"kind":"text"/ { next }
     /"kind":"turn_end"/ && !done { print "{\"kind\":\"text\",\"time\":1,\"data\":{\"text\":\"Split \"}}";
                                    print "{\"kind\":\"text\",\"time\":2,\"data\":{\"text\":\"in two.\"}}"; done = 1 }
     { print }' "$J" > "$T/old.jsonl" && cp "$T/old.jsonl" "$J"
(cd "$R" && "$HONK" show "$id") > "$T/show2"
check show_reads_old_form grep -q 'Split in two.' "$T/show2"

# 2b. Resume reads both forms: a session waiting on a proposal after a long
#     answer, its journal rewritten into one event per delta, resumes with
#     the whole answer in the conversation sent to the model.
R=$T/r2; new_repo "$R"
EDIT='{"tool_calls":[{"id":"e1","name":"write_file","input":{"path":"new.txt","content":"x\n"}}]}'
start_replay '{"turns":[{"repeat":{"text":"word ","count":3000},"tool_calls":[{"id":"e1","name":"write_file","input":{"path":"new.txt","content":"x\n"}}]},{"text":["Done."]}]}'
(cd "$R" && "$HONK" run --base-url "$URL" "write" > /dev/null 2> "$T/err2")
check old_form_run_waits grep -q 'honk resume [0-9a-f]* --accept' "$T/err2"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err2")
J=$R/.git/honk/sessions/$id.jsonl
check old_form_new_journal_few_text [ "$(grep -c '"kind":"text"' "$J")" -lt 10 ]
awk '/"kind":"text"/ { if (!done) for (i = 0; i < 3000; i++) print "{\"kind\":\"text\",\"time\":1,\"data\":{\"text\":\"word \"}}"; done = 1; next }
     { print }' "$J" > "$T/old2.jsonl" && cp "$T/old2.jsonl" "$J"
(cd "$R" && "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> "$T/err3")
check old_form_resumes [ "$(tail -n 1 "$T/record.jsonl" | grep -o 'word' | wc -l)" -eq 3000 ]

# 3. While an answer streams slowly, what came reaches the journal before
#    the turn ends; killed then, the journal keeps it.
R=$T/r3; new_repo "$R"
start_replay '{"turns":[{"text":["alpha ","beta ","gamma ","delta ","epsilon ","zeta ","eta ","theta "],"chunk_delay_ms":40,"repeat":{"text":"more ","count":2000}}]}'
rm -f "$T/err_stream"
(cd "$R" && exec "$HONK" run --base-url "$URL" "talk" > /dev/null 2> "$T/err_stream") &
pid=$!
i=0
while ! grep -q '^honk: task' "$T/err_stream" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err_stream")
J=$R/.git/honk/sessions/$id.jsonl
i=0
while ! grep -q '"text":"[^"]*gamma' "$J" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
streaming=$(grep -c '"kind":"turn_end"' "$J")
kill -9 $pid; wait $pid 2>/dev/null
check partial_text_journalled_mid_stream grep -q '"text":"alpha beta gamma' "$J"
check partial_text_before_turn_end [ "$streaming" -eq 0 ]
stop_replay
