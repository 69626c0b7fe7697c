# The command line where a terminal changes what honk does, through tmux:
# reading stdin says so, honk review keeps a rejection's reason and reviews
# a root commit, honk discard asks first.
. "$HONK_TOP/tests/cockpit.sh"

# two_hunks DIR: a repository whose n.txt has 30 lines, and $T/two.patch
# changing lines 2 and 28.
two_hunks() {
    new_repo "$1"
    seq 1 30 | sed 's/^/line /' > "$1/n.txt"
    (cd "$1" && git add n.txt && git commit -qm lines)
    printf -- '--- a/n.txt\n+++ b/n.txt\n@@ -1,3 +1,3 @@\n line 1\n-line 2\n+line two\n line 3\n@@ -27,3 +27,3 @@\n line 27\n-line 28\n+line twenty-eight\n line 29\n' > "$T/two.patch"
}

# honk apply with nothing piped in a terminal says it reads stdin, then applies what is typed.
R=$T/apply; two_hunks "$R"
tm_honk 100 30 "$R" apply
check apply_terminal_notice poll grep -qxF 'honk apply: reading a patch from standard input (Ctrl-D to end)' "$T/stderr"
tm_keys -l -- "$(cat "$T/two.patch")"
tm_keys Enter C-d
check apply_terminal_applies wait_for "exited 0"
check apply_terminal_changed grep -qx 'line twenty-eight' "$R/n.txt"

# honk ask with no prompt in a terminal: the same notice, then the typed prompt is sent.
start_replay '{"turns":[{"text":["typed prompt received"]}]}'
tm_honk 100 30 "$R" ask --base-url "$URL"
check ask_terminal_notice poll grep -qxF 'honk ask: reading the prompt from standard input (Ctrl-D to end)' "$T/stderr"
tm_keys -l "what is this"
tm_keys Enter C-d
check ask_terminal_answers wait_for "typed prompt received"
check ask_terminal_exit_0 wait_for "exited 0"
check ask_terminal_prompt_sent record_has '"content":"what is this\n"'
# With words as the prompt in a terminal, stdin is not read: no wait, no notice.
start_replay '{"turns":[{"text":["no wait"]}]}'
tm_honk 100 30 "$R" ask --base-url "$URL" "a question"
check ask_terminal_words_do_not_wait wait_for "exited 0"
check ask_terminal_words_no_notice [ ! -s "$T/stderr" ]
stop_replay

# honk review PATCH: a reason typed for a rejected hunk is kept, in the .rej
# as a comment line git apply ignores and in the summary.
R=$T/review; two_hunks "$R"
cp "$T/two.patch" "$R/two.patch"
tm_honk 100 30 "$R" review two.patch
wait_for "n.txt" > /dev/null
tm_keys M-2 z a
check review_first_approved wait_for "[hunk 1: approved]"
tm_keys r
wait_for "reason" > /dev/null
tm_keys -l "28 stays as it is"
tm_keys Enter
check review_second_rejected wait_for "rejected because: 28 stays as it is"
tm_keys q
check review_exit_0 wait_for "exited 0"
check review_summary_keeps_reason wait_for "n.txt: hunk 2 rejected: 28 stays as it is"
check review_rej_keeps_reason grep -qxF '# n.txt: hunk 2 rejected: 28 stays as it is' "$R/two.patch.rej"
check review_rej_applies sh -c "cd '$R' && git apply --check two.patch.rej"
check review_applied_first grep -qx 'line two' "$R/n.txt"

# honk review of a root commit: its whole change, against the empty tree.
R=$T/root; new_repo "$R"
tm_honk 100 30 "$R" review
check review_root_commit_shows_file wait_for "A README"
tm_keys M-2 z
check review_root_commit_line wait_for "+old readme"
tm_keys q
wait_for "exited" > /dev/null

# honk discard in a terminal asks first; no keeps everything.
R=$T/discard; new_repo "$R"
id=deadbeef
git -C "$R" branch honk/$id
git -C "$R" worktree add -q "$R/.git/honk/worktrees/$id" honk/$id
mkdir -p "$R/.git/honk/sessions"
printf '{"kind":"task","time":1,"data":{"task":"tidy up","branch":"honk/%s"}}\n{"kind":"state","time":2,"data":{"state":"done"}}\n' \
    $id $id > "$R/.git/honk/sessions/$id.jsonl"
tm_honk 100 30 "$R" discard dead
check discard_asks poll grep -qF "Discard session deadbeef (done: tidy up)? [y/N]" "$T/stderr"
tm_keys n Enter
check discard_no_exit_1 wait_for "exited 1"
check discard_no_keeps_branch sh -c "git -C '$R' rev-parse -q --verify refs/heads/honk/$id > /dev/null"
tm_honk 100 30 "$R" discard dead
poll grep -qF "[y/N]" "$T/stderr"
tm_keys y Enter
check discard_yes_exit_0 wait_for "exited 0"
check discard_yes_removed sh -c "! git -C '$R' rev-parse -q --verify refs/heads/honk/$id > /dev/null && [ ! -d '$R/.git/honk/worktrees/$id' ]"
check discard_keeps_journal [ -f "$R/.git/honk/sessions/$id.jsonl" ]
tm_stop
