# honk ask against honk-replay in both protocols, as a user runs it.
. "$HONK_TOP/tests/lib.sh"
KEY=sk-e2e-secret-4242

start_replay '{"turns":[{"text":["Hel","lo, ","wor","ld.\n"]}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "say hello" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_anthropic_exit_0 [ "$rc" -eq 0 ]
check ask_anthropic_prints_exactly_the_text [ "$(cat "$T/out")" = "Hello, world." ]
check ask_anthropic_quiet_stderr [ ! -s "$T/err" ]
check ask_anthropic_sends_prompt contains "$T/record.jsonl" '"content":"say hello"'

start_replay '{"turns":[{"text":["Hi ","from ","OpenAI-compatible"]}]}'
OPENAI_API_KEY=$KEY "$HONK" ask --provider openai --base-url "$URL/v1" "hello" > "$T/out" 2> "$T/err" < /dev/null
check ask_openai_prints_exactly_the_text [ "$(cat "$T/out")" = "Hi from OpenAI-compatible" ]
check ask_openai_path contains "$T/record.jsonl" '"path":"/v1/chat/completions"'

# The base URL and key come from the environment, the provider and model from git config.
start_replay '{"turns":[{"text":["configured"]}]}'
git config --global honk.provider openai
git config --global honk.model local-coder
OPENAI_BASE_URL="$URL/v1" OPENAI_API_KEY=$KEY "$HONK" ask "hi" > "$T/out" 2> "$T/err" < /dev/null
check ask_config_and_env [ "$(cat "$T/out")" = "configured" ]
check ask_config_model contains "$T/record.jsonl" '"model":"local-coder"'
rm -f "$HOME/.gitconfig"

start_replay '{"turns":[{"status":429,"retry_after":1,"message":"rate limited"},{"text":["after the wait"]}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_429_then_success [ "$rc" -eq 0 -a "$(cat "$T/out")" = "after the wait" ]
check ask_429_retry_announced contains "$T/err" "retrying in 1.0 s (try 2 of 5)"

start_replay '{"turns":[{"status":500,"message":"down"},{"status":500,"message":"down"},{"status":500,"message":"still down"}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --retries 3 --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_500_exhausted_exit_1 [ "$rc" -eq 1 ]
check ask_500_clear_message contains "$T/err" "honk: the model server answered HTTP 500: api_error: still down (gave up after 3 tries)"

start_replay '{"turns":[{"text":["kept ","text ","then ","the ","line ","drops"],"drop_after_bytes":600,"chunk_delay_ms":5}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_drop_exit_1 [ "$rc" -eq 1 ]
check ask_drop_keeps_partial_text grep -q '^kept ' "$T/out"
check ask_drop_says_why contains "$T/err" "broke mid-reply"

start_replay '{"turns":[{"text":["fine ","then"],"malformed":true}]}'
OPENAI_API_KEY=$KEY "$HONK" ask --provider openai --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_malformed_exit_1 [ "$rc" -eq 1 ]
check ask_malformed_says_so contains "$T/err" "malformed event"

"$HONK" ask "hi" > "$T/out" 2> "$T/err" < /dev/null
rc=$?
check ask_missing_key_exit_2 [ "$rc" -eq 2 ]
check ask_missing_key_names_variable [ "$(cat "$T/err")" = "honk: no API key for anthropic: set ANTHROPIC_API_KEY in the environment" ]

# Ctrl-C mid-stream: a clean stop with status 130, the text so far kept.
start_replay '{"turns":[{"text":["slow ","stream ","of ","words ","that ","never ","ends ","soon"],"chunk_delay_ms":400}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null &
pid=$!
i=0
while [ ! -s "$T/out" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
check ask_interrupt_exit_130 [ "$rc" -eq 130 ]
check ask_interrupt_keeps_text grep -q '^slow ' "$T/out"

check ask_key_never_printed sh -c "! grep -rqF '$KEY' '$T'"

# Under valgrind: no leaks on a normal answer and on a failure.
if [ "${SANITIZE:-}" != 1 ] && command -v valgrind >/dev/null; then
    start_replay '{"turns":[{"text":["leak ","check"],"tool_calls":[{"name":"noop","input":{"a":1}}]},{"status":503}]}'
    ANTHROPIC_API_KEY=$KEY valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/vg" < /dev/null
    check ask_valgrind_clean [ $? -eq 0 ]
    ANTHROPIC_API_KEY=$KEY valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
        --error-exitcode=99 "$HONK" ask --retries 1 --base-url "$URL" "hi" > "$T/out" 2> "$T/vg2" < /dev/null
    check ask_valgrind_clean_on_error [ $? -eq 1 ]
fi
stop_replay

# Piped text goes with the prompt, as claude -p does: git diff | honk ask "review this".
start_replay '{"turns":[{"text":["Looks fine."]}]}'
printf 'diff --git a/x b/x\n+added\n' | ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "review this" > "$T/out" 2> "$T/err"
check ask_piped_exit_0 [ $? -eq 0 ]
check ask_piped_text_sent contains "$T/record.jsonl" '"content":"review this\n\ndiff --git a/x b/x\n+added\n"'
# With - (or no words) stdin is the whole prompt.
start_replay '{"turns":[{"text":["ok"]}]}'
printf 'only stdin' | ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" - > "$T/out" 2> "$T/err"
check ask_dash_reads_stdin contains "$T/record.jsonl" '"content":"only stdin"'
check ask_no_notice_when_piped [ ! -s "$T/err" ]

# The answer ends with a newline, once.
start_replay '{"turns":[{"text":["no newline at the end"]}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
check ask_ends_with_newline [ "$(od -An -c "$T/out" | tr -d ' \n' | tail -c 4)" = 'nd\n' ]
start_replay '{"turns":[{"text":["one line\n"]}]}'
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "hi" > "$T/out" 2> "$T/err" < /dev/null
check ask_newline_not_doubled [ "$(wc -c < "$T/out")" -eq 9 ]

# A reader that stops (| head) ends honk quietly, as it ends git log: status 141, no message.
start_replay '{"turns":[{"text":["line 1\n","line 2\n","line 3\n","line 4\n","line 5\n","line 6\n"],"chunk_delay_ms":100}]}'
( ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "$URL" "count" 2> "$T/err" < /dev/null; echo $? > "$T/rc" ) | head -n 1 > "$T/out"
check ask_head_gets_its_line [ "$(cat "$T/out")" = "line 1" ]
check ask_closed_pipe_status_141 [ "$(cat "$T/rc")" = 141 ]
check ask_closed_pipe_quiet [ ! -s "$T/err" ]

# A base URL that is no URL is configuration (status 2), not a server to retry.
ANTHROPIC_API_KEY=$KEY "$HONK" ask --base-url "htp:/localhost" "hi" > "$T/out" 2> "$T/err" < /dev/null
check ask_bad_base_url_exit_2 [ $? -eq 2 ]
check ask_bad_base_url_says_so [ "$(cat "$T/err")" = 'honk: the base URL "htp:/localhost" is not an http:// or https:// URL with a host (it comes from --base-url)' ]
ANTHROPIC_BASE_URL="not a url" ANTHROPIC_API_KEY=$KEY "$HONK" ask "hi" > "$T/out" 2> "$T/err" < /dev/null
check ask_bad_env_base_url_named sh -c "[ $? -eq 2 ] && grep -q 'it comes from ANTHROPIC_BASE_URL' '$T/err'"
