# The cockpit on a real session: honk TASK inside a private tmux server,
# honk-replay playing the model, a real repository, tests and deploy.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"

R=$T/calc
mkdir -p "$R"
(cd "$R" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 printf 'add() { echo $(($1 - $2)); }\n\n\n\n\n\n\n\nsub() { echo $(($1 - $2)); }\n' > calc.sh &&
 printf '. ./calc.sh\nprintf "progress 10%%%%\\rprogress 50%%%%\\rprogress 100%%%%\\n"\n[ "$(add 2 3)" = 5 ] && printf "\\033[32mPASS\\033[0m add\\n" || { printf "\\033[31mFAIL\\033[0m add\\n"; exit 1; }\n' > test.sh &&
 git add -A && git commit -qm "calc" &&
 git config honk.test "sh test.sh" && git config honk.deploy.stages "build publish" &&
 git config honk.deploy.build.command "echo building" && git config honk.deploy.publish.command "echo publishing")

PATCH='--- a/calc.sh\n+++ b/calc.sh\n@@ -1,3 +1,3 @@\n-add() { echo $(($1 - $2)); }\n+add() { echo $(($1 + $2)); }\n \n \n@@ -7,3 +7,4 @@\n \n \n sub() { echo $(($1 - $2)); }\n+# TODO: remove sub\n'
WORDS='"The ","sign ","in ","add() ","is ","wrong. ","I will ","fix ","it ","and ","tidy ","up ","a ","little ","while ","I am ","here, ","as ","one ","does ","on ","a ","quiet ","day ","in ","the ","code.\n"'
start_replay "{\"turns\":[{\"text\":[$WORDS],\"chunk_delay_ms\":60,\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Understood.\\n\`\`\`commit\\nFix add()\\n\`\`\`\\n\"]}]}"

printf '#!/bin/sh\nprintf "Fix add(), edited by the engineer\\n" > "$1"\n' > "$T/editor"
chmod +x "$T/editor"
tm_stop
TMUX_NAME=honk-test-$$-session
tm new-session -d -x 200 -y 50 "cd '$R' && env TERM=tmux-256color EDITOR='$T/editor' '$HONK' --base-url '$URL' 'fix add' 2>'$T/stderr'; sleep 30"

four_panes() { screen | grep -q ' 1 Chat' && screen | grep -q ' 2 Diff' && screen | grep -q ' 3 Tests' && screen | grep -q ' 4 Deploy'; }
fits_80x24() { four_panes && [ "$(screen | wc -l)" -le 24 ] && [ "$(screen | wc -L)" -le 80 ]; }
progress_final() { screen | grep -q 'progress 100%' && ! screen | grep -q 'progress 10%'; }
green_pass() { tm capture-pane -p -e -t 0 | grep -q "$(printf '\033')\[32mPASS"; }
stages_passed() { screen | grep -q '✓ build  *passed' && screen | grep -q '✓ publish  *passed'; }

check session_four_panes_200x50 poll four_panes
check session_streams_text wait_for "The sign in add() is wrong."
# Resize in the middle of the stream: the screen must match a fresh layout.
tm resize-window -t 0 -x 80 -y 24 2>/dev/null || tm resize-window -x 80 -y 24
check session_hunks_in_diff wait_for "[hunk 1: pending]"
settle
masked > "$T/after_resize.txt"
tm resize-window -t 0 -x 81 -y 24 2>/dev/null; settle
tm resize-window -t 0 -x 80 -y 24 2>/dev/null; settle
# A one-column change can leave the trimmed capture as it was before honk
# has redrawn, so settle may return early: poll until the relaid screen is
# the one after the first resize, and show the difference if it never is.
relaid_same() { masked > "$T/relaid.txt" && cmp -s "$T/after_resize.txt" "$T/relaid.txt"; }
poll relaid_same || diff -u "$T/after_resize.txt" "$T/relaid.txt"
check session_resize_mid_stream_consistent relaid_same
check session_panes_at_80x24 fits_80x24
tm resize-window -t 0 -x 200 -y 50 2>/dev/null; settle

# The proposal waits: Diff has the focus by itself (in Chat, "a" would be
# typed into the input line), so a approves hunk 1; r rejects hunk 2 with a reason.
check session_diff_focused_for_decision wait_for "Waiting for your decision in Diff (Alt-2)"
tm_keys a
check session_hunk_approved wait_for "[hunk 1: approved]"
tm_keys n r
wait_for "reason" > /dev/null
tm_keys "keep sub as it is" Enter
check session_reason_reaches_model poll record_has "was rejected: keep sub as it is"

# The tests run in the Tests pane: colours kept, the progress line in its final state.
check session_tests_pass wait_for "passed  exit 0"
check session_progress_final progress_final
check session_test_colours poll green_pass

# Review, commit, deploy.
check session_ready_for_review wait_for "Ready for review"
# ] after the last proposal shows the whole change the commit will hold:
# the approved hunk only.
tm_keys "]"
wait_for "The whole change: 1 file +1 -1" > /dev/null
settle
check session_review_shows_whole_change same_screen "$S/session_whole_change_200x50.txt"
tm_keys a
check session_whole_change_not_decided wait_for "Hunks are decided in their proposals"
tm_keys "["
check session_browse_back_to_proposal wait_for "Proposal p1 (1 of 1): calc.sh"
tm_keys "]"
wait_for "The whole change" >/dev/null
tm_keys E
check session_committed wait_for "Committed"
check session_commit_message_edited [ "$(git -C "$R" log -1 --format=%s main)" = "Fix add(), edited by the engineer" ]
check session_repo_has_approved_hunk_only sh -c "git -C '$R' show main:calc.sh | grep -qF '\$((\$1 + \$2))' && ! git -C '$R' show main:calc.sh | grep -q TODO"
# honk show names the hunk each decision was on.
sid=$(cd "$R" && "$HONK" log | sed -n 's/^\([0-9a-f]\{8,\}\) .*/\1/p' | head -n 1)
(cd "$R" && "$HONK" show "$sid") > "$T/show.txt" 2>&1
check session_show_names_decided_hunks sh -c "grep -qx 'honk: approve p1 hunk 1 (by [^ ]*@[^ ]*)' '$T/show.txt' && grep -qx 'honk: reject p1 hunk 2 (by [^ ]*@[^ ]*): keep sub as it is' '$T/show.txt'"
tm_keys Tab Tab
tm_keys D
check session_deploy_stages_pass poll stages_passed

tm_keys ?
check session_help_lists_bindings wait_for "approve-hunk"
tm_keys q
tm_keys q
wait_for "decisions: 1 approved, 1 rejected" > /dev/null
settle
check session_summary_on_exit same_screen "$S/session_summary_200x50.txt"
tm_stop

# honk review HEAD~3..HEAD with no model configured at all.
(cd "$R" && for i in 1 2 3; do echo "x$i" > "f$i.txt"; git add -A; git commit -qm "f$i"; done)
TMUX_NAME=honk-test-$$-review
tm new-session -d -x 120 -y 40 "cd '$R' && env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY TERM=tmux-256color '$HONK' review HEAD~3..HEAD 2>'$T/stderr'; sleep 30"
check review_shows_commits wait_for "f3.txt"
tm_keys r
wait_for "reason" > /dev/null
tm_keys "not this one" Enter
check review_rejected wait_for "rejected because: not this one"
tm_keys q
check review_summary wait_for "1 of 3 hunks rejected, written to honk-review.rej"
check review_rej_file grep -q '^+x1' "$R/honk-review.rej"
tm_stop
stop_replay
