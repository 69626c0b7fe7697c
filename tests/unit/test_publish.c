/* A session as refs: recording its work and journal as commits, pushing to
 * a bare remote, never over another's ref, and fetching into a clone. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "repo_publish.h"
#include "repo.h"
#include "repo_fixture.h"

struct fx {
    char *dir, *remote;
    struct hk_repo *repo;
    struct hk_task *task;
    char *journal;
};

static int setup(struct fx *f)
{
    fx_begin(1);
    f->dir = fx_repo();
    f->remote = hk_xasprintf("%s/remote.git", fx_root);
    sh("git init -q --bare '%s' && cd '%s' && git remote add origin '%s' && git push -q origin HEAD:refs/heads/main",
       f->remote, f->dir, f->remote);
    char *err = NULL;
    if (hk_repo_open(&f->repo, f->dir, &err) < 0 || hk_task_create(f->repo, NULL, &f->task, &err) < 0) {
        CHECK(0, "setup: %s", err);
        free(err);
        return -1;
    }
    f->journal = hk_xasprintf("%s/.git/honk/sessions/%s.jsonl", f->dir, f->task->id);
    sh("mkdir -p '%s/.git/honk/sessions' && printf '%%s\\n' "
       "'{\"kind\":\"task\",\"time\":1,\"data\":{\"task\":\"t\",\"branch\":\"honk/%s\",\"base\":\"%s\",\"base_branch\":\"main\"}}' "
       "'{\"kind\":\"state\",\"time\":2,\"data\":{\"state\":\"review\"}}' > '%s'",
       f->dir, f->task->id, f->task->base_commit, f->journal);
    return 0;
}

static void teardown(struct fx *f)
{
    hk_task_free(f->task);
    hk_repo_close(f->repo);
    free(f->dir);
    free(f->remote);
    free(f->journal);
    fx_end();
}

static char *rev(const char *dir, const char *ref)
{
    return sh_out("git -C '%s' rev-parse -q --verify '%s' 2>/dev/null", dir, ref);
}

TEST(record_commits_work_once_and_journal)
{
    struct fx f = {0};
    char *err = NULL, *first = NULL, *again = NULL, *file = NULL, *journal = NULL;
    if (setup(&f) < 0)
        goto out;
    write_file(f.task->worktree, "a.txt", "one\nTWO\nthree\n");
    CHECK(hk_publish_record(f.repo, f.task, f.journal, "t", "1 proposal", &err) == 0, "record: %s", err);
    char *wip = hk_xasprintf("refs/honk/wip/%s", f.task->id);
    first = rev(f.dir, wip);
    CHECK(hk_publish_record(f.repo, f.task, f.journal, "t", "1 proposal", &err) == 0, "record again: %s", err);
    again = rev(f.dir, wip);
    CHECK(first && *first && again && !strcmp(first, again), "an unchanged worktree made a new commit");
    file = sh_out("git -C '%s' show '%s:a.txt'", f.dir, wip);
    CHECK(file && !strcmp(file, "one\nTWO\nthree"), "the wip commit holds %s", file ? file : "nothing");
    journal = sh_out("git -C '%s' show 'refs/honk/sessions/%s:journal.jsonl' | tail -n 1", f.dir, f.task->id);
    CHECK(journal && strstr(journal, "\"review\""), "journal commit holds %s", journal ? journal : "nothing");
    free(wip);
out:
    free(err);
    free(first);
    free(again);
    free(file);
    free(journal);
    teardown(&f);
}

TEST(push_then_never_over_another_then_fetch)
{
    struct fx f = {0};
    char *err = NULL, *report = NULL, *there = NULL, *foreign = NULL, *after = NULL, *clone = NULL;
    if (setup(&f) < 0)
        goto out;
    write_file(f.task->worktree, "b.txt", "new\n");
    CHECK(hk_publish_record(f.repo, f.task, f.journal, "t", "1 proposal", &err) == 0, "record: %s", err);
    CHECK(hk_publish_push(f.repo, "origin", f.task->id, &err) == 0, "push: %s", err);
    char *branch = hk_xasprintf("refs/heads/honk/%s", f.task->id);
    char *wip = hk_xasprintf("refs/honk/wip/%s", f.task->id);
    there = rev(f.remote, branch);
    char *mine = rev(f.dir, wip);
    CHECK(there && mine && !strcmp(there, mine), "the remote's branch is not the work so far");
    free(mine);
    /* A clone fetches it: journal, branch and base. */
    clone = hk_xasprintf("%s/clone", fx_root);
    sh("git clone -q '%s' '%s'", f.remote, clone);
    struct hk_repo *other = NULL;
    if (hk_repo_open(&other, clone, &err) == 0) {
        CHECK(hk_fetch(other, "origin", &report, &err) == 0, "fetch: %s", err);
        CHECK(report && strstr(report, f.task->id) && strstr(report, "review"), "fetch said %s", report ? report : "nothing");
        char *j = hk_xasprintf("%s/.git/honk/sessions/%s.jsonl", clone, f.task->id);
        CHECK(access(j, F_OK) == 0, "no journal in the clone");
        free(j);
        char *from = hk_publish_fetched_from(other, f.task->id);
        CHECK(from && !strcmp(from, "origin"), "fetched from %s", from ? from : "nowhere");
        free(from);
        hk_repo_close(other);
    }
    /* Someone else's commit on the remote's branch: never pushed over. */
    foreign = sh_out("cd '%s' && git commit-tree -m other $(git rev-parse HEAD^{tree})", f.dir);
    sh("cd '%s' && git push -q origin %s:refs/heads/elsewhere && git -C '%s' update-ref '%s' %s", f.dir, foreign,
       f.remote, branch, foreign);
    write_file(f.task->worktree, "b.txt", "newer\n");
    CHECK(hk_publish_record(f.repo, f.task, f.journal, "t", "2 proposals", &err) == 0, "record: %s", err);
    free(err);
    err = NULL;
    CHECK(hk_publish_push(f.repo, "origin", f.task->id, &err) < 0 && err && strstr(err, "not one this session pushed"),
          "pushed over another's: %s", err ? err : "no error");
    after = rev(f.remote, branch);
    CHECK(after && !strcmp(after, foreign), "the remote's branch moved");
    free(branch);
    free(wip);
out:
    free(err);
    free(report);
    free(there);
    free(foreign);
    free(after);
    free(clone);
    teardown(&f);
}


TEST(fetched_commit_replaces_published_ones_on_its_base)
{
    struct fx f = {0};
    char *err = NULL, *hex = NULL, *parent = NULL, *file = NULL;
    if (setup(&f) < 0)
        goto out;
    write_file(f.task->worktree, "a.txt", "one\nTWO\nthree\n");
    CHECK(hk_publish_record(f.repo, f.task, f.journal, "t", "1 proposal", &err) == 0, "record: %s", err);
    /* as a fetch leaves it: the branch at the published work */
    sh("cd '%s' && git update-ref refs/heads/honk/%s refs/honk/wip/%s", f.dir, f.task->id, f.task->id);
    f.task->squash = 1;
    CHECK(hk_task_commit(f.repo, f.task, "The change", f.task->id, &hex, NULL, &err) == 0, "commit: %s", err);
    parent = sh_out("git -C '%s' rev-parse honk/%s^", f.dir, f.task->id);
    CHECK(parent && !strcmp(parent, f.task->base_commit), "the commit is on %s, not the base", parent ? parent : "?");
    file = sh_out("git -C '%s' show honk/%s:a.txt", f.dir, f.task->id);
    CHECK(file && !strcmp(file, "one\nTWO\nthree"), "the commit holds %s", file ? file : "nothing");
    /* a branch no longer based on its base commit is refused */
    sh("cd '%s' && git update-ref refs/heads/honk/%s $(git commit-tree -m elsewhere $(git rev-parse HEAD^{tree}))",
       f.dir, f.task->id);
    write_file(f.task->worktree, "a.txt", "other\n");
    free(hex);
    hex = NULL;
    CHECK(hk_task_commit(f.repo, f.task, "Again", f.task->id, &hex, NULL, &err) < 0 && err &&
              strstr(err, "is no longer based on"), "committed a branch off its base: %s", err ? err : "no error");
out:
    free(err);
    free(hex);
    free(parent);
    free(file);
    teardown(&f);
}
