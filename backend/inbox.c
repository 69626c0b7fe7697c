/* The inbox (see inbox.h): the queue journal, the session journals and the
 * task branches, read into one list a person sorts by urgency. */
#include "inbox.h"
#include "journal.h"
#include "loop.h"
#include "json.h"
#include "protocol.h"
#include "serve_queue.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *name, *words;
} kinds[] = {
#define HK_INBOX_ROW(name, str, words) {str, words},
    HK_INBOX_KINDS(HK_INBOX_ROW)
#undef HK_INBOX_ROW
};

const char *hk_inbox_kind_name(enum hk_inbox_kind kind) { return kinds[kind].name; }
const char *hk_inbox_kind_words(enum hk_inbox_kind kind) { return kinds[kind].words; }

static char *dup_or_null(const char *s)
{
    return s ? hk_xstrdup(s) : NULL;
}

static void item_clear(struct hk_inbox_item *it)
{
    free(it->state);
    free(it->need);
    free(it->need_detail);
    free(it->task);
    free(it->from);
    free(it->user);
    free(it->channel);
    free(it->error);
    free(it->test_command);
}

void hk_inbox_clear(struct hk_inbox *in)
{
    for (size_t i = 0; i < in->n; i++)
        item_clear(&in->items[i]);
    free(in->items);
    in->items = NULL;
    in->n = 0;
}

/* --- one session's journal ------------------------------------------------ */

/* What the inbox wants of a journal: its last state and waiting object,
 * its last test run (not a command's run) and its times. */
struct seen {
    char *state;
    cJSON *waiting;
    char *test_command;
    int test_passed;
    int64_t first_ms, last_ms;
};

static void on_event(const struct hk_event *ev, void *user)
{
    struct seen *s = user;
    if (!s->first_ms)
        s->first_ms = ev->time_ms;
    s->last_ms = ev->time_ms;
    const char *state = hk_json_str(ev->data, "state");
    if (ev->kind == HK_EV_STATE && state) {
        free(s->state);
        s->state = hk_xstrdup(state);
        cJSON_Delete(s->waiting);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(ev->data, "waiting");
        s->waiting = cJSON_IsObject(w) ? cJSON_Duplicate(w, 1) : NULL;
    } else if (ev->kind == HK_EV_TEST_END && !hk_run_is_command(ev->data) && hk_json_str(ev->data, "command")) {
        free(s->test_command);
        s->test_command = hk_xstrdup(hk_json_str(ev->data, "command"));
        s->test_passed = hk_json_true(ev->data, "passed");
    }
}

static enum hk_inbox_kind kind_of(const char *state, int live, const cJSON *waiting)
{
    int st = hk_session_state_parse(state);
    if (!strcmp(state, "queued"))
        return HK_INBOX_QUEUED;
    if (st == HK_STATE_DONE)
        return HK_INBOX_DONE;
    if (st == HK_STATE_FAILED)
        return HK_INBOX_FAILED;
    if (st == HK_STATE_CANCELLED)
        return HK_INBOX_CANCELLED;
    if (st == HK_STATE_REVIEW)
        return HK_INBOX_REVIEW;
    if (st < 0 || hk_session_state_active((enum hk_session_state)st))
        return live ? HK_INBOX_WORKING : HK_INBOX_STOPPED;
    /* idle or awaiting approval: a decision of a person's, live or not */
    (void)waiting;
    return HK_INBOX_NEEDS_YOU;
}

static void set_need(struct hk_inbox_item *it, const cJSON *waiting)
{
    const char *kind = hk_json_str(waiting, "kind");
    if (!kind)
        return;
    it->need = hk_xstrdup(kind);
    const char *detail = hk_json_str(waiting, "command");
    if (!detail)
        detail = hk_json_str(waiting, "message");
    it->need_detail = dup_or_null(detail);
}

static void read_diff(struct hk_repo *repo, struct hk_inbox_item *it)
{
    struct hk_task *task = NULL;
    struct hk_diff *diff = NULL;
    char *err = NULL;
    if (hk_task_open(repo, it->id, &task, &err) == 1 && task->worktree && access(task->worktree, F_OK) == 0 &&
        hk_diff_task(repo, task, HK_DIFF_BASE, &diff, &err) == 0) {
        it->has_diff = 1;
        it->files = diff->nfiles;
        for (size_t i = 0; i < diff->nfiles; i++) {
            it->added += diff->files[i].added;
            it->deleted += diff->files[i].deleted;
        }
    }
    hk_diff_free(diff);
    hk_task_free(task);
    free(err);
}

/* Fills it from the session's journal and process, when it has either.
 * 0 when nothing of a task that left the queue is left (discarded). */
static int read_session(struct hk_repo *repo, struct hk_inbox_item *it)
{
    struct seen s = {0};
    char *path = hk_journal_path(hk_repo_gitdir(repo), it->id), *err = NULL;
    int have = access(path, F_OK) == 0 && hk_journal_read(path, on_event, &s, &err) > 0;
    free(err);
    free(path);
    struct hk_live live;
    if (hk_session_live(hk_repo_gitdir(repo), it->id, &live)) {
        it->live_pid = (long)live.pid;
        hk_live_free(&live);
    }
    if (have && s.state) {
        free(it->state);
        it->state = hk_xstrdup(s.state);
        if (!it->created_ms)
            it->created_ms = s.first_ms;
        if (s.last_ms > it->updated_ms)
            it->updated_ms = s.last_ms;
    }
    it->kind = kind_of(it->state, it->live_pid != 0, s.waiting);
    if (it->kind == HK_INBOX_NEEDS_YOU || it->kind == HK_INBOX_REVIEW)
        set_need(it, s.waiting);
    it->test_command = s.test_command;
    it->test_passed = s.test_passed;
    free(s.state);
    cJSON_Delete(s.waiting);
    if (it->kind != HK_INBOX_QUEUED)
        read_diff(repo, it);
    if (have || it->kind == HK_INBOX_QUEUED || it->has_diff)
        return 1;
    struct hk_task *task = NULL;
    char *e = NULL;
    int branch = hk_task_open(repo, it->id, &task, &e) == 1;
    hk_task_free(task);
    free(e);
    return branch;
}

/* --- the list ---------------------------------------------------------------- */

static struct hk_inbox_item *add_item(struct hk_inbox *in, const char *id)
{
    for (size_t i = 0; i < in->n; i++)
        if (!strcmp(in->items[i].id, id))
            return NULL;
    in->items = hk_xrealloc(in->items, (in->n + 1) * sizeof *in->items);
    struct hk_inbox_item *it = &in->items[in->n++];
    memset(it, 0, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", id);
    return it;
}

/* The tasks serve took for this repository (not those it ran elsewhere). */
static void read_queue(struct hk_repo *repo, struct hk_inbox *in)
{
    char *path = hk_serve_queue_path(hk_repo_gitdir(repo)), *err = NULL;
    struct hk_serve_queue *q = access(path, F_OK) == 0 ? hk_serve_queue_open(hk_repo_gitdir(repo), &err) : NULL;
    free(path);
    free(err);
    for (size_t i = 0; q && i < hk_serve_queue_count(q); i++) {
        const struct hk_serve_task *t = hk_serve_queue_at(q, i);
        struct hk_inbox_item *it = t->repo ? NULL : add_item(in, t->id);
        if (!it)
            continue;
        it->state = hk_xstrdup(t->state);
        it->task = hk_xstrdup(t->task);
        it->from = dup_or_null(t->from);
        it->user = dup_or_null(t->user);
        it->channel = dup_or_null(t->channel);
        it->error = dup_or_null(t->error);
        it->created_ms = t->created_ms;
        it->updated_ms = t->updated_ms;
    }
    hk_serve_queue_close(q);
}

/* Serve's undelivered calls (serve_notify.c keeps them), counted per task. */
static void read_undelivered(struct hk_repo *repo, struct hk_inbox *in)
{
    char *path = hk_xasprintf("%s/honk/serve/undelivered.jsonl", hk_repo_gitdir(repo));
    FILE *f = fopen(path, "r");
    free(path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (f && (len = getline(&line, &cap, f)) > 0) {
        cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
        const char *key = hk_json_str(o, "key");
        for (size_t i = 0; key && i < in->n; i++)
            in->items[i].undelivered += !strcmp(key, in->items[i].id);
        cJSON_Delete(o);
    }
    free(line);
    if (f)
        fclose(f);
}

static int by_urgency(const void *a, const void *b)
{
    const struct hk_inbox_item *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    /* the one waiting longest first, except among finished ones: newest first */
    int64_t d = x->kind >= HK_INBOX_DONE ? y->updated_ms - x->updated_ms : x->created_ms - y->created_ms;
    return d < 0 ? -1 : d > 0 ? 1 : strcmp(x->id, y->id);
}

int hk_inbox_read(struct hk_repo *repo, struct hk_inbox *out, char **err)
{
    memset(out, 0, sizeof *out);
    read_queue(repo, out);
    struct hk_session_info *infos = NULL;
    size_t n = 0;
    if (hk_journal_list(hk_repo_gitdir(repo), &infos, &n, err) < 0) {
        hk_inbox_clear(out);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct hk_inbox_item *it = add_item(out, infos[i].id);
        if (!it)
            continue;
        it->state = hk_xstrdup(infos[i].state);
        it->task = hk_xstrdup(infos[i].task ? infos[i].task : "");
        it->from = hk_xstrdup("honk");
        it->created_ms = infos[i].started_ms;
        it->updated_ms = infos[i].updated_ms;
    }
    hk_session_info_free(infos, n);
    size_t kept = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (read_session(repo, &out->items[i]))
            out->items[kept++] = out->items[i];
        else
            item_clear(&out->items[i]);
    }
    out->n = kept;
    read_undelivered(repo, out);
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, by_urgency);
    return 0;
}

size_t hk_inbox_waiting(const struct hk_inbox *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++)
        n += in->items[i].kind <= HK_INBOX_STOPPED;
    return n;
}

static void add_str(cJSON *o, const char *name, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

cJSON *hk_inbox_json(const struct hk_inbox *in, int64_t now_ms)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < in->n; i++) {
        const struct hk_inbox_item *it = &in->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", it->id);
        cJSON_AddStringToObject(o, "kind", hk_inbox_kind_name(it->kind));
        cJSON_AddStringToObject(o, "state", it->state);
        add_str(o, "needs", it->need);
        add_str(o, "needs_detail", it->need_detail);
        cJSON_AddStringToObject(o, "task", it->task);
        cJSON *from = cJSON_AddObjectToObject(o, "from");
        add_str(from, "kind", it->from);
        add_str(from, "user", it->user);
        add_str(from, "channel", it->channel);
        cJSON_AddNumberToObject(o, "created", (double)it->created_ms);
        cJSON_AddNumberToObject(o, "updated", (double)it->updated_ms);
        cJSON_AddNumberToObject(o, "age_s", (double)((now_ms - it->created_ms) / 1000));
        if (it->has_diff) {
            cJSON *d = cJSON_AddObjectToObject(o, "diff");
            cJSON_AddNumberToObject(d, "files", (double)it->files);
            cJSON_AddNumberToObject(d, "added", (double)it->added);
            cJSON_AddNumberToObject(d, "deleted", (double)it->deleted);
        } else {
            cJSON_AddNullToObject(o, "diff");
        }
        if (it->test_command) {
            cJSON *t = cJSON_AddObjectToObject(o, "tests");
            cJSON_AddStringToObject(t, "command", it->test_command);
            cJSON_AddBoolToObject(t, "passed", it->test_passed);
        } else {
            cJSON_AddNullToObject(o, "tests");
        }
        add_str(o, "error", it->error);
        cJSON_AddBoolToObject(o, "running", it->live_pid != 0);
        cJSON_AddNumberToObject(o, "undelivered", (double)it->undelivered);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

struct hk_inbox_watch {
    struct hk_loop *loop;
    int fd;
    uint64_t timer;
    void (*changed)(void *data);
    void *data;
};

static void settled(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_inbox_watch *w = data;
    w->timer = 0;
    w->changed(w->data);
}

static void on_inotify(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    struct hk_inbox_watch *w = data;
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    /* A running session writes its journal with every delta: one re-read
     * per burst is enough. */
    if (!w->timer)
        w->timer = hk_loop_add_timer(loop, 200, settled, w);
}

struct hk_inbox_watch *hk_inbox_watch_new(struct hk_loop *loop, struct hk_repo *repo, void (*changed)(void *data),
                                          void *data, char **err)
{
    const char *gitdir = hk_repo_gitdir(repo);
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        *err = hk_xasprintf("cannot watch the sessions: %s", strerror(errno));
        return NULL;
    }
    char *dir = hk_xasprintf("%s/honk", gitdir);
    mkdir(dir, 0700);
    free(dir);
    static const char *const subs[] = {"serve", "sessions"};
    for (size_t i = 0; i < 2; i++) {
        dir = hk_xasprintf("%s/honk/%s", gitdir, subs[i]);
        mkdir(dir, 0700);
        /* Not IN_CLOSE_WRITE: reading the queue opens it for writing, and
         * each re-read would wake the next one. An append is IN_MODIFY. */
        int ok = inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO) >= 0;
        if (!ok)
            *err = hk_xasprintf("cannot watch %s: %s", dir, strerror(errno));
        free(dir);
        if (!ok) {
            close(fd);
            return NULL;
        }
    }
    struct hk_inbox_watch *w = hk_xcalloc(1, sizeof *w);
    *w = (struct hk_inbox_watch){.loop = loop, .fd = fd, .changed = changed, .data = data};
    hk_loop_watch_fd(loop, fd, POLLIN, on_inotify, w);
    return w;
}

void hk_inbox_watch_free(struct hk_inbox_watch *w)
{
    if (!w)
        return;
    if (w->timer)
        hk_loop_cancel_timer(w->loop, w->timer);
    hk_loop_unwatch_fd(w->loop, w->fd);
    close(w->fd);
    free(w);
}

/* --- cancelling ------------------------------------------------------------- */

/* The lines the session answers, until the reply to message 2 (the cancel). */
struct answer {
    int got;
    char *error;
};

static int on_answer(char *line, size_t len, void *data)
{
    struct answer *a = data;
    cJSON *msg = cJSON_ParseWithLength(line, len);
    if (!strcmp(hk_json_str(msg, "type") ? hk_json_str(msg, "type") : "", "reply") &&
        hk_json_int(msg, "id", 0) == 2) {
        a->got = 1;
        a->error = dup_or_null(hk_json_str(msg, "error"));
    }
    cJSON_Delete(msg);
    return a->got;
}

static int cancel_live(const struct hk_live *live, const char *id, char **err)
{
    int fd = hk_socket_connect(live->socket, err);
    if (fd < 0)
        return -1;
    struct hk_buf b = {0};
    /* joined past the whole journal (nothing replayed), then the command */
    cJSON *join = hk_protocol_msg("join");
    cJSON_AddNumberToObject(join, "id", 1);
    cJSON_AddStringToObject(join, "name", "honk inbox");
    cJSON_AddNumberToObject(join, "from", 1e9);
    hk_protocol_add(&b, join);
    cJSON_Delete(join);
    cJSON *cmd = hk_protocol_msg("command");
    cJSON_AddNumberToObject(cmd, "id", 2);
    cJSON_AddItemToObject(cmd, "command", cJSON_CreateObject());
    cJSON_AddStringToObject(cJSON_GetObjectItem(cmd, "command"), "command", "cancel");
    hk_protocol_add(&b, cmd);
    cJSON_Delete(cmd);
    int rc = write(fd, b.data, b.len) == (ssize_t)b.len ? 0 : -1;
    hk_buf_free(&b);
    struct hk_line_reader r = {0};
    struct answer a = {0};
    /* A local session answers at once; the bound only keeps a wedged one
     * from hanging the cockpit. */
    for (int tries = 0; rc == 0 && !a.got && tries < 50; tries++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (hk_line_read(&r, fd, on_answer, &a) != HK_READ_AGAIN && !a.got)
            break;
    }
    hk_line_reader_free(&r);
    close(fd);
    if (!a.got)
        *err = hk_xasprintf("session %s did not answer the cancel; it may still be running (honk attach %s)", id, id);
    else if (a.error)
        *err = a.error;
    return a.got && !a.error ? 0 : -1;
}

int hk_inbox_cancel(struct hk_repo *repo, const char *id, char **err)
{
    struct hk_live live;
    if (hk_session_live(hk_repo_gitdir(repo), id, &live)) {
        int rc = cancel_live(&live, id, err);
        hk_live_free(&live);
        return rc;
    }
    char *path = hk_serve_queue_path(hk_repo_gitdir(repo));
    struct hk_serve_queue *q = access(path, F_OK) == 0 ? hk_serve_queue_open(hk_repo_gitdir(repo), err) : NULL;
    free(path);
    struct hk_serve_task *t = q ? hk_serve_queue_find(q, id) : NULL;
    int rc = -1;
    if (t && !strcmp(t->state, "queued")) {
        free(t->state);
        t->state = hk_xstrdup("cancelled");
        rc = hk_serve_queue_update(q, t, err);
    } else if (!(q == NULL && *err)) {
        *err = hk_xasprintf("session %s is not running or queued, so there is nothing to cancel "
                            "(d discards it)", id);
    }
    hk_serve_queue_close(q);
    return rc;
}
