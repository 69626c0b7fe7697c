/* The session journal: lines written are read back in order, a torn last
 * line is skipped, and sessions are listed newest first. */
#include "check.h"
#include "journal.h"
#include "util.h"

#include <stdlib.h>

struct seen {
    struct hk_buf log;
    int n;
};

static void collect(const struct hk_event *ev, void *user)
{
    struct seen *s = user;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(ev->data, "text");
    hk_buf_printf(&s->log, "%s:%s;", hk_event_name(ev->kind), cJSON_IsString(text) ? text->valuestring : "");
    s->n++;
}

static void append(struct hk_journal *j, enum hk_event_kind kind, const char *key, const char *value, int64_t t)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, key, value);
    struct hk_event ev = {kind, t, d};
    char *err = NULL;
    CHECK(hk_journal_append(j, &ev, kind == HK_EV_STATE, &err) == 0, "append: %s", err);
    cJSON_Delete(d);
}

TEST(events_read_back_and_torn_line_skipped)
{
    char dir[] = "/tmp/honk-journal-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char *err = NULL;
    struct hk_journal *j = hk_journal_open(dir, "abc12345", &err);
    CHECK(j != NULL, "open: %s", err);
    append(j, HK_EV_TASK, "task", "fix it", 1000);
    append(j, HK_EV_TEXT, "text", "hello \"world\"\nline two", 1001);
    append(j, HK_EV_STATE, "state", "thinking", 1002);
    hk_journal_close(j);
    char *path = hk_journal_path(dir, "abc12345");
    FILE *f = fopen(path, "a");
    fputs("{\"kind\":\"text\",\"time\":1003,\"data\":{\"text\":\"cut of", f); /* a crash mid-write */
    fclose(f);
    struct seen s = {0};
    int n = hk_journal_read(path, collect, &s, &err);
    CHECK(n == 3, "read %d events", n);
    CHECK_STR(s.log.data, "task:;text:hello \"world\"\nline two;state:;");
    hk_buf_free(&s.log);
    free(path);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

TEST(sessions_listed_newest_first)
{
    char dir[] = "/tmp/honk-journal-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char *err = NULL;
    const char *ids[] = {"11111111", "22222222"};
    for (int i = 0; i < 2; i++) {
        struct hk_journal *j = hk_journal_open(dir, ids[i], &err);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "task", i ? "second task" : "first task");
        cJSON_AddStringToObject(d, "branch", i ? "honk/22222222" : "honk/11111111");
        struct hk_event ev = {HK_EV_TASK, 1000 + i * 10, d};
        hk_journal_append(j, &ev, 1, &err);
        cJSON_Delete(d);
        append(j, HK_EV_STATE, "state", i ? "review" : "done", 1001 + i * 10);
        hk_journal_close(j);
    }
    struct hk_session_info *infos;
    size_t n;
    CHECK(hk_journal_list(dir, &infos, &n, &err) == 0 && n == 2, "listed %zu", n);
    if (n == 2) {
        CHECK_STR(infos[0].id, "22222222");
        CHECK_STR(infos[0].task, "second task");
        CHECK_STR(infos[0].state, "review");
        CHECK_STR(infos[1].branch, "honk/11111111");
        CHECK(infos[1].started_ms == 1000 && infos[1].updated_ms == 1001, "times");
    }
    hk_session_info_free(infos, n);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
}

TEST(unreadable_journal_is_an_error)
{
    char *err = NULL;
    struct seen s = {0};
    CHECK(hk_journal_read("/nonexistent/x.jsonl", collect, &s, &err) == -1, "error");
    CHECK(err && strstr(err, "cannot read /nonexistent/x.jsonl"), "%s", err);
    free(err);
}
