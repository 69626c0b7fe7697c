/* Sessions by id prefix, and the weighing and removing of what finished
 * sessions leave behind (honk discard, honk gc). */
#include "housekeep.h"

#include "journal.h"
#include "protocol.h"
#include "repo.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- every id honk knows of ----------------------------------------------- */

struct ids {
    char (*id)[9];
    size_t n;
};

static void ids_add(struct ids *s, const char *id)
{
    if (strlen(id) != 8)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->id[i], id))
            return;
    s->id = hk_xrealloc(s->id, (s->n + 1) * sizeof *s->id);
    memcpy(s->id[s->n++], id, 9);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int all_ids(struct hk_repo *repo, struct ids *s, char **err)
{
    struct hk_session_info *infos = NULL;
    size_t n = 0;
    if (hk_journal_list(hk_repo_gitdir(repo), &infos, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        ids_add(s, infos[i].id);
    hk_session_info_free(infos, n);
    struct hk_task **tasks = NULL;
    if (hk_task_list(repo, &tasks, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        ids_add(s, tasks[i]->id);
    hk_task_list_free(tasks, n);
    if (s->n > 1)
        qsort(s->id, s->n, sizeof *s->id, by_id);
    return 0;
}

int hk_session_id_resolve(struct hk_repo *repo, const char *prefix, char **id, char **err)
{
    struct ids s = {0};
    *id = NULL;
    if (all_ids(repo, &s, err) < 0)
        return -1;
    struct hk_buf matches = {0};
    size_t found = 0, len = strlen(prefix);
    for (size_t i = 0; i < s.n && len; i++) {
        if (strncmp(s.id[i], prefix, len) != 0)
            continue;
        hk_buf_printf(&matches, "%s%s", found ? ", " : "", s.id[i]);
        if (!found++)
            *id = hk_xstrdup(s.id[i]);
    }
    if (found == 0)
        *err = hk_xasprintf("no session %s here (honk log lists them)", prefix);
    else if (found > 1)
        *err = hk_xasprintf("the session id %s is ambiguous: %zu sessions start so (%s); give more of it",
                            prefix, found, matches.data);
    if (found != 1) {
        free(*id);
        *id = NULL;
    }
    hk_buf_free(&matches);
    free(s.id);
    return found == 1 ? 0 : -1;
}

/* --- weighing a session ---------------------------------------------------- */

static int is_finished(const char *state)
{
    return !strcmp(state, "done") || !strcmp(state, "failed") || !strcmp(state, "cancelled");
}

static void read_journal(struct hk_repo *repo, struct hk_leftover *l)
{
    struct hk_session_info *infos = NULL;
    size_t n = 0;
    char *err = NULL;
    hk_journal_list(hk_repo_gitdir(repo), &infos, &n, &err);
    free(err);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(infos[i].id, l->id) != 0)
            continue;
        l->has_journal = 1;
        free(l->state);
        free(l->task);
        l->state = hk_xstrdup(infos[i].state);
        l->task = hk_xstrdup(infos[i].task);
    }
    hk_session_info_free(infos, n);
}

int hk_leftover_find(struct hk_repo *repo, const char *id, struct hk_leftover *out, char **err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", id);
    out->state = hk_xstrdup("unknown");
    out->task = hk_xstrdup("");
    read_journal(repo, out);
    struct hk_task *t = NULL;
    int found = hk_task_open(repo, id, &t, err);
    if (found < 0) {
        hk_leftover_clear(out);
        return -1;
    }
    if (found) {
        out->has_branch = 1;
        if (t->worktree && access(t->worktree, F_OK) == 0) {
            out->worktree = hk_xstrdup(t->worktree);
            out->uncommitted = hk_task_uncommitted(t);
        }
        out->unmerged = hk_task_unmerged(repo, t);
        hk_task_free(t);
    }
    out->finished = is_finished(out->state);
    struct hk_live live;
    if (hk_session_live(hk_repo_gitdir(repo), id, &live)) {
        out->live_pid = (long)live.pid;
        hk_live_free(&live);
    }
    if (!out->has_branch && !out->has_journal) {
        hk_leftover_clear(out);
        return 0;
    }
    return 1;
}

int hk_leftover_list(struct hk_repo *repo, struct hk_leftover **out, size_t *count, char **err)
{
    struct ids s = {0};
    *out = NULL;
    *count = 0;
    if (all_ids(repo, &s, err) < 0)
        return -1;
    struct hk_leftover *list = hk_xcalloc(s.n + 1, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++) {
        int rc = hk_leftover_find(repo, s.id[i], &list[n], err);
        if (rc < 0) {
            hk_leftovers_free(list, n);
            free(s.id);
            return -1;
        }
        n += rc;
    }
    free(s.id);
    *out = list;
    *count = n;
    return 0;
}

void hk_leftover_clear(struct hk_leftover *l)
{
    free(l->state);
    free(l->task);
    free(l->worktree);
    memset(l, 0, sizeof *l);
}

void hk_leftovers_free(struct hk_leftover *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        hk_leftover_clear(&list[i]);
    free(list);
}

int hk_leftover_collectable(const struct hk_leftover *l)
{
    return l->finished && !l->unmerged && !l->uncommitted && !l->live_pid;
}

/* --- removing ----------------------------------------------------------- */

int hk_leftover_remove(struct hk_repo *repo, const struct hk_leftover *l, int journal, char **err)
{
    if (l->live_pid) {
        *err = hk_xasprintf("session %s is running (pid %ld): nothing of it is removed while it runs "
                            "(honk attach %s, then cancel it or let it end)", l->id, l->live_pid, l->id);
        return -1;
    }
    struct hk_task *t = NULL;
    int found = hk_task_open(repo, l->id, &t, err);
    if (found < 0)
        return -1;
    if (found && hk_task_discard(repo, t, err) < 0) {
        hk_task_free(t);
        return -1;
    }
    hk_task_free(t);
    if (!journal || !l->has_journal)
        return 0;
    char *path = hk_journal_path(hk_repo_gitdir(repo), l->id);
    int rc = unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    if (rc < 0)
        *err = hk_xasprintf("cannot remove %s: %s", path, strerror(errno));
    /* beside it: the lock (nobody holds it) and a socket a killed process left */
    size_t n = strlen(path) - strlen(".jsonl");
    for (const char *ext = ".lock"; rc == 0 && ext; ext = !strcmp(ext, ".lock") ? ".sock" : NULL) {
        char *other = hk_xasprintf("%.*s%s", (int)n, path, ext);
        unlink(other);
        free(other);
    }
    free(path);
    return rc;
}
