# The cockpit's layout through a private tmux server: four titled panes wide
# and narrow, the status and input lines, a resize in the middle of a stream
# without ghost lines, the help screen and the too-small notice.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"

cat > "$T/basic.jsonl" <<'JSON'
{"kind":"task","data":{"id":"t1","task":"fix the empty playlist crash","branch":"honk/t1","provider":"anthropic","model":"claude-test"}}
{"kind":"state","data":{"state":"awaiting_approval","iteration":1}}
{"kind":"text","data":{"text":"The crash comes from reading the first item of an empty list. A guard fixes it."}}
{"kind":"turn_end","data":{"input_tokens":1200,"output_tokens":340}}
{"kind":"deploy_stage","data":{"stage":"build","state":"passed","duration_ms":1200}}
{"kind":"deploy_stage","data":{"stage":"smoke","state":"pending"}}
JSON

tm_start 200 50 "$T/basic.jsonl"
wait_for "guard fixes it"
settle
check layout_200x50_four_titled_panes same_screen "$S/layout_200x50.txt"

# ? lists every binding, from the table that dispatches keys.
tm_keys Tab
wait_for "Tab: next pane"
tm_keys ?
wait_for "Key bindings"
check help_lists_actions wait_for "approve-hunk     approve the hunk"
check help_shows_chords wait_for "C-x+C-e          editor"
check help_shows_every_action wait_for "deploy-cancel"
tm_keys q
check help_closes wait_for " 1 Chat"

tm_start 80 24 "$T/basic.jsonl"
wait_for "guard fixes it"
settle
check layout_80x24_four_titled_panes same_screen "$S/layout_80x24.txt"

# Tab moves the focus; z zooms the focused pane, z again restores.
tm_keys Tab
wait_for "Tab: next pane"
tm_keys z
check zoom_shows_one_pane wait_for "2 Diff  [zoom]"
check zoom_hides_others sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q '3 Tests'"
tm_keys z
check unzoom_restores wait_for " 3 Tests"

# At 80x24 the help scrolls.
tm_keys ?
wait_for "Key bindings"
tm_keys PgDn
check help_scrolls wait_for "approve-hunk"
tm_keys Escape
check help_closes_with_esc wait_for " 1 Chat"

# Below 40x10 a notice replaces the panes until the terminal grows.
tm resize-window -t 0 -x 30 -y 8
check tiny_notice wait_for "too small: 30x8, need 40x10"
check tiny_no_panes sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q Chat"
tm resize-window -t 0 -x 80 -y 24
check tiny_then_grown wait_for " 4 Deploy"

# A resize from 200x50 to 80x24 in the middle of a stream leaves the screen a
# fresh 80x24 cockpit would show once the stream ends.
{
    echo '{"kind":"task","data":{"id":"t2","task":"stream","branch":"honk/t2","provider":"openai","model":"local"}}'
    i=1
    while [ $i -le 40 ]; do
        echo "{\"kind\":\"text\",\"delay_ms\":15,\"data\":{\"text\":\"word$i and some more text to wrap around \"}}"
        i=$((i + 1))
    done
    echo '{"kind":"text","delay_ms":15,"data":{"text":"END-OF-STREAM"}}'
    echo '{"kind":"turn_end","data":{"input_tokens":10,"output_tokens":20}}'
} > "$T/stream.jsonl"
tm_start 80 24 "$T/stream.jsonl"
wait_for "END-OF-STREAM"
settle
screen | sed 's/[0-9][0-9]:[0-9][0-9]/MM:SS/' > "$T/fresh.txt"
tm_start 200 50 "$T/stream.jsonl"
wait_for "word3 "
tm resize-window -t 0 -x 80 -y 24
wait_for "END-OF-STREAM"
settle
screen | sed 's/[0-9][0-9]:[0-9][0-9]/MM:SS/' > "$T/resized.txt"
check resize_mid_stream_no_ghosts diff -u "$T/fresh.txt" "$T/resized.txt"
check resize_mid_stream_wrapped grep -q "word40 and some more text to wrap around END-OF-STREAM\|END-OF-STREAM" "$T/resized.txt"

# q quits and leaves the terminal as it was.
tm_keys Tab q
check quit_logged wait_log "quit"
tm_stop
