# kill -9 and `honk resume ID` rebuild the cockpit an uninterrupted session
# shows: the same whole screen at a pending proposal (its hunk numbers, the
# earlier proposal behind [, the last test run's output, one waiting
# sentence), and an answer cut off by the kill closed as its own message.
. "$HONK_TOP/tests/cockpit.sh"

calc_repo() {
    mkdir -p "$1" && (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'add() { echo $(($1 - $2)); }\n\n\n\n\n\n\n\nsub() { echo $(($1 - $2)); }\n' > calc.sh &&
     printf '. ./calc.sh\necho "checking add"\n[ "$(add 2 3)" = 5 ] && echo "PASS add" || { echo "FAIL add: got $(add 2 3)"; exit 1; }\n' > test.sh &&
     git add -A && git commit -qm "calc" && git config honk.test "sh test.sh")
}
# kill_honk : SIGKILL to the honk running in the tmux pane (the pane's shell's child).
kill_honk() {
    shell=$(tm list-panes -F '#{pane_pid}' | head -n 1)
    pid=$(ps -o pid= --ppid "$shell" | head -n 1)
    [ -n "$pid" ] && kill -9 $pid
}
# the screen with ids, clocks and durations masked (a run's duration differs run to run)
masked_runs() { masked | sed 's/[0-9][0-9]*\.[0-9] s/N.N s/g'; }
session_id() { ls "$1/.git/honk/sessions" | sed -n 's/\.jsonl$//p'; }

PATCH='--- a/calc.sh\n+++ b/calc.sh\n@@ -1,3 +1,3 @@\n-add() { echo $(($1 * $2)); }\n+add() { echo $(($1 + $2)); }\n \n \n@@ -7,3 +7,4 @@\n \n \n sub() { echo $(($1 - $2)); }\n+# TODO: remove sub\n'
P1='{"text":["The sign is wrong."],"tool_calls":[{"id":"t1","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2)); }\n\n","new_string":"$1 * $2)); }\n\n"}}]}'
TESTS='{"text":["Let me run the tests."],"tool_calls":[{"id":"t2","name":"run_tests","input":{}}]}'
P2="{\"text\":[\"Now it must be a plus.\"],\"tool_calls\":[{\"id\":\"t3\",\"name\":\"apply_patch\",\"input\":{\"patch\":\"$PATCH\"}}]}"
SC="{\"turns\":[$P1,$TESTS,$P2]}"

# to_second_proposal DIR : a session in DIR up to the wait on p2 (p1 approved, the tests failed).
to_second_proposal() {
    start_replay "$SC" || return 1
    tm_honk 120 50 "$1" --base-url "$URL" --model claude-test "fix add"
    wait_for "Waiting for your decision" > /dev/null || return 1
    tm_keys a
    wait_for "Proposal p2" 200 > /dev/null && wait_for "FAIL add: got 6" > /dev/null && settle
}

# 1. The same session uninterrupted, then killed and resumed: the same screens.
calc_repo "$T/a"
to_second_proposal "$T/a"
masked_runs > "$T/uninterrupted.txt"
tm_keys "["
wait_for "Proposal p1" > /dev/null; settle
masked_runs > "$T/uninterrupted_p1.txt"
calc_repo "$T/b"
to_second_proposal "$T/b"
kill_honk
wait_for "exited 137" > /dev/null
id=$(session_id "$T/b")
tm_honk 120 50 "$T/b" resume "$id" --base-url "$URL" --model claude-test
wait_for "Proposal p2" 200 > /dev/null && wait_for "FAIL add: got 6" > /dev/null; settle
masked_runs > "$T/resumed.txt"
check resume_same_screen_at_pending_proposal diff -u "$T/uninterrupted.txt" "$T/resumed.txt"
check resume_hunk_header_numbers grep -qF '@@ -1,3 +1,3 @@   [hunk 1: pending]' "$T/resumed.txt"
check resume_one_waiting_sentence [ "$(grep -c 'Waiting for your decision' "$T/resumed.txt")" -eq "$(grep -c 'Waiting for your decision' "$T/uninterrupted.txt")" ]
check resume_tests_output_shown grep -qF 'FAIL add: got 6' "$T/resumed.txt"
tm_keys "["
wait_for "Proposal p1" > /dev/null; settle
masked_runs > "$T/resumed_p1.txt"
check resume_earlier_proposal_browsable diff -u "$T/uninterrupted_p1.txt" "$T/resumed_p1.txt"
tm_stop

# 2. Killed in the middle of a streamed answer: on resume the cut-off text is
#    its own message, marked interrupted, and the new answer starts apart.
calc_repo "$T/c"
WORDS='"The ","sign ","in ","add() ","is ","wrong ","and ","that ","is ","the ","reason ","the ","test ","fails ","every ","time ","it ","runs ","on ","a ","quiet ","day.\n"'
start_replay "{\"turns\":[{\"text\":[$WORDS],\"chunk_delay_ms\":80}]}"
tm_honk 120 40 "$T/c" --base-url "$URL" --model claude-test "fix add"
wait_for "that is the" 200 > /dev/null
# what the screen shows reaches the journal within a moment (it is flushed
# on a short timer, not per delta): the kill comes once it is there.
journal_has() {
    grep -h '"kind":"text"' "$T"/c/.git/honk/sessions/*.jsonl 2>/dev/null |
        sed 's/.*"text":"\(.*\)"}}$/\1/' | tr -d '\n' | grep -qF "$1"
}
poll journal_has 'that is the'
kill_honk
wait_for "exited 137" > /dev/null
id=$(session_id "$T/c")
start_replay '{"turns":[{"text":["The position of the sign matters."]}]}'
tm_honk 120 40 "$T/c" resume "$id" --base-url "$URL" --model claude-test
wait_for "The position of the sign matters." > /dev/null; settle
screen_has_line() { screen | grep -q "^$1"; }
check resume_partial_text_kept screen_has_line 'The sign in add() is wrong and that is the'
check resume_partial_text_closed_as_interrupted screen_has_line 'Interrupted: honk stopped while the model was answering'
check resume_new_answer_not_glued screen_has_line 'The position of the sign matters.'
check resume_answer_asked_again record_has '"content":"fix add"'
tm_stop
stop_replay

# 3. A deploy killed in its second stage, resumed in the cockpit: the stage
#    is interrupted with an unknown outcome; D runs it again, build never.
calc_repo "$T/d"
git -C "$T/d" config honk.deploy.stages "build publish"
git -C "$T/d" config honk.deploy.build.command "echo build >> '$T/stages.log'"
git -C "$T/d" config honk.deploy.publish.command "echo publish >> '$T/stages.log'; while [ -e '$T/slow' ]; do sleep 0.05; done"
: > "$T/stages.log"; touch "$T/slow"
FIX='{"tool_calls":[{"id":"f","name":"edit_file","input":{"path":"calc.sh","old_string":"$1 - $2)); }\n\n","new_string":"$1 + $2)); }\n\n"}}]}'
start_replay "{\"turns\":[$FIX,{\"text\":[\"Fixed.\"]}]}"
(cd "$T/d" && exec "$HONK" run --approve=all --deploy --base-url "$URL" "fix add" > /dev/null 2> "$T/err") &
pid=$!
i=0
while ! grep -q publish "$T/stages.log" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid; wait $pid 2>/dev/null
rm -f "$T/slow"
id=$(session_id "$T/d")
tm_honk 120 40 "$T/d" resume "$id" --base-url "$URL" --model claude-test
check cockpit_stage_interrupted wait_for "publish              interrupted"
check cockpit_stage_says_unknown wait_for "unknown outcome"
check cockpit_stage_says_what_to_do wait_for "D runs it again, C stops the deploy there"
tm_keys M-4 D
check cockpit_stage_rerun_passes wait_for "✓ publish"
check cockpit_stage_counts [ "$(grep -c build "$T/stages.log") $(grep -c publish "$T/stages.log")" = "1 2" ]
tm_stop
stop_replay
