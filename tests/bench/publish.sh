# Publishing a session as refs (honk run --push to a local bare remote):
# the cost per state change, as the CPU time honk and its push children
# spend beyond the same run without --push, divided by the run's state
# events; and how long a session pushed from clone B takes to appear in
# clone A's honk log after honk fetch.
. "$HONK_TOP/tests/bench/lib.sh"
T=$(mktemp -d /tmp/honk-bench.XXXXXX)
trap 'kill $pid 2>/dev/null; rm -rf "$T"' EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 ANTHROPIC_API_KEY=bench
mkdir -p "$HOME"
N=20
turns=
i=1
while [ $i -le $N ]; do
    turns="$turns{\"tool_calls\":[{\"id\":\"t$i\",\"name\":\"write_file\",\"input\":{\"path\":\"f$i.txt\",\"content\":\"$i\\\\n\"}}]},"
    i=$((i + 1))
done
printf '{"turns":[%s{"text":["Done.\\n```commit\\nFiles\\n```\\n"]}]}\n' "$turns" > "$T/s.json"

git init -q --bare -b main "$T/remote.git"
mkdir -p "$T/seed" && (cd "$T/seed" && git init -q -b main && git config user.name B && git config user.email b@example.com &&
    seq 1 2000 > data.txt && git add -A && git commit -qm init && git push -q "$T/remote.git" main)
for c in a b; do
    git clone -q "$T/remote.git" "$T/$c" && git -C "$T/$c" config user.name B && git -C "$T/$c" config user.email b@example.com
done

# run LABEL [--push origin]: one session of N edits in clone b, timed
run() {
    label=$1; shift
    "$REPLAY" "$T/s.json" > "$T/url" &
    pid=$!
    while [ ! -s "$T/url" ]; do sleep 0.05; done
    /usr/bin/time -v sh -c "cd '$T/b' && '$HONK' run --approve=all --base-url '$(head -n 1 "$T/url")' $* 'write files' > /dev/null 2> '$T/err.$label'" \
        2> "$T/time.$label"
    kill $pid; wait $pid 2>/dev/null; rm -f "$T/url"
    awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } /Elapsed/ { n = split($2, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
        END { printf "%.3f %.3f\n", u + s, w }' "$T/time.$label" > "$T/fig.$label"
}
run plain
run push --push origin
id=$(sed -n 's/^honk: task \([0-9a-f]*\) .*/\1/p' "$T/err.push")
states=$(grep -c '"kind":"state"' "$T/b/.git/honk/sessions/$id.jsonl")
pushes=$(git -C "$T/b" rev-list --count "refs/honk/sessions/$id")
read cpu0 wall0 < "$T/fig.plain"
read cpu1 wall1 < "$T/fig.push"
awk -v c0="$cpu0" -v c1="$cpu1" -v w0="$wall0" -v w1="$wall1" -v n="$states" -v p="$pushes" 'BEGIN {
    printf "publishing, %d state changes (20 proposals, a 2000-line file in the tree) in %d pushes: %.2f ms CPU per state change, %.2f ms per push (%.3f s with --push, %.3f s without); wall %.3f s against %.3f s\n",
        n, p, (c1 - c0) * 1000 / n, (c1 - c0) * 1000 / p, c1, c0, w1, w0 }'

# From B's push to A's log: honk fetch then honk log, five times (each a new fetch of the same refs
# after the fetched ones are dropped, so each brings the session in again).
: > "$T/fetch.runs"
i=0
while [ $i -lt 5 ]; do
    git -C "$T/a" for-each-ref --format='%(refname)' refs/honk refs/heads/honk | while read -r r; do git -C "$T/a" update-ref -d "$r"; done
    rm -rf "$T/a/.git/honk"
    s=$(date +%s%N)
    (cd "$T/a" && "$HONK" fetch > /dev/null && "$HONK" log | grep -q "^$id ")
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000000 ))" >> "$T/fetch.runs"
    i=$((i + 1))
done
echo "fetch: a session pushed in B is in A's honk log after honk fetch in $(median "$T/fetch.runs" 1) ms (median of 5, local bare remote)"
