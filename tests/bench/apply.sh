#!/bin/sh
# Speed of `honk apply` against `git apply` on the same patches: the agreement
# test's history applied commit by commit, and one large patch (first to last
# commit). Prints the median of several runs and the ratio honk/git.
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HONK_BUILD:-$top/build/out}
HONK=${HONK:-$BUILD/honk}
RUNS=${BENCH_RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/honk-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
export GIT_CONFIG_NOSYSTEM=1

KEEP_HISTORY=$repo AGREE_VARIANT_EVERY=0 AGREE_OWN=0 HONK=$HONK sh "$top/tests/e2e/apply_agreement.sh" | head -1
g() { git -C "$repo" -c color.ui=never "$@"; }
mkdir -p "$tmp/patches"
root=$(g rev-list --max-parents=0 HEAD)
prev=$root
i=0
for c in $(g rev-list --reverse HEAD); do
    [ "$c" = "$root" ] && continue
    i=$((i + 1))
    g diff --no-ext-diff -M "$prev" "$c" >"$tmp/patches/$(printf %04d $i).patch"
    prev=$c
done
find "$tmp/patches" -size 0 -delete
g diff --no-ext-diff -M "$root" HEAD >"$tmp/large.patch"
npatches=$(ls "$tmp/patches" | wc -l)

fresh() { # a scratch tree at the root commit
    rm -rf "$tmp/w"
    mkdir "$tmp/w"
    GIT_INDEX_FILE=$tmp/idx git --git-dir="$repo/.git" --work-tree="$tmp/w" \
        checkout -f "$root" -- . >/dev/null 2>&1
    rm -f "$tmp/idx"
}
now() { date +%s%N; }
series() { # tool: milliseconds to apply every patch in turn
    fresh
    t0=$(now)
    for p in "$tmp"/patches/*.patch; do
        if [ "$1" = honk ]; then (cd "$tmp/w" && "$HONK" apply "$p" >/dev/null)
        else (cd "$tmp/w" && git apply --whitespace=nowarn "$p"); fi
    done
    echo $(( ($(now) - t0) / 1000000 ))
}
large() { # tool: milliseconds to apply the large patch
    fresh
    t0=$(now)
    if [ "$1" = honk ]; then (cd "$tmp/w" && "$HONK" apply "$tmp/large.patch" >/dev/null)
    else (cd "$tmp/w" && git apply --whitespace=nowarn "$tmp/large.patch"); fi
    echo $(( ($(now) - t0) / 1000000 ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # what, tool
    r=0
    while [ "$r" -lt "$RUNS" ]; do "$1" "$2"; r=$((r + 1)); done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

hs=$(measure series honk); gs=$(measure series git)
hl=$(measure large honk); gl=$(measure large git)
echo "apply: $npatches patches in turn: honk ${hs} ms, git apply ${gs} ms, ratio $(ratio "$hs" "$gs") (median of $RUNS)"
echo "apply: one large patch ($(wc -c <"$tmp/large.patch") bytes): honk ${hl} ms, git apply ${gl} ms, ratio $(ratio "$hl" "$gl") (median of $RUNS)"
