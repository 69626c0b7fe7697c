# honk ask receiving a 20,000-token answer from honk-replay as fast as it
# streams: wall time, CPU seconds and peak resident memory, median of 7 runs.
. "$HONK_TOP/tests/bench/lib.sh"
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
runs=7
printf '{"turns":[' > "$T/s.json"
i=0
while [ $i -lt $runs ]; do
    [ $i -gt 0 ] && printf ',' >> "$T/s.json"
    printf '{"repeat":{"text":"token ","count":20000}}' >> "$T/s.json"
    i=$((i + 1))
done
printf ']}\n' >> "$T/s.json"
"$REPLAY" "$T/s.json" > "$T/url" &
pid=$!
while [ ! -s "$T/url" ]; do sleep 0.05; done
url=$(head -n 1 "$T/url")
for p in anthropic openai; do
    base=$url
    [ $p = openai ] && base=$url/v1
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    "$REPLAY" "$T/s.json" > "$T/url" & pid=$!
    while [ ! -s "$T/url" ]; do sleep 0.05; done
    url=$(head -n 1 "$T/url"); base=$url; [ $p = openai ] && base=$url/v1
    ANTHROPIC_API_KEY=bench OPENAI_API_KEY=bench measure "$T/$p" $runs "$HONK" ask --provider $p --base-url "$base" "write a long answer" < /dev/null
    printf 'honk ask, 20000-token answer (%s protocol, median of %d): %.3f s wall, %.3f CPU-s, %.1f MiB peak RSS\n' \
        $p $runs "$(median "$T/$p.runs" 1)" "$(median "$T/$p.runs" 2)" "$(echo "$(median "$T/$p.runs" 3)" | awk '{print $1/1024}')"
done
echo "targets: under 0.1 CPU-s and under 10 MiB (codex exec: 1.05 s, 1.4 CPU-s, 145 MiB; claude -p: 3.6 s, 3.9 CPU-s, 421 MiB)"
