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
    int told_end; /* the final message went out: 1 at review, 2 at its end (done, failed ...) */
    char *commit; /* what a person did from review, for the thread: the commit's id, or NULL */
    char *landed; /* the land's sentence ("Landed honk/ID on main"), or NULL */
    /* executor=command (serve_exec.c): followed through the pushed refs */
    int remote;         /* its session runs elsewhere */
    int exec_exited;    /* the executor's command ended, with exec_status */
    int exec_status;
    int pushed;         /* a fetch brought its session's journal */
    long journal_len;   /* the fetched journal's size at the last fetch */
    int64_t news_ms;    /* when it last showed life: its start, a push */
    unsigned round;     /* the fetch round that last looked at it */
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
    /* honk.serve.executor = command (serve_exec.c) */
    int exec_command_on;
    char *exec_command;  /* run with /bin/sh -c */
    char *exec_remote;   /* where executors push and serve fetches */
    char *repo_url;      /* honk.serve.repoUrl, or NULL: the remote's URL */
    long exec_deadline_ms; /* without news, a task fails */
    long exec_poll_ms;     /* between fetches */
    struct hk_worker *fetcher; /* the honk fetch in flight, or NULL */
    char *fetch_dir;
    uint64_t fetch_timer;
    unsigned round;
    char *replied[32];        /* the last follow-ups' "channel ts": a message and its mention pass on once */
    size_t nreplied;
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

/* Shared with serve_exec.c: a task's journal path (free it), its state
 * journalled, a --json event line of its process, a run's end. */
char *hk_serve_session_journal(const struct hk_serve *s, const struct hk_serve_task *t);
void hk_serve_journal(struct hk_serve *s, struct hk_serve_task *t);
void hk_serve_run_line(struct hk_worker *w, const char *line, void *user);
void hk_serve_run_remove(struct hk_serve *s, struct hk_serve_run *run);
/* A task failed: error (taken over) told, journalled. */
void hk_serve_run_failed(struct hk_serve *s, struct hk_serve_run *run, char *error);

/* executor=command (serve_exec.c): reads its settings (0, or -1 with *err);
 * starts a task with the command; the fetch child's reaping; the end. */
int hk_serve_exec_settings(struct hk_serve *s, struct hk_config *cfg, char **err);
void hk_serve_exec_start(struct hk_serve *s, struct hk_serve_task *t);
int hk_serve_exec_reap(struct hk_serve *s, pid_t pid, int status);
void hk_serve_exec_cancel(struct hk_serve *s, struct hk_serve_run *run);
void hk_serve_exec_stop(struct hk_serve *s); /* serve stops: tasks elsewhere are let go, resumable */
void hk_serve_exec_free(struct hk_serve *s);

/* Journals a new task (taken over) and starts it when a slot is free. 0, or
 * -1 with *err (the task is then freed). */
int hk_serve_accept(struct hk_serve *s, struct hk_serve_task *t, char **err);
/* Cancels a queued or running task: 0, or -1 with *err saying why not. */
int hk_serve_cancel(struct hk_serve *s, struct hk_serve_task *t, char **err);
/* A reply in the task's Slack thread, sent to its running session as a
 * message from who (serve_followup.c): 0 once it is on its way, -1 with *err
 * (a sentence for Slack) when no session of the task runs. */
int hk_serve_followup(struct hk_serve *s, struct hk_serve_task *t, const char *text, const char *who, char **err);
/* The task whose Slack thread that is (the mention's, or its status message's), or NULL. */
struct hk_serve_task *hk_serve_task_of_thread(const struct hk_serve *s, const char *channel, const char *thread);
/* A sentence in the task's thread (chat.postMessage). */
void hk_serve_tell_thread(struct hk_serve *s, struct hk_serve_task *t, const char *text);

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
