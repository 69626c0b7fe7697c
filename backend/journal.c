/* Writing, reading and listing session journals. */
#include "journal.h"
#include "json.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct hk_journal {
    int fd;
    char *path;
};

static const char *const event_names[] = {
#define HK_EVENT_NAME(name, str, doc) str,
    HK_EVENT_KINDS(HK_EVENT_NAME)
#undef HK_EVENT_NAME
};

const char *hk_event_name(enum hk_event_kind kind)
{
    return kind < HK_EV_COUNT ? event_names[kind] : "unknown";
}

int hk_event_parse_name(const char *name)
{
    for (int i = 0; i < HK_EV_COUNT; i++)
        if (!strcmp(name, event_names[i]))
            return i;
    return -1;
}

char *hk_journal_path(const char *gitdir, const char *id)
{
    size_t n = strlen(gitdir);
    return hk_xasprintf("%s%shonk/sessions/%s.jsonl", gitdir, n && gitdir[n - 1] == '/' ? "" : "/", id);
}

static int make_dirs(const char *path)
{
    char *p = hk_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    free(p);
    return rc;
}

struct hk_journal *hk_journal_open(const char *gitdir, const char *id, char **err)
{
    char *path = hk_journal_path(gitdir, id);
    int fd = make_dirs(path) == 0 ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
    if (fd < 0) {
        *err = hk_xasprintf("cannot write the session journal %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    struct hk_journal *j = hk_xcalloc(1, sizeof *j);
    j->fd = fd;
    j->path = path;
    return j;
}

void hk_journal_close(struct hk_journal *j)
{
    if (!j)
        return;
    close(j->fd);
    free(j->path);
    free(j);
}

int hk_journal_append(struct hk_journal *j, const struct hk_event *ev, int sync, char **err)
{
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "kind", hk_event_name(ev->kind));
    cJSON_AddNumberToObject(line, "time", (double)ev->time_ms);
    cJSON_AddItemToObject(line, "data", ev->data ? cJSON_Duplicate(ev->data, 1) : cJSON_CreateObject());
    char *text = hk_json_print(line);
    cJSON_Delete(line);
    size_t len = strlen(text);
    text[len] = '\n'; /* replaces the NUL: one write, so a line is never interleaved */
    ssize_t n = write(j->fd, text, len + 1);
    free(text);
    if (n != (ssize_t)(len + 1) || (sync && fsync(j->fd) != 0)) {
        *err = hk_xasprintf("cannot write the session journal %s: %s", j->path, strerror(errno));
        return -1;
    }
    return 0;
}

static int deliver_line(char *line, hk_event_cb cb, void *user)
{
    cJSON *json = cJSON_Parse(line);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(json, "kind");
    int k = cJSON_IsString(kind) ? hk_event_parse_name(kind->valuestring) : -1;
    if (k < 0) {
        cJSON_Delete(json);
        return 0;
    }
    struct hk_event ev = {
        .kind = (enum hk_event_kind)k,
        .time_ms = hk_json_long(json, "time", 0),
        .data = cJSON_GetObjectItemCaseSensitive(json, "data"),
    };
    cb(&ev, user);
    cJSON_Delete(json);
    return 1;
}

int hk_journal_read(const char *path, hk_event_cb cb, void *user, char **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = hk_xasprintf("cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int count = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break; /* a torn last line: the write never finished */
        line[n - 1] = '\0';
        count += deliver_line(line, cb, user);
    }
    free(line);
    fclose(f);
    return count;
}

/* --- listing ------------------------------------------------------------ */

static const char *str_field(const cJSON *data, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void replace(char **slot, const char *value)
{
    if (!value)
        return;
    free(*slot);
    *slot = hk_xstrdup(value);
}

static void summarise(const struct hk_event *ev, void *user)
{
    struct hk_session_info *info = user;
    if (!info->started_ms)
        info->started_ms = ev->time_ms;
    info->updated_ms = ev->time_ms;
    if (ev->kind == HK_EV_TASK) {
        replace(&info->task, str_field(ev->data, "task"));
        replace(&info->branch, str_field(ev->data, "branch"));
    } else if (ev->kind == HK_EV_STATE) {
        replace(&info->state, str_field(ev->data, "state"));
    } else if (ev->kind == HK_EV_TURN_END || ev->kind == HK_EV_COMPACT) {
        hk_usage_add(&info->usage, ev->data);
    }
}

static int newest_first(const void *a, const void *b)
{
    const struct hk_session_info *x = a, *y = b;
    return (y->updated_ms > x->updated_ms) - (y->updated_ms < x->updated_ms);
}

int hk_journal_list(const char *gitdir, struct hk_session_info **out, size_t *count, char **err)
{
    *out = NULL;
    *count = 0;
    char *dir = hk_journal_path(gitdir, "");
    dir[strlen(dir) - strlen(".jsonl")] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return 0; /* no session yet */
    }
    struct dirent *de;
    size_t n = 0;
    struct hk_session_info *infos = NULL;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 6 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
            continue;
        infos = hk_xrealloc(infos, (n + 1) * sizeof *infos);
        struct hk_session_info *info = &infos[n++];
        memset(info, 0, sizeof *info);
        info->id = hk_xstrndup(de->d_name, len - 6);
        char *path = hk_xasprintf("%s%s", dir, de->d_name);
        char *e = NULL;
        hk_journal_read(path, summarise, info, &e);
        free(e);
        free(path);
        if (!info->state)
            info->state = hk_xstrdup("unknown");
        if (!info->task)
            info->task = hk_xstrdup("");
        if (!info->branch)
            info->branch = hk_xstrdup("");
    }
    closedir(d);
    free(dir);
    (void)err;
    if (n > 1) /* infos is NULL when there is none */
        qsort(infos, n, sizeof *infos, newest_first);
    *out = infos;
    *count = n;
    return 0;
}

void hk_session_info_free(struct hk_session_info *infos, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(infos[i].id);
        free(infos[i].task);
        free(infos[i].state);
        free(infos[i].branch);
    }
    free(infos);
}
