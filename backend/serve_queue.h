/* honk serve's queue: every task accepted, journalled as JSON Lines in
 * .git/honk/serve/queue.jsonl before it is acknowledged (fsynced), then each
 * change of its state. Serve and `honk queue` both append, under an
 * exclusive flock; each reads what the other wrote from its last offset, so
 * a restart (after a kill -9 too) rebuilds the same queue. */
#ifndef HK_SERVE_QUEUE_H
#define HK_SERVE_QUEUE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct hk_serve_task {
    char id[9];        /* also the session's id: honk run --id */
    char *task;
    char *repo;        /* a honk.serve.repo.<name>, or NULL: serve's own */
    char *base;        /* revision to start from, or NULL */
    char *callback_url;
    char *from;        /* "slack", "api" or "queue" */
    char *user;        /* who asked: a Slack user id, $USER@host ... */
    char *channel;     /* where: a Slack channel id, or NULL */
    char *thread;      /* the Slack thread, or NULL */
    char *key;         /* what makes a request the same one again (a Slack event id), or NULL */
    char *state;       /* "queued" or the session's own state name */
    cJSON *waiting;    /* the session's waiting object, or NULL */
    char *error;       /* why it failed outside its session (a crash), or NULL */
    char *slack_ts;    /* its status message in Slack (chat.update keeps it current), or NULL */
    char *slack_text;  /* what the status message says now (not journalled) */
    int resume;        /* its session exists: resumed, not started again */
    int exit_status;   /* its last process's exit status, -1 while none ended */
    int64_t created_ms, updated_ms; /* wall clock */
};

struct hk_serve_queue;

/* Opens (creating .git/honk/serve/ 0700 and the file 0600) and reads the
 * journal. NULL with *err. */
struct hk_serve_queue *hk_serve_queue_open(const char *gitdir, char **err);
void hk_serve_queue_close(struct hk_serve_queue *q);
char *hk_serve_queue_path(const char *gitdir);
/* Reads what others (honk queue) appended since the last read:
 * the number of new tasks, or -1 with *err. */
int hk_serve_queue_refresh(struct hk_serve_queue *q, char **err);

/* Journals a new task (t's task, repo, base, callback_url, from, user,
 * channel, thread, key; the rest is set here: id, state queued, times) and
 * takes it over. 0, or -1 with *err (t then still the caller's). */
int hk_serve_queue_add(struct hk_serve_queue *q, struct hk_serve_task *t, char **err);
/* Journals t's state, waiting, error, resume and exit_status as they are now. */
int hk_serve_queue_update(struct hk_serve_queue *q, struct hk_serve_task *t, char **err);

size_t hk_serve_queue_count(const struct hk_serve_queue *q);
struct hk_serve_task *hk_serve_queue_at(const struct hk_serve_queue *q, size_t i);
struct hk_serve_task *hk_serve_queue_find(const struct hk_serve_queue *q, const char *id);
struct hk_serve_task *hk_serve_queue_find_key(const struct hk_serve_queue *q, const char *key);
/* How many queued tasks come before t (0: it is next), or -1 when t is not queued. */
long hk_serve_queue_position(const struct hk_serve_queue *q, const struct hk_serve_task *t);

/* What the JSON API answers about a task: id, state, waiting, task, from ... */
cJSON *hk_serve_task_json(const struct hk_serve_task *t);
void hk_serve_task_free(struct hk_serve_task *t);

#endif
