/* Runs one shell command (a test run, a deploy stage) in a pty on the event
 * loop: its output feeds a rendering-neutral screen (runner_screen.h), it can
 * be resized, timed out and cancelled, and it reports how it ended. */
#ifndef HK_RUNNER_H
#define HK_RUNNER_H

#include "loop.h"
#include "runner_screen.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct hk_runner;

struct hk_runner_result {
    int exit_code;       /* the exit status, or -1 when killed by a signal */
    int signal;          /* the signal that killed it, or 0 */
    bool timed_out;      /* the timeout ended it */
    bool cancelled;      /* hk_runner_cancel ended it */
    int64_t duration_ms; /* from start to exit */
};

/* Something on the screen changed (output, cursor, resize). Called at most
 * once per chunk of output read; merge redraws on a timer. Must not free the
 * runner. */
typedef void (*hk_runner_change_cb)(struct hk_runner *r, void *data);
/* The command ended and all its output was read. Called once, from the
 * loop; may free the runner. */
/* The raw bytes the command wrote, as read, for whoever mirrors the screen
 * elsewhere; bytes NULL: the run began; len 0: its window size changed. */
typedef void (*hk_runner_output_cb)(struct hk_runner *r, const char *bytes, size_t len, void *data);
typedef void (*hk_runner_finished_cb)(struct hk_runner *r, const struct hk_runner_result *res,
                                      void *data);

struct hk_runner_opts {
    const char *command;     /* run as /bin/sh -c command */
    const char *cwd;         /* working directory; NULL: honk's own */
    int rows, cols;          /* window size; 0: 24 x 80 */
    const char *const *env;  /* extra "NAME=value" entries, NULL-terminated; may be NULL */
    bool ci;                 /* also set CI=1 and NO_COLOR=1 */
    int64_t timeout_ms;      /* 0: none */
    int64_t kill_grace_ms;   /* SIGTERM to SIGKILL; 0: 2000 */
    int scrollback_lines;    /* lines kept above the screen; 0: 10000, -1: none */
    hk_runner_change_cb on_change;
    hk_runner_finished_cb on_finished;
    hk_runner_output_cb on_output; /* may be NULL */
    void *data;
};

enum hk_runner_state { HK_RUNNER_RUNNING, HK_RUNNER_FINISHED };

/* Starts the command in its own session and process group, with
 * TERM=xterm-256color and the extra environment; its stdin is the pty and
 * nothing is typed into it. Returning a runner means it started. When the
 * command exits, processes it left in its group that still hold the pty are
 * killed after half a second (detach with setsid to outlive it). On failure
 * returns NULL and sets *err (caller frees) to a sentence saying why. */
struct hk_runner *hk_runner_start(struct hk_loop *loop, const struct hk_runner_opts *opts,
                                  char **err);

/* A run that ended before honk restarted: no process, a screen holding the
 * output it left (plain text, as journalled) and its result, so a resumed
 * front end shows what it showed. Free with hk_runner_free. */
struct hk_runner *hk_runner_replayed(struct hk_loop *loop, const char *command, int rows, int cols,
                                     const char *output, const struct hk_runner_result *res);
/* A run of another process (a session this one is attached to): no process,
 * a screen fed with the bytes that process's run wrote, at its size.
 * Resizing it from here is ignored: the size is the other process's. */
struct hk_runner *hk_runner_mirror(struct hk_loop *loop, const char *command, int rows, int cols,
                                   hk_runner_change_cb on_change, void *data);
void hk_runner_mirror_feed(struct hk_runner *r, const char *bytes, size_t len, int rows, int cols);
void hk_runner_mirror_end(struct hk_runner *r, const struct hk_runner_result *res);
/* Stops the command: SIGTERM to its process group, SIGKILL after the grace
 * period if anything is left. The finished callback still comes. */
void hk_runner_cancel(struct hk_runner *r);

/* Changes the window size the command sees (SIGWINCH) and the screen's. */
void hk_runner_resize(struct hk_runner *r, int rows, int cols);

/* Kills a command still running (SIGKILL to the group), reaps it, frees
 * everything. No callback is called. */
void hk_runner_free(struct hk_runner *r);

const char *hk_runner_command(const struct hk_runner *r);
/* False when the machine had no pseudo-terminal to give (no devpts): the
 * command then ran with its output on a pipe and stdin from /dev/null. */
bool hk_runner_has_tty(const struct hk_runner *r);
enum hk_runner_state hk_runner_state(const struct hk_runner *r);
/* Wall-clock start time in milliseconds since the Unix epoch. */
int64_t hk_runner_started_at(const struct hk_runner *r);
pid_t hk_runner_pid(const struct hk_runner *r);
/* The result once finished, NULL before. */
const struct hk_runner_result *hk_runner_result(const struct hk_runner *r);

/* The screen and scrollback, for drawing; valid until hk_runner_free. */
const struct hk_screen *hk_runner_screen(const struct hk_runner *r);

/* The rendered text of scrollback and screen, the last max_lines lines
 * (0: all), for logs. Caller frees. */
char *hk_runner_text(const struct hk_runner *r, int max_lines);
/* The same within max_bytes too: the plain-text tail handed to the model. */
char *hk_runner_tail(const struct hk_runner *r, int max_lines, size_t max_bytes);

#endif
