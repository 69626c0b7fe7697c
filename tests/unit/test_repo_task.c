/* Task worktrees and branches: creation, isolation of the engineer's
 * checkout, snapshots of uncommitted work, listing and discarding. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "repo.h"
#include "repo_fixture.h"

static struct hk_repo *open_repo(const char *dir)
{
    struct hk_repo *repo = NULL;
    char *err = NULL;
    if (hk_repo_open(&repo, dir, &err) < 0) {
        CHECK(0, "open %s: %s", dir, err);
        free(err);
    }
    return repo;
}

static struct hk_task *new_task(struct hk_repo *repo, const struct hk_task_options *opts)
{
    struct hk_task *t = NULL;
    char *err = NULL;
    if (hk_task_create(repo, opts, &t, &err) < 0) {
        CHECK(0, "create task: %s", err);
        free(err);
    }
    return t;
}

TEST(task_branch_and_worktree_created_then_removed)
{
    fx_begin(1);
    char *dir = fx_repo();
    struct hk_repo *repo = open_repo(dir);
    struct hk_task *t = repo ? new_task(repo, NULL) : NULL;
    if (!t)
        goto out;
    CHECK(strlen(t->id) == 8 && strspn(t->id, "0123456789abcdef") == 8, "id %s", t->id);
    char *want_branch = hk_xasprintf("honk/%s", t->id);
    CHECK_STR(t->branch, want_branch);
    CHECK_STR(t->base_branch, "main");
    char *head = sh_out("git -C '%s' rev-parse HEAD", dir);
    CHECK_STR(t->base_commit, head);
    char *want_wt = hk_xasprintf("%shonk/worktrees/%s", hk_repo_gitdir(repo), t->id);
    CHECK_STR(t->worktree, want_wt);

    char *branches = sh_out("git -C '%s' branch --list 'honk/*' --format='%%(refname:short)'", dir);
    CHECK_STR(branches, want_branch);
    char *list = sh_out("git -C '%s' worktree list --porcelain", dir);
    CHECK(strstr(list, want_wt) != NULL, "worktree list lacks %s:\n%s", want_wt, list);
    char *wt_branch = sh_out("git -C '%s' symbolic-ref HEAD", t->worktree);
    CHECK(strstr(wt_branch, want_branch) != NULL, "worktree HEAD %s", wt_branch);
    char *status = sh_out("git -C '%s' status --porcelain; echo rc=$?", t->worktree);
    CHECK_STR(status, "rc=0");
    char *a = hk_xasprintf("%s/a.txt", t->worktree);
    char *content = read_file_all(a);
    CHECK_STR(content, "one\ntwo\nthree\n");

    write_file(t->worktree, "a.txt", "uncommitted edit\n");
    write_file(t->worktree, "scratch/untracked.txt", "left behind\n");
    char *err = NULL;
    CHECK(hk_task_discard(repo, t, &err) == 0, "discard: %s", err);
    char *branches2 = sh_out("git -C '%s' branch --list 'honk/*'", dir);
    CHECK_STR(branches2, "");
    char *list2 = sh_out("git -C '%s' worktree list --porcelain | grep -c '^worktree'", dir);
    CHECK_STR(list2, "1");
    CHECK(access(t->worktree, F_OK) != 0, "worktree directory still there");
    char *admin = sh_out("ls '%s/.git/worktrees' 2>/dev/null", dir);
    CHECK_STR(admin, "");
    free(want_branch), free(head), free(want_wt), free(branches), free(list), free(wt_branch);
    free(status), free(a), free(content), free(branches2), free(list2), free(admin);
out:
    hk_task_free(t);
    hk_repo_close(repo);
    free(dir);
    fx_end();
}

/* The engineer has uncommitted work and a stash; a whole task cycle must
 * leave every byte of it as it was. */
TEST(engineer_checkout_untouched)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, "a.txt", "stashed\n");
    sh("cd '%s' && " GIT " stash -q", dir);
    write_file(dir, "a.txt", "one\ntwo\nmine\n");
    write_file(dir, "notes.txt", "untracked\n");
    sh("cd '%s' && git add notes.txt && git status -s >/dev/null", dir);
    char *before = fx_state(dir);
    struct hk_repo *repo = open_repo(dir);
    struct hk_task *t = repo ? new_task(repo, NULL) : NULL;
    if (!t)
        goto out;
    write_file(t->worktree, "a.txt", "one\ntwo\nthree\nfour\n");
    write_file(t->worktree, "new/file.c", "int main(void) { return 0; }\n");
    char *hex = NULL, *note = NULL, *err = NULL;
    CHECK(hk_task_commit(repo, t, "Task work", "s1", &hex, &note, &err) == 0, "commit: %s", err);
    char *mid = fx_state(dir);
    CHECK_STR(mid, before);
    CHECK(hk_task_discard(repo, t, &err) == 0, "discard: %s", err);
    char *after = fx_state(dir);
    CHECK_STR(after, before);
    free(hex), free(note), free(mid), free(after);
out:
    hk_task_free(t);
    hk_repo_close(repo);
    free(before);
    free(dir);
    fx_end();
}

TEST(empty_repository_task_and_land)
{
    const char *root = fx_begin(1);
    char *dir = hk_xasprintf("%s/empty", root);
    sh(GIT " init -q '%s'", dir);
    struct hk_repo *repo = open_repo(dir);
    struct hk_task *t = repo ? new_task(repo, NULL) : NULL;
    if (!t)
        goto out;
    CHECK_STR(t->base_branch, "main");
    char *count = sh_out("git -C '%s' rev-list --count HEAD", t->worktree);
    CHECK_STR(count, "1");
    char *tree = sh_out("git -C '%s' rev-parse 'HEAD^{tree}'", t->worktree);
    CHECK_STR(tree, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    char *unborn = sh_out("git -C '%s' rev-parse -q --verify HEAD; echo rc=$?", dir);
    CHECK_STR(unborn, "rc=1");
    write_file(t->worktree, "hello.txt", "hello\n");
    char *hex = NULL, *note = NULL, *err = NULL, *msg = NULL;
    CHECK(hk_task_commit(repo, t, "Say hello", "s1", &hex, &note, &err) == 0, "commit: %s", err);
    CHECK(hk_task_land(repo, t, &msg, &err) == HK_LAND_DONE, "land: %s %s", msg, err);
    char *path = hk_xasprintf("%s/hello.txt", dir);
    char *content = read_file_all(path);
    CHECK_STR(content, "hello\n");
    char *main_tip = sh_out("git -C '%s' rev-parse main", dir);
    CHECK_STR(main_tip, hex ? hex : "");
    char *status = sh_out("git -C '%s' status --porcelain", dir);
    CHECK_STR(status, "");
    free(count), free(tree), free(unborn), free(hex), free(note), free(msg), free(path);
    free(content), free(main_tip), free(status);
    hk_task_discard(repo, t, NULL);
out:
    hk_task_free(t);
    hk_repo_close(repo);
    free(dir);
    fx_end();
}

TEST(with_changes_snapshot)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, "gone.txt", "to be deleted\n");
    write_file(dir, ".gitignore", "*.log\n");
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm setup", dir);
    write_file(dir, "a.txt", "one\ntwo\nunstaged\n");         /* unstaged */
    write_file(dir, "staged.txt", "staged\n");
    sh("cd '%s' && git add staged.txt && rm gone.txt", dir); /* staged; deleted */
    write_file(dir, "dir/untracked.txt", "untracked\n");      /* untracked */
    write_file(dir, "debug.log", "ignored\n");                /* ignored */
    char *head = sh_out("git -C '%s' rev-parse HEAD", dir);
    char *before = fx_state(dir);
    struct hk_repo *repo = open_repo(dir);
    struct hk_task_options opts = {.with_changes = 1};
    struct hk_task *t = repo ? new_task(repo, &opts) : NULL;
    if (!t)
        goto out;
    char *after = fx_state(dir);
    CHECK_STR(after, before);
    CHECK(strcmp(t->base_commit, head) != 0, "no snapshot commit was made");
    char *parent = sh_out("git -C '%s' rev-parse %s^", dir, t->base_commit);
    CHECK_STR(parent, head);
    char *files = sh_out("git -C '%s' ls-files | tr '\\n' ' '", t->worktree);
    CHECK_STR(files, ".gitignore a.txt dir/untracked.txt staged.txt ");
    char *p = hk_xasprintf("%s/a.txt", t->worktree);
    char *a = read_file_all(p);
    CHECK_STR(a, "one\ntwo\nunstaged\n");
    char *wt_status = sh_out("git -C '%s' status --porcelain", t->worktree);
    CHECK_STR(wt_status, "");
    char *head_after = sh_out("git -C '%s' rev-parse HEAD", dir);
    CHECK_STR(head_after, head);
    free(after), free(parent), free(files), free(p), free(a), free(wt_status), free(head_after);
    hk_task_discard(repo, t, NULL);
out:
    hk_task_free(t);
    hk_repo_close(repo);
    free(before);
    free(head);
    free(dir);
    fx_end();
}

TEST(with_changes_clean_checkout_starts_at_head)
{
    fx_begin(1);
    char *dir = fx_repo();
    char *head = sh_out("git -C '%s' rev-parse HEAD", dir);
    struct hk_repo *repo = open_repo(dir);
    struct hk_task_options opts = {.with_changes = 1};
    struct hk_task *t = repo ? new_task(repo, &opts) : NULL;
    if (t) {
        CHECK_STR(t->base_commit, head);
        hk_task_discard(repo, t, NULL);
    }
    hk_task_free(t);
    hk_repo_close(repo);
    free(head);
    free(dir);
    fx_end();
}

TEST(task_from_a_revision)
{
    fx_begin(1);
    char *dir = fx_repo();
    char *first = sh_out("git -C '%s' rev-parse HEAD", dir);
    sh("cd '%s' && " GIT " branch side && " GIT " commit -q --allow-empty -m second", dir);
    struct hk_repo *repo = open_repo(dir);
    struct hk_task_options opts = {.base = "side"};
    struct hk_task *t = repo ? new_task(repo, &opts) : NULL;
    if (t) {
        CHECK_STR(t->base_commit, first);
        CHECK_STR(t->base_branch, "side");
        hk_task_discard(repo, t, NULL);
    }
    char *err = NULL;
    struct hk_task *bad = NULL;
    opts.base = "no-such-branch";
    CHECK(repo && hk_task_create(repo, &opts, &bad, &err) == -1, "bad base accepted");
    CHECK(err && strstr(err, "cannot use no-such-branch as the base of a task"), "err %s", err);
    free(err);
    hk_task_free(t);
    hk_repo_close(repo);
    free(first);
    free(dir);
    fx_end();
}

TEST(list_open_and_read_base)
{
    fx_begin(1);
    char *dir = fx_repo();
    struct hk_repo *repo = open_repo(dir);
    struct hk_task *t1 = repo ? new_task(repo, NULL) : NULL;
    struct hk_task *t2 = repo ? new_task(repo, NULL) : NULL;
    if (!t1 || !t2)
        goto out;
    CHECK(strcmp(t1->id, t2->id) != 0, "ids collide");
    struct hk_task **list = NULL;
    size_t n = 0;
    char *err = NULL;
    CHECK(hk_task_list(repo, &list, &n, &err) == 0, "list: %s", err);
    CHECK(n == 2, "listed %zu tasks", n);
    for (size_t i = 0; i < n; i++) {
        struct hk_task *want = strcmp(list[i]->id, t1->id) == 0 ? t1 : t2;
        CHECK_STR(list[i]->worktree, want->worktree);
        CHECK_STR(list[i]->base_commit, want->base_commit);
        CHECK_STR(list[i]->base_branch, "main");
    }
    hk_task_list_free(list, n);

    struct hk_task *opened = NULL;
    CHECK(hk_task_open(repo, t1->id, &opened, &err) == 1, "open by id");
    struct hk_task *none = NULL;
    CHECK(hk_task_open(repo, "00000000", &none, &err) == 0 && !none, "absent task found");
    CHECK(hk_task_open(repo, "../../x", &none, &err) == 0 && !none, "bad id accepted");
    if (opened)
        CHECK_STR(opened->branch, t1->branch);
    hk_task_free(opened);

    write_file(t1->worktree, "a.txt", "rewritten\n");
    char *data = NULL;
    size_t len = 0;
    CHECK(hk_task_read_base(repo, t1, "a.txt", &data, &len, &err) == 1, "read: %s", err);
    CHECK_STR(data, "one\ntwo\nthree\n");
    CHECK(len == 14, "len %zu", len);
    free(data);
    CHECK(hk_task_read_base(repo, t1, "nope.txt", &data, &len, &err) == 0, "absent file");

    hk_task_discard(repo, t1, NULL);
    CHECK(hk_task_list(repo, &list, &n, &err) == 0 && n == 1, "after discard %zu", n);
    hk_task_list_free(list, n);
    hk_task_discard(repo, t2, NULL);
out:
    hk_task_free(t1);
    hk_task_free(t2);
    hk_repo_close(repo);
    free(dir);
    fx_end();
}
