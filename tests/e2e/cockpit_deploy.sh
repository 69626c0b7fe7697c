# After the commit, at 80x24 through tmux (with no test command configured): the focus goes to Deploy, which
# lists the stages that wait (not "No deploy yet."), its title and key line
# offer D and C while the deploy waits and no longer once it ran; D where no
# deploy waits says so.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"
git -C "$R" config honk.deploy.stages "build publish"
git -C "$R" config honk.deploy.build.command "echo built"
git -C "$R" config honk.deploy.publish.command "echo published"
PATCH='--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old readme\n+new readme\n'
FIX="{\"turns\":[{\"text\":[\"Changing the readme.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"
# --approve=all commits by itself, then waits for the deploy.
tm_task 80 24 "$R" "$FIX" "change the readme" --approve=all
wait_for "Committed." > /dev/null
wait_for "D: deploy" > /dev/null
settle
check deploy_waits_80x24 same_screen "$S/deploy_waiting_80x24.txt"
# No honk.test here: the review does not claim that tests pass.
check review_claims_no_tests sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q 'the tests pass'"
tm_keys D
wait_for "✓ publish" > /dev/null
wait_for " done " > /dev/null
settle
check deploy_ran_80x24 same_screen "$S/deploy_done_80x24.txt"
tm_keys M-2 D
check d_without_deploy_says_so wait_for "no deploy is waiting for approval"
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
