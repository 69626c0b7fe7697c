# Helpers for the cockpit's screen tests (sourced by tests/e2e/cockpit_*.sh):
# a private tmux server, keys, trimmed screen captures and bounded polling.
. "$HONK_TOP/tests/lib.sh"

# tmux needs pseudo-terminals; a chroot without devpts has none, and there
# tmux makes the session but its pane never runs: so a pane must leave a mark.
tmux -L honk-probe-$$ -f /dev/null new-session -d "touch '$T/tmux-probe'" 2>/dev/null
i=0
while [ ! -e "$T/tmux-probe" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
tmux -L honk-probe-$$ kill-server 2>/dev/null
TMUX_SOCKETS=${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)
rm -f "$TMUX_SOCKETS/honk-probe-$$"
if [ ! -e "$T/tmux-probe" ]; then
    echo "skip - $(basename "$0"): tmux cannot run a pane on this machine (no pseudo-terminals)"
    exit 0
fi

TMUX_N=0
TMUX_NAME=honk-test-$$-0
TERM_NAME=${TERM_NAME:-tmux-256color}
export ANTHROPIC_API_KEY=sk-cockpit-1234
tm() { tmux -L "$TMUX_NAME" -f /dev/null "$@"; }
# tm_stop: the server ends; its socket file goes too (kill-server leaves it).
tm_stop() { tm kill-server 2>/dev/null; rm -f "$TMUX_SOCKETS/$TMUX_NAME"; }
trap 'tm_stop; cleanup' EXIT

# new_repo DIR: a fresh repository with one commit (README) on main.
new_repo() {
    mkdir -p "$1" && (cd "$1" && git init -q -b main && git config user.name Tester &&
        git config user.email t@example.com && printf 'old readme\n' > README &&
        git add -A && git commit -qm init)
}

# tm_honk W H DIR [ARGS...]: honk ARGS run in DIR inside a fresh private tmux
# server (env from HONK_ENV, a wrapper such as valgrind from HONK_WRAP);
# stderr goes to $T/stderr and the pane's shell then prints "exited STATUS".
tm_honk() {
    w=$1 h=$2 dir=$3; shift 3
    args=
    for a in "$@"; do args="$args '$(printf %s "$a" | sed "s/'/'\\\\''/g")'"; done
    tm_stop
    TMUX_N=$((TMUX_N + 1))
    TMUX_NAME=honk-test-$$-$TMUX_N
    tm new-session -d -x "$w" -y "$h" \
        "cd '$dir' && env TERM=$TERM_NAME $HONK_ENV $HONK_WRAP '$HONK'$args 2>'$T/stderr'; echo \"exited \$?\"; sleep 30"
}

# tm_task W H DIR SCENARIO-JSON TASK [ARGS...]: honk-replay plays SCENARIO
# (its record in $T/record.jsonl) and honk works on TASK in DIR.
tm_task() {
    w=$1 h=$2 dir=$3 sc=$4; shift 4
    start_replay "$sc" || return 1
    tm_honk "$w" "$h" "$dir" --base-url "$URL" --model claude-test "$@"
}

# record_has TEXT: what honk sent the model holds TEXT.
record_has() { grep -qF -- "$1" "$T/record.jsonl"; }

# poll COMMAND...: runs the command until it succeeds (at most ~5 s).
poll() {
    i=0
    while [ $i -lt 100 ]; do
        "$@" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

tm_keys() { tm send-keys -t 0 "$@"; }

# The screen as text, trailing blanks trimmed.
screen() { tm capture-pane -p -t 0 "$@" | sed 's/[[:space:]]*$//'; }

# wait_for TEXT [TRIES]: polls the screen (TRIES x 50 ms, ~5 s by default)
# until it shows TEXT; on failure the screen goes to the log, to see why.
wait_for() {
    i=0
    while [ $i -lt "${2:-100}" ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    screen | sed 's/^/# | /'
    return 1
}

# wait_gone TEXT: polls until the screen no longer shows TEXT.
wait_gone() {
    i=0
    while [ $i -lt 100 ]; do
        screen | grep -qF -- "$1" || return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# masked: the screen with what varies from run to run masked: elapsed times
# (MM:SS, N.N s), the session id (xxxxxxxx), commit ids (ccc...), a running stage's
# spinner (*) and the test's temporary directory (TMP).
masked() {
    screen | sed "s/[0-9][0-9]:[0-9][0-9]/MM:SS/g; s/[0-9][0-9]*\.[0-9] s/N.N s/g
        s/honk\/[0-9a-f]\{8\}/honk\/xxxxxxxx/g; s/\(session\|resume\) [0-9a-f]\{8\}/\1 xxxxxxxx/g
        s/[0-9a-f]\{40\}/$(printf %040d 0 | tr 0 c)/g; s/\([ (]\)[0-9a-f]\{12\}\([ )]\)/\1cccccccccccc\2/g
        s/to [0-9a-f]\{7\})/to ccccccc)/g
        s/⠋\|⠙\|⠹\|⠸\|⠼\|⠴\|⠦\|⠧\|⠇\|⠏/*/g; s|$T|TMP|g"
}

# same_screen EXPECTED-FILE: the masked screen equals the file. With
# HONK_UPDATE_SCREENS=1 the file is rewritten from the screen instead (then
# read it, to check it is right).
same_screen() {
    masked > "$T/screen.txt"
    [ "${HONK_UPDATE_SCREENS:-}" = 1 ] && cp "$T/screen.txt" "$1"
    if diff -u "$1" "$T/screen.txt" > "$T/screen.diff"; then return 0; fi
    cat "$T/screen.diff"
    return 1
}

# Polls until the screen is stable (same capture twice in a row).
settle() {
    prev= i=0
    while [ $i -lt 60 ]; do
        cur=$(screen)
        [ -n "$prev" ] && [ "$cur" = "$prev" ] && return 0
        prev=$cur
        sleep 0.05
        i=$((i + 1))
    done
}

# mouse BUTTON-BYTE X Y: an xterm (X10) mouse report typed into the pane;
# 32 press, 35 release, 96 wheel up, 97 wheel down; X and Y from 0.
mouse() {
    tm_keys -l "$(printf "\\033[M\\$(printf %o "$1")\\$(printf %o $(($2 + 33)))\\$(printf %o $(($3 + 33)))")"
}
