# Helpers for the cockpit's screen tests (sourced by tests/e2e/cockpit_*.sh):
# a private tmux server, keys, trimmed screen captures and bounded polling.
. "$HONK_TOP/tests/lib.sh"

# tmux needs pseudo-terminals; a chroot without devpts has none, and there
# tmux makes the session but its pane never runs: so a pane must leave a mark.
tmux -L honk-probe-$$ -f /dev/null new-session -d "touch '$T/tmux-probe'" 2>/dev/null
i=0
while [ ! -e "$T/tmux-probe" ] && [ $i -lt 60 ]; do sleep 0.05; i=$((i + 1)); done
tmux -L honk-probe-$$ kill-server 2>/dev/null
if [ ! -e "$T/tmux-probe" ]; then
    echo "skip - $(basename "$0"): tmux cannot run a pane on this machine (no pseudo-terminals)"
    exit 0
fi

TMUX_N=0
TMUX_NAME=honk-test-$$-0
TERM_NAME=${TERM_NAME:-tmux-256color}
tm() { tmux -L "$TMUX_NAME" -f /dev/null "$@"; }
tm_stop() { tm kill-server 2>/dev/null; }
trap 'tm_stop; cleanup' EXIT

# tm_start W H EVENTS-FILE [ARGS...]: the cockpit playing EVENTS-FILE; actions
# land in $T/actions.log, stderr in $T/stderr.
tm_start() {
    w=$1 h=$2 ev=$3; shift 3
    tm_stop
    TMUX_N=$((TMUX_N + 1))
    TMUX_NAME=honk-test-$$-$TMUX_N
    : > "$T/actions.log"
    tm new-session -d -x "$w" -y "$h" \
        "env TERM=$TERM_NAME $HONK_ENV $HONK __play-events '$ev' --actions-log '$T/actions.log' $* 2>'$T/stderr'; sleep 30"
}

tm_keys() { tm send-keys -t 0 "$@"; }

# The screen as text, trailing blanks trimmed.
screen() { tm capture-pane -p -t 0 "$@" | sed 's/[[:space:]]*$//'; }

# wait_for TEXT: polls the screen (at most ~5 s) until it shows TEXT; on
# failure the screen goes to the log, to see why.
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
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

# wait_log TEXT: polls the actions log.
wait_log() {
    i=0
    while [ $i -lt 100 ]; do
        grep -qF -- "$1" "$T/actions.log" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# same_screen EXPECTED-FILE: the screen (elapsed time masked) equals the file.
same_screen() {
    screen | sed 's/[0-9][0-9]:[0-9][0-9]$/MM:SS/; s/ [0-9][0-9]:[0-9][0-9] / MM:SS /' > "$T/screen.txt"
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
