/* Committing a task's work and landing it on the engineer's branch. */
#include <stdlib.h>

#include "check.h"
#include "repo.h"
#include "repo_fixture.h"

struct setup {
    char *dir;
    struct hk_repo *repo;
    struct hk_task *task;
};

static int setup(struct setup *s, int identity)
{
    fx_begin(identity);
    s->dir = fx_repo();
    char *err = NULL;
    if (hk_repo_open(&s->repo, s->dir, &err) < 0 || hk_task_create(s->repo, NULL, &s->task, &err) < 0) {
        CHECK(0, "setup: %s", err);
        free(err);
        return -1;
    }
    return 0;
}

static void teardown(struct setup *s)
{
    if (s->task)
        hk_task_discard(s->repo, s->task, NULL);
    hk_task_free(s->task);
    hk_repo_close(s->repo);
    free(s->dir);
    fx_end();
}

/* Writes a change in the task worktree and commits it; returns the commit id. */
static char *task_change(struct setup *s, const char *message)
{
    write_file(s->task->worktree, "a.txt", "one\ntwo\nthree\nfour\n");
    char *hex = NULL, *note = NULL, *err = NULL;
    if (hk_task_commit(s->repo, s->task, message, "sess-1", &hex, &note, &err) < 0) {
        CHECK(0, "commit: %s", err);
        free(err);
    }
    free(note);
    return hex;
}

TEST(commit_with_trailer_and_identity)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    write_file(s.task->worktree, "a.txt", "changed\n");
    write_file(s.task->worktree, "sub/new.txt", "new\n");
    char *hex = NULL, *note = NULL, *err = NULL;
    CHECK(hk_task_commit(s.repo, s.task, "Fix the crash\n\nWhen the list is empty.", "abc123",
                         &hex, &note, &err) == 0, "commit: %s", err);
    CHECK(note == NULL, "unexpected note %s", note);
    char *tip = sh_out("git -C '%s' rev-parse %s", s.dir, s.task->branch);
    CHECK_STR(hex, tip);
    char *body = sh_out("git -C '%s' log -1 --format=%%B %s", s.dir, s.task->branch);
    CHECK_STR(body, "Fix the crash\n\nWhen the list is empty.\n\nHonk-Session: abc123");
    char *who = sh_out("git -C '%s' log -1 --format='%%an <%%ae>|%%cn <%%ce>' %s", s.dir,
                       s.task->branch);
    CHECK_STR(who, "Test User <test@example.com>|Test User <test@example.com>");
    char *files = sh_out("git -C '%s' show --name-status --format= HEAD | tr '\\t\\n' ': '",
                         s.task->worktree);
    CHECK_STR(files, "M:a.txt A:sub/new.txt ");
    char *status = sh_out("git -C '%s' status --porcelain", s.task->worktree);
    CHECK_STR(status, "");
    char *again = NULL;
    CHECK(hk_task_commit(s.repo, s.task, "again", "abc123", &again, &note, &err) == -1,
          "empty commit made");
    CHECK(err && strstr(err, "nothing to commit"), "err %s", err);
    free(err), free(hex), free(tip), free(body), free(who), free(files), free(status);
out:
    teardown(&s);
}

TEST(commit_message_with_existing_trailers)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    char *hex = task_change(&s, "Tidy\n\nSigned-off-by: A <a@example.com>\n");
    char *body = sh_out("git -C '%s' log -1 --format=%%B %s", s.dir, s.task->branch);
    CHECK_STR(body, "Tidy\n\nSigned-off-by: A <a@example.com>\nHonk-Session: sess-1");
    free(hex), free(body);
out:
    teardown(&s);
}

TEST(commit_without_identity_falls_back)
{
    struct setup s = {0};
    if (setup(&s, 0) < 0)
        goto out;
    write_file(s.task->worktree, "a.txt", "x\n");
    char *hex = NULL, *note = NULL, *err = NULL;
    CHECK(hk_task_commit(s.repo, s.task, "Subject only", "s9", &hex, &note, &err) == 0,
          "commit: %s", err);
    CHECK(note && strstr(note, "honk <honk@localhost>"), "note %s", note);
    char *who = sh_out("git -C '%s' log -1 --format='%%an <%%ae>' %s", s.dir, s.task->branch);
    CHECK_STR(who, "honk <honk@localhost>");
    char *body = sh_out("git -C '%s' log -1 --format=%%B %s", s.dir, s.task->branch);
    CHECK_STR(body, "Subject only\n\nHonk-Session: s9");
    free(hex), free(note), free(who), free(body);
out:
    teardown(&s);
}

TEST(land_fast_forward_clean_checkout)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    char *hex = task_change(&s, "Add four");
    char *msg = NULL, *err = NULL;
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_DONE, "land: %s %s", msg, err);
    CHECK(msg && strstr(msg, "Landed"), "msg %s", msg);
    char *path = hk_xasprintf("%s/a.txt", s.dir);
    char *content = read_file_all(path);
    CHECK_STR(content, "one\ntwo\nthree\nfour\n");
    char *tip = sh_out("git -C '%s' rev-parse main", s.dir);
    CHECK_STR(tip, hex ? hex : "");
    char *status = sh_out("git -C '%s' status --porcelain", s.dir);
    CHECK_STR(status, "");
    char *branch = sh_out("git -C '%s' symbolic-ref --short HEAD", s.dir);
    CHECK_STR(branch, "main");
    free(msg);
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_DONE, "second land");
    CHECK(msg && strstr(msg, "already"), "msg %s", msg);
    free(hex), free(msg), free(path), free(content), free(tip), free(status), free(branch);
out:
    teardown(&s);
}

TEST(land_refused_with_dirty_checkout)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    char *hex = task_change(&s, "Add four");
    write_file(s.dir, "a.txt", "engineer's own edit\n");
    char *before = fx_state(s.dir);
    char *msg = NULL, *err = NULL;
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_MANUAL, "land: %s %s", msg, err);
    /* git merge --ff-only alone would refuse: a.txt is the engineer's and the task's. */
    char *want = hk_xasprintf("Your checkout has uncommitted changes in a.txt, which the task changed too, so "
                              "git merge --ff-only %s would refuse to overwrite them. To land it: git stash && "
                              "git merge --ff-only %s && git stash pop (the pop may ask you to merge your "
                              "changes with the task's by hand).", s.task->branch, s.task->branch);
    CHECK_STR(msg, want);
    char *after = fx_state(s.dir);
    CHECK_STR(after, before);
    /* What it says works. */
    char *ran = sh_out("cd '%s' && git merge -q --ff-only %s 2>&1 >/dev/null; git stash -q && "
                       "git merge -q --ff-only %s && git rev-parse main", s.dir, s.task->branch, s.task->branch);
    char *tail = ran ? strrchr(ran, '\n') : NULL;
    CHECK(ran && strstr(ran, "would be overwritten"), "the plain merge did not refuse: %s", ran);
    CHECK_STR(tail ? tail + 1 : ran, hex ? hex : "");
    free(hex), free(msg), free(want), free(before), free(after), free(ran);
out:
    teardown(&s);
}

TEST(land_with_dirty_checkout_elsewhere_and_untracked)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    write_file(s.task->worktree, "new.txt", "the task's\n");
    char *hex = task_change(&s, "Add four and new");
    write_file(s.dir, "notes.txt", "mine\n");
    char *msg = NULL, *err = NULL;
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_MANUAL, "land: %s %s", msg, err);
    char *want = hk_xasprintf("Your checkout has uncommitted changes, none in a file the task changed; the task "
                              "is on branch %s. To land it: git merge --ff-only %s", s.task->branch, s.task->branch);
    CHECK_STR(msg, want);
    free(msg), free(want);
    /* An untracked file of the engineer's that the task adds too: stash -u. */
    write_file(s.dir, "new.txt", "the engineer's\n");
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_MANUAL, "land: %s %s", msg, err);
    CHECK(msg && strstr(msg, "uncommitted changes in new.txt, which") && strstr(msg, "git stash -u && git merge"),
          "msg %s", msg);
    char *tip = sh_out("cd '%s' && git stash -q -u && git merge -q --ff-only %s && git rev-parse main", s.dir,
                       s.task->branch);
    CHECK_STR(tip, hex ? hex : "");
    free(hex), free(msg), free(tip);
out:
    teardown(&s);
}

TEST(land_refused_when_base_moved_on)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    char *hex = task_change(&s, "Add four");
    write_file(s.dir, "other.txt", "meanwhile\n");
    sh("cd '%s' && " GIT " add other.txt && " GIT " commit -qm meanwhile", s.dir);
    char *before = fx_state(s.dir);
    char *msg = NULL, *err = NULL;
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_MANUAL, "land: %s %s", msg, err);
    char *cmd = hk_xasprintf("git merge %s", s.task->branch);
    CHECK(msg && strstr(msg, "moved on") && strstr(msg, cmd), "msg %s", msg);
    char *after = fx_state(s.dir);
    CHECK_STR(after, before);
    free(hex), free(msg), free(cmd), free(before), free(after);
out:
    teardown(&s);
}

TEST(land_while_on_another_branch)
{
    struct setup s = {0};
    if (setup(&s, 1) < 0)
        goto out;
    char *hex = task_change(&s, "Add four");
    sh("cd '%s' && git switch -q -c elsewhere", s.dir);
    char *before = fx_state(s.dir);
    char *msg = NULL, *err = NULL;
    CHECK(hk_task_land(s.repo, s.task, &msg, &err) == HK_LAND_DONE, "land: %s %s", msg, err);
    CHECK(msg && strstr(msg, "elsewhere"), "msg %s", msg);
    char *tip = sh_out("git -C '%s' rev-parse main", s.dir);
    CHECK_STR(tip, hex ? hex : "");
    char *after = fx_state(s.dir);
    CHECK_STR(after, before);
    free(hex), free(msg), free(tip), free(before), free(after);
out:
    teardown(&s);
}
