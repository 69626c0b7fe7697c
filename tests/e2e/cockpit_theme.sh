# Themes, colours and bindings through tmux on a real session's proposal:
# the default theme's colours, NO_COLOR (attributes alone), a user theme with
# #rrggbb, an unknown theme, a binding changed with git config, and the TERM
# values we support.
. "$HONK_TOP/tests/cockpit.sh"
ESC=$(printf '\033')
R=$T/repo
new_repo "$R"
(cd "$R" && printf 'keep\ngone line\n' > f && git add f && git commit -qm f)

P="{\"turns\":[{\"text\":[\"One line changes.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"--- a/f\\n+++ b/f\\n@@ -1,2 +1,2 @@\\n keep\\n-gone line\\n+added line\\n\"}}]}]}"
# proposal [ARGS...]: a session at 100x50 showing the proposal.
proposal() { tm_task 100 50 "$R" "$P" "change f" "$@"; }
colours() { tm capture-pane -p -e -t 0; }
line_has() { grep -a "$2" "$1" | grep -q "$3"; } # FILE LINE-TEXT PATTERN

proposal
wait_for "added line"
colours > "$T/c1"
check theme_default_add_green line_has "$T/c1" "added" "${ESC}\[32m+"
check theme_default_delete_red line_has "$T/c1" "gone" "${ESC}\[31m-"
check theme_word_highlight line_has "$T/c1" "added" "${ESC}\[42madded"

HONK_ENV="NO_COLOR=1" proposal
wait_for "added line"
colours > "$T/c2"
check no_color_has_no_colours sh -c "! grep -q '${ESC}\[3[0-7]m\|${ESC}\[38;5' '$T/c2'"
check no_color_add_bold line_has "$T/c2" "added" "${ESC}\[0;1m"
check no_color_delete_underlined line_has "$T/c2" "gone" "${ESC}\[0;4m"
check no_color_word_reverse line_has "$T/c2" "added" "${ESC}\[7madded"

proposal --no-color
wait_for "added line"
check no_color_flag sh -c "! tmux -L $TMUX_NAME capture-pane -p -e -t 0 | grep -q '${ESC}\[3[0-7]m'"

# A user theme in ~/.config/honk/themes, edited with git config -f.
mkdir -p "$XDG_CONFIG_HOME/honk/themes"
git config -f "$XDG_CONFIG_HOME/honk/themes/mine.theme" color.diff-add.fg "#ff0000"
proposal --theme mine
wait_for "added line"
check user_theme_rgb_to_256 sh -c "tmux -L $TMUX_NAME capture-pane -p -e -t 0 | grep -q '${ESC}\[38;5;196m'"

# The built-in themes, with plain honk waiting for a task.
for theme in dark light high-contrast solarized-dark; do
    tm_honk 100 50 "$R" --theme $theme
    wait_for "Type a task"
    check "theme_${theme}_loads" sh -c "! tmux -L $TMUX_NAME capture-pane -p -t 0 | grep -q 'no theme'"
done

# An unknown theme: said in one sentence, and the default theme (dark) is
# used, not the bare 8 colours: the status line is coloured as dark's.
status_colours() { tm capture-pane -p -e -t 0 | grep -a 'idle' | tail -n 1 | sed 's/idle.*//'; }
tm_honk 100 50 "$R" --theme dark
wait_for "Type a task" > /dev/null
status_colours > "$T/status_dark"
tm_honk 100 50 "$R" --theme nosuch
check unknown_theme_says_so wait_for "no theme \"nosuch\"; using"
check unknown_theme_falls_back wait_for "default theme, dark"
status_colours > "$T/status_nosuch"
check unknown_theme_uses_default sh -c "grep -q '38;5' '$T/status_dark' && cmp -s '$T/status_dark' '$T/status_nosuch'"

# An unknown honk.bind action and a key bound twice are said, and the rest works.
git config --global honk.bind.approve-everything "Z"
git config --global honk.bind.undo "a"
tm_honk 200 50 "$R"
check unknown_bind_action_said wait_for 'honk.bind.approve-everything: there is no action "approve-everything"'
check twice_bound_key_said wait_for "a is bound to both approve-hunk and undo (Diff); only approve-hunk gets it."
check bind_warnings_keep_going wait_for "Type a task"
rm -f "$HOME/.gitconfig"

# honk.bind.<action> changes a key; the help shows the new one.
git config --global honk.bind.approve-hunk "y"
git config --global honk.bind.undo "NoSuchKey"
proposal
wait_for "added line"
check bad_binding_reported wait_for 'honk.bind.undo: unknown key in "NoSuchKey"'
tm_keys M-2 a
sleep 0.2
check old_key_unbound wait_for "[hunk 1: pending]"
check key_bar_shows_rebound_key wait_for "?: keys   y: approve   r: reject"
tm_keys y
check rebound_key_approves wait_for "[hunk 1: approved]"
check rebound_key_reaches_model poll record_has "tool_result"
tm_keys ?
check help_shows_rebound_key wait_for "y                approve-hunk"
rm -f "$HOME/.gitconfig"

# The TERM values we support all show the four panes.
for term in xterm-256color screen-256color tmux-256color; do
    TERM_NAME=$term tm_honk 80 24 "$R"
    check "term_${term}_panes" wait_for " 4 Deploy"
done
tm_stop
stop_replay
