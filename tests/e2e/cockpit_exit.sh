# Leaving the cockpit of a real session: q, Ctrl-C and a crash all give the
# terminal back (no panes left on the normal screen), and the session's
# summary is printed there after a normal exit.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"

PATCH='--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old readme\n+new readme\n'
FIX="{\"turns\":[{\"text\":[\"working on it\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"
no_panes() { ! screen | grep -q ' 1 Chat'; }

# q after the change is committed: exit 0 and the summary names the commit.
tm_task 80 24 "$R" "$FIX" "fix it" --approve=all
check quit_reaches_review wait_for "Ready for review"
tm_keys c
check quit_committed wait_for "Committed"
tm_keys Tab q
check quit_exit_0 wait_for "exited 0"
settle
# The whole screen: no panes left, the summary names the commit.
check quit_prints_summary same_screen "$S/exit_done_80x24.txt"
check quit_summary_commit wait_for "  commit $(git -C "$R" rev-parse --short=12 main) on honk/"
check quit_stderr_quiet [ ! -s "$T/stderr" ]

# Ctrl-C in the middle of a task: the terminal comes back with the summary.
tm_task 80 24 "$R" '{"turns":[{"text":["working on it ","slowly ","and ","more"],"chunk_delay_ms":2000}]}' "fix it again"
wait_for "working on it"
tm_keys C-c
check ctrl_c_exits wait_for "exited "
settle
check ctrl_c_prints_summary same_screen "$S/exit_interrupted_80x24.txt"

# A crash (SIGABRT): the shell sees the signal, the screen is given back.
tm_honk 80 24 "$R"
wait_for "Type a task"
pid=$(pgrep -P "$(tm display-message -p -t 0 '#{pane_pid}')" | head -n 1)
kill -ABRT "$pid"
check crash_exits_by_signal wait_for "exited 134"
check crash_restores_screen no_panes

# Every pane busy, keys pressed, then quit: no leak and no memory error
# (valgrind here; ASan does the same in make SANITIZE=1 test).
R=$T/busy
new_repo "$R"
git -C "$R" config honk.test "printf '\\033[31mred\\033[0m done\\n'"
git -C "$R" config honk.deploy.stages build
git -C "$R" config honk.deploy.build.command "echo built"
BUSY="{\"turns\":[{\"text\":[\"hello\\n\`\`\`\\ncode\\n\`\`\`\\n\"],\"tool_calls\":[{\"id\":\"c1\",\"name\":\"read_file\",\"input\":{\"path\":\"missing.txt\"}}]},{\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"ALL DONE\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"
wrap=
if [ "${SANITIZE:-}" != 1 ] && command -v valgrind >/dev/null; then
    wrap="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
fi
echo "# busy run under: ${wrap:-plain}"
# slow_wait TEXT: as wait_for, but long enough for valgrind (at most ~60 s).
slow_wait() { wait_for "$1" 1200; }
HONK_WRAP="$wrap" tm_task 100 40 "$R" "$BUSY" "busy task"
slow_wait "[hunk 1: pending]"

tm_keys M-1 Enter "a message" Enter M-2 a
check busy_reaches_review slow_wait "Ready for review"
tm_keys c
slow_wait "Committed" > /dev/null
tm_keys M-4 D
check busy_deploys slow_wait "passed"
tm_keys Enter M-1 M-Up Enter M-2 s / new Enter M-3 PgUp ? q M-z M-z
tm_keys q
check busy_session_exits_clean slow_wait "exited 0"
check busy_session_no_leaks sh -c "! grep -q 'lost\|ERROR\|runtime error' '$T/stderr'"
tm_stop
stop_replay
