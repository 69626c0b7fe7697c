# The command line itself: help, version, typos and a missing terminal.
. "$HONK_TOP/tests/lib.sh"
"$HONK" --help > "$T/help"
check help_lists_every_command sh -c "for c in ask run resume log show review apply; do grep -q \"^  honk \$c \" '$T/help' || exit 1; done"
check help_hides_test_scaffolding sh -c "! grep -q play-events '$T/help'"
check version [ "$("$HONK" --version)" = "honk 0.1.0" ]
"$HONK" lgo > "$T/out" 2> "$T/err" < /dev/null
check typo_exit_2 [ $? -eq 2 ]
check typo_suggests grep -q 'did you mean honk log?' "$T/err"
"$HONK" "fix the crash" > "$T/out" 2> "$T/err" < /dev/null
check cockpit_without_terminal_exit_2 [ $? -eq 2 ]
check cockpit_needs_terminal grep -q 'the cockpit needs a terminal; from a script, use honk run TASK' "$T/err"
"$HONK" run --bogus x > "$T/out" 2> "$T/err"
check unknown_option_exit_2 [ $? -eq 2 ]
check unknown_option_named grep -q 'unknown option --bogus' "$T/err"
