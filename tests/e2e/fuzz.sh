#!/bin/sh
# A short run of each libFuzzer harness of tests/fuzz/ (make fuzz runs them
# longer): its seeds, the regression inputs of past findings among them,
# then a fixed number of mutated inputs. Needs clang with libFuzzer; without
# it each harness is skipped with the reason.
. "$HONK_TOP/tests/lib.sh"

harnesses=$(cd "$HONK_TOP/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')

skip_all() {
    for h in $harnesses; do echo "skip - $h: $1"; done
    exit 0
}

command -v clang >/dev/null 2>&1 || skip_all "clang is not installed (apt-get install clang)"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
    > "$T/probe.c"
clang -fsanitize=fuzzer -o "$T/probe" "$T/probe.c" >/dev/null 2>&1 ||
    skip_all "clang has no libFuzzer (-fsanitize=fuzzer does not link)"

# The harnesses build apart from the tested build, in build/fuzz; a build
# that fails is one failure, not a skip.
if ! (cd "$HONK_TOP" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -j2 SANITIZE=fuzz fuzz-bins) \
        >"$T/build.log" 2>&1; then
    fail fuzz_build "$(tail -n 5 "$T/build.log")"
    exit 0
fi

# Inputs per harness: about 5 s each on one loaded core.
runs_of() {
    case $1 in
    fuzz_sse) echo 100000 ;;
    fuzz_stream) echo 20000 ;;
    fuzz_screen) echo 8000 ;;
    fuzz_journal) echo 5000 ;;
    fuzz_patch) echo 3000 ;;
    fuzz_tools) echo 1000 ;;
    fuzz_socket) echo 1000 ;;
    *) echo 2000 ;;
    esac
}

for h in $harnesses; do
    FUZZ_HARNESS=$h FUZZ_RUNS=$(runs_of "$h") FUZZ_OUT="$HONK_TOP/build/fuzz/test" \
        sh "$HONK_TOP/tests/fuzz/run"
done
exit 0
