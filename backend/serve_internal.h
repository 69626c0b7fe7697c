/* What the serve_*.c files share: the server's state, its log, intake. */
#ifndef HK_SERVE_INTERNAL_H
#define HK_SERVE_INTERNAL_H

#include "config.h"
#include "loop.h"
#include "repo.h"
#include "serve.h"
#include "serve_http.h"
#include "serve_queue.h"
#include "serve_worker.h"

#include <stdint.h>

struct hk_serve_repo {
    char *name;
    char *path;
};

/* A task with its process. */
struct hk_serve_run {
    struct hk_serve *serve;
    struct hk_serve_task *task;
    struct hk_worker *worker;
    int stopped_by_serve; /* serve ended it to stop: it resumes at the next start */
    long iteration;       /* the session's test iteration, from its state events */
    char *test_command;   /* its last test run (test_end of purpose tests), or NULL */
    int test_passed;
    int test_exit;
    int told_end; /* the final message went out (at review, or a terminal state) */
    /* honk.serve.task.* as the task started (serve_limits.c) */
    long max_ms, max_tokens;
    int64_t busy_since;   /* hk_now_ms when it began working, 0 while it waits */
    int64_t busy_ms;      /* time it worked before that */
    uint64_t limit_timer; /* fires at max_ms of work, or 0 */
    long tokens;          /* tokens read and written, from its turn_end events */
    char *limit;          /* why serve stopped it at a limit, or NULL */
};

struct hk_serve_rate {
    char *who;
    int64_t window_ms;
    long count;
};

struct hk_serve {
    struct hk_loop *loop;
    struct hk_repo *repo;
    char *gitdir; /* no trailing slash */
    char *workdir;
    struct hk_serve_queue *queue;
    struct hk_http *http;
    char *honk; /* this program, to start task processes */
    /* settings, reread on SIGHUP */
    long jobs;
    long rate_limit;
    long task_max_iterations, task_max_ms, task_max_tokens; /* honk.serve.task.*; 0: none */
    char **allow;
    size_t nallow;
    struct hk_serve_repo *repos;
    size_t nrepos;
    /* from the environment, never logged */
    char *slack_secret;
    char *token;
    struct hk_serve_run **runs;
    size_t nruns;
    struct hk_serve_rate *rates;
    size_t nrates;
    int stopping;
    int inotify;
    int lock; /* .git/honk/serve/serve.lock, flocked while serve runs */
    struct hk_notify *notify; /* outgoing calls: Slack's Web API and callbacks; or NULL */
    int slack_bot;            /* SLACK_BOT_TOKEN was set: Slack is told */
};

/* One line on stderr: "honk serve: ..." (never a secret). */
void hk_serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Every request, routed (serve_intake.c). */
void hk_serve_handle(const struct hk_http_request *req, struct hk_http_reply *out, void *user);
/* The JSON API under /v1/ (serve_api.c). */
void hk_serve_api(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out);

/* Task processes (serve_run.c): starts queued tasks while jobs are free;
 * sets a task's state (journalled, logged, told); the SIGCHLD handler. */
void hk_serve_dispatch(struct hk_serve *s);
void hk_serve_set_state(struct hk_serve *s, struct hk_serve_task *t, const char *state, const cJSON *waiting,
                        const char *sentence);
struct hk_serve_run *hk_serve_run_of(const struct hk_serve *s, const struct hk_serve_task *t);
/* Whether the state is one a session works in (or unknown: just started). */
int hk_serve_state_busy(const char *state);
/* Whether the task's session began (its journal's first line is whole). */
int hk_serve_has_session(const struct hk_serve *s, const struct hk_serve_task *t);
void hk_serve_reap(struct hk_loop *loop, int signo, void *data);
/* Where a task of that repository name (NULL: serve's own) runs. */
const char *hk_serve_repo_dir(const struct hk_serve *s, const char *name);

/* Journals a new task (taken over) and starts it when a slot is free. 0, or
 * -1 with *err (the task is then freed). */
int hk_serve_accept(struct hk_serve *s, struct hk_serve_task *t, char **err);
/* Cancels a queued or running task: 0, or -1 with *err saying why not. */
int hk_serve_cancel(struct hk_serve *s, struct hk_serve_task *t, char **err);
/* Whether the repository name (NULL: serve's own) is known. */
int hk_serve_repo_known(const struct hk_serve *s, const char *name);

/* Per-task limits (serve_limits.c): taken when a task's process starts;
 * its state changed (the work timer runs while it is busy); a turn_end
 * event's tokens; its timer cancelled; --max-iterations added to argv at n
 * (buf holds the number), returning the new n. */
void hk_serve_limits_start(struct hk_serve *s, struct hk_serve_run *run);
void hk_serve_limits_state(struct hk_serve *s, struct hk_serve_run *run);
void hk_serve_limits_turn(struct hk_serve_run *run, const cJSON *data);
void hk_serve_limits_stop(struct hk_serve *s, struct hk_serve_run *run);
int hk_serve_limits_args(const struct hk_serve *s, const char **argv, int n, char *buf, size_t size);

/* What Slack is told (serve_tell.c): a task queued, a change of its state,
 * its end. Nothing for tasks from elsewhere or without a bot token. */
void hk_serve_tell_queued(struct hk_serve *s, struct hk_serve_task *t);
void hk_serve_tell_state(struct hk_serve *s, struct hk_serve_task *t, const struct hk_serve_run *run);
void hk_serve_tell_ended(struct hk_serve *s, struct hk_serve_task *t, const struct hk_serve_run *run);
/* An event's refusal, to its sender only (chat.postEphemeral). */
void hk_serve_tell_refusal(struct hk_serve *s, const char *channel, const char *user, const char *text);
/* A JSON API task's callback_url gets the task as GET /v1/tasks/ID shows it,
 * signed: X-Honk-Signature: sha256=HEX, HMAC-SHA256 of the body keyed with
 * HONK_SERVE_TOKEN. */
void hk_serve_tell_callback(struct hk_serve *s, const struct hk_serve_task *t);

/* A reply: status and body (taken over), and the log line's note. */
void hk_serve_reply(struct hk_http_reply *out, int status, char *body, char *note);
/* {"error": SENTENCE} */
char *hk_serve_error_json(const char *sentence);

#endif
