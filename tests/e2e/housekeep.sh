# What finished sessions leave behind: landing on a dirty checkout says what
# works, honk gc removes only finished and merged sessions, honk discard names
# what would be lost and needs --yes for it when nobody can be asked; and
# honk run's operand - for a task piped in.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-housekeep-1

# new_repo DIR : calc.sh, whose add() subtracts on line 5, and a test for it.
new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf '# calc\n#\n#\n#\nadd() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
     git add -A && git commit -qm "calc with a bug" && git config honk.test "sh test.sh")
}
edit() { printf '{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"%s","new_string":"%s"}}]}' "$1" "$2"; }
FIX=$(edit '$1 - $2' '$1 + $2')
FINISH='{"text":["Fixed.\n```commit\nFix add() to add\n```\n"]}'
# run_task DIR ARGS... : honk run on the fix; sets id and rc.
run_task() {
    dir=$1; shift
    start_replay "{\"turns\":[${EDIT:-$FIX},$FINISH]}"
    (cd "$dir" && "$HONK" run --base-url "$URL" "$@" "fix add" > /dev/null 2> "$T/err" < /dev/null)
    rc=$?
    id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err" | head -n 1)
}

# Landing on a checkout whose dirty file the task changed too: the plain
# fast-forward would fail, so honk says so and gives what works.
R=$T/dirty; new_repo "$R"
sed -i '1s/.*/# calc, with my notes/' "$R/calc.sh"
run_task "$R" --approve=all
check dirty_run_done [ "$rc" -eq 0 ]
check dirty_land_names_file grep -qF "Your checkout has uncommitted changes in calc.sh, which the task changed too, so git merge --ff-only honk/$id would refuse" "$T/err"
check dirty_plain_merge_fails sh -c "! git -C '$R' merge -q --ff-only honk/$id 2> /dev/null"
cmd=$(sed -n 's/.*To land it: \(git stash.*stash pop\) (the pop.*/\1/p' "$T/err")
check dirty_offers_stash [ "$cmd" = "git stash && git merge --ff-only honk/$id && git stash pop" ]
(cd "$R" && sh -c "$cmd" > /dev/null 2>&1)
check dirty_suggestion_lands [ "$(git -C "$R" rev-parse main)" = "$(git -C "$R" rev-parse "honk/$id")" ]
check dirty_suggestion_keeps_both sh -c "grep -q 'my notes' '$R/calc.sh' && grep -qF '\$1 + \$2' '$R/calc.sh'"
# Landed and done, it loses nothing: discard removes it without asking anyone.
(cd "$R" && "$HONK" discard "$id") > "$T/out" 2> "$T/err" < /dev/null
check discard_landed_exit_0 [ $? -eq 0 ]
check discard_landed_quiet [ ! -s "$T/err" ]
check discard_landed_says_what sh -c "grep -q '^honk: discarded $id (branch honk/$id, worktree .*/$id)\$' '$T/out' && grep -qx '      its journal is kept: honk show $id' '$T/out'"
check discard_landed_removed sh -c "! git -C '$R' rev-parse -q --verify refs/heads/honk/$id > /dev/null"

# gc: a finished, landed session goes; an unfinished one and one whose
# commit is on no other branch stay, each with the reason.
R=$T/gc; new_repo "$R"
run_task "$R" --approve=all; landed=$id
EDIT=$(edit '$1 + $2' '$2 + $1') run_task "$R" --approve=ask; waiting=$id
check gc_waiting_session_exit_3 [ "$rc" -eq 3 ]
git -C "$R" config honk.test "true"
EDIT=$(edit '# calc' '# calculator') run_task "$R" --approve=all; dropped=$id
git -C "$R" reset -q --hard "honk/$landed" # the engineer drops the third task's commit from main
(cd "$R" && "$HONK" gc) > "$T/out" 2> "$T/err" < /dev/null
check gc_exit_0 [ $? -eq 0 ]
check gc_removes_landed sh -c "! git -C '$R' rev-parse -q --verify refs/heads/honk/$landed > /dev/null && [ ! -d '$R/.git/honk/worktrees/$landed' ]"
check gc_says_removed grep -q "^honk: discarded $landed (branch honk/$landed, worktree " "$T/out"
check gc_keeps_waiting sh -c "git -C '$R' rev-parse -q --verify refs/heads/honk/$waiting > /dev/null"
check gc_says_waiting_kept sh -c "grep -A1 '^honk gc: keeping $waiting (awaiting_approval: fix add):\$' '$T/out' | grep -q '^  the session is not finished (awaiting_approval): honk resume '"
check gc_keeps_unmerged sh -c "git -C '$R' rev-parse -q --verify refs/heads/honk/$dropped > /dev/null"
check gc_says_unmerged_kept grep -qF "honk/$dropped has commits that no other branch has: they would be lost" "$T/out"
check gc_keeps_journals [ -f "$R/.git/honk/sessions/$landed.jsonl" ]
(cd "$R" && "$HONK" show "$landed") > /dev/null 2>&1
check gc_landed_still_shown [ $? -eq 0 ]
(cd "$R" && "$HONK" gc --journals) > "$T/out" 2> "$T/err" < /dev/null
check gc_journals_removed [ ! -f "$R/.git/honk/sessions/$landed.jsonl" ]
check gc_journals_keeps_others sh -c "[ -f '$R/.git/honk/sessions/$waiting.jsonl' ] && [ -f '$R/.git/honk/sessions/$dropped.jsonl' ]"
(cd "$R" && "$HONK" gc) > "$T/out" 2> "$T/err" < /dev/null
check gc_nothing_left grep -qx "honk gc: nothing to remove" "$T/out"

# discard with nobody to ask: unmerged work is named and kept without --yes.
short=$(printf %s "$dropped" | cut -c1-5)
(cd "$R" && "$HONK" discard "$short") > "$T/out" 2> "$T/err" < /dev/null
check discard_unmerged_exit_1 [ $? -eq 1 ]
check discard_unmerged_says_why grep -qF "honk/$dropped has commits that no other branch has: they would be lost" "$T/err"
check discard_unmerged_says_how grep -qF "honk discard --yes $dropped removes it anyway" "$T/err"
check discard_unmerged_kept sh -c "git -C '$R' rev-parse -q --verify refs/heads/honk/$dropped > /dev/null"
(cd "$R" && "$HONK" discard --yes "$short" "$waiting") > "$T/out" 2> "$T/err" < /dev/null
check discard_yes_exit_0 [ $? -eq 0 ]
check discard_yes_says_what_it_overrode sh -c "grep -q 'discarding $dropped although' '$T/err' && grep -q 'discarding $waiting although' '$T/err'"
check discard_yes_removed sh -c "[ -z \"\$(git -C '$R' branch --list 'honk/*')\" ] && [ -z \"\$(ls '$R/.git/honk/worktrees')\" ]"
check discard_prunes_git_worktrees [ -z "$(git -C "$R" worktree list --porcelain | grep honk/)" ]
(cd "$R" && "$HONK" log) > "$T/out"
check discard_keeps_log grep -q "^$waiting " "$T/out"

# A session a process runs now is never removed, not even with --yes; gc
# keeps it. Ended, its journal goes with its lock file.
R=$T/live; new_repo "$R"
start_replay '{"turns":[{"stall_ms":20000,"text":["late"]}]}'
(cd "$R" && exec "$HONK" run --base-url "$URL" "take your time" > /dev/null 2>&1) &
pid=$!
i=0; while ! ls "$R"/.git/honk/sessions/*.sock > /dev/null 2>&1 && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
live=$(ls "$R/.git/honk/sessions" | sed -n 's/\.jsonl$//p')
(cd "$R" && "$HONK" discard --yes --journals "$live") > "$T/out" 2> "$T/err" < /dev/null
check discard_live_refused sh -c "[ $? -eq 1 ] && grep -qF 'session $live is running (pid $pid): nothing of it is removed while it runs' '$T/err'"
check discard_live_kept sh -c "[ -d '$R/.git/honk/worktrees/$live' ] && [ -f '$R/.git/honk/sessions/$live.jsonl' ]"
(cd "$R" && "$HONK" log) > "$T/out"
check log_says_live grep -q "^$live  *thinking  *live  " "$T/out"
kill -9 $pid; wait $pid 2>/dev/null
(cd "$R" && "$HONK" discard --yes --journals "$live") > "$T/out" 2> "$T/err" < /dev/null
check discard_after_kill_removes_all sh -c "[ $? -eq 0 ] && [ -z \"\$(ls '$R/.git/honk/sessions')\" ]"
stop_replay

# honk run reads stdin only for an operand -, which stands for its text.
R=$T/stdin; new_repo "$R"
start_replay "{\"turns\":[$FIX,$FINISH]}"
printf 'the review says: add() subtracts\n' | (cd "$R" && "$HONK" run --approve=all --base-url "$URL" "fix this:" - > /dev/null 2> "$T/err")
check run_dash_exit_0 [ $? -eq 0 ]
check run_dash_task_sent contains "$T/record.jsonl" 'fix this:\n\nthe review says: add() subtracts\n'
(cd "$R" && "$HONK" run --base-url "$URL" - > /dev/null 2> "$T/err" < /dev/null)
check run_dash_empty sh -c "[ $? -eq 2 ] && [ \"\$(cat '$T/err')\" = 'honk run: the task is empty' ]"
stop_replay
