#!/bin/sh
# Agreement with git: builds a history of a few hundred commits from real C headers
# (adds, line-range replacements with lines of other headers, deletions, renames,
# mode changes, CRLF and missing final newlines), then for every commit C applies
# `git diff -M C^ C` with `honk apply` to C^'s tree and compares the result with C's;
# the same over the last commits of honk's own history (HONK_TOP). Every few
# commits it also applies model-written variants of the patch (numberless
# headers with and without git's heading, shifted numbers, CRLF, context with
# trailing blanks dropped, no final newline): each must give C's tree or be
# rejected with a reason and change nothing, never a wrong file reported applied.
# Set KEEP_HISTORY=DIR to leave the repository there (tests/bench/apply.sh uses it,
# with AGREE_VARIANT_EVERY=0 AGREE_OWN=0 for the synthetic history alone).
HONK=${HONK:-build/out/honk}
COMMITS=${AGREE_COMMITS:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/honk-agree.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
repo=${KEEP_HISTORY:-$tmp/repo}
scratch=$tmp/scratch
export GIT_AUTHOR_NAME=honk GIT_AUTHOR_EMAIL=honk@example.com
export GIT_COMMITTER_NAME=honk GIT_COMMITTER_EMAIL=honk@example.com
export GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
export GIT_CONFIG_NOSYSTEM=1 HOME=$tmp
g() { git -C "$repo" -c core.autocrlf=false -c color.ui=never "$@"; }

ls /usr/include/git2/*.h /usr/include/ncursesw/*.h /usr/include/linux/*.h 2>/dev/null \
    | LC_ALL=C sort >"$tmp/pool"
npool=$(wc -l <"$tmp/pool")
if [ "$npool" -lt 50 ]; then
    echo "FAIL - apply_agreement: too few headers under /usr/include to build a history"
    exit 1
fi

seed=12345
rnd() { # rnd N: a number in [0, N)
    seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
    r=$(( (seed / 65536) % $1 ))
}
pool_file() { rnd "$npool"; pf=$(sed -n "$((r + 1))p" "$tmp/pool"); }
pick_file() { # a tracked file of the work tree into $pick
    n=$(wc -l <"$tmp/files")
    rnd "$n"
    pick=$(sed -n "$((r + 1))p" "$tmp/files")
}
list_files() { (cd "$repo" && git ls-files) >"$tmp/files"; }

# Replaces lines [a, a+len) of $1 with k lines of a pool file; cat keeps the mode.
edit_range() {
    f=$repo/$1
    total=$(wc -l <"$f")
    [ "$total" -gt 0 ] || total=1
    rnd "$total"; a=$((r + 1))
    rnd 6; len=$r
    pool_file; rnd 7; k=$r
    plen=$(wc -l <"$pf"); [ "$plen" -gt 0 ] || plen=1
    rnd "$plen"; from=$((r + 1))
    awk -v a="$a" -v len="$len" -v src="$pf" -v from="$from" -v k="$k" '
        NR == a { i = 0; while (i < k && (getline l < src) > 0) { if (++seen >= from) { print l; i++ } } }
        NR >= a && NR < a + len { next }
        { print }' "$f" >"$tmp/edit"
    cat "$tmp/edit" >"$f"
}

make_commit() { # $1: commit number
    rnd 100
    if [ "$r" -lt 55 ]; then
        rnd 3; nf=$((r + 1))
        while [ "$nf" -gt 0 ]; do
            pick_file; rnd 4; ne=$((r + 1))
            while [ "$ne" -gt 0 ]; do edit_range "$pick"; ne=$((ne - 1)); done
            nf=$((nf - 1))
        done
    elif [ "$r" -lt 67 ]; then
        pool_file; rnd 4
        mkdir -p "$repo/dir$r"
        cp "$pf" "$repo/dir$r/new$1_$(basename "$pf")"
    elif [ "$r" -lt 75 ] && [ "$(wc -l <"$tmp/files")" -gt 30 ]; then
        pick_file; g rm -q -f "$pick"
    elif [ "$r" -lt 85 ]; then
        pick_file; rnd 4
        mkdir -p "$repo/moved$r"
        newname="moved$r/r$1_$(basename "$pick")"
        g mv "$pick" "$newname"
        rnd 2; [ "$r" -eq 1 ] && edit_range "$newname"
    elif [ "$r" -lt 89 ]; then
        pick_file; chmod +x "$repo/$pick"; edit_range "$pick"
    elif [ "$r" -lt 93 ]; then
        pick_file; sed 's/$/\r/' "$repo/$pick" >"$tmp/edit"; cat "$tmp/edit" >"$repo/$pick"
    elif [ "$r" -lt 96 ]; then
        pick_file; printf '%s' "$(cat "$repo/$pick")" >"$tmp/edit"; cat "$tmp/edit" >"$repo/$pick"
    else
        pick_file; edit_range "$pick"; pick_file; g rm -q -f "$pick"
        pool_file; cp "$pf" "$repo/added$1.h"
    fi
    g add -A >/dev/null 2>&1
    g commit -q --allow-empty -m "change $1"
}

build_history() {
    git init -q "$repo"
    mkdir -p "$repo/src"
    i=0
    while [ "$i" -lt 40 ]; do
        pool_file
        cp "$pf" "$repo/src/$(basename "$(dirname "$pf")")_$(basename "$pf")" 2>/dev/null
        i=$((i + 1))
    done
    g add -A && g commit -q -m "initial"
    c=1
    while [ "$c" -le "$COMMITS" ]; do
        list_files
        make_commit "$c"
        c=$((c + 1))
    done
}

gd() { git --git-dir="$gitdir" -c core.autocrlf=false -c color.ui=never "$@"; }

tree_of_scratch() {
    GIT_INDEX_FILE=$tmp/index gd --work-tree="$scratch" add -A >/dev/null 2>&1
    GIT_INDEX_FILE=$tmp/index gd write-tree
}

reset_scratch() { # $1: commit
    rm -rf "$scratch" "$tmp/index"
    mkdir -p "$scratch"
    GIT_INDEX_FILE=$tmp/index gd --work-tree="$scratch" checkout -f "$1" -- . >/dev/null 2>&1
}

# Model-written variants of a patch (issue 8): what models do to git's output.
variant() { # $1: name, $2: patch in, $3: patch out
    case $1 in
    numberless) sed -E 's/^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@ ?(.*)$/@@ @@ \3/' "$2" ;;
    bare) sed -E 's/^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@.*$/@@ @@/' "$2" ;;
    shifted) awk '/^@@ -[0-9]/ { match($0, /^@@ -[0-9]+/); o = substr($0, 5, RLENGTH - 4) + 0
                  rest = substr($0, RLENGTH + 1); match(rest, /\+[0-9]+/)
                  n = substr(rest, RSTART + 1, RLENGTH - 1) + 0
                  if (o > 0) o += 4; if (n > 0) n += 4
                  $0 = "@@ -" o substr(rest, 1, RSTART - 1) "+" n substr(rest, RSTART + RLENGTH) }
                  { print }' "$2" ;;
    crlf) sed 's/$/\r/' "$2" ;;
    trimmed) sed -E '/^ /s/[[:space:]]+$//' "$2" ;;
    noeol) head -c -1 "$2" ;;
    esac >"$3"
}
VARIANTS="numberless bare shifted crlf trimmed noeol"
EVERY=${AGREE_VARIANT_EVERY:-5}
v_agreed=0 v_rejected=0 v_total=0 v_bad=""

# Applies each variant to a copy of the tree before the commit ($tmp/prev);
# run_variants_check then compares each with the commit's tree ($scratch).
run_variants() {
    rm -rf "$tmp/prev" "$tmp/v" && cp -a "$scratch" "$tmp/prev" && mkdir "$tmp/v"
    for v in $VARIANTS; do
        variant "$v" "$tmp/patch" "$tmp/v/$v.patch"
        cp -a "$tmp/prev" "$tmp/v/$v"
        (cd "$tmp/v/$v" && "$HONK" apply "$tmp/v/$v.patch") >"$tmp/v/$v.out" 2>&1
        echo $? >"$tmp/v/$v.rc"
    done
}

run_variants_check() {
    for v in $VARIANTS; do
        v_total=$((v_total + 1))
        if diff -r "$tmp/v/$v" "$scratch" >/dev/null 2>&1; then
            v_agreed=$((v_agreed + 1))
        elif [ "$(cat "$tmp/v/$v.rc")" != 0 ] && grep -q 'rejected: \|already applied' "$tmp/v/$v.out" &&
             diff -r "$tmp/v/$v" "$tmp/prev" >/dev/null 2>&1; then
            v_rejected=$((v_rejected + 1))
            [ -n "$AGREE_SHOW_REJECTED" ] && grep 'rejected: \|already applied' "$tmp/v/$v.out" |
                sed "s/^/# $v: /"
        elif [ -z "$v_bad" ]; then
            v_bad="$v at $c"
            cp "$tmp/v/$v.patch" "$tmp/vbad.patch"
            { cat "$tmp/v/$v.out"; diff -r "$tmp/v/$v" "$scratch"; } >"$tmp/vbad.out" 2>&1
        fi
    done
}

# agree FIRST COMMITS...: applies each commit's diff against its parent (the
# previous one in the list) to a tree that starts at FIRST, with git's diff
# and, every $EVERY commits, its model-written variants.
agree() {
    agreed=0 total=0 binary=0 first_bad=""
    prev=$1; shift
    reset_scratch "$prev"
    for c in "$@"; do
        gd diff --no-ext-diff -M "$prev" "$c" >"$tmp/patch"
        # A binary file (a fuzzing seed) has no text diff for either tool to
        # apply: such a commit is counted apart, and the tree moves on to it.
        if grep -q '^Binary files .* differ$' "$tmp/patch"; then
            binary=$((binary + 1))
            reset_scratch "$c"
            prev=$c
            continue
        fi
        total=$((total + 1))
        variants=0
        [ -s "$tmp/patch" ] && [ "$EVERY" -gt 0 ] && [ $((total % EVERY)) -eq 0 ] &&
            variants=1 && run_variants
        if [ -s "$tmp/patch" ]; then
            (cd "$scratch" && "$HONK" apply "$tmp/patch") >"$tmp/out" 2>&1
        else
            : >"$tmp/out"
        fi
        if [ "$(tree_of_scratch)" = "$(gd rev-parse "$c^{tree}")" ]; then
            agreed=$((agreed + 1))
            [ "$variants" = 1 ] && run_variants_check
        else
            [ -z "$first_bad" ] && first_bad=$c && cp "$tmp/patch" "$tmp/bad.patch" &&
                cp "$tmp/out" "$tmp/bad.out"
            reset_scratch "$c"
        fi
        prev=$c
    done
}

report() { # $1: name, $2: what was applied, $3: least count
    echo "$agreed of $total commits agreed"
    [ "$binary" -gt 0 ] && echo "($binary with binary files left out)"
    if [ "$agreed" -eq "$total" ] && [ "$total" -ge "$3" ]; then
        echo "ok - $1: honk apply and git agree on $total commits of $2"
    else
        echo "FAIL - $1: first disagreement at commit $first_bad of $2"
        head -c 3000 "$tmp/bad.out"
        [ -n "$AGREE_SAVE" ] && cp "$tmp/bad.patch" "$AGREE_SAVE"
    fi
}

build_history
gitdir=$repo/.git
# shellcheck disable=SC2046
agree $(g rev-list --reverse HEAD)
report apply_agreement "a history of C headers" "$COMMITS"

# The project's own history (issue 8): real C with functions, so git's section
# headings are real; cloned, so nothing is written to the project's objects.
own=$(git -C "${HONK_TOP:-.}" rev-list --first-parent -n "${AGREE_OWN:-60}" HEAD 2>/dev/null)
if [ "${AGREE_OWN:-60}" = 0 ]; then
    : # asked for the synthetic history only (tests/bench/apply.sh)
elif [ "$(echo "$own" | grep -c .)" -lt 3 ]; then
    echo "# apply_agreement_own_history: skipped, the checkout has too little history"
elif git clone -q --bare --shared "${HONK_TOP:-.}" "$tmp/own.git"; then
    gitdir=$tmp/own.git
    EVERY=${AGREE_OWN_EVERY:-2}
    # shellcheck disable=SC2046
    agree $(echo "$own" | tac)
    report apply_agreement_own_history "honk's own history" 2
else
    echo "FAIL - apply_agreement_own_history: cannot clone ${HONK_TOP:-.}"
fi

echo "$v_total model-written variants: $v_agreed as git, $v_rejected rejected with a reason"
if [ "$EVERY" = 0 ]; then
    : # variants not asked for
elif [ -z "$v_bad" ] && [ "$v_total" -gt 0 ]; then
    echo "ok - apply_agreement_variants: each variant gives git's result or is rejected, none wrong"
else
    echo "FAIL - apply_agreement_variants: a wrong result at $v_bad"
    head -c 3000 "$tmp/vbad.patch"
    head -c 3000 "$tmp/vbad.out"
fi
