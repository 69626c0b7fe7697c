# The Diff pane shows each hunk's state as the backend holds it: a decision
# the session could not carry out leaves the hunk as it was (the pane once
# painted the verdict itself, whatever became of it).
. "$HONK_TOP/tests/cockpit.sh"

R=$T/repo
new_repo "$R"
printf 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n' > "$R/list.txt"
(cd "$R" && git add -A && git commit -qm list)

PATCH='--- a/list.txt\n+++ b/list.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n@@ -8,3 +8,3 @@\n eight\n-nine\n+NINE\n ten\n'
SC="{\"turns\":[{\"text\":[\"capitals\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Understood.\"]}]}"

tm_task 120 40 "$R" "$SC" "capitalise"
wait_for "[hunk 2: pending]" > /dev/null
# The file the rejection must rewrite is now a directory: the rejection fails.
W=$(git -C "$R" worktree list --porcelain | sed -n 's/^worktree //p' | grep -v "^$R\$" | head -n 1)
rm -f "$W/list.txt" && mkdir "$W/list.txt"
tm_keys M-2 r
wait_for "Reject hunk: reason" > /dev/null
tm_keys Enter
check failed_rejection_says_why wait_for "cannot write 'list.txt'"
settle
check failed_rejection_not_shown sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -qF '[hunk 1: rejected]'"
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
