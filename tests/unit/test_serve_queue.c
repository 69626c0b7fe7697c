/* honk serve's journalled queue: what is added and changed is read back by
 * the next open (a restart), by another handle on the same file (honk queue
 * beside a running serve), and a torn last line costs nothing else. */
#include "check.h"
#include "serve_queue.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static struct hk_serve_task *new_task(const char *text)
{
    struct hk_serve_task *t = hk_xcalloc(1, sizeof *t);
    t->task = hk_xstrdup(text);
    t->from = hk_xstrdup("api");
    t->key = hk_xstrdup(text);
    return t;
}

static struct hk_serve_queue *open_q(const char *dir)
{
    char *err = NULL;
    struct hk_serve_queue *q = hk_serve_queue_open(dir, &err);
    CHECK(q != NULL, "open: %s", err);
    free(err);
    return q;
}

TEST(serve_queue_survives_a_restart)
{
    char dir[] = "/tmp/honk-queue-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    struct hk_serve_queue *q = open_q(dir);
    char *err = NULL;
    struct hk_serve_task *a = new_task("first"), *b = new_task("second");
    CHECK(hk_serve_queue_add(q, a, &err) == 0 && hk_serve_queue_add(q, b, &err) == 0, "add: %s", err);
    CHECK(strlen(a->id) == 8 && strcmp(a->id, b->id), "ids %s %s", a->id, b->id);
    CHECK(hk_serve_queue_position(q, b) == 1, "b is second");
    free(a->state);
    a->state = hk_xstrdup("review");
    a->waiting = cJSON_Parse("{\"kind\":\"commit\"}");
    a->exit_status = 3;
    CHECK(hk_serve_queue_update(q, a, &err) == 0, "update: %s", err);
    CHECK(hk_serve_queue_position(q, b) == 0, "b is next");
    char ida[9], idb[9];
    memcpy(ida, a->id, 9);
    memcpy(idb, b->id, 9);
    hk_serve_queue_close(q);

    q = open_q(dir);
    CHECK(hk_serve_queue_count(q) == 2, "count %zu", hk_serve_queue_count(q));
    struct hk_serve_task *ra = hk_serve_queue_find(q, ida), *rb = hk_serve_queue_find(q, idb);
    CHECK(ra && !strcmp(ra->state, "review") && ra->exit_status == 3 && ra->waiting, "a as it was");
    CHECK(rb && !strcmp(rb->state, "queued") && !strcmp(rb->task, "second"), "b as it was");
    CHECK(hk_serve_queue_find_key(q, "second") == rb, "found by key");
    hk_serve_queue_close(q);
    char *cmd = hk_xasprintf("rm -rf %s", dir);
    CHECK(system(cmd) == 0, "rm");
    free(cmd);
}

TEST(serve_queue_reads_what_another_appended)
{
    char dir[] = "/tmp/honk-queue-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    struct hk_serve_queue *serve = open_q(dir), *shell = open_q(dir);
    char *err = NULL;
    CHECK(hk_serve_queue_add(shell, new_task("from the shell"), &err) == 0, "add: %s", err);
    CHECK(hk_serve_queue_refresh(serve, &err) == 1, "one new task");
    /* serve's own append reads the other's line first, never over it */
    CHECK(hk_serve_queue_add(serve, new_task("from serve"), &err) == 0, "add: %s", err);
    CHECK(hk_serve_queue_add(shell, new_task("again"), &err) == 0, "add: %s", err);
    CHECK(hk_serve_queue_refresh(serve, &err) == 1, "the third");
    CHECK(hk_serve_queue_count(serve) == 3, "count %zu", hk_serve_queue_count(serve));
    hk_serve_queue_close(serve);
    hk_serve_queue_close(shell);

    /* A crash mid-write leaves a torn line: it is skipped, the next line stands. */
    char *path = hk_serve_queue_path(dir);
    int fd = open(path, O_WRONLY | O_APPEND);
    CHECK(write(fd, "{\"op\":\"add\",\"task\":{\"id\":\"0000", 30) == 30, "torn write");
    close(fd);
    struct hk_serve_queue *q = open_q(dir);
    CHECK(hk_serve_queue_add(q, new_task("after the crash"), &err) == 0, "add: %s", err);
    hk_serve_queue_close(q);
    q = open_q(dir);
    CHECK(hk_serve_queue_count(q) == 4, "count %zu", hk_serve_queue_count(q));
    CHECK(hk_serve_queue_find_key(q, "after the crash") != NULL, "the line after the torn one");
    hk_serve_queue_close(q);
    free(path);
    char *cmd = hk_xasprintf("rm -rf %s", dir);
    CHECK(system(cmd) == 0, "rm");
    free(cmd);
}
