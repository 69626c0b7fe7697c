#!/bin/sh
# `honk apply` end to end: output lines, exit codes, --check, --reverse, -p, stdin.
HONK=${HONK:-build/out/honk}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/honk-apply.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1: $2"; }
expect() { # name, wanted, got
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got [$3], want [$2]"; fi
}

seq 1 60 | sed 's/^/line /' >n.txt
cp n.txt n.orig
cat >offset.patch <<'P'
--- a/n.txt
+++ b/n.txt
@@ -7,3 +7,3 @@
 line 10
-line 11
+line eleven
 line 12
@@ -50,3 +50,3 @@
 line 50
-line 51
+line fifty-one
 line 52
P

out=$("$HONK" apply --check offset.patch); rc=$?
expect "check says the hunks fit, not applied" "n.txt: hunk 1 fits at offset +3
n.txt: hunk 2 fits" "$out"
expect "check exits 0" 0 "$rc"
if cmp -s n.txt n.orig; then ok "check leaves files unchanged"; else fail "check" "n.txt changed"; fi

out=$("$HONK" apply <offset.patch); rc=$?
expect "stdin apply exit 0" 0 "$rc"
if grep -qx 'line eleven' n.txt && grep -qx 'line fifty-one' n.txt; then ok "applied from stdin"
else fail "applied from stdin" "content"; fi

out=$("$HONK" apply --reverse offset.patch); rc=$?
expect "reverse exit 0" 0 "$rc"
if cmp -s n.txt n.orig; then ok "reverse restores the file"; else fail "reverse" "differs"; fi

cat >bad.patch <<'P'
--- a/n.txt
+++ b/n.txt
@@ -2,3 +2,3 @@
 line 2
-line 3
+line three
 line 4
@@ -40,3 +40,3 @@
 nothing
-like this
+here
 at all
P
out=$("$HONK" apply bad.patch 2>/dev/null); rc=$?
expect "all or nothing: the hunk that fits is not said applied" "n.txt: hunk 1 fits
n.txt: hunk 2 rejected: context not found near line 40" "$out"
expect "rejected exits 1" 1 "$rc"
if cmp -s n.txt n.orig; then ok "all or nothing by default"; else fail "all or nothing" "changed"; fi
"$HONK" apply --partial bad.patch >/dev/null 2>&1; rc=$?
if [ "$rc" = 1 ] && grep -qx 'line three' n.txt; then ok "--partial applies the rest"
else fail "--partial" "rc $rc"; fi
cp n.orig n.txt

mkdir -p deep/src
printf 'a\nb\nc\n' >deep/src/x.c
cat >p2.patch <<'P'
--- old/deep/src/x.c
+++ new/deep/src/x.c
@@ -1,3 +1,3 @@
 a
-b
+B
 c
P
"$HONK" apply -p1 p2.patch >/dev/null; rc=$?
if [ "$rc" = 0 ] && [ "$(sed -n 2p deep/src/x.c)" = B ]; then ok "-p1 strips a component"
else fail "-p1" "rc $rc"; fi
cat >p0.patch <<'P'
--- src/x.c
+++ src/x.c
@@ @@
 a
-B
+b2
 c
P
out=$("$HONK" apply --directory deep p0.patch); rc=$?
if [ "$rc" = 0 ] && [ "$(sed -n 2p deep/src/x.c)" = b2 ]; then ok "--directory and no prefix"
else fail "--directory" "rc $rc $out"; fi

printf '%s\n' '--- a/x' '+++ b/x' '@@ -1,zz +1 @@' '-a' >mal.patch
err=$("$HONK" apply mal.patch 2>&1 >/dev/null); rc=$?
expect "malformed exit 2" 2 "$rc"
expect "malformed message" "honk apply: malformed patch at line 3: malformed hunk header ('@@ -1,zz +1 @@')" "$err"

printf '%s\n' '--- /dev/null' '+++ b/../escape' '@@ -0,0 +1 @@' '+x' >esc.patch
out=$("$HONK" apply esc.patch 2>/dev/null); rc=$?
expect "escape refused" "../escape: hunk 1 rejected: path '../escape' is outside the worktree" "$out"
if [ "$rc" = 1 ] && [ ! -e ../escape ]; then ok "escape exits 1, nothing written"
else fail "escape" "rc $rc"; fi

cat >env.patch <<'P'
*** Begin Patch
*** Add File: hello.txt
+hello
*** Update File: n.txt
@@ line 20
-line 21
+line 21!
*** End Patch
P
out=$("$HONK" apply env.patch); rc=$?
if [ "$rc" = 0 ] && [ "$(cat hello.txt)" = hello ] && grep -qx 'line 21!' n.txt; then
    ok "envelope applied"
else fail "envelope" "rc $rc $out"; fi

"$HONK" apply --fuzz >/dev/null 2>&1; rc=$?
expect "usage error exits 2" 2 "$rc"

# A patch that went through a CRLF channel: the same parser as honk review, the
# names without their "\r", from a file and from stdin.
printf 'def f():\n    return 1\n' >calc.py
printf '%s\r\n' '--- a/calc.py' '+++ b/calc.py' '@@ -1,2 +1,2 @@' ' def f():' '-    return 1' \
    '+    return 2' >crlf.patch
out=$("$HONK" apply crlf.patch 2>&1); rc=$?
expect "CRLF patch from a file applies" "0 calc.py: hunk 1 applied" "$rc $out"
expect "CRLF patch keeps the file's LF" "def f():
    return 2" "$(cat calc.py)"
out=$("$HONK" apply -R <crlf.patch 2>&1); rc=$?
expect "CRLF patch from stdin applies" "0 calc.py: hunk 1 applied" "$rc $out"
if cmp -s calc.py /dev/stdin <<'P'
def f():
    return 1
P
then ok "CRLF patch reversed from stdin"; else fail "CRLF reversed" "$(od -c calc.py | head -3)"; fi

# --partial from stdin: the hunks that did not apply are kept in <file>.rej,
# whose path is printed; the .rej is a patch git reads (never a corrupt one).
cp n.orig n.txt
err=$("$HONK" apply --partial <bad.patch 2>&1 >/dev/null); rc=$?
expect "--partial from stdin exits 1" 1 "$rc"
case $err in
*"n.txt not applied are in n.txt.rej"*) ok "--partial from stdin prints the .rej path" ;;
*) fail "--partial .rej path" "$err" ;;
esac
if grep -qx '+here' n.txt.rej && ! grep -q 'line three' n.txt.rej; then
    ok "--partial .rej holds the rejected hunk only"
else fail "--partial .rej" "$(cat n.txt.rej 2>&1)"; fi
git init -q rejcheck && cp n.txt.rej rejcheck/ && cp n.txt rejcheck/
if (cd rejcheck && git apply --stat n.txt.rej >/dev/null 2>&1); then ok "the .rej is a well-formed patch"
else fail ".rej well-formed" "$(cd rejcheck && git apply --stat n.txt.rej 2>&1)"; fi
rm -f n.txt.rej

# An all-or-nothing apply from stdin that stops keeps the whole patch: every
# hunk is in n.txt.rej, and git applies it to the unchanged tree where it fits.
cp n.orig n.txt
printf '%s\n' '--- a/n.txt' '+++ b/n.txt' '@@ -2,3 +2,3 @@' ' line 2' '-line 3' '+line three' \
    ' line 4' '--- a/gone.txt' '+++ b/gone.txt' '@@ -1 +1 @@' '-x' '+y' >two.patch
"$HONK" apply <two.patch >/dev/null 2>&1; rc=$?
if [ "$rc" = 1 ] && cmp -s n.txt n.orig && [ -f n.txt.rej ] && [ -f gone.txt.rej ]; then
    ok "stdin apply that stopped keeps every hunk in .rej files"
else fail "stdin .rej" "rc $rc $(ls)"; fi
rm -rf rejcheck && mkdir rejcheck && cp n.orig rejcheck/n.txt && cp n.txt.rej rejcheck/
if (cd rejcheck && git init -q && git apply --check n.txt.rej 2>&1); then
    ok "the .rej of a hunk that fits passes git apply --check"
else fail ".rej --check" "$(cat n.txt.rej)"; fi
rm -rf rejcheck n.txt.rej gone.txt.rej

# Applying a patch twice: the second time says it is already applied.
cp n.orig n.txt
"$HONK" apply offset.patch >/dev/null
out=$("$HONK" apply offset.patch 2>"$tmp/err"); rc=$?
expect "already applied is said" "1 n.txt: hunk 1 already applied
n.txt: hunk 2 already applied" "$rc $out"
expect "already applied sentence" "honk apply: the patch is already applied, so nothing was changed" \
    "$(cat "$tmp/err")"
cp n.orig n.txt

# Only the names' lines kept a "\r" (a partly converted paste): the names are still the files'.
printf 'a\nb\n' >m.txt
printf -- '--- a/m.txt\r\n+++ b/m.txt\r\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n' >mixed.patch
out=$("$HONK" apply mixed.patch 2>&1); rc=$?
expect "names lose a CRLF channel's \\r" "0 m.txt: hunk 1 applied" "$rc $out"

# Reversing a patch that is not in the files says so, not "already applied" alone.
cp n.orig n.txt
out=$("$HONK" apply -R offset.patch 2>"$tmp/err"); rc=$?
expect "reverse of a patch not applied" "1 n.txt: hunk 1 already applied: the file is without its change already
n.txt: hunk 2 already applied: the file is without its change already" "$rc $out"
expect "reverse of a patch not applied, sentence" \
    "honk apply: the patch is not in the files: there is nothing to reverse, so nothing was changed" \
    "$(cat "$tmp/err")"
