# Leaving the cockpit: q, Ctrl-C and a crash all give the terminal back
# (no panes left on the normal screen), and the session's summary is printed
# there after a normal exit.
. "$HONK_TOP/tests/cockpit.sh"

cat > "$T/s.jsonl" <<'JSON'
{"kind":"task","data":{"id":"t1","task":"fix it","branch":"honk/t1","provider":"anthropic","model":"m"}}
{"kind":"text","data":{"text":"working on it"}}
{"kind":"summary","data":{"task":"fix it","state":"done","commit":"abc123","deploy":"passed"}}
JSON

# start_shell FILE [WRAPPER]: the cockpit from a shell that reports how it ended.
start_shell() {
    tm_stop
    TMUX_N=$((TMUX_N + 1))
    TMUX_NAME=honk-test-$$-$TMUX_N
    : > "$T/actions.log"
    tm new-session -d -x 80 -y 24 \
        "env TERM=$TERM_NAME $2 $HONK __play-events '$1' --actions-log '$T/actions.log' 2>'$T/stderr'; echo \"exited \$?\"; sleep 30"
}

start_shell "$T/s.jsonl"
wait_for "working on it"
tm_keys Tab q
check quit_exit_0 wait_for "exited 0"
check quit_prints_summary wait_for "honk: fix it - done"
check quit_summary_commit wait_for "  commit abc123"
check quit_restores_screen sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q ' 1 Chat'"
check quit_stderr_quiet [ ! -s "$T/stderr" ]

start_shell "$T/s.jsonl"
wait_for "working on it"
tm_keys C-c
check ctrl_c_quits wait_log "quit"
check ctrl_c_exits wait_for "exited 0"
check ctrl_c_restores_screen sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q ' 1 Chat'"

start_shell "$T/s.jsonl"
wait_for "working on it"
pid=$(pgrep -f "__play-events $T/s.jsonl" | head -n 1)
kill -ABRT "$pid"
check crash_exits_by_signal wait_for "exited 134"
check crash_restores_screen sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q ' 1 Chat'"

# Every pane busy, keys pressed, then quit: no leak and no memory error
# (valgrind here; ASan does the same in make SANITIZE=1 test).
cat > "$T/busy.jsonl" <<'JSON'
{"kind":"task","data":{"id":"t1","task":"fix it","branch":"honk/t1","provider":"anthropic","model":"m"}}
{"kind":"state","data":{"state":"thinking","iteration":1}}
{"kind":"text","data":{"text":"hello\n```\ncode\n```\n"}}
{"kind":"tool_call","data":{"id":"c1","name":"read_file","summary":"x","input":{"path":"x"}}}
{"kind":"tool_result","data":{"id":"c1","name":"read_file","ok":false,"summary":"missing","content":"no such file"}}
{"kind":"proposal","data":{"id":"p1","summary":"s","patch":"--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n keep\n-gone line\n+added line\n"}}
{"kind":"test_start","data":{"command":"printf '\\033[31mred\\033[0m done\\n'"}}
{"kind":"deploy_stage","data":{"stage":"build","state":"running"}}
{"kind":"deploy_stage","data":{"stage":"build","state":"passed","duration_ms":300,"log":"ok"}}
{"kind":"text","data":{"text":"ALL EVENTS PLAYED"}}
JSON
wrap=
if [ "${SANITIZE:-}" != 1 ] && command -v valgrind >/dev/null; then
    wrap="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
fi
echo "# busy run under: ${wrap:-plain}"
start_shell "$T/busy.jsonl" "$wrap"
i=0
while ! screen | grep -q "ALL EVENTS PLAYED" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
tm_keys Enter "a message" Enter M-2 a
wait_log "decide p1 0 approve"
tm_keys r "why not" Enter s u / added Enter M-4 Enter M-3 PgUp ? q M-z M-z
tm_keys q
i=0
while ! screen | grep -q "exited" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
check busy_session_exits_clean wait_for "exited 0"
check busy_session_no_leaks sh -c "! grep -q 'lost\|ERROR' '$T/stderr'"
tm_stop
