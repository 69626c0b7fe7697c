# What a model's tool calls can reach, through a whole session: every tool
# honk offers against the same ways out of the worktree (.., absolute
# paths, /etc, .git, symlinked files and directories leaving it); NUL in a
# path or content; a file that is not UTF-8, read and then edited.
. "$HONK_TOP/tests/lib.sh"
export ANTHROPIC_API_KEY=sk-confine-1234

# new_repo DIR : a repository whose symlinks lead out of the task's worktree
# ($R/.git/honk/worktrees/ID: five levels below $T) and one that stays inside.
new_repo() {
    rm -rf "$1"; mkdir -p "$1/sub"
    (cd "$1" && git init -q -b main && git config user.name Tester && git config user.email t@example.com &&
     printf 'one\ntwo\n' > calc.txt && echo inside > sub/inner.txt &&
     ln -s ../../../../../secret.env cfg && ln -s "$T/secret.env" abscfg &&
     ln -s "$T/outside" ext && ln -s ../../../../../outside relext && ln -s calc.txt alias.txt &&
     git add -A && git commit -qm "a repository with symlinks")
}

# session NAME SCENARIO-TURNS : runs one --approve=all session; sets J (journal) and W (worktree)
session() {
    start_replay "{\"turns\":[$2,{\"text\":[\"Done.\"]}]}"
    (cd "$R" && "$HONK" run --approve=all --base-url "$URL" "$1" > /dev/null 2> "$T/err")
    id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err")
    J=$R/.git/honk/sessions/$id.jsonl
    W=$R/.git/honk/worktrees/$id
}

# result_of ID : the journalled result of the call with that id
result_of() { grep -a '"kind":"tool_result"' "$J" | grep -aF "\"id\":\"$1\","; }
# result_has ID TEXT... : that result holds each fixed text
result_has() {
    r=$(result_of "$1"); shift
    for t in "$@"; do case $r in *"$t"*) ;; *) return 1 ;; esac; done
}

outside_hash() { (cd "$T" && find secret.env outside -type f | sort | xargs sha1sum | sha1sum); }

printf 'TOPSECRET\nhunter2-value\n' > "$T/secret.env"
mkdir -p "$T/outside" && printf 'TOPSECRET\nhunter2-value\n' > "$T/outside/secret.env"

# 1. Every tool, every way out. The inputs name TOPSECRET (line 1 of the
#    secrets); only reading a secret can bring hunter2 (line 2) to the model.
ESCAPES=".. ../secret.env $T/secret.env /etc .git .git/config cfg abscfg ext ext/secret.env ext/new.txt relext/secret.env sub/../../secret.env"
# input TOOL PATH : the tool's JSON input aimed at PATH
input() {
    case $1 in
    read_file) echo "{\"path\":\"$2\"}" ;;
    list_files) echo "{\"path\":\"$2\"}" ;;
    search) echo "{\"pattern\":\"TOPSECRET|-value|root:\",\"path\":\"$2\"}" ;;
    edit_file) echo "{\"path\":\"$2\",\"old_string\":\"TOPSECRET\",\"new_string\":\"leaked\"}" ;;
    write_file) echo "{\"path\":\"$2\",\"content\":\"leaked\\n\"}" ;;
    apply_patch) echo "{\"patch\":\"*** Begin Patch\\n*** Update File: $2\\n@@\\n-TOPSECRET\\n+leaked\\n*** End Patch\\n\"}" ;;
    apply_patch_diff) echo "{\"patch\":\"--- a/$2\\n+++ b/$2\\n@@ -1 +1 @@\\n-TOPSECRET\\n+leaked\\n\"}" ;;
    esac
}
VARIANTS="read_file list_files search edit_file write_file apply_patch apply_patch_diff"
# The tools that take no path: run_tests runs the configured command only,
# run_command a command the engineer approves (not a file the model names).
NO_PATH="run_tests run_command"
R=$T/r1; new_repo "$R"
: > "$T/cases"
before=$(outside_hash)
calls=
n=0
for v in $VARIANTS; do
    for p in $ESCAPES; do
        n=$((n + 1))
        echo "c$n $v $p" >> "$T/cases"
        calls="$calls${calls:+,}{\"id\":\"c$n\",\"name\":\"${v%_diff}\",\"input\":$(input "$v" "$p")}"
    done
done
# The headline case: search and list the whole tree.
calls="$calls,{\"id\":\"all_search\",\"name\":\"search\",\"input\":{\"pattern\":\"TOPSECRET|-value\"}}"
calls="$calls,{\"id\":\"all_list\",\"name\":\"list_files\",\"input\":{}}"
# A symlink inside that points inside is a file like any other.
calls="$calls,{\"id\":\"in_read\",\"name\":\"read_file\",\"input\":{\"path\":\"alias.txt\"}}"
calls="$calls,{\"id\":\"in_search\",\"name\":\"search\",\"input\":{\"pattern\":\"two\"}}"
calls="$calls,{\"id\":\"in_scope\",\"name\":\"search\",\"input\":{\"pattern\":\"inside|two\",\"path\":\"sub\"}}"
calls="$calls,{\"id\":\"in_edit\",\"name\":\"edit_file\",\"input\":{\"path\":\"alias.txt\",\"old_string\":\"one\",\"new_string\":\"uno\"}}"
session "every tool, every way out" "{\"tool_calls\":[$calls]}"

# The tools the model is offered, from the first request's "tools".
offered=$(head -n 1 "$T/record.jsonl" | sed 's/.*"tools":\[//' | grep -o '{"name":"[a-z_]*"' | sed 's/{"name":"//; s/"//')
uncovered=
for tool in $offered; do
    case " $VARIANTS $NO_PATH " in *" $tool "*) ;; *) uncovered="$uncovered $tool" ;; esac
done
check confine_tools_offered [ -n "$offered" ]
check confine_every_offered_tool_is_tried [ -z "$uncovered" ]
# case_id VARIANT PATH : the id of that call
case_id() { awk -v v="$1" -v p="$2" '$2 == v && $3 == p { print $1 }' "$T/cases"; }
refused=0
while read -r c v p; do
    if result_of "$c" | grep -q '"ok":false'; then refused=$((refused + 1)); else fail "confine_refused_${v}_$p" "$c was answered: $(result_of "$c" | cut -c 1-200 | head -n 1)"; fi
done < "$T/cases"
check confine_every_escape_refused [ "$refused" -eq "$n" ]
check confine_no_secret_reached_model sh -c "! grep -q hunter2 '$T/record.jsonl' '$J'"
check confine_outside_unchanged [ "$(outside_hash)" = "$before" ]
check confine_nothing_leaked_written sh -c "! grep -rq leaked '$W' '$T/outside' '$T/secret.env'"
check confine_dotdot_path_refused result_has "$(case_id read_file ..)" "path '..' is outside the worktree"
check confine_list_etc_refused result_has "$(case_id list_files /etc)" "path '/etc' is outside the worktree"
check confine_search_etc_refused result_has "$(case_id search /etc)" "path '/etc' is outside the worktree"
check confine_search_skips_links_out result_has all_search 'not searched, as symlinks that leave the worktree: abscfg, cfg, ext, relext'
check confine_list_marks_links_out result_has all_list 'cfg (a symlink that leaves the worktree: not readable)'
check confine_inside_link_read result_has in_read '"ok":true' '2\ttwo'
check confine_inside_link_searched result_has in_search 'alias.txt:2: two\ncalc.txt:2: two'
check confine_search_path_scopes result_has in_scope '"content":"sub/inner.txt:1: inside\n"'
check confine_inside_link_edited [ "$(cat "$W/calc.txt")" = "$(printf 'uno\ntwo')" ]
stop_replay

# 2. NUL in a path, a content or a command: cJSON would cut the string there
#    (nul\u0000.txt would create nul). Every such call is refused, nothing
#    changes; an escaped backslash before u0000 is text, not NUL.
R=$T/r2; new_repo "$R"
nul_call() { # ID TOOL INPUT-AS-A-JSON-STRING-LITERAL
    printf '%s{"id":"%s","name":"%s","input_text":%s}' "${nul_calls:+,}" "$1" "$2" "$3"
}
nul_calls=
nul_calls=$nul_calls$(nul_call n_text write_file '"{\"path\":\"text.txt\",\"content\":\"a\\\\u0000b\"}"')
nul_calls=$nul_calls$(nul_call n_write_path write_file '"{\"path\":\"nul\\u0000.txt\",\"content\":\"x\\n\"}"')
nul_calls=$nul_calls$(nul_call n_write_content write_file '"{\"path\":\"new.txt\",\"content\":\"a\\u0000b\"}"')
nul_calls=$nul_calls$(nul_call n_edit_path edit_file '"{\"path\":\"calc.txt\\u0000.bak\",\"old_string\":\"one\",\"new_string\":\"ONE\"}"')
nul_calls=$nul_calls$(nul_call n_edit_old edit_file '"{\"path\":\"calc.txt\",\"old_string\":\"one\\u0000zz\",\"new_string\":\"ONE\"}"')
nul_calls=$nul_calls$(nul_call n_edit_new edit_file '"{\"path\":\"calc.txt\",\"old_string\":\"one\",\"new_string\":\"a\\u0000b\"}"')
nul_calls=$nul_calls$(nul_call n_patch_path apply_patch '"{\"patch\":\"*** Begin Patch\\n*** Add File: nul\\u0000.txt\\n+x\\n*** End Patch\\n\"}"')
nul_calls=$nul_calls$(nul_call n_patch_content apply_patch '"{\"patch\":\"--- a/calc.txt\\n+++ b/calc.txt\\n@@ -1,2 +1,2 @@\\n-one\\n+a\\u0000b\\n two\\n\"}"')
nul_calls=$nul_calls$(nul_call n_read_path read_file '"{\"path\":\"calc.txt\\u0000/../../secret.env\"}"')
nul_calls=$nul_calls$(nul_call n_list_path list_files '"{\"path\":\"sub\\u0000/../..\"}"')
nul_calls=$nul_calls$(nul_call n_search search '"{\"pattern\":\"one\\u0000|TOPSECRET\"}"')
nul_calls=$nul_calls$(nul_call n_command run_command '"{\"command\":\"touch ran\\u0000; touch more\"}"')
session "NUL" "{\"tool_calls\":[$nul_calls]}"
check nul_escaped_backslash_is_text [ "$(cat "$W/text.txt")" = 'a\u0000b' ]
for c in n_write_path n_write_content n_edit_path n_edit_old n_edit_new n_patch_path n_patch_content n_read_path n_list_path n_search n_command; do
    check "nul_refused_$c" result_has "$c" '"ok":false' 'holds a NUL character (\\u0000)' 'nothing was done'
done
check nul_names_the_member result_has n_write_content 'the \"content\" of write_file holds a NUL'
check nul_no_file_cut_short sh -c "[ ! -e '$W/nul' ] && [ ! -e '$W/new.txt' ] && [ ! -e '$W/ran' ]"
check nul_file_unchanged [ "$(cat "$W/calc.txt")" = "$(printf 'one\ntwo')" ]
check nul_journal_keeps_input contains "$J" '"input":"{\"path\":\"nul\\u0000.txt\"'

# 3. A file that is not UTF-8: the model sees U+FFFD and is told; the request
#    and the journal stay valid UTF-8 JSON; an edit elsewhere in the file
#    keeps its bytes.
R=$T/r3; new_repo "$R"
printf 'caf\351 ok\nline two \377\376\nthird\n' > "$R/bad.txt"
git -C "$R" add bad.txt && git -C "$R" commit -qm "not UTF-8"
session "latin-1" '{"tool_calls":[{"id":"u_read","name":"read_file","input":{"path":"bad.txt"}},
  {"id":"u_search","name":"search","input":{"pattern":"ok|two"}},
  {"id":"u_edit","name":"edit_file","input":{"path":"bad.txt","old_string":"third","new_string":"THIRD"}}]}'
FFFD=$(printf '\357\277\275')
check utf8_request_valid iconv -f UTF-8 -t UTF-8 "$T/record.jsonl" -o /dev/null
check utf8_request_is_json sh -c "[ \$(grep -c '\"body\":{' '$T/record.jsonl') -eq 2 ]"
check utf8_journal_valid iconv -f UTF-8 -t UTF-8 "$J" -o /dev/null
check utf8_model_sees_fffd contains "$T/record.jsonl" "caf$FFFD ok\\n     2\\tline two $FFFD$FFFD"
check utf8_model_told result_has u_read '[3 bytes in these lines of bad.txt are not valid UTF-8 (or NUL) and are shown as U+FFFD'
check utf8_search_told result_has u_search "bad.txt:2: line two $FFFD$FFFD" '[3 bytes in the lines shown are not valid UTF-8'
check utf8_edit_applied result_has u_edit '"ok":true'
printf 'caf\351 ok\nline two \377\376\nTHIRD\n' > "$T/want"
check utf8_edit_keeps_other_bytes cmp "$W/bad.txt" "$T/want"

# 3b. The same edit as a proposal, honk stopped while it waits: the journal
#     holds valid UTF-8, yet resume finds the file's bytes and a rejection
#     restores them exactly.
R=$T/r3b; new_repo "$R"
printf 'caf\351 ok\nline two \377\376\nthird\n' > "$R/bad.txt"
git -C "$R" add bad.txt && git -C "$R" commit -qm "not UTF-8"
start_replay '{"turns":[{"tool_calls":[{"id":"u_edit","name":"edit_file","input":{"path":"bad.txt","old_string":"third","new_string":"THIRD"}}]},{"text":["I see."]}]}'
(cd "$R" && "$HONK" run --approve=ask --base-url "$URL" "latin-1" > /dev/null 2> "$T/err")
id=$(sed -n 's/.*honk resume \([0-9a-f]*\) --accept.*/\1/p' "$T/err")
check utf8_proposal_journal_valid iconv -f UTF-8 -t UTF-8 "$R/.git/honk/sessions/$id.jsonl" -o /dev/null
(cd "$R" && "$HONK" resume "$id" --reject "keep it" --base-url "$URL" > /dev/null 2> "$T/err2")
check utf8_resume_takes_proposal sh -c "! grep -q 'changed since' '$T/err2'"
check utf8_reject_restores_bytes cmp "$R/.git/honk/worktrees/$id/bad.txt" "$R/bad.txt"
stop_replay
