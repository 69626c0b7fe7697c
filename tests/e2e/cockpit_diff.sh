# The Diff pane through tmux: a proposal's files and hunks with line numbers,
# decisions reaching the actions log (a on one hunk, r with a reason on
# another, the whole proposal, undo), states that stay visible, $EDITOR.
. "$HONK_TOP/tests/cockpit.sh"

patch='--- a/src/playlist.c\n+++ b/src/playlist.c\n@@ -10,4 +10,6 @@ struct item *first(struct list *list)\n {\n-    return list->items[0];\n+    if (list->len == 0)\n+        return NULL;\n+    return list->items[0];\n }\n@@ -40,3 +42,3 @@ void play(void)\n int x = 1;\n-int count = old_value + 1;\n+int count = new_value + 1;\n end();\n--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-old readme\n+new readme\n'
cat > "$T/diff.jsonl" <<JSON
{"kind":"proposal","data":{"id":"p7","summary":"guard empty playlist","patch":"$patch"}}
JSON

tm_start 120 40 "$T/diff.jsonl"
wait_for "guard empty playlist"
tm_keys M-2 z
check diff_file_list wait_for "M src/playlist.c  +4 -2"
check diff_hunk_header wait_for "@@ -10,4 +10,6 @@ struct item *first(struct list *list)  [hunk 1: pending]"
check diff_line_numbers wait_for "11    -    return list->items[0];"
check diff_added_line wait_for "   12 +        return NULL;"
check diff_second_file wait_for "@@ -1,1 +1,1 @@   [hunk 3: pending]"

# a approves the hunk under the cursor (the first) and moves to the next.
tm_keys a
check approve_logged wait_log "decide p7 0 approve"
check approve_shown wait_for "[hunk 1: approved]"
# r asks for a reason in the input line; Enter sends it.
tm_keys r
check reject_asks_reason wait_for "Reject hunk: reason"
tm_keys "too clever by half" Enter
check reject_logged_with_reason wait_log "decide p7 1 reject reason=too clever by half"
check reject_shown wait_for "[hunk 2: rejected]"
check reject_reason_shown wait_for "rejected because: too clever by half"
check approved_stays_visible wait_for "[hunk 1: approved]"

# u undoes the last decision.
tm_keys u
check undo_logged wait_log "undo"
check undo_shown wait_for "[hunk 2: pending]"

# R rejects the whole proposal, which stays on screen.
tm_keys R
wait_for "Reject proposal: reason"
tm_keys Enter
check reject_all_logged wait_log "decide p7 -1 reject"
check rejected_proposal_stays wait_for "REJECTED"
check rejected_hunks_visible wait_for "[hunk 3: rejected]"

# n/N move between hunks; / searches.
tm_keys g / "new_value" Enter
check search_finds wait_for "+int count = new_value + 1;"

# e: the hunk's new side goes through $EDITOR and comes back as an action.
cat > "$T/editor.sh" <<'SH'
#!/bin/sh
sed -i 's/return NULL;/return EMPTY;/' "$1"
SH
chmod +x "$T/editor.sh"
HONK_ENV="EDITOR=$T/editor.sh" tm_start 120 40 "$T/diff.jsonl"
wait_for "guard empty playlist"
tm_keys M-2
wait_for "[hunk 1: pending]"
tm_keys e
check edit_logged wait_log "decide p7 0 edit edited="
check edit_text_changed grep -q 'return EMPTY;' "$T/actions.log"
check edit_screen_back wait_for "[hunk 1: edited]"

# s: side by side when the pane is wide enough.
tm_start 200 50 "$T/diff.jsonl"
wait_for "guard empty playlist"
tm_keys M-2 M-z s
check side_by_side wait_for "side by side"
check side_by_side_pairs sh -c "tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q -- '-int count = old_value + 1;.*│.*+int count = new_value + 1;'"
tm_stop
