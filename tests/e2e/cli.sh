# The command line itself: help, version, typos and a missing terminal.
. "$HONK_TOP/tests/lib.sh"
"$HONK" --help > "$T/help"
check help_lists_every_command sh -c "for c in ask run resume attach log show review apply discard gc; do grep -q \"^  honk \$c\( \|\$\)\" '$T/help' || exit 1; done"
# Every command's flags are in honk --help, apply's too.
check help_lists_every_flag sh -c "for f in --partial --directory --reverse --fuzz --check --system --with-changes --base --accept --reject --journals --yes --theme --no-color; do grep -q -- \"\$f\" '$T/help' || { echo missing \$f; exit 1; }; done"
check help_hides_test_scaffolding sh -c "! grep -q play-events '$T/help'"
check version [ "$("$HONK" --version)" = "honk 0.1.0" ]
"$HONK" lgo > "$T/out" 2> "$T/err" < /dev/null
check typo_exit_2 [ $? -eq 2 ]
check typo_suggests grep -qF "honk: 'lgo' is not a command; did you mean 'log'?" "$T/err"
# A typo followed by arguments is still a typo, not a paid task.
"$HONK" reveiw HEAD~1 > "$T/out" 2> "$T/err" < /dev/null
check typo_with_args_exit_2 [ $? -eq 2 ]
check typo_with_args_says_so [ "$(cat "$T/err")" = "honk: 'reveiw' is not a command; did you mean 'review'? (to give it as a task: honk -- reveiw ...)" ]
"$HONK" aply fix.patch > "$T/out" 2> "$T/err" < /dev/null
check typo_apply grep -qF "did you mean 'apply'?" "$T/err"
# A task is still a task: after --, quoted, or a first word far from every name.
for task in "-- reveiw HEAD~1" "fix the crash in reveiw" "-- rename the parser"; do
    # shellcheck disable=SC2086
    "$HONK" $task > "$T/out" 2> "$T/err" < /dev/null
    check "task_not_typo: $task" grep -q 'the cockpit needs a terminal' "$T/err"
done
"$HONK" "review the parser" > "$T/out" 2> "$T/err" < /dev/null
check quoted_task_not_typo grep -q 'the cockpit needs a terminal' "$T/err"

# --help and -h: every command's own usage on stdout, status 0, nothing on stderr.
for c in ask run resume attach log show review apply discard gc; do
    for h in --help -h; do
        "$HONK" $c $h > "$T/out" 2> "$T/err" < /dev/null
        rc=$?
        check "help_$c$h" sh -c "[ $rc -eq 0 ] && head -n 1 '$T/out' | grep -q '^usage: honk $c' && [ ! -s '$T/err' ]"
    done
done
"$HONK" --no-color --help > "$T/out" 2> "$T/err"
check help_cockpit_options sh -c "[ $? -eq 0 ] && grep -q '^usage: honk \[OPTIONS\] \[TASK...\]' '$T/out' && grep -q -- '--theme NAME' '$T/out'"
"$HONK" resume --help > "$T/out"
check resume_help_is_resumes sh -c "grep -q -- '--accept' '$T/out' && ! grep -q -- '--with-changes' '$T/out'"
"$HONK" apply --help > "$T/out"
check apply_help_lists_flags sh -c "grep -q -- '--partial' '$T/out' && grep -q -- '--directory DIR' '$T/out'"
"$HONK" help show > "$T/out"
check help_command sh -c "head -n 1 '$T/out' | grep -q '^usage: honk show'"

# Session ids: a unique prefix is enough; an ambiguous one says so and lists them.
R=$T/ids; mkdir -p "$R/.git/honk/sessions"
git -C "$R" init -q -b main
for id in abcd1234 abce5678; do
    printf '{"kind":"task","time":1,"data":{"task":"task %s","branch":"honk/%s"}}\n{"kind":"state","time":2,"data":{"state":"done"}}\n' \
        $id $id > "$R/.git/honk/sessions/$id.jsonl"
done
(cd "$R" && "$HONK" show abcd) > "$T/out" 2> "$T/err"
check show_prefix sh -c "[ $? -eq 0 ] && grep -q 'task abcd1234' '$T/out'"
(cd "$R" && "$HONK" show abc) > "$T/out" 2> "$T/err"
check show_ambiguous_exit_2 [ $? -eq 2 ]
check show_ambiguous_lists [ "$(cat "$T/err")" = "honk: the session id abc is ambiguous: 2 sessions start so (abcd1234, abce5678); give more of it" ]
(cd "$R" && "$HONK" resume abc --accept) > "$T/out" 2> "$T/err"
check resume_ambiguous sh -c "[ $? -eq 2 ] && grep -q 'abc is ambiguous' '$T/err'"
(cd "$R" && "$HONK" show zz) > "$T/out" 2> "$T/err"
check show_unknown [ "$(cat "$T/err")" = "honk: no session zz here (honk log lists them)" ]
# After --, --help is a word of the task, not a request for help.
(cd "$R" && "$HONK" run -- "explain --help") > "$T/out" 2> "$T/err" < /dev/null
check run_help_after_dashdash sh -c "! grep -q '^usage' '$T/out' && grep -q 'no API key' '$T/err'"
(cd "$R" && "$HONK" discard abc --yes) > "$T/out" 2> "$T/err"
check discard_ambiguous sh -c "[ $? -eq 2 ] && grep -q 'abc is ambiguous' '$T/err'"
"$HONK" "fix the crash" > "$T/out" 2> "$T/err" < /dev/null
check cockpit_without_terminal_exit_2 [ $? -eq 2 ]
check cockpit_needs_terminal grep -q 'the cockpit needs a terminal; from a script, use honk run TASK' "$T/err"
"$HONK" run --bogus x > "$T/out" 2> "$T/err"
check unknown_option_exit_2 [ $? -eq 2 ]
check unknown_option_named grep -q 'unknown option --bogus' "$T/err"

# honk review says what is wrong with what it is given, before asking for a terminal.
R=$T/empty; mkdir -p "$R"; git -C "$R" init -q -b main
(cd "$R" && "$HONK" review) > "$T/out" 2> "$T/err" < /dev/null
check review_no_commits sh -c "[ $? -eq 2 ] && [ \"\$(cat '$T/err')\" = 'honk: this repository has no commits yet, so there is no HEAD to review (honk review PATCH reviews a patch file)' ]"
(cd "$R" && "$HONK" review fix.patch) > "$T/out" 2> "$T/err" < /dev/null
check review_missing_patch_no_commits [ "$(cat "$T/err")" = "honk: there is no file 'fix.patch', and this repository has no commits yet" ]
(cd "$R" && git config user.name T && git config user.email t@e && git commit -q --allow-empty -m one)
(cd "$R" && "$HONK" review fix.patch) > "$T/out" 2> "$T/err" < /dev/null
check review_missing_patch sh -c "[ $? -eq 2 ] && [ \"\$(cat '$T/err')\" = \"honk: 'fix.patch' is neither a file nor a revision of this repository\" ]"
(cd "$T" && "$HONK" review fix.patch) > "$T/out" 2> "$T/err" < /dev/null
check review_missing_patch_outside_repo [ "$(cat "$T/err")" = "honk: there is no file 'fix.patch', and outside a git repository it cannot be a revision" ]
