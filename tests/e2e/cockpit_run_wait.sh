# A session started headless with honk run --approve=ask --wait in the
# background is attached from a cockpit, approved there (the proposal with
# A, the commit with c), and the headless process finishes with status 0.
. "$HONK_TOP/tests/cockpit.sh"
R=$T/repo
new_repo "$R"
PATCH='--- a/README\n+++ b/README\n@@ -1 +1 @@\n-old readme\n+new readme\n'
start_replay "{\"turns\":[{\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Done.\\n\`\`\`commit\\nNew readme\\n\`\`\`\\n\"]}]}"
(cd "$R" && timeout 60 "$HONK" run --approve=ask --wait --base-url "$URL" "fix it" > "$T/out" 2> "$T/err"
 echo $? > "$T/rc") &
bg=$!
until_file "$T/err" "answer it from another terminal" || cat "$T/err"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
tm_honk 100 30 "$R" attach "$id"
check attach_shows_the_proposal wait_for "[hunk 1: pending]"
tm_keys M-2 A
check attach_approves wait_for "[hunk 1: approved]"
check headless_goes_on_to_review until_file "$T/err" "waits for approval to commit; answer it from another terminal"
wait_for "Ready for review" > /dev/null
tm_keys c
check attach_commits wait_for "Committed"
wait $bg
check headless_run_exit_0 [ "$(cat "$T/rc")" = 0 ]
check headless_run_committed [ "$(git -C "$R" log -1 --format=%s "honk/$id")" = "New readme" ]
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
