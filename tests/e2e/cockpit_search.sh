# Search and sideways scrolling through tmux on real honk runs: every visible
# match in the search-match colour (reverse under NO_COLOR), wide characters
# keeping matches in their columns, smart case, match counts, search-prev,
# the highlight cleared by Esc or an empty search, in Diff, Help and Chat;
# and the Diff pane's long lines cut with ">" and scrolled with l/h.
. "$HONK_TOP/tests/cockpit.sh"
S="$HONK_TOP/tests/e2e/screens"
ESC=$(printf '\033')

LONG="START$(i=0; while [ $i -lt 20 ]; do printf abcdefghij; i=$((i + 1)); done)FINISH"
cat > "$T/fix.patch" <<EOF
--- a/f
+++ b/f
@@ -1,2 +1,7 @@
-short
+$LONG
+漢字Foo漢字 foo FOO
+Mixed Foo here
+zeta one
+zeta two
+zeta three
 keep
EOF
N=0
# review [ENV]: honk review of the patch at 100x30 on a fresh repository,
# the Diff pane zoomed.
review() {
    N=$((N + 1))
    new_repo "$T/r$N"
    (cd "$T/r$N" && printf 'short\nkeep\n' > f && git add f && git commit -qm f)
    HONK_ENV="$1" tm_honk 100 30 "$T/r$N" review "$T/fix.patch"
    wait_for "zeta three" > /dev/null
    tm_keys M-2 z
    wait_for "[zoom]" > /dev/null
}
colours() { tm capture-pane -p -e -t 0; }
# marked: the screen with the search-match background as {…} and every other
# escape sequence dropped (the match's end is the background going back).
marked() { colours | sed -e "s/${ESC}\[43m/{/g" -e "s/${ESC}\[49m/}/g" -e "s/${ESC}\[[0-9;]*m//g"; }
marked_has() { marked | grep -qF -- "$1"; }
no_match_colour() { ! colours | grep -q "${ESC}\[43m"; }

review
tm_keys / foo Enter
check search_counts_matching_lines wait_for '"foo": match 1 of 2'
# Lower case finds any case (smart case); wide characters take two columns.
check search_highlights_every_match poll marked_has "漢字{Foo}漢字 {foo} {FOO}"
check search_highlights_other_rows marked_has "Mixed {Foo} here"
check search_match_colour sh -c "tmux -L $TMUX_NAME capture-pane -p -e -t 0 | grep -q '${ESC}\[30m${ESC}\[43mFoo'"
# An upper-case letter makes the search exact (from the row found above).
tm_keys / Foo Enter
check smart_case_exact wait_for '"Foo": match 2 of 2'
check smart_case_exact_highlight poll marked_has "漢字{Foo}漢字 foo FOO"
tm_keys / FOO Enter
check smart_case_upper_count wait_for '"FOO": match 1 of 1'
# An empty search clears the highlight.
tm_keys / Enter
check empty_search_says_cleared wait_for "search cleared"
check empty_search_clears_highlight poll no_match_colour
# n-style stepping both ways, wrapping round.
tm_keys / zeta Enter
check search_next_first wait_for '"zeta": match 1 of 3'
tm_keys F3
check search_next_moves wait_for '"zeta": match 2 of 3'
tm_keys C-p
check search_prev_moves wait_for '"zeta": match 1 of 3'
tm_keys C-p
check search_prev_wraps wait_for '"zeta": match 3 of 3'
tm_keys S-F3
check search_prev_shift_f3 wait_for '"zeta": match 2 of 3'
check search_zeta_highlight poll marked_has "{zeta} three"
# Esc in the prompt clears it too.
tm_keys / Escape
check esc_clears_highlight poll no_match_colour
tm_keys / nosuchtext Enter
check search_not_found wait_for '"nosuchtext" not found'

# Help: the same search and highlight.
tm_keys ?
wait_for "Key bindings" > /dev/null
tm_keys / search-prev Enter
check help_search_counts wait_for '"search-prev": match 1 of 1'
check help_search_highlight poll marked_has "{search-prev}"
tm_keys q
wait_gone "Key bindings" > /dev/null
tm_keys q
check search_session_exits_clean wait_for "exited 0"
check search_stderr_clean sh -c "! grep -q 'ERROR\|runtime error' '$T/stderr'"

# NO_COLOR: the match is reverse video.
review NO_COLOR=1
tm_keys / mixed Enter
wait_for '"mixed": match 1 of 1' > /dev/null
check no_color_match_reverse sh -c "tmux -L $TMUX_NAME capture-pane -p -e -t 0 | grep -q '${ESC}\[[0-9;]*7m\(${ESC}\[[0-9;]*m\)*Mixed${ESC}'"

# Long lines: cut with ">", scrolled by half the text's width with l/Right,
# marked "<" on the left, back with h/Left; never past the longest line.
review
wait_for "+STARTabcdefghij" > /dev/null
settle
check long_line_cut same_screen "$S/scroll_cut_100x30.txt"
tm_keys l
wait_for "col 47" > /dev/null
settle
# "<" on every scrolled line (alone on the short ones), ">" on the cut one.
check scroll_right_markers same_screen "$S/scroll_right_100x30.txt"
tm_keys Right l
wait_for "col 117" > /dev/null
settle
check scroll_right_shows_end same_screen "$S/scroll_end_100x30.txt"
tm_keys l
settle
check scroll_right_no_further wait_for "col 117"
tm_keys h
check scroll_left wait_for "col 70"
tm_keys Left h
check scroll_left_home wait_for "+STARTabcdefghij"
check scroll_left_title_plain wait_gone " col "
tm_keys h
settle
check scroll_left_at_zero wait_for "+STARTabcdefghij"
# A match beyond the right edge scrolls the line's text to it.
tm_keys / FINISH Enter
check search_reveals_cut_match wait_for "abcdefghijFINISH"
check search_reveal_title wait_for " col "

# Side by side scrolls both halves together.
N=$((N + 1))
new_repo "$T/r$N"
(cd "$T/r$N" && printf 'short\nkeep\n' > f && git add f && git commit -qm f)
tm_honk 200 30 "$T/r$N" review "$T/fix.patch"
wait_for "zeta three" > /dev/null
tm_keys M-2 z s
wait_for "decided  side by side" > /dev/null
tm_keys l
check side_by_side_scrolls wait_for "col 4"
check side_by_side_both_halves sh -c "tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q -- '-<.*│.*+<'"
tm_keys q
check scroll_session_exits_clean wait_for "exited 0"
check scroll_stderr_clean sh -c "! grep -q 'ERROR\|runtime error' '$T/stderr'"

# Chat: M-/ searches while the input line has the focus; wrapped rows too.
SC='{"turns":[{"text":["The quick brown fox jumps over the lazy dog and keeps running through the forest, over the hills and far away, until the fox sleeps."]}]}'
R=$T/chat
new_repo "$R"
tm_task 100 24 "$R" "$SC" "tell a story"
wait_for "fox sleeps." > /dev/null
tm_keys M-/
wait_for "Search:" > /dev/null
tm_keys fox Enter
check chat_search_counts wait_for '"fox": match'
check chat_search_highlight poll marked_has "brown {fox} jumps"
check chat_search_wrapped_row poll marked_has "the {fox} sleeps."
tm_stop
stop_replay
