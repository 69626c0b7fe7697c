# Deploy stages and crashes (SIGKILL): a stage journalled as passed never
# runs again; a stage that was running when honk died is "interrupted:
# unknown outcome" and runs again only on --accept or when
# honk.deploy.<stage>.idempotent says it may. Each stage appends to a file,
# so the runs are counted.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-deploy-1

EDIT='{"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2","new_string":"$1 + $2"}}]}'
FINISH='{"text":["Fixed.\n```commit\nFix add\n```\n"]}'

# new_repo DIR : the pipeline build, publish, notify; publish hangs while $T/slow exists.
new_repo() {
    rm -rf "$1"; mkdir -p "$1"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\n[ "$(add 2 3)" = 5 ] || exit 1\n' > test.sh &&
     git add -A && git commit -qm "calc" && git config honk.test "sh test.sh" &&
     git config honk.deploy.stages "build publish notify" &&
     git config honk.deploy.build.command "echo build >> '$T/stages.log'" &&
     git config honk.deploy.publish.command "echo publish >> '$T/stages.log'; while [ -e '$T/slow' ]; do sleep 0.05; done" &&
     git config honk.deploy.notify.command "echo notify >> '$T/stages.log'")
}

runs() { grep -c "^$1\$" "$T/stages.log"; }


# crash_in_publish DIR CMD... : honk CMD runs until publish starts once
# more, then SIGKILL (at most ~10 s).
crash_in_publish() {
    dir=$1; shift
    touch "$T/slow"
    before=$(runs publish)
    (cd "$dir" && exec "$HONK" "$@" > /dev/null 2> "$T/err") &
    pid=$!
    i=0
    while [ "$(runs publish)" -le "$before" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    kill -9 $pid; wait $pid 2>/dev/null
}

# 1. Killed while publish runs, twice; build passed before and never runs again.
R=$T/r1; new_repo "$R"; : > "$T/stages.log"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
crash_in_publish "$R" run --approve=all --deploy --base-url "$URL" "fix add"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
check killed_build_ran_once [ "$(runs build)" -eq 1 ]
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err2")
rc=$?
check resume_waits_on_interrupted_stage [ $rc -eq 3 ]
check resume_says_unknown_outcome grep -q 'deploy stage publish: interrupted: unknown outcome' "$T/err2"
check resume_says_how_to_rerun grep -q "honk resume $id --accept" "$T/err2"
check resume_build_not_rerun [ "$(runs build)" -eq 1 ]
check resume_publish_not_rerun [ "$(runs publish)" -eq 1 ]
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err3")
check resume_again_still_waits [ $? -eq 3 ]
rm -f "$T/slow"
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> "$T/err4")
check accept_reruns_and_finishes [ $? -eq 0 ]
check accept_build_once_publish_twice_notify_once \
    [ "$(runs build) $(runs publish) $(runs notify)" = "1 2 1" ]

# 2. A second crash during the rerun of publish: still no rerun of build.
R=$T/r2; new_repo "$R"; : > "$T/stages.log"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
crash_in_publish "$R" run --approve=all --deploy --base-url "$URL" "fix add"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
check killed_in_publish_has_id [ -n "$id" ]
crash_in_publish "$R" resume "$id" --accept --base-url "$URL"
check two_kills_build_ran_once [ "$(runs build) $(runs publish)" = "1 2" ]
rm -f "$T/slow"
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --accept --base-url "$URL" > /dev/null 2> "$T/err2")
check two_kills_then_finishes [ $? -eq 0 ]
check two_kills_counts [ "$(runs build) $(runs publish) $(runs notify)" = "1 3 1" ]
check two_kills_log_done grep -q 'honk: session done' "$T/err2"

# 3. Declining the rerun stops the deploy there: not done, the commit stays.
R=$T/r3; new_repo "$R"; : > "$T/stages.log"
start_replay "{\"turns\":[$EDIT,$FINISH]}"
crash_in_publish "$R" run --approve=all --deploy --base-url "$URL" "fix add"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
rm -f "$T/slow"
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --reject "published already" --base-url "$URL" > /dev/null 2> "$T/err2")
check reject_interrupted_exit_1 [ $? -eq 1 ]
check reject_says_stopped grep -q 'the deploy stopped at the interrupted stage publish' "$T/err2"
check reject_runs_nothing [ "$(runs build) $(runs publish) $(runs notify)" = "1 1 0" ]

# 4. An idempotent stage runs again by itself.
R=$T/r4; new_repo "$R"; : > "$T/stages.log"
git -C "$R" config honk.deploy.publish.idempotent true
start_replay "{\"turns\":[$EDIT,$FINISH]}"
crash_in_publish "$R" run --approve=all --deploy --base-url "$URL" "fix add"
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
rm -f "$T/slow"
(cd "$R" && timeout -k 5 20 "$HONK" resume "$id" --base-url "$URL" > /dev/null 2> "$T/err2")
check idempotent_rerun_finishes [ $? -eq 0 ]
check idempotent_counts [ "$(runs build) $(runs publish) $(runs notify)" = "1 2 1" ]
check idempotent_says_why grep -q 'publish was interrupted; it runs again (honk.deploy.publish.idempotent)' "$T/err2"
rm -f "$T/slow"
stop_replay
