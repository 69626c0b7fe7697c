# honk review through tmux: it starts in Diff (a, r and q are keys, not
# typed text), with Chat and Diff only (no Tests, no Deploy, no token
# counter), and A or R after some hunks were decided decide the undecided
# ones only, saying how many of each.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"

# make_playlist DIR: src/playlist.c (first() at line 9, play() at line 39) and README.
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
PATCH='--- a/src/playlist.c\n+++ b/src/playlist.c\n@@ -10,3 +10,5 @@ struct item *first(struct list *list)\n {\n-    return list->items[0];\n+    if (list->len == 0)\n+        return NULL;\n+    return list->items[0];\n }\n@@ -40,3 +42,3 @@ void play(void)\n int x = 1;\n-int count = old_value + 1;\n+int count = new_value + 1;\n end();\n--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-old readme\n+new readme\n'

# fresh_review NAME: a new repository $T/NAME with the patch as fix.patch in it.
fresh_review() {
    R=$T/$1
    make_playlist "$R"
    printf %b "$PATCH" > "$R/fix.patch"
}

# At 80x24 the review is Chat (one line) and Diff (the rest), Diff focused,
# its keys on the key line with help and quit; no Tests, Deploy or tokens.
fresh_review layout
tm_honk 80 24 "$R" review fix.patch
wait_for "[hunk 1: pending]" > /dev/null
settle
check review_80x24_chat_and_diff_only same_screen "$S/review_80x24.txt"
# a, at once, is a decision (the focus is in Diff, not Chat's input line).
tm_keys a
check review_first_key_decides wait_for "[hunk 1: approved]"
check review_first_key_not_typed sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q '^> a'"
# 3 and 4 have no pane here: the focus stays and the status line says why
# (a status message goes after a while: no whole screen of it).
tm_keys 3
check review_no_tests_pane wait_for "a review has no tests or deploy"
check review_focus_stays wait_for "a: approve   r: reject"
# Chat has no model to talk to here: Enter keeps the text and says so.
tm_keys M-1 "hello" Enter
check review_chat_keeps_text wait_for "> hello"
check review_chat_says_no_model wait_for "there is no model here"
tm_keys M-2
# q quits (a key, not typed text); decisions are carried out.
tm_keys q
check review_q_quits wait_for "exited 0"

# A after a and r: the rejected hunk stays rejected, the third is approved.
fresh_review approve_all
tm_honk 120 40 "$R" review fix.patch
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-2 a r
wait_for "Reject hunk: reason" > /dev/null
tm_keys "not this one" Enter
wait_for "[hunk 2: rejected]" > /dev/null
tm_keys A
wait_for "[hunk 3: approved]" > /dev/null
settle
# The whole screen: hunk 2 still rejected with its reason, Chat says how many.
check approve_all_decides_undecided same_screen "$S/review_approve_rest_120x40.txt"
tm_keys q
wait_for "exited" > /dev/null
check approve_all_rejected_not_applied grep -q 'old_value' "$R/src/playlist.c"
check approve_all_approved_applied grep -q 'new readme' "$R/README"

# R after two approvals: those stay approved (and are applied), the third is rejected.
fresh_review reject_all
tm_honk 120 40 "$R" review fix.patch
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-2 a a R
wait_for "Reject proposal: reason" > /dev/null
tm_keys "later" Enter
wait_for "[hunk 3: rejected]" > /dev/null
settle
check reject_all_decides_undecided same_screen "$S/review_reject_rest_120x40.txt"
# Once every hunk is decided, A changes nothing and says so.
tm_keys A
wait_for "All 3 hunks are already decided; nothing changed" > /dev/null
settle
check approve_all_when_all_decided same_screen "$S/review_all_decided_120x40.txt"
tm_keys q
wait_for "exited" > /dev/null
check reject_all_approved_applied grep -q 'new_value' "$R/src/playlist.c"
check reject_all_rejected_kept grep -q 'old readme' "$R/README"

# e in a review: Diff shows the edited line (a hunk with no context lines),
# u brings the reviewed one back, and the edit is what is applied.
fresh_review edit
cat > "$T/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/new readme/newer readme/' "$1"
SH
chmod +x "$T/editor.sh"
HONK_ENV="EDITOR=$T/editor.sh" tm_honk 120 40 "$R" review fix.patch
wait_for "[hunk 1: pending]" > /dev/null
tm_keys M-2 n n e
wait_for "[hunk 3: edited]" > /dev/null
settle
check review_edit_shown same_screen "$S/review_edited_120x40.txt"
tm_keys u
wait_for "[hunk 3: pending]" > /dev/null
settle
check review_undo_edit_pending same_screen "$S/review_edit_undone_120x40.txt"
tm_keys e
wait_for "[hunk 3: edited]" > /dev/null
tm_keys q
wait_for "exited" > /dev/null
check review_edit_applied grep -q 'newer readme' "$R/README"
tm_stop
