# The Diff pane through tmux on real honk runs: a session's proposal with its
# files and hunks and line numbers, decisions reaching the model (a on one
# hunk, r with a reason, undo, R on the whole proposal), states that stay
# visible, $EDITOR on a hunk, side by side; and honk review of a patch file
# and of a commit, with no model at all.
. "$HONK_TOP/tests/cockpit.sh"

# make_playlist DIR: a repository with src/playlist.c (first() at line 9,
# play() at line 39) and README.
make_playlist() {
    new_repo "$1"
    mkdir -p "$1/src"
    {
        i=1; while [ $i -le 8 ]; do echo "/* line $i */"; i=$((i + 1)); done
        printf 'struct item *first(struct list *list)\n{\n    return list->items[0];\n}\n'
        i=13; while [ $i -le 38 ]; do echo "/* line $i */"; i=$((i + 1)); done
        printf 'void play(void)\nint x = 1;\nint count = old_value + 1;\nend();\n'
    } > "$1/src/playlist.c"
    (cd "$1" && git add -A && git commit -qm playlist)
}
R=$T/repo
make_playlist "$R"

PATCH='--- a/src/playlist.c\n+++ b/src/playlist.c\n@@ -10,3 +10,5 @@ struct item *first(struct list *list)\n {\n-    return list->items[0];\n+    if (list->len == 0)\n+        return NULL;\n+    return list->items[0];\n }\n@@ -40,3 +42,3 @@ void play(void)\n int x = 1;\n-int count = old_value + 1;\n+int count = new_value + 1;\n end();\n--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-old readme\n+new readme\n'
SC="{\"turns\":[{\"text\":[\"guard empty playlist\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]},{\"text\":[\"Understood.\\n\`\`\`commit\\nGuard the empty playlist\\n\`\`\`\\n\"]}]}"

tm_task 120 40 "$R" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2 z
check diff_file_list wait_for "M src/playlist.c  +4 -2"
check diff_key_bar wait_for "?: keys   a: approve   r: reject   A: approve all   n: next hunk"
check diff_hunk_header wait_for "@@ -10,3 +10,5 @@ struct item *first(struct list *list)"
check diff_hunk_function wait_for "@@ -40,3 +42,3 @@ void play(void)"
check diff_hunk_pending wait_for "[hunk 1: pending]"
check diff_heading_says_pending wait_for "Proposal p1 (1 of 1): src/playlist.c: hunk 1 pending; src/playlist.c: hunk 2 pending"
check diff_line_numbers wait_for "11    -    return list->items[0];"
check diff_added_line wait_for "   12 +        return NULL;"
check diff_second_file wait_for "@@ -1,1 +1,1 @@   [hunk 3: pending]"

# a approves the hunk under the cursor (the first) and moves to the next.
tm_keys a
check approve_shown wait_for "[hunk 1: approved]"
check diff_heading_says_applied wait_for "Proposal p1 (1 of 1): src/playlist.c: hunk 1 applied; src/playlist.c: hunk 2 pending"
# r asks for a reason in the input line; Enter sends it.
tm_keys r
check reject_asks_reason wait_for "Reject hunk: reason"
tm_keys "too clever by half" Enter
check reject_shown wait_for "[hunk 2: rejected]"
check reject_reason_shown wait_for "rejected because: too clever by half"
check approved_stays_visible wait_for "[hunk 1: approved]"
# u undoes the last decision.
tm_keys u
check undo_shown wait_for "[hunk 2: pending]"
# g goes to the top, n from there to the first hunk, then the second: reject it again.
tm_keys g n n r
wait_for "Reject hunk: reason" > /dev/null
tm_keys "too clever by half" Enter
wait_for "[hunk 2: rejected]" > /dev/null
tm_keys r
wait_for "Reject hunk: reason" > /dev/null
tm_keys "keep the readme" Enter
check reasons_reach_model poll record_has "was rejected: too clever by half"
check every_reason_reaches_model poll record_has "was rejected: keep the readme"
check decided_states_stay wait_for "[hunk 3: rejected]"

# n/N move between hunks; / searches.
tm_keys g / "new_value" Enter
check search_finds wait_for "+int count = new_value + 1;"

# R rejects the whole proposal, which stays on screen.
tm_task 120 40 "$R" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2 z
wait_for "[hunk 1: pending]"
tm_keys R
check reject_all_asks_why wait_for "Reject proposal: reason"
tm_keys "not this way" Enter
check rejected_proposal_stays wait_for "rejected because: not this way"
check rejected_hunks_visible wait_for "[hunk 3: rejected]"
check reject_all_reaches_model poll record_has "not this way"

# s: side by side when the pane is wide enough.
tm_task 200 50 "$R" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2 M-z s
check side_by_side wait_for "decided  side by side"
check side_by_side_pairs sh -c "tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q -- '-int count = old_value + 1;.*│.*+int count = new_value + 1;'"

# e: the hunk's new side goes through $EDITOR; the edit is what lands.
cat > "$T/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/return NULL;/return EMPTY;/' "$1"
SH
chmod +x "$T/editor.sh"
HONK_ENV="EDITOR=$T/editor.sh" tm_task 120 40 "$R" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2
wait_for "[hunk 1: pending]"
tm_keys e
check edit_screen_back wait_for "[hunk 1: edited]"
tm_keys A
check edit_reaches_review wait_for "Ready for review"
tm_keys c
wait_for "Committed" > /dev/null
check edit_text_committed sh -c "git -C '$R' show main:src/playlist.c | grep -q 'return EMPTY;'"
tm_keys q
wait_for "exited" > /dev/null

# honk review PATCH: no model; approved hunks are applied, the others kept in .rej.
R2=$T/review
make_playlist "$R2"
printf %b "$PATCH" > "$T/fix.patch"
tm_honk 120 40 "$R2" review "$T/fix.patch"
check review_patch_file_list wait_for "M src/playlist.c  +4 -2"
tm_keys M-2 z a
check review_patch_approved wait_for "[hunk 1: approved]"
tm_keys r
wait_for "reason" > /dev/null
tm_keys "later" Enter
check review_patch_rejected wait_for "rejected because: later"
tm_keys q
check review_patch_exits wait_for "exited 0"
check review_patch_applied_approved grep -q 'return NULL;' "$R2/src/playlist.c"
check review_patch_kept_rejected grep -q 'old_value' "$R2/src/playlist.c"

# honk review HEAD: a commit's hunks with git's function context.
(cd "$R2" && git checkout -q -- . && git apply "$T/fix.patch" && git commit -qam fix)
tm_honk 120 40 "$R2" review HEAD
tm_keys M-2 z
check review_commit_context wait_for "@@ -38,5 +40,5 @@ struct item *first(struct list *list)  [hunk 3: pending]"
check review_commit_line_numbers wait_for "41    -int count = old_value + 1;"
check review_commit_counts wait_for "M src/playlist.c  +3 -1"
tm_keys q
wait_for "exited" > /dev/null

# A after a and r in a session: the rejected hunk stays rejected (its reason
# reaches the model), the undecided one is approved, Chat says how many.
make_playlist "$T/approve_rest"
tm_task 120 40 "$T/approve_rest" "$SC" "fix the empty playlist crash"
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-2 a r
wait_for "Reject hunk: reason" > /dev/null
tm_keys "keep it" Enter
wait_for "[hunk 2: rejected]" > /dev/null
tm_keys A
check session_approve_all_decides_undecided wait_for "[hunk 3: approved]"
check session_approve_all_keeps_rejected wait_for "[hunk 2: rejected]"
check session_approve_all_says_counts wait_for "Approved the 1 undecided hunk; the 2 already decided stay as they were."
check session_approve_all_reason_kept poll record_has "was rejected: keep it"
check session_approve_all_rejected_not_applied sh -c "grep -q 'int count = old_value' '$T/approve_rest'/.git/honk/worktrees/*/src/playlist.c"
tm_keys q
wait_for "exited" > /dev/null

# e on a hunk with no context lines: Diff shows the edited text, not the
# model's (the whole Diff pane, zoomed).
S="$HONK_TOP/tests/e2e/screens"
BARE='--- a/src/playlist.c\n+++ b/src/playlist.c\n@@ -11 +11 @@\n-    return list->items[0];\n+    return list->items[1];\n'
SC_BARE="{\"turns\":[{\"text\":[\"take the second\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$BARE\"}}]}]}"
cat > "$T/editor2.sh" <<'SH'
#!/bin/sh
sed -i 's/items\[1\]/items[2]/' "$1"
SH
chmod +x "$T/editor2.sh"
make_playlist "$T/bare"
HONK_ENV="EDITOR=$T/editor2.sh" tm_task 80 24 "$T/bare" "$SC_BARE" "take the second item"
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-2 z e
wait_for "[hunk 1: edited]" > /dev/null
settle
check edit_without_context_shows_edit same_screen "$S/diff_edited_80x24.txt"
tm_keys q
wait_for "exited" > /dev/null

# Side by side: a context line after additions has its new-side number on
# the new side (the two sides of "}" are 12 and 14).
make_playlist "$T/sbs"
tm_task 200 50 "$T/sbs" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2 M-z s
wait_for "decided  side by side" > /dev/null
settle
check side_by_side_numbers_each_side same_screen "$S/diff_side_by_side.txt"
tm_keys q
wait_for "exited" > /dev/null

# A hunk header too long for the pane: its function is cut, never its
# "[hunk N: state]" (which once drew as "[hunk 1:approvedd").
make_playlist "$T/narrow"
tm_task 70 24 "$T/narrow" "$SC" "fix the empty playlist crash"
wait_for "guard empty playlist"
tm_keys M-2 z
wait_for "[hunk 1: pending]" > /dev/null
tm_keys a
wait_for "[hunk 1: approved]" > /dev/null
settle
check cut_hunk_header_keeps_state same_screen "$S/diff_header_70x24.txt"

# Esc clears the search in Diff: the status says so and F3 finds nothing more.
tm_keys / "list" Enter
wait_for "match 1 of" > /dev/null
tm_keys Escape
check esc_clears_search wait_for "search cleared"
tm_keys F3
check search_gone_after_esc sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q 'match [0-9]* of'"
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
