# The architecture DESIGN.md describes, checked against the tree: its file
# map lists exactly the files of backend/ and tui/; backend/ includes no
# curses; tui/ calls no network, git or pty function itself; the command line
# (tui/cli/) never touches curses; a family's internal header has one suffix.
. "$HONK_TOP/tests/lib.sh"
cd "$HONK_TOP" || exit 1
sed -n '/^<!-- file map/,/^<!-- end of file map/p' DESIGN.md |
    awk '/^    (backend|tui)\//{print $1}' | sort > "$T/mapped"
find backend tui -name '*.[ch]' | sort > "$T/tree"
if cmp -s "$T/mapped" "$T/tree"; then ok design_file_map_matches_tree
else fail design_file_map_matches_tree "$(diff "$T/mapped" "$T/tree" | grep '^[<>]' | tr '\n' ' ')"; fi
hits=$(grep -rlE '#include[[:space:]]*[<"](n?curses|ncursesw/)' backend 2>/dev/null)
check backend_includes_no_curses [ -z "$hits" ]
hits=$(grep -rlE '#include[[:space:]]*[<"](curl/|git2|vterm|pty\.h)|\b(forkpty|openpty|curl_easy_|git_repository_)' tui 2>/dev/null)
check tui_calls_no_network_git_or_pty [ -z "$hits" ]
# cockpit.h and the pane headers bring curses in: the command line includes none of them.
cockpit_headers=$(cd tui/cockpit && ls *.h | paste -sd'|')
hits=$(grep -rlE "#include[[:space:]]*[<\"](n?curses|ncursesw/|$cockpit_headers)" tui/cli 2>/dev/null)
check cli_never_touches_curses [ -z "$hits" ]
hits=$(find backend tui -name '*_int.h')
check internal_headers_end_in_internal [ -z "$hits" ]
