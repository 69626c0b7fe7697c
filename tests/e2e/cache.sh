# Prompt caching against honk-replay's provider-like accounting: on a
# 12-turn task every request after the first reads the previous request's
# whole prompt from the cache (Anthropic's breakpoints; OpenAI's byte-stable
# prefix), honk journals what the server billed, and honk.cache=false sends
# no markers and reads nothing.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-cache-test OPENAI_API_KEY=sk-cache-test

new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh")
}

# twelve turns: ten reads, an edit, the summary
turns=""
i=1
while [ $i -le 10 ]; do
    f=calc.sh; [ $((i % 2)) -eq 0 ] && f=test.sh
    turns="$turns{\"text\":[\"Reading $f again ($i).\"],\"tool_calls\":[{\"id\":\"r$i\",\"name\":\"read_file\",\"input\":{\"path\":\"$f\"}}]},"
    i=$((i + 1))
done
turns="$turns{\"tool_calls\":[{\"id\":\"e1\",\"name\":\"edit_file\",\"input\":{\"path\":\"calc.sh\",\"old_string\":\"\$1 - \$2\",\"new_string\":\"\$1 + \$2\"}}]},"
turns="$turns{\"text\":[\"Fixed.\\n\`\`\`commit\\nFix add() to add\\n\\nIt subtracted.\\n\`\`\`\\n\"]}"
SCENARIO="{\"cache_min_tokens\":256,\"turns\":[$turns]}"

# anthropic_usage: "n read creation input" per counted request of the record
anthropic_usage() {
    sed -n 's/^{"n":\([0-9]*\),[^}]*"usage":{"input_tokens":\([0-9]*\),"cache_creation_input_tokens":\([0-9]*\),"cache_read_input_tokens":\([0-9]*\)}.*/\1 \4 \3 \2/p' "$T/record.jsonl"
}
openai_usage() {
    sed -n 's/^{"n":\([0-9]*\),[^}]*"usage":{"prompt_tokens":\([0-9]*\),"cached_tokens":\([0-9]*\)}.*/\1 \2 \3/p' "$T/record.jsonl"
}

run_task() { # DIR
    (cd "$1" && "$HONK" run --approve=all --base-url "$URL" "fix add" > "$T/out" 2> "$T/err")
}

# 1. Anthropic, caching on (the default).
R=$T/r1; new_repo "$R"
start_replay "$SCENARIO"
run_task "$R"
check anthropic_task_done [ "$(git -C "$R" log -1 --format=%s main)" = "Fix add() to add" ]
anthropic_usage > "$T/u1"
check anthropic_twelve_requests [ "$(wc -l < "$T/u1")" -eq 12 ]
# every request after the first reads at least all the previous one cached or wrote
check anthropic_every_later_request_reads_the_previous_prompt awk '
    NR > 1 && ($2 == 0 || $2 < pread + pcreate) { bad = 1; print "request " $1 ": read " $2 ", previous " pread "+" pcreate > "/dev/stderr" }
    { pread = $2; pcreate = $3 }
    END { exit bad || NR < 12 }' "$T/u1"
check anthropic_first_request_writes awk 'NR == 1 { exit !($3 > 256 && $2 == 0) }' "$T/u1"
check anthropic_at_most_four_breakpoints awk '{ n = gsub(/"cache_control"/, "") } n > 4 || n < 2 { bad = 1 } END { exit bad }' "$T/record.jsonl"
journal=$(ls "$R"/.git/honk/sessions/*.jsonl 2>/dev/null | head -n 1)
reads=$(awk '{ s += $2 } END { print s }' "$T/u1")
jreads=$(sed -n 's/.*"kind":"turn_end".*"cache_read_input_tokens":\([0-9]*\).*/\1/p' "$journal" | awk '{ s += $1 } END { print s + 0 }')
check anthropic_journal_has_what_was_billed [ "$reads" -gt 0 -a "$jreads" = "$reads" ]
cp "$T/u1" "${CACHE_USAGE_OUT:-/dev/null}" 2>/dev/null

# 2. Anthropic, honk.cache=false: no markers, nothing read.
R=$T/r2; new_repo "$R"; git -C "$R" config honk.cache false
start_replay "$SCENARIO"
run_task "$R"
anthropic_usage > "$T/u2"
check nocache_twelve_requests [ "$(wc -l < "$T/u2")" -eq 12 ]
check nocache_sends_no_markers sh -c "! grep -q cache_control '$T/record.jsonl'"
check nocache_reads_nothing awk '$2 != 0 || $3 != 0 { bad = 1 } END { exit bad }' "$T/u2"

# 3. OpenAI: each body up to its last message is a byte prefix of the next, so
# the server's cached_tokens cover the previous prompt (in steps of 128).
R=$T/r3; new_repo "$R"; git -C "$R" config honk.provider openai
start_replay "$SCENARIO"
run_task "$R"
openai_usage > "$T/u3"
check openai_twelve_requests [ "$(wc -l < "$T/u3")" -eq 12 ]
check openai_every_later_request_reads_the_previous_prompt awk '
    NR > 1 && ($3 == 0 || $3 < pprompt - 130) { bad = 1; print "request " $1 ": cached " $3 ", previous prompt " pprompt > "/dev/stderr" }
    { pprompt = $2 }
    END { exit bad || NR < 12 }' "$T/u3"
grep '"method":"POST"' "$T/record.jsonl" > "$T/posts" # not the GET asking for the window
# the body as recorded, up to the end of its last message (messages is its
# last key), then a comma: the start of the next request's body, byte for byte
check openai_each_request_is_a_byte_prefix_of_the_next awk '
    { i = index($0, "\"body\":"); b = substr($0, i + 7, length($0) - i - 7) }
    NR > 1 && (substr(b, length(b) - 1) != "]}" || substr(b, 1, length(p) + 1) != p ",") {
        bad = 1; print "request " NR " does not start with request " NR - 1 "'"'"'s messages" > "/dev/stderr" }
    { p = substr(b, 1, length(b) - 2) }
    END { exit bad || NR < 12 }' "$T/posts"
journal=$(ls "$R"/.git/honk/sessions/*.jsonl 2>/dev/null | head -n 1)
cached=$(awk '{ s += $3 } END { print s }' "$T/u3")
jreads=$(sed -n 's/.*"kind":"turn_end".*"cache_read_input_tokens":\([0-9]*\).*/\1/p' "$journal" | awk '{ s += $1 } END { print s + 0 }')
check openai_journal_has_cached_tokens [ "$cached" -gt 0 -a "$jreads" = "$cached" ]

# 4. A server that refuses the markers says what to do in the error.
R=$T/r4; new_repo "$R"
start_replay '{"turns":[{"status":400,"message":"tools.0.cache_control: Extra inputs are not permitted"}]}'
run_task "$R"
check cache_control_refusal_says_how grep -q 'refuses prompt-cache markers: set honk.cache=false' "$T/err"
