/* The journalled queue (see serve_queue.h). */
#include "serve_queue.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct hk_serve_queue {
    char *gitdir;
    char *path;
    int fd;
    off_t offset;  /* how far the journal has been read */
    struct hk_serve_task **tasks;
    size_t n, cap;
};

char *hk_serve_queue_path(const char *gitdir)
{
    return hk_xasprintf("%s/honk/serve/queue.jsonl", gitdir);
}

void hk_serve_task_free(struct hk_serve_task *t)
{
    if (!t)
        return;
    free(t->task);
    free(t->repo);
    free(t->base);
    free(t->callback_url);
    free(t->from);
    free(t->user);
    free(t->channel);
    free(t->thread);
    free(t->key);
    free(t->state);
    free(t->error);
    free(t->slack_ts);
    free(t->slack_text);
    cJSON_Delete(t->waiting);
    free(t);
}

static void add_str(cJSON *o, const char *name, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, name, v);
}

static char *take_str(const cJSON *o, const char *name)
{
    const char *v = hk_json_str(o, name);
    return v ? hk_xstrdup(v) : NULL;
}

cJSON *hk_serve_task_json(const struct hk_serve_task *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "state", t->state);
    cJSON_AddItemToObject(o, "waiting", t->waiting ? cJSON_Duplicate(t->waiting, 1) : cJSON_CreateNull());
    cJSON_AddStringToObject(o, "task", t->task);
    add_str(o, "repo", t->repo);
    add_str(o, "base", t->base);
    add_str(o, "callback_url", t->callback_url);
    cJSON *from = cJSON_AddObjectToObject(o, "from");
    add_str(from, "kind", t->from);
    add_str(from, "user", t->user);
    add_str(from, "channel", t->channel);
    add_str(from, "thread", t->thread);
    add_str(o, "error", t->error);
    if (t->exit_status >= 0)
        cJSON_AddNumberToObject(o, "exit", t->exit_status);
    cJSON_AddNumberToObject(o, "created", (double)t->created_ms);
    cJSON_AddNumberToObject(o, "updated", (double)t->updated_ms);
    return o;
}

/* --- reading ------------------------------------------------------------- */

struct hk_serve_task *hk_serve_queue_find(const struct hk_serve_queue *q, const char *id)
{
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->tasks[i]->id, id))
            return q->tasks[i];
    return NULL;
}

struct hk_serve_task *hk_serve_queue_find_key(const struct hk_serve_queue *q, const char *key)
{
    for (size_t i = 0; key && i < q->n; i++)
        if (q->tasks[i]->key && !strcmp(q->tasks[i]->key, key))
            return q->tasks[i];
    return NULL;
}

size_t hk_serve_queue_count(const struct hk_serve_queue *q) { return q->n; }
struct hk_serve_task *hk_serve_queue_at(const struct hk_serve_queue *q, size_t i) { return q->tasks[i]; }

long hk_serve_queue_position(const struct hk_serve_queue *q, const struct hk_serve_task *t)
{
    long before = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->tasks[i] == t)
            return strcmp(t->state, "queued") ? -1 : before;
        before += !strcmp(q->tasks[i]->state, "queued");
    }
    return -1;
}

static void push(struct hk_serve_queue *q, struct hk_serve_task *t)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->tasks = hk_xrealloc(q->tasks, q->cap * sizeof *q->tasks);
    }
    q->tasks[q->n++] = t;
}

static int valid_id(const char *id)
{
    if (!id || strlen(id) != 8)
        return 0;
    for (int i = 0; i < 8; i++)
        if (!strchr("0123456789abcdef", id[i]))
            return 0;
    return 1;
}

static int read_add(struct hk_serve_queue *q, const cJSON *line)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(line, "task");
    const char *id = hk_json_str(o, "id"), *task = hk_json_str(o, "task");
    if (!valid_id(id) || !task || hk_serve_queue_find(q, id))
        return 0;
    struct hk_serve_task *t = hk_xcalloc(1, sizeof *t);
    memcpy(t->id, id, 9);
    t->task = hk_xstrdup(task);
    t->repo = take_str(o, "repo");
    t->base = take_str(o, "base");
    t->callback_url = take_str(o, "callback_url");
    t->from = take_str(o, "from");
    t->user = take_str(o, "user");
    t->channel = take_str(o, "channel");
    t->thread = take_str(o, "thread");
    t->key = take_str(o, "key");
    t->state = hk_xstrdup("queued");
    t->exit_status = -1;
    t->created_ms = t->updated_ms = (int64_t)hk_json_num(line, "time", 0);
    push(q, t);
    return 1;
}

static void read_state(struct hk_serve_queue *q, const cJSON *line)
{
    const char *id = hk_json_str(line, "id"), *state = hk_json_str(line, "state");
    struct hk_serve_task *t = id ? hk_serve_queue_find(q, id) : NULL;
    if (!t || !state)
        return;
    free(t->state);
    t->state = hk_xstrdup(state);
    cJSON_Delete(t->waiting);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(line, "waiting");
    t->waiting = cJSON_IsObject(w) ? cJSON_Duplicate(w, 1) : NULL;
    free(t->error);
    t->error = take_str(line, "error");
    t->resume = hk_json_true(line, "resume");
    if (hk_json_str(line, "slack_ts")) {
        free(t->slack_ts);
    free(t->slack_text);
        t->slack_ts = take_str(line, "slack_ts");
    }
    if (hk_json_str(line, "thread") && !t->thread)
        t->thread = take_str(line, "thread");
    t->exit_status = hk_json_int(line, "exit", -1);
    t->updated_ms = (int64_t)hk_json_num(line, "time", 0);
}

/* One journal line; a torn or foreign line is skipped. */
static int read_line(struct hk_serve_queue *q, const char *text, size_t len)
{
    cJSON *line = cJSON_ParseWithLength(text, len);
    const char *op = hk_json_str(line, "op");
    int added = 0;
    if (op && !strcmp(op, "add"))
        added = read_add(q, line);
    else if (op && !strcmp(op, "state"))
        read_state(q, line);
    cJSON_Delete(line);
    return added;
}

/* Reads whole lines from q->offset; the caller holds a lock on the file.
 * *torn is set when the file ends in a line without its newline. */
static int read_new(struct hk_serve_queue *q, int *torn, char **err)
{
    struct stat st;
    if (fstat(q->fd, &st) != 0) {
        *err = hk_xasprintf("cannot read %s: %s", q->path, strerror(errno));
        return -1;
    }
    *torn = 0;
    if (st.st_size <= q->offset)
        return 0;
    size_t n = (size_t)(st.st_size - q->offset);
    char *buf = hk_xmalloc(n + 1);
    ssize_t got = pread(q->fd, buf, n, q->offset);
    if (got < 0) {
        *err = hk_xasprintf("cannot read %s: %s", q->path, strerror(errno));
        free(buf);
        return -1;
    }
    int added = 0;
    size_t start = 0;
    for (size_t i = 0; i < (size_t)got; i++) {
        if (buf[i] != '\n')
            continue;
        added += read_line(q, buf + start, i - start);
        start = i + 1;
    }
    *torn = start < (size_t)got;
    q->offset += (off_t)start;
    free(buf);
    return added;
}

int hk_serve_queue_refresh(struct hk_serve_queue *q, char **err)
{
    int torn;
    flock(q->fd, LOCK_SH);
    int rc = read_new(q, &torn, err);
    flock(q->fd, LOCK_UN);
    return rc;
}

/* --- writing ------------------------------------------------------------- */

/* Appends one line, fsynced, after reading what others appended first. A
 * torn line a crash left is ended first, so that it stays one bad line. */
static int append(struct hk_serve_queue *q, cJSON *line, char **err)
{
    char *text = hk_json_print(line);
    struct hk_buf b = {0};
    int torn, rc = -1;
    flock(q->fd, LOCK_EX);
    if (read_new(q, &torn, err) < 0)
        goto out;
    if (torn)
        hk_buf_addc(&b, '\n');
    hk_buf_printf(&b, "%s\n", text);
    if (write(q->fd, b.data, b.len) != (ssize_t)b.len || fsync(q->fd) != 0) {
        *err = hk_xasprintf("cannot write %s: %s", q->path, strerror(errno));
        goto out;
    }
    q->offset = lseek(q->fd, 0, SEEK_END);
    rc = 0;
out:
    flock(q->fd, LOCK_UN);
    hk_buf_free(&b);
    free(text);
    return rc;
}

static void new_id(struct hk_serve_queue *q, char id[9])
{
    for (;;) {
        unsigned char r[4] = {0};
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            abort(); /* the kernel's randomness never fails for 4 bytes */
        snprintf(id, 9, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
        char *journal = hk_xasprintf("%s/honk/sessions/%s.jsonl", q->gitdir, id);
        int taken = access(journal, F_OK) == 0 || hk_serve_queue_find(q, id);
        free(journal);
        if (!taken)
            return;
    }
}

int hk_serve_queue_add(struct hk_serve_queue *q, struct hk_serve_task *t, char **err)
{
    new_id(q, t->id);
    free(t->state);
    t->state = hk_xstrdup("queued");
    t->exit_status = -1;
    t->created_ms = t->updated_ms = hk_wall_ms();
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "op", "add");
    cJSON_AddNumberToObject(line, "time", (double)t->created_ms);
    cJSON *o = cJSON_AddObjectToObject(line, "task");
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_AddStringToObject(o, "task", t->task);
    add_str(o, "repo", t->repo);
    add_str(o, "base", t->base);
    add_str(o, "callback_url", t->callback_url);
    add_str(o, "from", t->from);
    add_str(o, "user", t->user);
    add_str(o, "channel", t->channel);
    add_str(o, "thread", t->thread);
    add_str(o, "key", t->key);
    int rc = append(q, line, err);
    cJSON_Delete(line);
    if (rc == 0)
        push(q, t);
    return rc;
}

int hk_serve_queue_update(struct hk_serve_queue *q, struct hk_serve_task *t, char **err)
{
    t->updated_ms = hk_wall_ms();
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "op", "state");
    cJSON_AddNumberToObject(line, "time", (double)t->updated_ms);
    cJSON_AddStringToObject(line, "id", t->id);
    cJSON_AddStringToObject(line, "state", t->state);
    if (t->waiting)
        cJSON_AddItemToObject(line, "waiting", cJSON_Duplicate(t->waiting, 1));
    add_str(line, "error", t->error);
    add_str(line, "slack_ts", t->slack_ts);
    if (t->slack_ts)
        add_str(line, "thread", t->thread);
    if (t->resume)
        cJSON_AddTrueToObject(line, "resume");
    if (t->exit_status >= 0)
        cJSON_AddNumberToObject(line, "exit", t->exit_status);
    int rc = append(q, line, err);
    cJSON_Delete(line);
    return rc;
}

/* --- life ---------------------------------------------------------------- */

struct hk_serve_queue *hk_serve_queue_open(const char *gitdir, char **err)
{
    char *dir = hk_xasprintf("%s/honk", gitdir);
    mkdir(dir, 0700);
    free(dir);
    dir = hk_xasprintf("%s/honk/serve", gitdir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        *err = hk_xasprintf("cannot make %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    free(dir);
    struct hk_serve_queue *q = hk_xcalloc(1, sizeof *q);
    q->gitdir = hk_xstrdup(gitdir);
    q->path = hk_serve_queue_path(gitdir);
    q->fd = open(q->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (q->fd < 0) {
        *err = hk_xasprintf("cannot open %s: %s", q->path, strerror(errno));
        hk_serve_queue_close(q);
        return NULL;
    }
    if (hk_serve_queue_refresh(q, err) < 0) {
        hk_serve_queue_close(q);
        return NULL;
    }
    return q;
}

void hk_serve_queue_close(struct hk_serve_queue *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++)
        hk_serve_task_free(q->tasks[i]);
    free(q->tasks);
    if (q->fd >= 0)
        close(q->fd);
    free(q->path);
    free(q->gitdir);
    free(q);
}
