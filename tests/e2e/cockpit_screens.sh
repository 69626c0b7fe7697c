# Whole screens of one session mid-way, compared with tests/e2e/screens/:
# the four panes with content in each at 200x50 and 80x24 (Chat's text, the
# proposal in Diff, a finished test run whose \r progress shows only its last
# state, the deploy's stages), the help screen, Diff unified and side by side
# with the "<" and ">" of sideways scrolling, Deploy with every stage state
# and the summary honk prints once the cockpit has closed.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"
git -C "$R" config honk.test "printf '\\033[32mPASS\\033[0m unit\\n'; printf 'progress 10%%\\rprogress 55%%\\rprogress 100%%\\n'"
git -C "$R" config honk.deploy.stages "build migrate smoke notify"
git -C "$R" config honk.deploy.build.command "echo compiled 12 files"
git -C "$R" config honk.deploy.migrate.command "while [ ! -e '$T/go' ]; do sleep 0.05; done; exit 2"
git -C "$R" config honk.deploy.smoke.command "echo smoke"
git -C "$R" config honk.deploy.notify.command "echo notify"
# A line longer than any pane, to be cut with ">" and scrolled to "<".
LONG="new readme: $(i=0; while [ $i -lt 12 ]; do printf 'word%02d and then some ' $i; i=$((i + 1)); done)THE END"
PATCH="--- a/README\\n+++ b/README\\n@@ -1 +1 @@\\n-old readme\\n+$LONG\\n"
FIX="{\"turns\":[{\"text\":[\"The readme is out of date; \",\"I will rewrite its only line.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}],\"usage\":{\"input_tokens\":1200,\"output_tokens\":340}},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"],\"usage\":{\"input_tokens\":1500,\"output_tokens\":20}}]}"

# One session, 200x50: it waits for the deploy (every pane has content).
tm_task 200 50 "$R" "$FIX" "rewrite the readme" --approve=all
wait_for "passed  exit 0" 400 > /dev/null
wait_for "D: deploy" 400 > /dev/null
settle
check session_200x50_four_panes same_screen "$S/session_200x50.txt"

# The same at 80x24: Chat follows its end, Deploy keeps what fits.
tm resize-window -t 0 -x 80 -y 24
# (at 200 columns Diff's title is past column 80: it shows once honk has
# redrawn, not while tmux only cut the old lines)
wait_for " 2 Diff  p1  1/1 decided" > /dev/null
settle
check session_80x24_four_panes same_screen "$S/session_80x24.txt"
tm_keys ?
wait_for "Key bindings" > /dev/null
settle
check help_80x24 same_screen "$S/help_80x24.txt"
# Its end: the notes wrapped at words (they were cut at the edge).
tm_keys G
wait_for "a click focuses it." > /dev/null
settle
check help_end_80x24_wrapped same_screen "$S/help_end_80x24.txt"
tm_keys q
wait_gone "Key bindings" > /dev/null
# Tests zoomed: only the last state of the \r progress line shows.
tm_keys M-3 z
wait_for "3 Tests  [zoom]" > /dev/null
settle
check tests_progress_last_state_80x24 same_screen "$S/tests_progress_80x24.txt"

# Diff zoomed: the long line cut with ">"; l scrolls it, "<" on the left.
tm_keys z M-2 z
wait_for "2 Diff  p1  1/1 decided  [zoom]" > /dev/null
settle
check diff_cut_marker_80x24 same_screen "$S/diff_cut_80x24.txt"
tm_keys l
wait_for "col 37" > /dev/null
settle
check diff_scrolled_markers_80x24 same_screen "$S/diff_scrolled_80x24.txt"
# Side by side at 200x50, scrolled further: both halves marked.
tm resize-window -t 0 -x 200 -y 50
tm_keys s l
wait_for "side by side  col 85" > /dev/null
settle
check diff_side_by_side_scrolled_200x50 same_screen "$S/diff_side_by_side_scrolled_200x50.txt"

# D: build passes, migrate runs (until $T/go exists), the rest pend; Tests
# keeps the test run (a running stage once blanked it).
tm_keys z M-4 D
wait_for "migrate              running" > /dev/null
settle
check deploy_passed_running_pending_200x50 same_screen "$S/deploy_running_200x50.txt"
touch "$T/go"
wait_for "notify               skipped" > /dev/null
settle
check deploy_passed_failed_skipped_200x50 same_screen "$S/deploy_failed_200x50.txt"
# Enter on a stage that ended shows its log.
tm_keys k k k k Enter
wait_for "  compiled 12 files" > /dev/null
settle
check deploy_stage_log_200x50 same_screen "$S/deploy_log_200x50.txt"

# q: the summary on the terminal honk leaves (the deploy's failure kept).
tm_keys q
wait_for "exited 1" > /dev/null
settle
check exit_summary_200x50 same_screen "$S/exit_summary_200x50.txt"
check screens_stderr_clean sh -c "! grep -q 'ERROR\|runtime error' '$T/stderr'"
tm_stop
stop_replay
