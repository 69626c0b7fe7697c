# make demo keeps working: the headless path (no terminal here) runs the
# whole workflow on the sample project and ends with the commit on main.
. "$HONK_TOP/tests/lib.sh"
HONK_BUILD=$HONK_BUILD sh "$HONK_TOP/tests/demo/run" < /dev/null > "$T/out" 2>&1
rc=$?
check demo_exit_0 [ $rc -eq 0 ]
check demo_red_then_green sh -c "grep -q 'tests failed, exit 2' '$T/out' && grep -q 'tests passed' '$T/out'"
check demo_commit_on_main grep -q 'Return NULL from playlist_next() on an empty playlist' "$T/out"
check demo_deployed grep -q 'deploy stage publish: passed' "$T/out"
# Its last line says what becomes of the sample repository, truly.
repo=$(sed -n 's/^A sample repository with a crash: //p' "$T/out")
check demo_says_repo_removed sh -c "tail -n 1 '$T/out' | grep -qF 'The demo repository $repo is removed now' && [ ! -e '$repo' ]"
HONK_DEMO_KEEP=1 HONK_BUILD=$HONK_BUILD sh "$HONK_TOP/tests/demo/run" < /dev/null > "$T/out2" 2>&1
repo=$(sed -n 's/^A sample repository with a crash: //p' "$T/out2")
check demo_keep_says_where sh -c "tail -n 1 '$T/out2' | grep -qF 'The demo repository stays in $repo' && [ -d '$repo/.git' ]"
rm -rf "$(dirname "$repo")"
