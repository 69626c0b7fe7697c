# The journal of a session whose model streams one 20,000-token answer
# (20,000 deltas of "token "): its bytes and lines, and those of its text
# events. Before the text was coalesced (d4d033d) each delta was one line;
# HONK_BEFORE=/path/to/old/honk measures that build too.
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 ANTHROPIC_API_KEY=bench
mkdir -p "$HOME"
printf '{"turns":[{"repeat":{"text":"token ","count":20000}},{"repeat":{"text":"token ","count":20000}}]}\n' > "$T/s.json"
"$REPLAY" "$T/s.json" > "$T/url" &
pid=$!
while [ ! -s "$T/url" ]; do sleep 0.05; done
url=$(head -n 1 "$T/url")

# figures LABEL HONK-BINARY
figures() {
    R=$T/repo-$1
    mkdir -p "$R" && (cd "$R" && git init -q -b main && git config user.name B && git config user.email b@example.com &&
                      echo hi > README && git add -A && git commit -qm init)
    (cd "$R" && "$2" run --base-url "$url" "talk" > /dev/null 2> "$T/err")
    J=$(ls "$R"/.git/honk/sessions/*.jsonl)
    grep '"kind":"text"' "$J" > "$T/text"
    printf 'journal, one 20000-token answer (%s): %d bytes in %d lines; its text: %d bytes in %d events\n' \
        "$1" "$(wc -c < "$J")" "$(wc -l < "$J")" "$(wc -c < "$T/text")" "$(wc -l < "$T/text")"
}
[ -n "${HONK_BEFORE:-}" ] && figures before "$HONK_BEFORE"
figures now "$HONK"
echo "before (d4d033d, measured with HONK_BEFORE): 1240692 bytes in 20005 lines; its text: 1240000 bytes in 20000 events"
