/* Session ids by prefix, and weighing what discard and gc may remove:
 * finished or not, merged or not, uncommitted files, journals kept. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "housekeep.h"
#include "repo.h"
#include "repo_fixture.h"

struct fx {
    char *dir;
    struct hk_repo *repo;
};

static int setup(struct fx *f)
{
    fx_begin(1);
    f->dir = fx_repo();
    char *err = NULL;
    if (hk_repo_open(&f->repo, f->dir, &err) < 0) {
        CHECK(0, "open: %s", err);
        free(err);
        return -1;
    }
    return 0;
}

static void teardown(struct fx *f)
{
    hk_repo_close(f->repo);
    free(f->dir);
    fx_end();
}

static void journal(struct fx *f, const char *id, const char *state)
{
    sh("mkdir -p '%s/.git/honk/sessions' && printf '%%s\\n' "
       "'{\"kind\":\"task\",\"time\":1,\"data\":{\"task\":\"t %s\",\"branch\":\"honk/%s\"}}' "
       "'{\"kind\":\"state\",\"time\":2,\"data\":{\"state\":\"%s\"}}' > '%s/.git/honk/sessions/%s.jsonl'",
       f->dir, id, id, state, f->dir, id);
}

static struct hk_task *task(struct fx *f)
{
    struct hk_task *t = NULL;
    char *err = NULL;
    if (hk_task_create(f->repo, NULL, &t, &err) < 0) {
        CHECK(0, "create: %s", err);
        free(err);
    }
    return t;
}

TEST(id_prefix_unique_ambiguous_unknown)
{
    struct fx f = {0};
    if (setup(&f) < 0)
        goto out;
    journal(&f, "abcd1234", "done");
    journal(&f, "abce5678", "failed");
    char *id = NULL, *err = NULL;
    CHECK(hk_session_id_resolve(f.repo, "abcd", &id, &err) == 0, "abcd: %s", err);
    CHECK_STR(id, "abcd1234");
    free(id);
    CHECK(hk_session_id_resolve(f.repo, "abcd1234", &id, &err) == 0, "whole id: %s", err);
    free(id);
    CHECK(hk_session_id_resolve(f.repo, "ab", &id, &err) < 0 && !id, "ambiguous taken");
    CHECK_STR(err, "the session id ab is ambiguous: 2 sessions start so (abcd1234, abce5678); give more of it");
    free(err);
    err = NULL;
    CHECK(hk_session_id_resolve(f.repo, "", &id, &err) < 0, "empty prefix taken");
    free(err);
    err = NULL;
    CHECK(hk_session_id_resolve(f.repo, "ff", &id, &err) < 0, "unknown taken");
    CHECK_STR(err, "no session ff here (honk log lists them)");
    free(err);
out:
    teardown(&f);
}

TEST(branch_only_sessions_resolve_too)
{
    struct fx f = {0};
    if (setup(&f) < 0)
        goto out;
    struct hk_task *t = task(&f);
    char *id = NULL, *err = NULL;
    if (!t)
        goto out;
    char prefix[5];
    memcpy(prefix, t->id, 4);
    prefix[4] = '\0';
    CHECK(hk_session_id_resolve(f.repo, prefix, &id, &err) == 0, "%s: %s", prefix, err);
    CHECK_STR(id, t->id);
    free(id);
    hk_task_discard(f.repo, t, NULL);
    hk_task_free(t);
out:
    teardown(&f);
}

TEST(weighing_finished_merged_unmerged_dirty)
{
    struct fx f = {0};
    if (setup(&f) < 0)
        goto out;
    struct hk_task *t = task(&f);
    if (!t)
        goto out;
    struct hk_leftover l;
    char *err = NULL;
    /* No journal: not known to be finished, so gc leaves it. */
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1, "find: %s", err);
    CHECK(l.has_branch && !l.has_journal && !l.finished && !l.unmerged && l.worktree, "fresh task weighed wrong");
    CHECK(!hk_leftover_collectable(&l), "an unfinished session is collectable");
    hk_leftover_clear(&l);
    journal(&f, t->id, "done");
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1, "find: %s", err);
    CHECK(l.finished && hk_leftover_collectable(&l), "a done session with nothing of its own is kept");
    char *want = hk_xasprintf("t %s", t->id);
    CHECK_STR(l.task, want);
    free(want);
    hk_leftover_clear(&l);
    /* Uncommitted files in its worktree, then a commit no other branch has. */
    write_file(t->worktree, "new.txt", "work\n");
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1 && l.uncommitted == 1, "uncommitted %zu", l.uncommitted);
    CHECK(!hk_leftover_collectable(&l), "uncommitted work is collectable");
    hk_leftover_clear(&l);
    char *hex = NULL, *note = NULL;
    CHECK(hk_task_commit(f.repo, t, "work", t->id, &hex, &note, &err) == 0, "commit: %s", err);
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1 && l.unmerged && !l.uncommitted, "unmerged %d", l.unmerged);
    CHECK(!hk_leftover_collectable(&l), "unmerged work is collectable");
    hk_leftover_clear(&l);
    /* Merged into main: collectable; removing keeps the journal unless asked. */
    sh("cd '%s' && git merge -q --ff-only %s", f.dir, t->branch);
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1 && !l.unmerged, "merged still unmerged");
    CHECK(hk_leftover_collectable(&l), "a merged done session is kept");
    CHECK(hk_leftover_remove(f.repo, &l, 0, &err) == 0, "remove: %s", err);
    hk_leftover_clear(&l);
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 1, "journal gone with the branch");
    CHECK(!l.has_branch && l.has_journal && !l.worktree, "branch or worktree left");
    CHECK(hk_leftover_remove(f.repo, &l, 1, &err) == 0, "remove journal: %s", err);
    hk_leftover_clear(&l);
    CHECK(hk_leftover_find(f.repo, t->id, &l, &err) == 0, "something left");
    struct hk_leftover *list = NULL;
    size_t n = 9;
    CHECK(hk_leftover_list(f.repo, &list, &n, &err) == 0 && n == 0, "list %zu", n);
    hk_leftovers_free(list, n);
    free(hex);
    free(note);
    hk_task_free(t);
out:
    teardown(&f);
}
