# Sessions as git refs: two clones and a bare remote on this machine stand
# for two machines. B runs a task with --push; A fetches it, sees it while
# it runs and after, commits and lands it; B's session is left as it was.
# A remote that refuses (a pre-receive hook behind git daemon) leaves the
# session finished where it ran, and says so.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-refs-secret

setup_clone() {
    git clone -q "$1" "$2" && (cd "$2" && git config user.name "$3" && git config user.email t@example.com &&
        git config honk.test "sh test.sh")
}

git init -q --bare -b main "$T/remote.git"
mkdir -p "$T/seed"
(cd "$T/seed" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
 printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
 printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
 git add -A && git commit -qm "calc with a bug" && git push -q "$T/remote.git" main)
setup_clone "$T/remote.git" "$T/a" Alice
setup_clone "$T/remote.git" "$T/b" Bob
base=$(git -C "$T/b" rev-parse HEAD)

EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"stall_ms":STALL,"text":["Fixed.\n```commit\nFix add() to add\n```\n"]}'

# 1. B runs with --push while A watches: the model stalls after the edit.
start_replay "{\"turns\":[$EDIT,$(echo "$FINISH" | sed 's/STALL/3000/')]}"
(cd "$T/b" && "$HONK" run --push origin --approve=edits --base-url "$URL" "fix add" > "$T/b.out" 2> "$T/b.err") &
bpid=$!
seen=
i=0
while [ $i -lt 100 ] && [ -z "$seen" ]; do
    (cd "$T/a" && "$HONK" fetch > "$T/fetch.out" 2>&1 && "$HONK" log > "$T/log.out" 2>&1)
    # the second turn: thinking again, with the edit applied on the branch
    grep -q ' thinking ' "$T/log.out" && git -C "$T/a" show "$(sed -n 's/^\([0-9a-f]*\) .*/honk\/\1/p' "$T/log.out"):calc.sh" 2> /dev/null |
        grep -qF '$1 + $2' && seen=1 || sleep 0.1
    i=$((i + 1))
done
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/b.err")
check fetch_shows_running_session [ -n "$seen" ]
check fetch_says_what_came sh -c "grep -q '^$id  *thinking  *fix add' '$T/fetch.out'"
(cd "$T/a" && "$HONK" show "$id") > "$T/show.out" 2>&1
check show_running_fetched_session sh -c "grep -q 'approve p1' '$T/show.out' && grep -q 'Applied: the engineer approved' '$T/show.out'"
check running_branch_holds_the_change sh -c "git -C '$T/a' show honk/$id:calc.sh | grep -qF '\$1 + \$2'"
(cd "$T/a" && "$HONK" resume "$id" --accept > /dev/null 2> "$T/ro.err")
rc=$?
check running_fetched_session_read_only sh -c "[ $rc -ne 0 ] && grep -q 'ran on another machine (fetched from origin) and is thinking there' '$T/ro.err' && [ -z \"\$(git -C '$T/a' worktree list | grep honk/)\" ]"
wait $bpid
check b_waits_for_review [ $? -eq 3 ]
check b_says_published grep -q "Published to origin: branch honk/$id" "$T/b.err"
bjournal=$(sha1sum < "$T/b/.git/honk/sessions/$id.jsonl")
check remote_has_branch sh -c "git -C '$T/remote.git' rev-parse -q --verify refs/heads/honk/$id > /dev/null"
check remote_has_journal sh -c "git -C '$T/remote.git' rev-parse -q --verify refs/honk/sessions/$id > /dev/null"
check remote_journal_is_bs sh -c "[ \"\$(git -C '$T/remote.git' show refs/honk/sessions/$id:journal.jsonl | sha1sum)\" = '$bjournal' ]"

# 2. A fetches the finished state, commits and lands it from the branch alone.
(cd "$T/a" && "$HONK" fetch > "$T/fetch2.out" 2>&1)
check fetch_shows_review grep -q "^$id  *review " "$T/fetch2.out"
(cd "$T/a" && "$HONK" log) > "$T/log2.out"
check log_lists_fetched_session grep -q "^$id  *review  *from origin  .*honk/$id  *fix add" "$T/log2.out"
(cd "$T/a" && "$HONK" attach --json "$id" < /dev/null > "$T/attach.out" 2> "$T/attach.err")
check attach_reads_fetched_journal sh -c "grep -q '\"kind\":\"task\"' '$T/attach.out' && grep -q 'is not running' '$T/attach.err'"
stop_replay
(cd "$T/a" && "$HONK" resume "$id" --accept --base-url http://127.0.0.1:9 > "$T/a.out" 2> "$T/a.err")
rc=$?
check a_commit_and_land_exit_0 [ $rc -eq 0 ]
check a_landed_squash sh -c "[ \"\$(git -C '$T/a' log -1 --format=%s main)\" = 'Fix add() to add' ] && [ \"\$(git -C '$T/a' rev-parse main^)\" = '$base' ]"
check a_checkout_has_fix grep -qF '$1 + $2' "$T/a/calc.sh"
check b_session_untouched sh -c "[ \"\$(sha1sum < '$T/b/.git/honk/sessions/$id.jsonl')\" = '$bjournal' ] && [ \"\$(git -C '$T/b' rev-parse honk/$id)\" = '$base' ] && [ \"\$(git -C '$T/b' rev-parse main)\" = '$base' ]"
(cd "$T/a" && "$HONK" fetch > "$T/fetch3.out" 2>&1)
check refetch_keeps_a_work sh -c "grep -q '^$id  *kept as it is here' '$T/fetch3.out' && [ \"\$(git -C '$T/a' log -1 --format=%s honk/$id)\" = 'Fix add() to add' ]"

# 2b. Someone else's commit on the remote's honk/ID: B's session never pushes over it.
other=$(cd "$T/seed" && git commit -q --allow-empty -m "someone else's" && git rev-parse HEAD)
git -C "$T/seed" push -q "$T/remote.git" "$other:refs/heads/elsewhere"
git -C "$T/remote.git" update-ref "refs/heads/honk/$id" "$other"
start_replay '{"turns":[]}'
(cd "$T/b" && "$HONK" resume "$id" --push origin --base-url "$URL" > /dev/null 2> "$T/lease.err")
check never_pushes_over_another sh -c "grep -q 'is not one this session pushed' '$T/lease.err' && [ \"\$(git -C '$T/remote.git' rev-parse refs/heads/honk/$id)\" = '$other' ]"
git -C "$T/remote.git" update-ref "refs/heads/honk/$id" "$(git -C "$T/a" rev-parse "refs/honk/fetched/origin/heads/$id")"

# 2c. A discards the session with --remote: its refs go here and on the remote.
(cd "$T/a" && "$HONK" discard --yes --journals --remote origin "$id" > "$T/discard.out" 2> "$T/discard.err")
check discard_remote_removes_refs sh -c "[ -z \"\$(git -C '$T/remote.git' for-each-ref refs/honk refs/heads/honk)\" ] && [ -z \"\$(git -C '$T/a' for-each-ref refs/honk refs/heads/honk)\" ]"
check discard_remote_says grep -q "its refs on origin are removed" "$T/discard.out"

# 2d. A remote that is not there yet: the push is retried on the loop and
# gets out while the session still runs; nothing fails.
start_replay "{\"turns\":[$EDIT,$(echo "$FINISH" | sed 's/STALL/6000/')]}"
setup_clone "$T/remote.git" "$T/c" Carol
(cd "$T/c" && "$HONK" run --push "$T/later.git" --approve=all --base-url "$URL" "fix add" \
    > /dev/null 2> "$T/later.err") &
bpid=$!
until_file "$T/later.err" "honk: task "
lid=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/later.err")
sleep 0.5
git init -q --bare "$T/later.git"
i=0
while [ $i -lt 100 ] && ! git -C "$T/later.git" rev-parse -q --verify "refs/honk/sessions/$lid" > /dev/null; do
    sleep 0.1; i=$((i + 1))
done
kill -0 $bpid 2> /dev/null && running=1 || running=
check push_retried_while_running sh -c "[ -n '$running' ] && git -C '$T/later.git' rev-parse -q --verify refs/honk/sessions/$lid > /dev/null"
wait $bpid
check push_retried_session_done [ $? -eq 0 ]
check push_retried_published sh -c "grep -q 'Published to $T/later.git' '$T/later.err' && ! grep -q 'could not be published' '$T/later.err'"

# 3. A remote whose pre-receive hook refuses: the session ends done here and says so.
if command -v git > /dev/null && [ -x "$(git --exec-path)/git-daemon" ]; then
    git init -q --bare "$T/srv/refusing.git"
    printf '#!/bin/sh\necho "no sessions here" >&2\nexit 1\n' > "$T/srv/refusing.git/hooks/pre-receive"
    chmod +x "$T/srv/refusing.git/hooks/pre-receive"
    port=$((20000 + $$ % 20000))
    git daemon --listen=127.0.0.1 --port=$port --base-path="$T/srv" --export-all --enable=receive-pack \
        --reuseaddr --pid-file="$T/daemon.pid" "$T/srv" 2> "$T/daemon.err" &
    dpid=$!
    i=0
    while [ $i -lt 100 ] && ! git ls-remote "git://127.0.0.1:$port/refusing.git" > /dev/null 2>&1; do
        sleep 0.05; i=$((i + 1))
    done
    start_replay "{\"turns\":[$EDIT,$(echo "$FINISH" | sed 's/STALL/0/')]}"
    (cd "$T/b" && "$HONK" run --push "git://127.0.0.1:$port/refusing.git" --approve=all --base-url "$URL" "fix add" \
        > /dev/null 2> "$T/refused.err")
    rc=$?
    kill "$dpid" 2> /dev/null; wait "$dpid" 2> /dev/null
    check refused_push_session_done [ $rc -eq 0 ]
    check refused_push_landed_here [ "$(git -C "$T/b" log -1 --format=%s main)" = "Fix add() to add" ]
    check refused_push_said sh -c "grep -q 'could not be published to git://127.0.0.1:$port/refusing.git' '$T/refused.err' && [ \$(grep -c 'could not be published' '$T/refused.err') -eq 1 ]"
    rid=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/refused.err")
    (cd "$T/b" && "$HONK" show "$rid") > "$T/refused.show" 2>&1
    check refused_push_in_journal grep -q 'could not be published' "$T/refused.show"
    check refused_remote_empty sh -c "[ -z \"\$(git -C '$T/srv/refusing.git' for-each-ref)\" ]"
else
    ok "refused_push_skipped (no git daemon)"
fi
