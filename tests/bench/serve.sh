# honk serve: how fast a signed slash command is acknowledged while 2
# sessions stream (Slack gives up after 3 s; the goal is under 20 ms), serve's
# resident memory idle and per running session, and the CPU an idle serve uses.
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
export HOME="$T/home"; mkdir -p "$HOME"
SP= RP=
trap '[ -n "$SP" ] && kill $SP 2>/dev/null; [ -n "$RP" ] && kill $RP 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
R=$T/repo
mkdir -p "$R" && cd "$R" || exit 1
git init -q -b main && git config user.name B && git config user.email b@example.com
echo x > a && git add a && git commit -qm a
git config honk.serve.slack.allow U0BENCH && git config honk.serve.rateLimit 0 && git config honk.serve.jobs 2
# Each session streams a long answer: 100000 deltas, 1 ms apart.
printf '{"turns":[{"repeat":{"text":"word ","count":100000},"chunk_delay_ms":1},{"repeat":{"text":"word ","count":100000},"chunk_delay_ms":1}]}\n' > "$T/s.json"
"$REPLAY" "$T/s.json" > "$T/url" & RP=$!
while [ ! -s "$T/url" ]; do sleep 0.05; done
git config honk.baseUrl "$(head -n 1 "$T/url")"
SLACK_SIGNING_SECRET=bench-secret HONK_SERVE_TOKEN=bench-token ANTHROPIC_API_KEY=bench \
    "$HONK" serve --listen 127.0.0.1:0 2> "$T/serve.log" & SP=$!
while ! grep -q 'listening on' "$T/serve.log" 2>/dev/null; do sleep 0.05; done
PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/serve.log")
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
t0=$(ticks $SP); sleep 3; t1=$(ticks $SP)
idle_rss=$(rss_kib $SP)
echo "idle serve: $((t1 - t0)) CPU ticks in 3 s (target 0), $(awk -v k="$idle_rss" 'BEGIN {printf "%.1f", k / 1024}') MiB resident"
for i in 1 2; do
    curl -s -o /dev/null -H 'Authorization: Bearer bench-token' -d '{"task":"write a lot"}' "http://127.0.0.1:$PORT/v1/tasks"
done
while [ "$(grep -c ' thinking$' "$T/serve.log")" -lt 2 ]; do sleep 0.05; done
sleep 1
: > "$T/times"
n=0
while [ $n -lt 100 ]; do
    ts=$(date +%s) body="team_id=T1&channel_id=C1&user_id=U0BENCH&command=%2Fhonk&text=bench+task+$n"
    sig="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac bench-secret -r | cut -d' ' -f1)"
    curl -s -o /dev/null -w '%{time_total}\n' -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" \
        --data-binary "$body" "http://127.0.0.1:$PORT/slack/commands" >> "$T/times"
    n=$((n + 1))
done
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(NR * p + 0.999); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }'; }
echo "signed slash command acknowledged while 2 sessions stream (curl, 100): median $(pct "$T/times" 0.5) ms, p99 $(pct "$T/times" 0.99) ms (Slack's limit 3000 ms, goal under 20 ms)"
grep 'POST /slack/commands 200' "$T/serve.log" | sed -n 's/.* 200 \([0-9.]*\) ms.*/\1/p' > "$T/server"
echo "the same inside serve (request read to answer queued): median $(sort -n "$T/server" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}') ms, p99 $(sort -n "$T/server" | awk '{v[NR]=$1} END {i=int(NR*0.99+0.999); print v[i]}') ms"
kids=$(pgrep -P $SP | tr '\n' ' ')
total=0; count=0
for k in $kids; do total=$((total + $(rss_kib "$k"))); count=$((count + 1)); done
[ $count -gt 0 ] && echo "per running session (its honk run process): $(awk -v t=$total -v c=$count 'BEGIN {printf "%.1f", t / c / 1024}') MiB resident ($count running); serve itself now $(awk -v k="$(rss_kib $SP)" 'BEGIN {printf "%.1f", k / 1024}') MiB"
