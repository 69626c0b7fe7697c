# A session that ran with --push in clone B, reviewed in clone A's cockpit
# after honk fetch: A sees its change in Diff, commits it with c and lands
# it, from the fetched branch alone (the whole screen compared).
. "$HONK_TOP/tests/cockpit.sh"

git init -q --bare -b main "$T/remote.git"
mkdir -p "$T/seed"
(cd "$T/seed" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
 printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
 git add -A && git commit -qm "calc with a bug" && git push -q "$T/remote.git" main)
for c in a b; do
    git clone -q "$T/remote.git" "$T/$c" && git -C "$T/$c" config user.name Tester &&
        git -C "$T/$c" config user.email t@example.com && git -C "$T/$c" config honk.test "sh test.sh"
done
base=$(git -C "$T/a" rev-parse HEAD)
start_replay '{"turns":[{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]},{"text":["Fixed.\n```commit\nFix add() to add\n```\n"]}]}'
(cd "$T/b" && "$HONK" run --push origin --approve=edits --base-url "$URL" "fix add" > /dev/null 2> "$T/b.err")
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/b.err")
(cd "$T/a" && "$HONK" fetch > /dev/null 2>&1)

tm_honk 100 30 "$T/a" resume "$id" --base-url "$URL" --model claude-test
wait_for "c commit" > /dev/null
settle
check cockpit_fetched_session_at_review same_screen "$HONK_TOP/tests/e2e/screens/refs_review_100x30.txt"
tm_keys c
wait_for "Landed honk/" > /dev/null
check cockpit_fetched_session_landed sh -c "[ \"\$(git -C '$T/a' log -1 --format=%s main)\" = 'Fix add() to add' ] && [ \"\$(git -C '$T/a' rev-parse main^)\" = '$base' ]"
check cockpit_fetched_checkout_has_fix grep -qF '$1 + $2' "$T/a/calc.sh"
