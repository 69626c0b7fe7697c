# The cockpit's layout through a private tmux server, on real honk runs:
# four titled panes wide and narrow, the status and input lines, a resize in
# the middle of a stream without ghost lines, the help screen and the
# too-small notice.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
R=$T/repo
new_repo "$R"

BASIC='{"turns":[{"text":["The crash comes from reading the first item ","of an empty list. A guard fixes it."],"usage":{"input_tokens":1200,"output_tokens":340}}]}'

tm_task 200 50 "$R" "$BASIC" "fix the empty playlist crash"
wait_for "guard fixes it"
wait_for " idle " > /dev/null
settle
check layout_200x50_four_titled_panes same_screen "$S/layout_200x50.txt"

# ? lists every binding, from the table that dispatches keys.
tm_keys Tab
wait_for "q: quit"
tm_keys ?
wait_for "Key bindings" > /dev/null
settle
# Every action and chord, no empty heading (no "Tests:").
check help_200x50_every_binding same_screen "$S/help_200x50.txt"
tm_keys q
check help_closes wait_for " 1 Chat"

tm_task 80 24 "$R" "$BASIC" "fix the empty playlist crash"
wait_for "guard fixes it"
wait_for " idle " > /dev/null
settle
check layout_80x24_four_titled_panes same_screen "$S/layout_80x24.txt"

# Tab moves the focus; z zooms the focused pane, z again restores.
tm_keys Tab
wait_for "q: quit"
tm_keys z
wait_for "2 Diff  [zoom]" > /dev/null
settle
check zoom_shows_one_pane same_screen "$S/zoom_diff_80x24.txt"
tm_keys z
check unzoom_restores wait_for " 3 Tests"

# Plain honk waits for a task; at 80x24 its help scrolls.
tm_honk 80 24 "$R"
check waiting_for_task wait_for "Type a task for the model below"
tm_keys Tab
wait_for "q: quit"
tm_keys ?
wait_for "Key bindings"
tm_keys PgDn
wait_for "history-prev" > /dev/null
settle
check help_scrolls same_screen "$S/help_scrolled_80x24.txt"
tm_keys Escape
check help_closes_with_esc wait_for " 1 Chat"

# Below 40x10 a notice replaces the panes until the terminal grows.
tm resize-window -t 0 -x 30 -y 8
wait_for "too small: 30x8, need 40x10" > /dev/null
settle
check tiny_notice_alone same_screen "$S/too_small_30x8.txt"
tm resize-window -t 0 -x 80 -y 24
check tiny_then_grown wait_for " 4 Deploy"

# A resize from 200x50 to 80x24 in the middle of a stream leaves the screen a
# fresh 80x24 cockpit shows once the same stream has ended.
chunks= i=1
while [ $i -le 40 ]; do
    chunks="$chunks\"word$i and some more text to wrap around \","
    i=$((i + 1))
done
STREAM="{\"turns\":[{\"text\":[$chunks\"END-OF-STREAM\"],\"chunk_delay_ms\":15,\"usage\":{\"input_tokens\":10,\"output_tokens\":20}}]}"
tm_task 80 24 "$R" "$STREAM" "stream"
wait_for "END-OF-STREAM"
wait_for " idle " > /dev/null
settle
masked > "$T/fresh.txt"
tm_task 200 50 "$R" "$STREAM" "stream"
wait_for "word3 "
tm resize-window -t 0 -x 80 -y 24
wait_for "END-OF-STREAM"
wait_for " idle " > /dev/null
settle
masked > "$T/resized.txt"
check resize_mid_stream_no_ghosts diff -u "$T/fresh.txt" "$T/resized.txt"
check resize_mid_stream_wrapped grep -q "END-OF-STREAM" "$T/resized.txt"

# q quits: the pane's shell is back and says how honk ended.
tm_keys Tab q
check quit_exits_0 wait_for "exited 0"

# At 80x24 with a proposal waiting, Diff gets the rows (its hunk's lines
# show without z), the empty Tests and Deploy keep a line each, and the key
# line ends with quit.
mkdir -p "$R/src"
{
    i=1; while [ $i -le 8 ]; do echo "/* line $i */"; i=$((i + 1)); done
    printf 'struct item *first(struct list *list)\n{\n    return list->items[0];\n}\n'
} > "$R/src/playlist.c"
(cd "$R" && git add -A && git commit -qm playlist)
PATCH='--- a/src/playlist.c\n+++ b/src/playlist.c\n@@ -10,3 +10,5 @@ struct item *first(struct list *list)\n {\n-    return list->items[0];\n+    if (list->len == 0)\n+        return NULL;\n+    return list->items[0];\n }\n'
PROPOSE="{\"turns\":[{\"text\":[\"guard empty playlist\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}],\"usage\":{\"input_tokens\":1200,\"output_tokens\":340}}]}"
tm_task 80 24 "$R" "$PROPOSE" "fix the empty playlist crash"
wait_for "[hunk 1: pending]" > /dev/null
wait_for "q: quit" > /dev/null
settle
check layout_80x24_proposal_gets_the_rows same_screen "$S/layout_80x24_proposal.txt"
tm_keys q
wait_for "exited" > /dev/null
tm_stop
stop_replay
