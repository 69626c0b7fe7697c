# Helpers the honk serve scripts share (sourced after tests/lib.sh): each
# script starts serve with its own environment, then these find its port
# and stop it.

# serve_listening MARK: until the serve started last (SERVE_PID) says where it
# listens in $T/serve.log after line MARK; sets PORT (at most ~10 s).
serve_listening() {
    i=0
    while [ $i -lt 200 ]; do
        PORT=$(tail -n +$(($1 + 1)) "$T/serve.log" | sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 $SERVE_PID 2>/dev/null || break
        sleep 0.05; i=$((i + 1))
    done
    echo "honk serve did not start: $(tail -n 3 "$T/serve.log")"
    return 1
}

# stop_serve: SIGTERM, then SIGKILL after ~10 s; reaped.
stop_serve() {
    [ -n "$SERVE_PID" ] || return 0
    kill -TERM "$SERVE_PID" 2>/dev/null
    i=0
    while kill -0 "$SERVE_PID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    kill -9 "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=
}
