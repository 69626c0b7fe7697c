/* The inbox: every session of a repository as a person deciding what to
 * look at first needs it (honk inbox, plain honk when sessions wait): its
 * state in a person's words, who asked and from where (serve's queue
 * journal), age, task, diffstat and last test result, sorted so that what
 * needs a person comes first. Built from the queue journal, the session
 * journals and the task branches; never changes any of them. */
#ifndef HK_INBOX_H
#define HK_INBOX_H

#include "repo.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* What a person makes of a session, in the order the inbox sorts them. */
#define HK_INBOX_KINDS(X)                                                     \
    X(NEEDS_YOU, "needs_you", "needs you")   /* waits for a decision */      \
    X(REVIEW, "review", "ready for review")  /* decided, tests green */      \
    X(FAILED, "failed", "failed")                                             \
    X(STOPPED, "stopped", "stopped")         /* at work, no process: resume */\
    X(WORKING, "working", "working")                                          \
    X(QUEUED, "queued", "queued")                                             \
    X(DONE, "done", "done")                                                   \
    X(CANCELLED, "cancelled", "cancelled")

enum hk_inbox_kind {
#define HK_INBOX_ENUM(name, str, words) HK_INBOX_##name,
    HK_INBOX_KINDS(HK_INBOX_ENUM)
#undef HK_INBOX_ENUM
};

struct hk_inbox_item {
    char id[9];
    enum hk_inbox_kind kind;
    char *state;        /* the session's own state name, or "queued" */
    char *need;         /* what it waits for (the waiting object's kind), or NULL */
    char *need_detail;  /* the command to approve, the commit message ..., or NULL */
    char *task;
    char *from;         /* "slack", "api", "queue", or "honk" (started by hand) */
    char *user, *channel; /* who asked and where, or NULL */
    char *error;        /* why it failed outside its session, or NULL */
    int64_t created_ms, updated_ms;
    int has_diff;       /* files/added/deleted below were read */
    size_t files, added, deleted;
    char *test_command; /* the last test run's command, or NULL */
    int test_passed;
    long live_pid;      /* a process runs it now, else 0 */
    size_t undelivered; /* what serve could not tell Slack or its callback about it (kept for the next serve) */
};

struct hk_inbox {
    struct hk_inbox_item *items;
    size_t n;
};

/* Reads everything now. 0, or -1 with *err. */
int hk_inbox_read(struct hk_repo *repo, struct hk_inbox *out, char **err);
void hk_inbox_clear(struct hk_inbox *in);
/* How many items need a person (needs you, review, failed, stopped). */
size_t hk_inbox_waiting(const struct hk_inbox *in);

const char *hk_inbox_kind_name(enum hk_inbox_kind kind);  /* "needs_you" */
const char *hk_inbox_kind_words(enum hk_inbox_kind kind); /* "needs you" */

/* The list as `honk inbox --json` prints it: an array of objects. */
cJSON *hk_inbox_json(const struct hk_inbox *in, int64_t now_ms);

/* Calls changed(data) on the loop, at most every 200 ms, after serve's
 * directory (the queue journal) or the sessions' (their journals) change:
 * inotify, so an idle inbox costs nothing. NULL with *err. */
struct hk_loop;
struct hk_inbox_watch;
struct hk_inbox_watch *hk_inbox_watch_new(struct hk_loop *loop, struct hk_repo *repo, void (*changed)(void *data),
                                          void *data, char **err);
void hk_inbox_watch_free(struct hk_inbox_watch *w);

/* Cancels a running session with the cancel command over its socket, or
 * a queued task by journalling it cancelled. 0, or -1 with *err. */
int hk_inbox_cancel(struct hk_repo *repo, const char *id, char **err);

#endif
