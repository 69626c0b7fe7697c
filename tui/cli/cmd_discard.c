/* `honk discard ID...` and `honk gc`: removing what sessions leave behind
 * (their branches and worktrees; journals only with --journals). Asks first
 * in a terminal; says what is unmerged or unfinished before touching it. */
#include "commands.h"
#include "housekeep.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sweep {
    int yes;
    int journals;
    int terminal; /* a person can answer on stdin */
    struct hk_repo *repo;
};

/* Options anywhere; operands moved to the front of argv. Returns their count or -1. */
static int parse(int argc, char **argv, struct sweep *s, const char *cmd)
{
    int n = 0, options = 1;
    for (int i = 1; i < argc; i++) {
        if (!options || argv[i][0] != '-' || !argv[i][1])
            argv[n++] = argv[i];
        else if (!strcmp(argv[i], "--"))
            options = 0;
        else if (!strcmp(argv[i], "--yes") || !strcmp(argv[i], "-y"))
            s->yes = 1;
        else if (!strcmp(argv[i], "--journals"))
            s->journals = 1;
        else {
            fprintf(stderr, "honk %s: unknown option %s\n", cmd, argv[i]);
            hk_usage(cmd, stderr);
            return -1;
        }
    }
    s->terminal = isatty(STDIN_FILENO);
    return n;
}

static int open_repo(struct sweep *s)
{
    char *err = NULL;
    if (hk_repo_open(&s->repo, ".", &err) == 0)
        return 0;
    fprintf(stderr, "honk: %s\n", err);
    free(err);
    return -1;
}

/* A person's yes on stdin; anything else (or end of input) is no. */
static int confirm(const char *question)
{
    char line[64];
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (!fgets(line, sizeof line, stdin))
        return 0;
    return line[0] == 'y' || line[0] == 'Y';
}

/* What would be lost, in words; NULL when nothing is. */
static char *warnings(const struct hk_leftover *l)
{
    struct hk_buf b = {0};
    if (l->live_pid)
        hk_buf_printf(&b, "\n  the session is running (pid %ld): it is not removed while it runs (honk attach %s)",
                      l->live_pid, l->id);
    else if (!l->finished)
        hk_buf_printf(&b, "\n  the session is not finished (%s): honk resume %s would continue it", l->state, l->id);
    if (l->unmerged)
        hk_buf_printf(&b, "\n  honk/%s has commits that no other branch has: they would be lost", l->id);
    if (l->uncommitted)
        hk_buf_printf(&b, "\n  its worktree has %zu uncommitted file%s: they would be lost", l->uncommitted,
                      l->uncommitted == 1 ? "" : "s");
    return b.len ? hk_buf_steal(&b) : NULL;
}

static void what_goes(struct hk_buf *b, const struct hk_leftover *l, int journals)
{
    const char *sep = "";
    if (l->has_branch)
        hk_buf_printf(b, "branch honk/%s", l->id), sep = ", ";
    if (l->worktree)
        hk_buf_printf(b, "%sworktree %s", sep, l->worktree), sep = ", ";
    if (journals && l->has_journal)
        hk_buf_printf(b, "%sjournal", sep);
}

static int remove_one(struct sweep *s, const struct hk_leftover *l)
{
    char *err = NULL;
    if (hk_leftover_remove(s->repo, l, s->journals, &err) < 0) {
        fprintf(stderr, "honk: %s: %s\n", l->id, err);
        free(err);
        return -1;
    }
    struct hk_buf b = {0};
    what_goes(&b, l, s->journals);
    printf("honk: discarded %s (%s)\n", l->id, b.data ? b.data : "nothing left");
    if (l->has_journal && !s->journals)
        printf("      its journal is kept: honk show %s\n", l->id);
    hk_buf_free(&b);
    return 0;
}

/* Whether to go ahead: --yes, a person's yes, or, with no one to ask,
 * nothing would be lost. */
static int go_ahead(const struct sweep *s, const struct hk_leftover *l, const char *warn)
{
    if (s->yes) {
        if (warn)
            fprintf(stderr, "honk: discarding %s although:%s\n", l->id, warn);
        return 1;
    }
    if (!s->terminal) {
        if (warn)
            fprintf(stderr, "honk: %s is kept:%s\n      honk discard --yes %s removes it anyway\n", l->id, warn, l->id);
        return !warn;
    }
    if (warn)
        fprintf(stderr, "honk: session %s:%s\n", l->id, warn);
    char *q = hk_xasprintf("Discard session %s (%s: %.60s)?", l->id, l->state, l->task);
    int yes = confirm(q);
    free(q);
    if (!yes)
        fprintf(stderr, "honk: %s is kept\n", l->id);
    return yes;
}

static int discard_one(struct sweep *s, const char *given)
{
    char *id = NULL, *err = NULL;
    struct hk_leftover l;
    if (hk_session_id_resolve(s->repo, given, &id, &err) < 0 || hk_leftover_find(s->repo, id, &l, &err) <= 0) {
        fprintf(stderr, "honk: %s\n", err ? err : "nothing of that session is left");
        free(err);
        free(id);
        return HK_EXIT_USAGE;
    }
    free(id);
    int status = HK_EXIT_FAILED;
    char *warn = warnings(&l);
    if (!l.has_branch && !(s->journals && l.has_journal))
        fprintf(stderr, "honk: session %s has no branch or worktree left%s\n", l.id,
                l.has_journal ? "; --journals removes its journal" : "");
    else if (go_ahead(s, &l, warn) && remove_one(s, &l) == 0)
        status = HK_EXIT_OK;
    free(warn);
    hk_leftover_clear(&l);
    return status;
}

int hk_cmd_discard(int argc, char **argv)
{
    struct sweep s = {0};
    int n = parse(argc, argv, &s, "discard");
    if (n < 0)
        return HK_EXIT_USAGE;
    if (n == 0) {
        hk_usage("discard", stderr);
        return HK_EXIT_USAGE;
    }
    if (open_repo(&s) < 0)
        return HK_EXIT_USAGE;
    int status = HK_EXIT_OK;
    for (int i = 0; i < n; i++) {
        int one = discard_one(&s, argv[i]);
        status = one > status ? one : status;
    }
    hk_repo_close(s.repo);
    return status;
}

/* --- gc ----------------------------------------------------------------- */

/* Says why a session is kept; returns 1 when it is removed. */
static int weigh(const struct sweep *s, const struct hk_leftover *l)
{
    if (!l->has_branch && !(s->journals && l->has_journal))
        return 0; /* only a journal, and journals are kept */
    if (hk_leftover_collectable(l))
        return 1;
    char *warn = warnings(l);
    printf("honk gc: keeping %s (%s: %.50s):%s\n", l->id, l->state, l->task, warn);
    printf("      honk discard %s removes it anyway\n", l->id);
    free(warn);
    return 0;
}

int hk_cmd_gc(int argc, char **argv)
{
    struct sweep s = {0};
    int n = parse(argc, argv, &s, "gc");
    if (n != 0) {
        if (n > 0)
            hk_usage("gc", stderr);
        return HK_EXIT_USAGE;
    }
    if (open_repo(&s) < 0)
        return HK_EXIT_USAGE;
    struct hk_leftover *list = NULL;
    size_t count = 0, go = 0;
    char *err = NULL;
    int status = HK_EXIT_OK;
    if (hk_leftover_list(s.repo, &list, &count, &err) < 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        hk_repo_close(s.repo);
        return HK_EXIT_FAILED;
    }
    int *removable = hk_xcalloc(count + 1, sizeof *removable);
    for (size_t i = 0; i < count; i++)
        go += removable[i] = weigh(&s, &list[i]);
    for (size_t i = 0; i < count; i++) {
        if (!removable[i])
            continue;
        struct hk_buf b = {0};
        what_goes(&b, &list[i], s.journals);
        printf("honk gc: %s (%s: %.50s): %s\n", list[i].id, list[i].state, list[i].task, b.data);
        hk_buf_free(&b);
    }
    if (!go)
        printf("honk gc: nothing to remove\n");
    else if (!s.yes && s.terminal && !confirm(s.journals ? "Remove these sessions' branches, worktrees and journals?"
                                                         : "Remove these sessions' branches and worktrees (journals are kept)?"))
        printf("honk gc: nothing removed\n");
    else
        for (size_t i = 0; i < count; i++)
            if (removable[i] && remove_one(&s, &list[i]) < 0)
                status = HK_EXIT_FAILED;
    free(removable);
    hk_leftovers_free(list, count);
    hk_repo_close(s.repo);
    return status;
}
