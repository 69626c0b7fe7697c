# The compiled-in default colours are themes/dark.theme: a honk that finds
# no theme file at all draws the proposal in exactly the colours of the one
# that reads themes/dark.theme from the source tree.
. "$HONK_TOP/tests/cockpit.sh"
R=$T/repo
new_repo "$R"
(cd "$R" && printf 'keep\ngone line\n' > f && git add f && git commit -qm f)
P="{\"turns\":[{\"text\":[\"One line changes.\"],\"tool_calls\":[{\"id\":\"p\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"--- a/f\\n+++ b/f\\n@@ -1,2 +1,2 @@\\n keep\\n-gone line\\n+added line\\n\"}}]}]}"
# colours FILE: the whole screen with its escapes, times and ids masked.
colours() {
    settle
    tm capture-pane -p -e -t 0 | sed 's/[0-9][0-9]:[0-9][0-9]/MM:SS/g; s/honk\/[0-9a-f]\{8\}/honk\/xxxxxxxx/g' > "$1"
}

tm_task 100 50 "$R" "$P" "change f"
wait_for "added line"
colours "$T/from-file"

# No theme directory exists beside this copy, nor in ~/.config/honk.
mkdir -p "$T/elsewhere/x/bin"
cp "$HONK" "$T/elsewhere/x/bin/honk"
HONK="$T/elsewhere/x/bin/honk" tm_task 100 50 "$R" "$P" "change f"
wait_for "added line"
colours "$T/built-in"
if cmp -s "$T/from-file" "$T/built-in"; then ok builtin_colours_are_dark_theme
else fail builtin_colours_are_dark_theme "$(diff "$T/from-file" "$T/built-in" | head -6 | cat -v | tr '\n' ' ')"; fi
tm_stop
stop_replay
